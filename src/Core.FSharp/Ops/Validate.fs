/// Argument checks shared by the ops (dtypes, dimensions), each failing with a message that names the op.
module internal Functional.Ops.Validate

open TorchSharp
open Functional
open Functional.Ad

/// The dtype of a value, as Functional names it.
let dtypeOf (v: Value) : Dtype =
    Convert.ofScalarType (Value.raw v).dtype

/// Fails unless `v` has a floating-point dtype (Float32 or Float64).
let requireFloat (op: string) (v: Value) : unit =
    match (Value.raw v).dtype with
    | torch.ScalarType.Float32
    | torch.ScalarType.Float64 -> ()
    | _ ->
        Errors.fail
            op
            $"the input has dtype {dtypeOf v}, but {op} is defined for floating-point tensors only"
            "Convert it first, e.g. x.ToDtype Float32."

/// Fails if `v` is a Bool tensor (for ops that need numbers).
let requireNumeric (op: string) (v: Value) : unit =
    if (Value.raw v).dtype = torch.ScalarType.Bool then
        Errors.fail
            op
            "the input is a Bool tensor, which has no numeric values"
            "Convert it first, e.g. x.ToDtype Float32."

/// Normalizes a possibly negative dimension index against a rank, with a clear error (a rank-0 tensor
/// accepts 0 and -1, like PyTorch).
let normalizeDim (op: string) (rank: int) (dim: int) : int =
    let r = max rank 1
    let d = if dim < 0 then dim + r else dim

    if d < 0 || d >= r then
        Errors.fail
            op
            $"dimension {dim} is out of range for a tensor of rank {rank}"
            $"Use a dimension in [{-r}, {r - 1}]."

    d

/// Fails if `v` has no elements (reductions such as max have no value then).
let requireNonEmpty (op: string) (v: Value) : unit =
    if (Value.raw v).NumberOfElements = 0L then
        Errors.fail
            op
            $"the input of shape {Errors.shapeText (Value.shape v)} has no elements"
            "Reduce a tensor with at least one element."

/// Fails unless two operands have the same dtype (for the ops whose libtorch kernels do not promote).
let requireSameDtype (op: string) (a: Value) (b: Value) : unit =
    let da, db = dtypeOf a, dtypeOf b

    if da <> db then
        Errors.fail
            op
            $"the operands of shapes {Errors.shapeText (Value.shape a)} and {Errors.shapeText (Value.shape b)} have dtypes {da} and {db}"
            "Convert one of them first, e.g. b.ToDtype a.Dtype."
