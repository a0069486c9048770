/// Small helpers for the optimizers: a safe norm, scalar constants and state fields.
module internal Functional.OptimHelpers

open Functional

/// A 0-dimensional constant with the dtype and device of `like`.
let scalarLike (like: Tensor) (c: float) : Tensor =
    Tensor.full ([], c, like.Dtype, like.Device)

/// √(Σ x²) from Σ x², with derivatives that stay finite (zero) where Σ x² = 0.
let safeNorm (sumOfSquares: Tensor) : Tensor =
    let isZero = Tensor.le (sumOfSquares, 0.0)
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
