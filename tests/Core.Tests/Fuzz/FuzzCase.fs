/// The fuzzing contract: one generated call of a public function either returns a well-formed result
/// (of the expected shape, where the op table knows it) or raises a documented .NET exception
/// (ArgumentException, InvalidOperationException or GradCheckException, exactly those types) whose
/// message names the op. Anything else (a libtorch error surfacing as ExternalException, a TorchSharp or
/// BCL exception such as IndexOutOfRangeException, a wrong shape) fails the property. Calls on float
/// tensors are also run under forward and reverse mode (and, sometimes, forward-over-reverse).
module Functional.Tests.Fuzz.FuzzCase

open System
open System.Collections.Concurrent
open System.Threading
open Expecto
open FsCheck
open FsCheck.FSharp
open Functional

/// What a successful call must return.
type Expect =
    /// No oracle: any well-formed result (or a documented error).
    | Anything
    /// If the call returns a tensor, it has this shape (a documented error is also fine).
    | ShapeIfOk of int[]
    /// The call must raise a documented error (e.g. a dimension out of range).
    | Fails
    /// The call must raise a documented error whose message contains every fragment (e.g. the shapes that
    /// do not fit together).
    | FailsNaming of string list

/// One generated call: the tensor arguments, the call on (possibly perturbed) tensor arguments, the
/// expected outcome, and a description of every argument for failure messages.
[<Sealed; AllowNullLiteral>]
type Case(describe: unit -> string, inputs: Tensor[], apply: Tensor[] -> obj, expect: Expect) =
    member _.Inputs = inputs
    member _.Apply = apply
    member _.Expect = expect
    override _.ToString() = describe ()

/// A fuzzed public function: its name, the names an error message may use for it, its cases, and whether
/// its calls are also differentiated.
type Spec =
    {
        Name: string
        Names: string list
        Cases: Gen<Case>
        Differentiate: bool
    }

/// A short description of a tensor: dtype, shape and the first few values.
let showTensor (t: Tensor) =
    if isNull t then
        "null"
    else
        let values = t.ToArray<float>()

        let head =
            values
            |> Array.truncate 6
            |> Array.map (fun v -> v.ToString "G4")
            |> String.concat ", "

        let more = if values.Length > 6 then ", ..." else ""
        let shape = "[" + String.Join("; ", t.Shape) + "]"
        $"{t.Dtype}{shape}{{{head}{more}}}"

/// A case from its tensor arguments, the other arguments (printed with %A), the call and the expectation.
let case (inputs: Tensor list) (others: obj) (apply: Tensor[] -> obj) (expect: Expect) =
    let describe () =
        let ts = inputs |> List.map showTensor |> String.concat "; "
        $"tensors [{ts}], arguments %A{others}"

    Case(describe, Array.ofList inputs, apply, expect)

/// A spec named `name` whose error messages may name any of `names`.
let spec (name: string) (names: string list) (cases: Gen<Case>) =
    {
        Name = name
        Names = names
        Cases = cases
        Differentiate = true
    }

/// A spec whose calls are not differentiated (creation, conversion to .NET values).
let plainSpec (name: string) (names: string list) (cases: Gen<Case>) =
    { spec name names cases with
        Differentiate = false
    }

/// Marks `s` as defined for floating-point tensors only: a call whose first tensor is an integer or Bool
/// tensor must be rejected (with a dtype error).
let floatOnly (s: Spec) =
    let reject (c: Case) =
        if c.Inputs.Length > 0 && not c.Inputs[0].Dtype.IsFloatingPoint then
            Case((fun () -> string c), c.Inputs, c.Apply, Fails)
        else
            c

    { s with
        Cases = Gen.map reject s.Cases
    }

// ---- tallies ------------------------------------------------------------------------------------

let private tallies = ConcurrentDictionary<string, int ref>()

