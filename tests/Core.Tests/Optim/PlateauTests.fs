module Functional.Tests.Optim.PlateauTests

open Expecto
open Functional
open Functional.Tests.Optim.Problems

[<Tests>]
let tests =
    testList
        "Plateau"
        [
            testList
                "reduceOnPlateau matches PyTorch's ReduceLROnPlateau"
                [
                    for case in fixture.Force().GetProperty("plateau").EnumerateArray() ->
                        let a = case.GetProperty "args"

                        let num (k: string) (d: float) =
                            match a.TryGetProperty k with
                            | true, v -> v.GetDouble()
                            | _ -> d

                        test $"{a.GetRawText()}" {
                            let opt =
                                Transform.chain
                                    [
                                        Optim.sgd 1.0
                                        Transform.reduceOnPlateau (
                                            factor = num "factor" 0.1,
                                            patience = int (num "patience" 10.0),
                                            threshold = num "threshold" 1e-4,
                                            cooldown = int (num "cooldown" 0.0),
                                            minScale = num "minScale" 0.0
                                        )
                                    ]

                            let p = Params.ofList [ "w", Tensor.ones ([ 2 ], Float64) ]
                            let g = Params.ofList [ "w", Tensor.create ([ 1.0; -2.0 ], Float64) ]
                            let mutable state = opt.Init p

                            let scales =
                                [|
                                    for m in floats (case.GetProperty "metrics") do
                                        state <- Plateau.report m state
                                        let u, _ = opt.Update g state p
                                        let applied = -(flat u)[0]

                                        Expect.floatClose
                                            Accuracy.veryHigh
                                            applied
                                            (Plateau.scale state)
                                            "the update uses the scale"

                                        Plateau.scale state
                                |]

                            expectRelative
                                1e-12
                                scales
                                (floats (case.GetProperty "scales"))
                                "scale after each report"
                        }
                ]

            test "report needs a plateau in the state" {
                let p = Params.ofList [ "w", Tensor.ones ([ 2 ], Float64) ]

                let e =
                    Expect.throwsC (fun () -> Plateau.report 1.0 ((Optim.sgd 0.1).Init p) |> ignore) id

                Expect.stringContains e.Message "reduceOnPlateau" "says what to add"
            }
        ]
