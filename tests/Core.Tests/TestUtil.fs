/// Small assertions shared by the test suites.
module Functional.Tests.TestUtil

open System
open Expecto
open Functional

/// Asserts that `f` raises an exception accepted by `isExpected` whose message contains every fragment.
let throwsOf (isExpected: exn -> bool) (expectedName: string) (fragments: string list) (f: unit -> 'a) =
    let message =
        try
            f () |> ignore
            failtest $"expected {expectedName} mentioning {fragments}, but nothing was raised"
        with
        | :? AssertException -> reraise ()
        | e when isExpected e -> e.Message
        | e -> failtest $"expected {expectedName}, got {e.GetType().Name}: {e.Message}"

    for s in fragments do
        Expect.stringContains message s $"the message should mention '{s}'"

/// Asserts that `f` raises an ArgumentException (user mistake) whose message contains every fragment.
let throwsArgument fragments f =
    throwsOf (fun e -> e :? ArgumentException) "ArgumentException" fragments f

/// Asserts that `f` raises an InvalidOperationException whose message contains every fragment.
let throwsInvalid fragments f =
    throwsOf (fun e -> e :? InvalidOperationException) "InvalidOperationException" fragments f

/// Asserts that `f` raises a GradCheckException whose message contains every fragment.
let throwsGradCheck fragments f =
    throwsOf (fun e -> e :? GradCheckException) "GradCheckException" fragments f

/// Asserts that two tensors have the same shape and agree elementwise to |a - b| <= atol + rtol |b|.
let expectClose (atol: float) (got: Tensor) (expected: Tensor) (what: string) =
    Expect.sequenceEqual got.Shape expected.Shape $"{what}: shape"
    let g = got.ToArray<float>()
    let e = expected.ToArray<float>()

    for i in 0 .. e.Length - 1 do
        if not (abs (g[i] - e[i]) <= atol + atol * abs e[i]) then
            failtest $"{what}: element {i}: got {g[i]:G12}, expected {e[i]:G12}"

/// Asserts that a scalar tensor is within `atol` of a number.
let expectScalar (atol: float) (got: Tensor) (expected: float) (what: string) =
    Expect.floatClose { absolute = atol; relative = atol } (got.ToDouble()) expected what