/// Adds one to the tally `key`.
let count (key: string) =
    let cell = tallies.GetOrAdd(key, fun _ -> ref 0)
    Interlocked.Increment(&cell.contents) |> ignore

/// The tally `key` so far.
let tally (key: string) =
    match tallies.TryGetValue key with
    | true, cell -> cell.Value
    | _ -> 0

/// Every tally, sorted by key.
let allTallies () =
    tallies
    |> Seq.map (fun kv -> kv.Key, kv.Value.Value)
    |> Seq.sortBy fst
    |> List.ofSeq

// ---- the contract -------------------------------------------------------------------------------

/// True for the exceptions the library documents for bad input.
let isDocumented (e: exn) =
    let t = e.GetType()

    t = typeof<ArgumentException>
    || t = typeof<InvalidOperationException>
    || e :? GradCheckException

/// Raised when a call breaks the contract; the message says how.
exception ContractBroken of string

let private broken (spec: Spec) (case: Case) (what: string) =
    raise (ContractBroken $"{spec.Name}: {what}\n  call: {case}")

/// Checks an exception against the contract: documented type, message naming the op.
let private checkRejection (spec: Spec) (case: Case) (stage: string) (e: exn) =
    if not (isDocumented e) then
        broken spec case $"{stage} raised {e.GetType().FullName}: {e.Message}\n{e.StackTrace}"

    let names = spec.Names

    if
        not (
            names
            |> List.exists (fun n -> e.Message.Contains(n, StringComparison.OrdinalIgnoreCase))
        )
    then
        broken
            spec
            case
            $"{stage} raised a {e.GetType().Name} whose message names none of {names}: {e.Message}"

/// Forces a returned value (its elements are read) and checks its shape; None if it is well formed.
let rec private problem (expect: Expect) (result: obj) : string option =
    match result with
    | null -> Some "returned null"
    | :? Tensor as t ->
        let shape = t.Shape

        if t.NumElements <> Array.fold (*) 1 shape then
            Some $"returned a tensor of shape %A{shape} with {t.NumElements} elements"
        elif (t.ToArray<float>()).Length <> t.NumElements then
            Some "returned a tensor whose elements cannot all be read"
        else
            match expect with
            | ShapeIfOk s when s <> shape -> Some $"returned shape %A{shape}, expected %A{s}"
            | _ -> None
    | :? (Tensor[]) as ts -> ts |> Array.tryPick (problem Anything)
    | _ -> None

/// The tensor a call returns, for differentiation (pieces of an array result are flattened and joined).
let private asTensor (result: obj) : Tensor =
    match result with
    | :? Tensor as t -> t
    | :? (Tensor[]) as ts when ts.Length > 0 -> Tensor.cat (ts |> Array.map (fun t -> t.Reshape [ -1 ]))
    | _ -> null

let private isFloat (t: Tensor) = t.Dtype.IsFloatingPoint

