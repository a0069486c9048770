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

    /// Runs `f`, turning a libtorch error (an ExternalException, e.g. a value that does not fit the dtype)
    /// into an ArgumentException for operation `op`: for the calls into TorchSharp outside the ops.
    let guard (op: string) (f: unit -> 'T) : 'T =
        try
            f ()
        with :? Runtime.InteropServices.ExternalException as e ->
            fail
                op
                $"libtorch rejected the arguments: {e.Message.Split('\n')[0]}"
                "Check the values, sizes and dtype."

    /// An InvalidOperationException for misuse that is not about one argument (e.g. a non-scalar `grad`).
    let invalid (op: string) (what: string) (hint: string) : 'T =
        raise (InvalidOperationException($"{op}: {what}. {hint}"))
