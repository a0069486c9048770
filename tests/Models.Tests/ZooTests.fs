/// Every zoo model trained for a few steps (`Quick = true`): it must print its closing metric line with a
/// finite value and write its checkpoint, summary and history.
module Functional.Models.Tests.ZooTests

open System
open System.IO
open System.Text.RegularExpressions
open Expecto
open Functional
open Functional.Models.Zoo

/// Runs `f` with the console captured; returns its result and the printed text.
let private captured (f: unit -> 'T) : 'T * string =
    let original = Console.Out
    use writer = new StringWriter()
    Console.SetOut writer

    try
        let r = f ()
        r, writer.ToString()
    finally
        Console.SetOut original

let private metricLine =
    Regex(@"^test (accuracy|rmse|r2|perplexity|f1): (-?[0-9]+\.[0-9]{4}|NaN)$")

let private quickRun (entry: Registry.ZooEntry) =
    test entry.Name {
        let root = Path.Combine(Path.GetTempPath(), $"functional-zoo-{Guid.NewGuid():N}")

        let options =
            { ZooOptions.defaults with
                Quick = true
                OutputDir = root
                Progress = Some Silent
            }

        try
            let result, output = captured (fun () -> entry.Run options)

            let lines =
                output.Split('\n')
                |> Array.map (fun l -> l.TrimEnd '\r')
                |> Array.filter (fun l -> l <> "")

            let last = Array.last lines
            let m = metricLine.Match last
            Expect.isTrue m.Success $"{entry.Name}: the last line is a metric line, got '{last}'"
            Expect.equal m.Groups[1].Value result.Metric "the printed metric is the result's metric"
            Expect.isTrue (Double.IsFinite result.Value) $"{entry.Name}: the metric {result.Value} is finite"

            Expect.equal
                (float m.Groups[2].Value)
                (Math.Round(result.Value, 4))
                "the printed value is the result's value"

            Expect.isTrue
                (lines |> Array.exists (fun l -> l.StartsWith "time per epoch: "))
                $"{entry.Name}: the time per epoch is reported"

            Expect.isGreaterThan result.Parameters 0 "the model has parameters"

            for name in [ "model.safetensors"; "summary.txt"; "history.csv"; "history.html" ] do
                let path = Path.Combine(root, entry.Name, name)
                Expect.isTrue (File.Exists path) $"{entry.Name} wrote {name}"

            let checkpoint =
                Checkpoint.load (Path.Combine(root, entry.Name, "model.safetensors"))

            Expect.isNonEmpty checkpoint.Tensors "the checkpoint holds the parameters"

            Expect.equal
                (checkpoint.Metadata.TryFind "model")
                (Some entry.Name)
                "the checkpoint names its model"

            // evaluate/predict rebuild the model and the held-out set and score the checkpoint alone.
            let path = Path.Combine(root, entry.Name, "model.safetensors")

            let evaluated, _ =
                captured (fun () -> ZooEvaluation.evaluate (entry.Evaluation true) path)

            Expect.floatClose
                { absolute = 1e-4; relative = 1e-4 }
                evaluated
                result.Value
                $"{entry.Name}: evaluate on the checkpoint gives the run's metric"

            let predicted, _ =
                captured (fun () -> ZooEvaluation.predict (entry.Evaluation true) path 3)

            Expect.hasLength predicted 3 $"{entry.Name}: predict describes 3 held-out examples"
        finally
            if Directory.Exists root then
                Directory.Delete(root, true)
    }

[<Tests>]
let tests =
    testSequenced (
        testList
            "Zoo"
            [
                test "registry lists the ten models of the issue in order" {
                    Expect.equal
                        Registry.names
                        [
                            "linreg"
                            "logreg"
                            "mlp-digits"
                            "cnn-mnist"
                            "cnn-fashion"
                            "text-classify"
                            "transformer-text"
                            "char-gen"
                            "mf-recommender"
                            "deep-recommender"
                        ]
                        "names"
                }
                test "linreg matches the closed form on a tiny system" {
                    let x = [| [| 1.0; 0.0 |]; [| 0.0; 1.0 |]; [| 1.0; 1.0 |]; [| 2.0; 1.0 |] |]
                    let y = x |> Array.map (fun r -> 3.0 * r[0] - 2.0 * r[1] + 0.5)
                    let w, b = Linreg.closedForm x y
                    Expect.floatClose Accuracy.high w[0] 3.0 "w0"
                    Expect.floatClose Accuracy.high w[1] -2.0 "w1"
                    Expect.floatClose Accuracy.high b 0.5 "intercept"
                }
                testList "quick runs" [ for e in Registry.all -> quickRun e ]
            ]
    )