/// Differentiates a call that returned `primal` with respect to its float tensor arguments: forward mode,
/// reverse mode, and on some cases forward-over-reverse. The shapes of every result are checked.
let private differentiate (spec: Spec) (case: Case) (primal: Tensor) (nested: bool) =
    let xs = case.Inputs
    let f (xs: Tensor[]) = asTensor (case.Apply xs)

    let vs =
        xs
        |> Array.map (fun x ->
            if isFloat x then
                Some(Tensor.ones (x.Shape, x.Dtype))
            else
                None)

    let expectShape (what: string) (got: Tensor) (s: int[]) =
        if got.Shape <> s then
            broken spec case $"{what} has shape %A{got.Shape}, expected %A{s}"

    let attempt (stage: string) (body: unit -> unit) =
        try
            body ()
        with
        | ContractBroken _ -> reraise ()
        | e -> checkRejection spec case stage e

    attempt "forward mode (Diff.jvpArgs)" (fun () ->
        count "differentiated (forward)"
        let y, dy = Diff.jvpArgs f xs vs
        expectShape "the primal under forward mode" y primal.Shape
        expectShape "the tangent" dy primal.Shape
        dy.ToArray<float>() |> ignore)

    if isFloat primal then
        let u = Tensor.ones (primal.Shape, primal.Dtype)

        attempt "reverse mode (Diff.vjpArgs)" (fun () ->
            count "differentiated (reverse)"
            let y, pullback = Diff.vjpArgs f xs
            expectShape "the primal under reverse mode" y primal.Shape
            let gs = pullback u
            Array.iter2 (fun (g: Tensor) (x: Tensor) -> expectShape "a cotangent" g x.Shape) gs xs)

        if nested then
            let k = xs |> Array.findIndex isFloat

            attempt "forward-over-reverse" (fun () ->
                count "differentiated (forward-over-reverse)"
                let cotangent (xs: Tensor[]) = (snd (Diff.vjpArgs f xs) u)[k]
                let g, dg = Diff.jvpArgs cotangent xs vs
                expectShape "a cotangent under forward mode" g xs[k].Shape
                expectShape "its tangent" dg xs[k].Shape)

/// Prints each case before it runs when FUZZ_TRACE is set (to find a case that kills the process).
let private trace =
    not (String.IsNullOrEmpty(Environment.GetEnvironmentVariable "FUZZ_TRACE"))

/// Runs one case against the contract, raising ContractBroken on a violation.
let run (spec: Spec) (case: Case) =
    if trace then
        eprintfn $"FUZZ {spec.Name}: {case}"

    count "calls"

    let result =
        try
            Ok(case.Apply case.Inputs)
        with
        | ContractBroken _ -> reraise ()
        | e -> Error e

    let rejected (e: exn) =
        checkRejection spec case "the call" e
        count "rejected with a documented exception"
        count $"rejected with {e.GetType().Name}"
        count $"{spec.Name} / rejected"

        if trace then
            eprintfn $"REJECTED {spec.Name}: {e.Message}"

    match result, case.Expect with
    | Error e, FailsNaming fragments ->
        rejected e

        for f in fragments do
            if not (e.Message.Contains f) then
                broken spec case $"the call was rejected, but the message does not mention {f}: {e.Message}"
    | Error e, _ -> rejected e
    | Ok r, (Fails | FailsNaming _) -> broken spec case $"returned %A{r} but the arguments are invalid"
    | Ok r, expect ->
        match
            (try
                problem expect r
             with e ->
                 Some $"reading the result raised {e.GetType().FullName}: {e.Message}")
        with
        | Some p -> broken spec case p
        | None ->
            count "returned a well-formed result"
            count $"{spec.Name} / returned"

        let primal = asTensor r

        if spec.Differentiate && not (isNull primal) && case.Inputs |> Array.exists isFloat then
            differentiate spec case primal (case.Inputs.Length > 0 && primal.NumElements % 4 = 1)

/// Cases per spec, scaled by FUZZ_SCALE (default 1).
let scale =
    match Int32.TryParse(Environment.GetEnvironmentVariable "FUZZ_SCALE") with
    | true, k when k > 0 -> k
    | _ -> 1

/// The FsCheck seed: fixed (so the suite is deterministic) unless FUZZ_SEED gives another.
let private replay =
    match UInt64.TryParse(Environment.GetEnvironmentVariable "FUZZ_SEED") with
    | true, s -> Some(s, 0x9e3779b97f4a7c15UL, None)
    | _ -> Some(12345UL, 0x9e3779b97f4a7c15UL, None)

/// An Expecto property that runs `cases` generated calls of `spec` against the contract.
let property (cases: int) (spec: Spec) =
    testPropertyWithConfig
        { FsCheckConfig.defaultConfig with
            maxTest = cases * scale
            replay = replay
        }
        spec.Name
        (Prop.forAll (Arb.fromGen spec.Cases) (run spec))
