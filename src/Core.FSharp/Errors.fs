namespace Functional

open System

/// Builds the exceptions Functional raises for user mistakes: each names the operation, the values
/// involved and a hint.
module Errors =
    /// Formats a shape as `[2; 3]`.
    let shapeText (shape: int64[]) = "[" + String.Join("; ", shape) + "]"

    /// An ArgumentException for operation `op`: what went wrong and what to do.
    let argument (op: string) (what: string) (hint: string) : exn =
        ArgumentException($"{op}: {what}. {hint}") :> exn

    /// Raises an ArgumentException for operation `op`.
    let fail (op: string) (what: string) (hint: string) : 'T = raise (argument op what hint)

    /// An InvalidOperationException for misuse that is not about one argument (e.g. a non-scalar `grad`).
    let invalid (op: string) (what: string) (hint: string) : 'T =
        raise (InvalidOperationException($"{op}: {what}. {hint}"))
