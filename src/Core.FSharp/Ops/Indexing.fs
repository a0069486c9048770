/// Indexing with integer index tensors: indexSelect / indexAdd and gather / scatterAdd, each pair the
/// other's adjoint. Indices carry no derivative; they are checked on the .NET side before libtorch sees them.
module internal Functional.Ops.Indexing

open TorchSharp
open Functional
open Functional.Ad
open Functional.Ops.Define

/// The raw Int64 form of `indices` (Int64 or Int32), every entry checked to index dimension `d` of `shape`.
let private checkedIndices (op: string) (shape: int64[]) (d: int) (indices: Value) : Raw =
    let size = shape[d]
    let r = Value.raw indices

    let r =
        match r.dtype with
        | torch.ScalarType.Int64 -> r
        | torch.ScalarType.Int32 -> Value.raw (Value.ofRaw (r.to_type torch.ScalarType.Int64))
        | other ->
            Errors.fail
                op
                $"the indices have dtype {other}"
                "Use an Int64 (or Int32) tensor of indices, e.g. Tensor.create([| 0; 2 |], Int64)."

    if r.NumberOfElements > 0L then
        use lo = r.min ()
        use hi = r.max ()
        let lo, hi = lo.item<int64>(), hi.item<int64>()

        if lo < 0L || hi >= size then
            Errors.fail
                op
                $"index {(if lo < 0L then lo else hi)} is out of range for dimension {d} (size {size}) of a tensor of shape {Errors.shapeText shape}"
                $"Indices must lie in [0, {size - 1L}]."

    r

let rec private indexSelectRaw (d: int) (idx: Raw) (x: Value) : Value =
    unary
        "indexSelect"
        (fun r -> r.index_select (int64 d, idx))
        (fun _ _ t -> indexSelectRaw d idx t)
        (fun x _ g -> indexAddRaw d idx (zerosLike x) g)
        x

and private indexAddRaw (d: int) (idx: Raw) (x: Value) (src: Value) : Value =
    binary
        "indexAdd"
        (fun a b -> a.index_add (int64 d, idx, b, scalar 1.0))
        (fun a _ _ i t -> if i = 0 then t else indexAddRaw d idx (zerosLike a) t)
        (fun _ _ _ g i -> if i = 0 then g else indexSelectRaw d idx g)
        x
        src

let private requireVector (op: string) (indices: Value) =
    let s = Value.shape indices

    if s.Length > 1 then
        Errors.fail
            op
            $"the indices have shape {Errors.shapeText s}"
            "Pass a 1-dimensional tensor of indices."

/// The slices of x at `indices` (a 1-D integer tensor) along `dim`: result[.., k, ..] = x[.., indices[k], ..].
let indexSelect (dim: int) (indices: Value) (x: Value) : Value =
    let shape = Value.shape x
    let d = Shape.dimIndex "indexSelect" shape.Length dim
    requireVector "indexSelect" indices
    let idx = checkedIndices "indexSelect" shape d indices
    indexSelectRaw d idx x

/// x with src's slices added at `indices` along `dim`: result[.., indices[k], ..] += src[.., k, ..].
let indexAdd (dim: int) (indices: Value) (src: Value) (x: Value) : Value =
    let shape = Value.shape x
    let d = Shape.dimIndex "indexAdd" shape.Length dim
    requireVector "indexAdd" indices
    let count = (Value.raw indices).NumberOfElements
    let expected = shape |> Array.mapi (fun i n -> if i = d then count else n)
    let s = Value.shape src

    if s.Length <> expected.Length || not (Array.forall2 (=) s expected) then
        Errors.fail
            "indexAdd"
            $"src has shape {Errors.shapeText s} but adding {count} slices along dimension {dim} of a tensor of shape {Errors.shapeText shape} needs {Errors.shapeText expected}"
            "src must match x except along dim, where its size is the number of indices."

    let idx = checkedIndices "indexAdd" shape d indices
    indexAddRaw d idx x src

/// Rows of x picked by an integer tensor of any shape along the first dimension: result shape is
/// indices.shape followed by x.shape[1..].
let index (indices: Value) (x: Value) : Value =
    let shape = Value.shape x

    if shape.Length = 0 then
        Errors.fail "index" "a 0-dimensional tensor cannot be indexed" "Index tensors of rank >= 1."

    let idxShape = Value.shape indices
    let flat = Value.ofRaw ((Value.raw indices).reshape [| -1L |])

    x |> indexSelect 0 flat |> Shape.reshape (Array.append idxShape shape[1..])

let rec private gatherRaw (d: int) (idx: Raw) (x: Value) : Value =
    unary
        "gather"
        (fun r -> r.gather (int64 d, idx))
        (fun _ _ t -> gatherRaw d idx t)
        (fun x _ g -> scatterAddRaw d idx (zerosLike x) g)
        x

and private scatterAddRaw (d: int) (idx: Raw) (x: Value) (src: Value) : Value =
    binary
        "scatterAdd"
        (fun a b -> a.scatter_add (int64 d, idx, b))
        (fun a _ _ i t -> if i = 0 then t else scatterAddRaw d idx (zerosLike a) t)
        (fun _ _ _ g i -> if i = 0 then g else gatherRaw d idx g)
        x
        src

/// Checks that index shape `s` fits within `bound` in every dimension (except `skip`, if >= 0).
let private requireWithin (op: string) (what: string) (s: int64[]) (bound: int64[]) (skip: int) =
    let fits =
        s.Length = bound.Length
        && Array.forall id (Array.init s.Length (fun k -> k = skip || s[k] <= bound[k]))

    if not fits then
        Errors.fail
            op
            $"the indices have shape {Errors.shapeText s}, which does not fit {what} of shape {Errors.shapeText bound}"
            "The indices need the same rank, and no dimension larger than the tensor's (except along dim)."

/// Picks along `dim` by an index tensor of the same rank: result[i][j] = x[i][indices[i][j]] for dim = 1.
let gather (dim: int) (indices: Value) (x: Value) : Value =
    let shape = Value.shape x
    let d = Shape.dimIndex "gather" shape.Length dim
    requireWithin "gather" "x" (Value.shape indices) shape d
    let idx = checkedIndices "gather" shape d indices
    gatherRaw d idx x

/// x with src added at positions given along `dim` by `indices`: result[i][indices[i][j]] += src[i][j] for
/// dim = 1 (src entries beyond the index tensor's shape are ignored, as in torch).
let scatterAdd (dim: int) (indices: Value) (src: Value) (x: Value) : Value =
    let shape = Value.shape x
    let d = Shape.dimIndex "scatterAdd" shape.Length dim
    let s = Value.shape indices
    let srcShape = Value.shape src
    requireWithin "scatterAdd" "x" s shape d
    requireWithin "scatterAdd" "src" s srcShape -1
    let idx = checkedIndices "scatterAdd" shape d indices
    let used = Slicing.crop (Array.zeroCreate s.Length) (Array.map2 (-) srcShape s) src
    scatterAddRaw d idx x used
