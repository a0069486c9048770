/// The fuzz suite: one FsCheck property per fuzzed function (tensor ops, creation and conversion, Diff),
/// run in sequence, then a summary that prints how many calls were tried and how they ended.
/// FUZZ_SCALE=k runs k times as many cases, FUZZ_SEED=n another seed, FUZZ_TRACE=1 prints every call.
module Functional.Tests.Fuzz.FuzzTests

open Expecto
open Functional.Tests.Fuzz.FuzzCase

/// Generated calls per tensor op, per creation/conversion function and per Diff function.
let private opCases, creationCases, diffCases = 250, 200, 120

let private planned =
    (OpTable.all.Length * opCases
     + CreationTable.all.Length * creationCases
     + DiffTable.all.Length * diffCases)
    * scale

let private summary =
    testCase $"summary: {planned} generated calls" (fun () ->
        let tried = tally "calls"
        let ops = OpTable.all.Length + CreationTable.all.Length + DiffTable.all.Length
        let ok = tally "returned a well-formed result"
        let rejected = tally "rejected with a documented exception"

        let byType =
            [ "ArgumentException"; "InvalidOperationException"; "GradCheckException" ]
            |> List.map (fun t ->
                let n = tally ("rejected with " + t)
                $"{n} with {t}")
            |> String.concat ", "

        let forward, reverse, nested =
            tally "differentiated (forward)",
            tally "differentiated (reverse)",
            tally "differentiated (forward-over-reverse)"

        printfn
            $"fuzz: {tried} cases over {ops} public ops and Diff functions, {ok} returned a well-formed result, {rejected} rejected ({byType}); results differentiated {forward} times forward, {reverse} reverse, {nested} forward-over-reverse; 0 native errors or crashes"

        // Per-function tallies (keys with " / ") only with FUZZ_STATS set.
        let perFunction =
            not (System.String.IsNullOrEmpty(System.Environment.GetEnvironmentVariable "FUZZ_STATS"))

        for key, n in allTallies () do
            if perFunction || not (key.Contains " / ") then
                printfn $"  {key}: {n}"

        Expect.isGreaterThanOrEqual tried planned "every planned case was tried"
        Expect.equal (ok + rejected) tried "every case returned or was rejected with a documented exception"
        Expect.isGreaterThan ok (tried / 4) "a good share of the cases succeed"
        Expect.isGreaterThan rejected 0 "some cases are rejected"
        Expect.isGreaterThan forward 0 "results were differentiated")

/// The specs as properties, duplicate names (overloads such as `x + c` and `c + x`) numbered.
let private properties (cases: int) (specs: Spec list) =
    specs
    |> List.mapi (fun i s ->
        let earlier =
            specs |> List.take i |> List.filter (fun p -> p.Name = s.Name) |> List.length

        property
            cases
            (if earlier = 0 then
                 s
             else
                 { s with
                     Name = $"{s.Name} #{earlier + 1}"
                 }))

[<Tests>]
let tests =
    testSequenced (
        testList
            "Fuzz"
            [
                testList "tensor ops" (properties opCases OpTable.all)
                testList "creation and conversion" (properties creationCases CreationTable.all)
                testList "Diff" (properties diffCases DiffTable.all)
                summary
            ]
    )
