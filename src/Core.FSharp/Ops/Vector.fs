/// Concatenation and slicing of 1-D values (used to flatten a `Params` tree into one vector and back).
/// Minimal on purpose: a general `cat`/`narrow` along any dimension can replace them.
module internal Functional.Ops.Vector

open TorchSharp
open Functional
open Functional.Ad
open Functional.Ops.Define

let private length (x: Value) = (Value.shape x)[0]

/// x[start .. start + count - 1] of a 1-D value.
let rec slice (start: int64) (count: int64) (x: Value) : Value =
    let n = length x

    if start < 0L || count < 0L || start + count > n then
        Errors.fail
            "slice"
            $"elements {start} .. {start + count - 1L} are out of range for a vector of {n}"
            "Slice within the vector."

    unary
        "slice"
        (fun r -> r.narrow(0L, start, count).contiguous())
        (fun _ _ t -> slice start count t)
        (fun _ _ g -> pad n start g)
        x

/// A vector of `total` zeros with the 1-D value `g` placed at `start` (the adjoint of `slice`).
and pad (total: int64) (start: int64) (g: Value) : Value =
    let count = length g

    unary
        "pad"
        (fun r ->
            let z = torch.zeros ([| total |], r.dtype, r.device)
            z.narrow(0L, start, count).copy_ r |> ignore
            z)
        (fun _ _ t -> pad total start t)
        (fun _ _ g -> slice start count g)
        g

/// Concatenates 1-D values of one dtype into one vector.
let rec concat (xs: Value[]) : Value =
    if xs.Length = 0 then
        Errors.fail "concat" "no vectors to concatenate" "Pass at least one vector."

    xs
    |> Array.iteri (fun i x ->
        let s = Value.shape x

        if s.Length <> 1 then
            Errors.fail
                "concat"
                $"value {i} has shape {Errors.shapeText s}, not a vector"
                "Reshape each part to 1-D first.")

    let lengths = xs |> Array.map length
    let starts = Array.scan (+) 0L lengths

    Value.apply
        {
            Name = "concat"
            Forward = guarded "concat" (fun r -> torch.cat (r, 0L))
            Jvp =
                fun p _ ts ->
                    concat (
                        Array.init p.Length (fun i ->
                            match ts[i] with
                            | ValueSome t -> t
                            | ValueNone -> zerosLike p[i])
                    )
            Vjp = fun _ _ g i -> slice starts[i] lengths[i] g
        }
        xs
