module Functional.Tests.Optim.ScheduleTests

open System
open Expecto
open Functional
open Functional.Tests.Optim.Problems

let private at (schedule: int -> float) (steps: int list) = [| for s in steps -> schedule s |]

[<Tests>]
let tests =
    testList
        "Schedule"
        [
            test "constant, piecewise and step decay" {
                expectRelative 0.0 (at (Schedule.constant 0.3) [ 0; 10; 1000 ]) [| 0.3; 0.3; 0.3 |] "constant"
                let pw = Schedule.piecewiseConstant (1.0, [ 10, 0.1; 20, 0.01 ])

                expectRelative
                    0.0
                    (at pw [ 0; 9; 10; 19; 20; 500 ])
                    [| 1.0; 1.0; 0.1; 0.1; 0.01; 0.01 |]
                    "piecewise"

                expectRelative
                    1e-15
                    (at (Schedule.stepDecay (2.0, 3, 0.5)) [ 0; 2; 3; 7 ])
                    [| 2.0; 2.0; 1.0; 0.5 |]
                    "step"
            }

            test "exponential and inverse-time decay" {
                let e = Schedule.exponentialDecay (1.0, 0.5, 10)
                expectRelative 1e-15 (at e [ 0; 5; 10; 25 ]) [| 1.0; 0.5 ** 0.5; 0.5; 0.5 ** 2.5 |] "smooth"

                let stair =
                    Schedule.exponentialDecay (
                        1.0,
                        0.5,
                        10,
                        staircase = true,
                        transitionBegin = 5,
                        endValue = 0.2
                    )

                expectRelative
                    1e-15
                    (at stair [ 3; 14; 15; 100 ])
                    [| 1.0; 1.0; 0.5; 0.2 |]
                    "staircase, begin and floor"

                expectRelative
                    1e-15
                    (at (Schedule.inverseTimeDecay (0.1, 0.5)) [ 0; 2 ])
                    [| 0.1; 0.05 |]
                    "inverse time"
            }

            test "linear and cosine decay" {
                expectRelative
                    1e-15
                    (at (Schedule.linear (1.0, 0.0, 4, 2)) [ 0; 2; 3; 6; 9 ])
                    [| 1.0; 1.0; 0.75; 0.0; 0.0 |]
                    "linear"

                let c = Schedule.cosineDecay (2.0, 100, alpha = 0.1)

                let expected n =
                    2.0 * (0.9 * 0.5 * (1.0 + cos (Math.PI * float (min n 100) / 100.0)) + 0.1)

                expectRelative
                    1e-14
                    (at c [ 0; 25; 50; 100; 150 ])
                    (Array.map expected [| 0; 25; 50; 100; 150 |])
                    "cosine"

                expectRelative 1e-14 (at c [ 50; 100 ]) [| 1.1; 0.2 |] "half-way and end"
            }

            test "linear warmup then cosine" {
                let s = Schedule.warmupCosineDecay (0.0, 1.0, 10, 110, endValue = 0.1)

                let expected n =
                    if n < 10 then
                        float n / 10.0
                    else
                        0.1 + 0.9 * 0.5 * (1.0 + cos (Math.PI * float (min (n - 10) 100) / 100.0))

                let steps = [ 0; 5; 9; 10; 60; 110; 200 ]
                expectRelative 1e-14 (at s steps) [| for n in steps -> expected n |] "closed form"
                expectRelative 1e-14 (at s [ 10; 60; 110 ]) [| 1.0; 0.55; 0.1 |] "peak, middle, end"
            }

            test "join runs schedules one after another" {
                let s =
                    Schedule.join ([ Schedule.linear (0.0, 1.0, 5); Schedule.constant 0.5 ], [ 5 ])

                expectRelative 0.0 (at s [ 0; 4; 5; 9 ]) [| 0.0; 0.8; 0.5; 0.5 |] "joined"
            }

            testList
                "oneCycle matches PyTorch's OneCycleLR"
                [
                    for case in fixture.Force().GetProperty("oneCycle").EnumerateArray() ->
                        let a = case.GetProperty "args"

                        let num (k: string) (d: float) =
                            match a.TryGetProperty k with
                            | true, v -> v.GetDouble()
                            | _ -> d

                        let total = a.GetProperty("totalSteps").GetInt32()

                        test $"{a.GetRawText()}" {
                            let s =
                                Schedule.oneCycle (
                                    total,
                                    num "maxValue" nan,
                                    pctStart = num "pctStart" 0.3,
                                    divFactor = num "divFactor" 25.0,
                                    finalDivFactor = num "finalDivFactor" 1e4
                                )

                            expectRelative
                                1e-12
                                (at s [ 0 .. total - 1 ])
                                (floats (case.GetProperty "values"))
                                "values"
                        }
                ]

            test "bad arguments name the schedule" {
                let e = Expect.throwsC (fun () -> Schedule.cosineDecay (1.0, 0) |> ignore) id
                Expect.stringContains e.Message "cosineDecay" "names the schedule"
            }
        ]
