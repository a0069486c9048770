/// Shape ops that move elements without arithmetic: reshape and its relatives (flatten, squeeze,
/// unsqueeze), transpose, permute, expand, flip, repeat, select and stack. Slicing, padding and
/// concatenation live in Slicing.fs and Concatenate.fs.
module internal Functional.Ops.Shape

open Functional
open Functional.Ad
open Functional.Ops.Define

/// Normalizes a possibly negative dimension `dim` of a tensor of rank `rank` to [0, rank), or fails naming `op`.
let dimIndex (op: string) (rank: int) (dim: int) : int =
    let d = if dim < 0 then dim + rank else dim

    if d < 0 || d >= rank then
        if rank = 0 then
            Errors.fail
                op
                $"dimension {dim} does not exist in a 0-dimensional tensor"
                "Reshape the scalar to [1] first."
        else
            Errors.fail
                op
                $"dimension {dim} is out of range for a tensor of rank {rank}"
                $"Use a dimension in [{-rank}, {rank - 1}]."

    d

/// Normalizes a list of distinct dimensions, failing on out-of-range or repeated entries.
let dimIndices (op: string) (rank: int) (dims: int[]) : int[] =
    let ds = dims |> Array.map (dimIndex op rank)

    if (Array.distinct ds).Length <> ds.Length then
        Errors.fail
            op
            $"dimensions {Errors.shapeText (Array.map int64 dims)} repeat a dimension"
            "List each dimension once."

    ds

/// Reshapes to `shape` (one entry may be -1); the element count must match.
let rec reshape (shape: int64[]) (x: Value) : Value =
    let from = Value.shape x
    let n = Array.fold (*) 1L from
    let known = shape |> Array.filter (fun d -> d <> -1L) |> Array.fold (*) 1L
    let inferred = shape |> Array.filter ((=) -1L) |> Array.length

    let target =
        if inferred = 1 && known > 0L && n % known = 0L then
            shape |> Array.map (fun d -> if d = -1L then n / known else d)
        else
            shape

    if
        inferred > 1
        || Array.fold (*) 1L target <> n
        || Array.exists (fun d -> d < 0L) target
    then
        Errors.fail
            "reshape"
            $"cannot reshape a tensor of shape {Errors.shapeText from} ({n} elements) to {Errors.shapeText shape}"
            "The new shape must have the same number of elements; at most one dimension may be -1."

    if target.Length = from.Length && Array.forall2 (=) target from then
        x
    else
        unary
            "reshape"
            (fun r -> r.reshape target)
            (fun _ _ t -> reshape target t)
            (fun x _ g -> reshape (Value.shape x) g)
            x

/// Swaps dimensions `d0` and `d1`.
let rec transpose (d0: int) (d1: int) (x: Value) : Value =
    let rank = (Value.shape x).Length
    let norm d = if d < 0 then d + rank else d
    let a, b = norm d0, norm d1

    if a < 0 || a >= rank || b < 0 || b >= rank then
        Errors.fail
            "transpose"
            $"dimensions {d0} and {d1} are out of range for rank {rank}"
            "Use dimensions within the tensor's rank."

    if a = b then
        x
    else
        unary
            "transpose"
            (fun r -> r.transpose (int64 a, int64 b))
            (fun _ _ t -> transpose a b t)
            (fun _ _ g -> transpose a b g)
            x

/// The slice at index `i` along `dim` (that dimension removed).
let rec select (dim: int) (i: int64) (x: Value) : Value =
    let shape = Value.shape x

    unary
        "select"
        (fun r -> r.select (int64 dim, i))
        (fun _ _ t -> select dim i t)
        (fun _ _ g -> embed shape dim i g)
        x

/// Zeros of `shape` with `g` placed at index `i` along `dim` (the adjoint of `select`).
and embed (shape: int64[]) (dim: int) (i: int64) (g: Value) : Value =
    unary
        "embed"
        (fun r ->
            let z = TorchSharp.torch.zeros (shape, r.dtype, r.device)
            z.select(int64 dim, i).copy_ r |> ignore
            z)
        (fun _ _ t -> embed shape dim i t)
        (fun _ _ g -> select dim i g)
        g

/// Stacks same-shaped values along a new dimension `dim`.
let rec stack (dim: int) (xs: Value[]) : Value =
    if xs.Length = 0 then
        Errors.fail "stack" "no tensors to stack" "Pass at least one tensor."

    let first = Value.shape xs[0]

    xs
    |> Array.iteri (fun i x ->
        let s = Value.shape x

        if s.Length <> first.Length || not (Array.forall2 (=) s first) then
            Errors.fail
                "stack"
                $"tensor {i} has shape {Errors.shapeText s} but tensor 0 has {Errors.shapeText first}"
                "All tensors must have the same shape.")

    Value.apply
        {
            Name = "stack"
            Forward = guarded "stack" (fun r -> TorchSharp.torch.stack (r, int64 dim))
            Jvp =
                fun p _ ts ->
                    stack
                        dim
                        (Array.init p.Length (fun i ->
                            match ts[i] with
                            | ValueSome t -> t
                            | ValueNone -> zerosLike p[i]))
            Vjp = fun _ _ g i -> select dim (int64 i) g
        }
        xs

