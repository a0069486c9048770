/// Joining and splitting along an existing dimension: cat, split and chunk (split is cat's adjoint).
module internal Functional.Ops.Concatenate

open TorchSharp
open Functional
open Functional.Ad
open Functional.Ops.Define

/// Joins tensors along dimension `dim`; all other sizes must agree.
let rec cat (dim: int) (xs: Value[]) : Value =
    if xs.Length = 0 then
        Errors.fail "cat" "no tensors to concatenate" "Pass at least one tensor."

    let shapes = xs |> Array.map Value.shape
    let first = shapes[0]
    let d = Shape.dimIndex "cat" first.Length dim

    shapes
    |> Array.iteri (fun i s ->
        let agrees =
            s.Length = first.Length
            && Array.forall2 (=) (Array.removeAt d s) (Array.removeAt d first)

        if not agrees then
            Errors.fail
                "cat"
                $"tensor {i} has shape {Errors.shapeText s} but tensor 0 has {Errors.shapeText first} (joining along dimension {dim})"
                "All tensors need the same rank and the same sizes except along the joined dimension.")

    if xs.Length = 1 then
        xs[0]
    else
        let offsets = shapes |> Array.scan (fun acc s -> acc + s[d]) 0L

        Value.apply
            {
                Name = "cat"
                Forward = guarded "cat" (fun r -> torch.cat (r, int64 d))
                Jvp =
                    fun p _ ts ->
                        cat
                            d
                            (Array.init p.Length (fun i ->
                                match ts[i] with
                                | ValueSome t -> t
                                | ValueNone -> zerosLike p[i]))
                Vjp = fun _ _ g i -> Slicing.narrow d (offsets[i]) (shapes[i][d]) g
            }
            xs

/// Splits x along `dim` into consecutive pieces of the given sizes (which must add up to the size).
let split (sizes: int64[]) (dim: int) (x: Value) : Value[] =
    let shape = Value.shape x
    let d = Shape.dimIndex "split" shape.Length dim

    if Array.exists (fun s -> s < 0L) sizes || Array.sum sizes <> shape[d] then
        Errors.fail
            "split"
            $"sizes {Errors.shapeText sizes} do not add up to the size {shape[d]} of dimension {dim} (shape {Errors.shapeText shape})"
            "Give non-negative sizes that sum to the dimension's size, or one piece size."

    let offsets = Array.scan (+) 0L sizes
    sizes |> Array.mapi (fun i n -> Slicing.narrow d offsets[i] n x)

/// Splits x along `dim` into pieces of `size` elements (the last may be smaller), as torch.split.
let splitEvery (size: int64) (dim: int) (x: Value) : Value[] =
    let shape = Value.shape x
    let d = Shape.dimIndex "split" shape.Length dim
    let n = shape[d]

    if size <= 0L && n > 0L then
        Errors.fail
            "split"
            $"piece size {size} is not positive (dimension {dim} has size {n})"
            "Use a piece size >= 1."

    if n = 0L then
        [| x |]
    else
        let count = (n + size - 1L) / size
        split (Array.init (int count) (fun i -> min size (n - int64 i * size))) d x

/// Splits x along `dim` into at most `chunks` pieces of equal size (the last may be smaller), as torch.chunk.
let chunk (chunks: int) (dim: int) (x: Value) : Value[] =
    if chunks <= 0 then
        Errors.fail "chunk" $"chunk count {chunks} is not positive" "Use at least one chunk."

    let shape = Value.shape x
    let d = Shape.dimIndex "chunk" shape.Length dim
    let n = shape[d]
    splitEvery (max 1L ((n + int64 chunks - 1L) / int64 chunks)) d x
