module Functional.Tests.Train.ProgressTests

open System
open System.IO
open Expecto
open Functional

let private status =
    {
        Epoch = 3
        Epochs = 10
        Step = 50
        Steps = 200
        Samples = 3200L
        Elapsed = TimeSpan.FromSeconds 2.0
        Stats = [ "loss", 0.123456; "accuracy", 0.97124 ]
    }

[<Tests>]
let tests =
    testList
        "Progress"
        [
            test "throughput and ETA from the status" {
                Expect.equal (Progress.throughput status) 1600.0 "samples/s"
                Expect.equal (Progress.eta status) (TimeSpan.FromSeconds 6.0) "ETA: 150 steps at 40 ms"
                Expect.equal (Progress.eta { status with Step = 200 }) TimeSpan.Zero "done"
                Expect.equal (Progress.throughput { status with Elapsed = TimeSpan.Zero }) 0.0 "no time yet"
            }

            test "quiet line of a finished epoch" {
                let line =
                    Progress.formatEpochLine
                        { status with
                            Stats = status.Stats @ [ "val_loss", 0.2 ]
                        }

                Expect.equal
                    line
                    "epoch  3/10  loss 0.1235  accuracy 0.9712  val_loss 0.2000  1600 samples/s  2.0s"
                    "line"
            }

            test "live text shows the ETA; numbers and durations are formatted compactly" {
                Expect.equal
                    (Progress.formatStepLine status)
                    "epoch  3/10  loss 0.1235  accuracy 0.9712  1600 samples/s  ETA 6.0s"
                    "step line"

                Expect.equal (Progress.formatValue 1.5e-5) "1.5e-5" "small"
                Expect.equal (Progress.formatValue 123456.0) "1.235e+5" "large"
                Expect.equal (Progress.formatValue nan) "NaN" "NaN"
                Expect.equal (Progress.formatDuration (TimeSpan.FromSeconds 185.0)) "3m05s" "minutes"
                Expect.equal (Progress.formatDuration (TimeSpan.FromMinutes 62.0)) "1h02m" "hours"
            }

            test "the quiet reporter prints one line per epoch and nothing per step" {
                use w = new StringWriter()
                let r = Progress.quietReporter w
                r.Step status
                r.Step { status with Step = 100 }
                r.EpochDone { status with Step = 200 }
                r.EpochDone { status with Epoch = 4; Step = 200 }

                let lines =
                    w.ToString().TrimEnd().Split('\n') |> Array.map (fun l -> l.TrimEnd '\r')

                Expect.equal lines.Length 2 "lines"
                Expect.stringStarts lines[1] "epoch  4/10  loss" "second epoch"
            }

            test "Silent runs the body and shows nothing; CI=true means quiet" {
                Expect.equal
                    (Progress.run Silent (fun r ->
                        r.Step status
                        42))
                    42
                    "result"

                let old = Environment.GetEnvironmentVariable "CI"

                try
                    Environment.SetEnvironmentVariable("CI", "true")
                    Expect.isTrue (Progress.isCI ()) "CI"
                    Expect.equal (Progress.detectMode ()) Quiet "mode"
                finally
                    Environment.SetEnvironmentVariable("CI", old)
            }
        ]