/// Reorders the dimensions: result dimension i is input dimension `dims[i]`.
let rec permute (dims: int[]) (x: Value) : Value =
    let shape = Value.shape x

    if dims.Length <> shape.Length then
        Errors.fail
            "permute"
            $"{dims.Length} dimensions {Errors.shapeText (Array.map int64 dims)} given for a tensor of shape {Errors.shapeText shape}"
            "List every dimension of the tensor exactly once."

    let p = dimIndices "permute" shape.Length dims

    if p |> Array.mapi (fun i d -> i = d) |> Array.forall id then
        x
    else
        let inverse = Array.zeroCreate p.Length
        p |> Array.iteri (fun i d -> inverse[d] <- i)

        unary
            "permute"
            (fun r -> r.permute (Array.map int64 p))
            (fun _ _ t -> permute p t)
            (fun _ _ g -> permute inverse g)
            x

/// Merges dimensions `startDim..endDim` (inclusive) into one; a 0-dimensional tensor becomes shape [1].
let flatten (startDim: int) (endDim: int) (x: Value) : Value =
    let shape = Value.shape x

    if shape.Length = 0 then
        reshape [| 1L |] x
    else
        let s = dimIndex "flatten" shape.Length startDim
        let e = dimIndex "flatten" shape.Length endDim

        if s > e then
            Errors.fail
                "flatten"
                $"startDim {startDim} comes after endDim {endDim} for a tensor of shape {Errors.shapeText shape}"
                "Use startDim <= endDim."

        let merged = shape[s..e] |> Array.fold (*) 1L
        reshape (Array.concat [ shape[.. s - 1]; [| merged |]; shape[e + 1 ..] ]) x

/// Removes every dimension of size 1, or only `dim` if it has size 1 (otherwise returns x unchanged).
let squeeze (dim: int option) (x: Value) : Value =
    let shape = Value.shape x

    match dim with
    | None -> reshape (shape |> Array.filter (fun n -> n <> 1L)) x
    | Some dim ->
        let d = dimIndex "squeeze" shape.Length dim

        if shape[d] = 1L then
            reshape (Array.removeAt d shape) x
        else
            x

/// Inserts a dimension of size 1 at position `dim` (in [-rank-1, rank]).
let unsqueeze (dim: int) (x: Value) : Value =
    let shape = Value.shape x
    let d = dimIndex "unsqueeze" (shape.Length + 1) dim
    reshape (Array.insertAt d 1L shape) x

/// Broadcasts x to `shape` (as torch.expand): x's dimensions align with the trailing ones of `shape`,
/// each must equal its target or be 1; -1 keeps x's size.
let expand (shape: int64[]) (x: Value) : Value =
    let from = Value.shape x
    let lead = shape.Length - from.Length

    let problem () =
        Errors.fail
            "expand"
            $"a tensor of shape {Errors.shapeText from} cannot be expanded to {Errors.shapeText shape}"
            "Each dimension of the tensor (aligned from the right) must equal the target size or be 1; -1 keeps a size, and the target needs at least as many dimensions."

    if lead < 0 then
        problem ()

    let target =
        shape
        |> Array.mapi (fun i n ->
            if i < lead then
                if n < 0L then problem () else n
            elif n = -1L then
                from[i - lead]
            elif n < 0L || (from[i - lead] <> n && from[i - lead] <> 1L) then
                problem ()
            else
                n)

    Arithmetic.broadcastTo target x

/// Reverses the order of elements along each of `dims`.
let rec flip (dims: int[]) (x: Value) : Value =
    let ds = dimIndices "flip" (Value.shape x).Length dims |> Array.map int64

    if ds.Length = 0 then
        x
    else
        unary "flip" (fun r -> r.flip ds) (fun _ _ t -> flip dims t) (fun _ _ g -> flip dims g) x

/// Tiles x `repeats[i]` times along dimension i (as torch.repeat); leading extra entries add dimensions.
let repeat (repeats: int64[]) (x: Value) : Value =
    let shape = Value.shape x

    if repeats.Length < shape.Length || Array.exists (fun r -> r < 0L) repeats then
        Errors.fail
            "repeat"
            $"repeats {Errors.shapeText repeats} do not fit a tensor of shape {Errors.shapeText shape}"
            "Give one non-negative count per dimension (more entries add leading dimensions)."

    let padded = Array.append (Array.create (repeats.Length - shape.Length) 1L) shape
    let interleaved (f: int -> int64) = Array.init (2 * padded.Length) f

    x
    |> reshape (interleaved (fun i -> if i % 2 = 0 then 1L else padded[i / 2]))
    |> Arithmetic.broadcastTo (interleaved (fun i -> if i % 2 = 0 then repeats[i / 2] else padded[i / 2]))
    |> reshape (Array.map2 (*) repeats padded)
