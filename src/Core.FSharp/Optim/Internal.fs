/// Small helpers for the optimizers: comparisons, sign, a safe norm and state fields. The comparison and
/// sign helpers carry no derivative (as the real ops will not); swap in the public ops when they exist.
module internal Functional.OptimHelpers

open Functional
open Functional.Ad
open Functional.Ops

/// The Bool mask x > c (no derivative).
let greater (x: Tensor) (c: float) : Tensor =
    Tensor(Define.constant "greater" (fun r -> r[0].gt(Define.scalar c)) [| x.Value |])

/// The Bool mask x < c (no derivative).
let less (x: Tensor) (c: float) : Tensor =
    Tensor(Define.constant "less" (fun r -> r[0].lt(Define.scalar c)) [| x.Value |])

/// The Bool mask a > b elementwise (no derivative).
let greaterThan (a: Tensor) (b: Tensor) : Tensor =
    Tensor(Define.constant "greater" (fun r -> r[0].gt r[1]) [| a.Value; b.Value |])

/// -1, 0 or 1 by the sign of each element (derivative 0, as almost everywhere).
let sign (x: Tensor) : Tensor =
    Tensor(Define.constant "sign" (fun r -> r[0].sign()) [| x.Value |])

/// A 0-dimensional constant with the dtype and device of `like`.
let scalarLike (like: Tensor) (c: float) : Tensor =
    Tensor.full ([], c, like.Dtype, like.Device)

/// max(a, b) elementwise (differentiable through the larger one).
let maximum (a: Tensor) (b: Tensor) : Tensor = Tensor.where (greaterThan a b, a, b)

/// min(max(x, lo), hi) (derivative 1 inside the interval, 0 outside).
let clamp (lo: float) (hi: float) (x: Tensor) : Tensor =
    let inside = Tensor.where (less x lo, scalarLike x lo, x)
    Tensor.where (greater inside hi, scalarLike x hi, inside)

/// √(Σ x²) whose derivatives stay finite (zero) at x = 0.
let safeNorm (sumOfSquares: Tensor) : Tensor =
    let isZero = less sumOfSquares 1e-300
    let safe = Tensor.where (isZero, scalarLike sumOfSquares 1.0, sumOfSquares)
    Tensor.where (isZero, scalarLike sumOfSquares 0.0, Tensor.sqrt safe)

/// The number of updates done so far, kept in optimizer states as an Int64 scalar tensor.
let countTensor (n: int) : Tensor = Tensor.scalar (float n, Int64)

/// Reads a count stored by `countTensor`.
let countOf (t: Tensor) : int = int (t.ToDouble())

/// The child `name` of a state group (a clear error if the state does not come from this optimizer).
let field (name: string) (state: Params) : Params =
    match state with
    | Group children ->
        match children |> List.tryFind (fun (n, _) -> n = name) with
        | Some(_, child) -> child
        | None ->
            Errors.fail
                "Optimizer.Update"
                $"the state has no '{name}' (it has {children |> List.map fst})"
                "Pass the state made by this optimizer's Init (and returned by its previous Update)."
    | Leaf _ ->
        Errors.fail
            "Optimizer.Update"
            $"the state is a tensor, not a group with '{name}'"
            "Pass the state made by this optimizer's Init."

/// The child `name` of a state group, or the empty tree if it is missing (a stateless part's empty state
/// may be dropped by formats that store paths only).
let fieldOrEmpty (name: string) (state: Params) : Params =
    match state with
    | Group children ->
        match children |> List.tryFind (fun (n, _) -> n = name) with
        | Some(_, child) -> child
        | None -> Params.empty
    | Leaf _ -> field name state

/// The count stored in field `name` of a state group.
let countField (name: string) (state: Params) : int =
    match field name state with
    | Leaf t -> countOf t
    | Group _ ->
        Errors.fail
            "Optimizer.Update"
            $"the state's '{name}' is a group, not a count"
            "Pass the state made by this optimizer's Init."
