/// A training run killed with SIGKILL at a random moment leaves its last checkpoint loadable, and
/// `--resume` continues from it (issue: reliability, crash safety).
module Functional.Tests.Reliability.CrashSafetyTests

open System
open System.Diagnostics
open System.IO
open Expecto
open Functional

/// The built main job next to this test assembly's configuration (Release or Debug).
let private mainJob () =
    let config =
        if AppContext.BaseDirectory.Contains "/Release/" then
            "Release"
        else
            "Debug"

    let rec up (dir: DirectoryInfo) =
        if isNull dir then
            failwith "repository root not found"
        elif File.Exists(Path.Combine(dir.FullName, "Functional.sln")) then
            dir.FullName
        else
            up dir.Parent

    let root = up (DirectoryInfo AppContext.BaseDirectory)
    Path.Combine(root, "src", "Models", "bin", config, "net10.0", "Functional.Models.dll")

/// Starts the main job with CI=true; its output is drained in the background (a full pipe would stall it).
let private start (args: string) =
    let info = ProcessStartInfo("dotnet", $"\"{mainJob ()}\" {args}")
    info.RedirectStandardOutput <- true
    info.RedirectStandardError <- true
    info.UseShellExecute <- false
    info.Environment["CI"] <- "true"
    let p = Process.Start info
    let output = Text.StringBuilder()

    let append (e: DataReceivedEventArgs) =
        lock output (fun () -> output.AppendLine e.Data |> ignore)

    p.OutputDataReceived.Add append
    p.ErrorDataReceived.Add append
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    p, (fun () -> lock output (fun () -> output.ToString()))

/// Waits until the process has written `file` itself (a write newer than `since`) or has exited.
let private waitForWrite (file: string) (since: DateTime) (timeout: TimeSpan) (p: Process) =
    let watch = Stopwatch.StartNew()

    let written () =
        File.Exists file && File.GetLastWriteTimeUtc file > since

    while not (written ()) && not p.HasExited && watch.Elapsed < timeout do
        Threading.Thread.Sleep 20

    written ()

/// Runs the main job to its end and returns its exit code and output.
let private finish (args: string) =
    let p, output = start args
    use p = p
    p.WaitForExit()
    p.ExitCode, output ()

[<Tests>]
let tests =
    testList
        "Reliability.CrashSafety"
        [
            testCase "SIGKILL during training leaves a loadable checkpoint and --resume finishes the run"
            <| fun () ->
                let out = Path.Combine(Path.GetTempPath(), $"functional-crash-{Guid.NewGuid():N}")
                let last = Path.Combine(out, "checkpoints", "last.safetensors")
                let epochs = 8
                let rng = Random 20261125
                let mutable kills = 0

                for round in 1..2 do
                    let resume = if round > 1 then " --resume" else ""
                    let since = DateTime.UtcNow
                    let p, output = start $"--epochs {epochs} --out \"{out}\"{resume}"
                    use p = p

                    Expect.isTrue
                        (waitForWrite last since (TimeSpan.FromMinutes 3.0) p)
                        $"round {round} writes a checkpoint:\n{output ()}"

                    // Kill at a random moment after this run's first checkpoint (possibly in the middle of the next write).
                    Threading.Thread.Sleep(rng.Next(0, 1500))

                    if not p.HasExited then
                        p.Kill true
                        kills <- kills + 1

                    p.WaitForExit()
                    let data = Checkpoint.load last
                    Expect.isGreaterThan data.Tensors.Count 0 $"the checkpoint after kill {round} loads"

                let code, output = finish $"--epochs {epochs} --resume --out \"{out}\""
                Expect.equal code 0 $"the resumed run succeeds:\n{output}"
                Expect.stringContains output "resuming from" "it resumed"
                Expect.stringContains output "test accuracy: " "it finished"
                printfn "crash safety: %d kills survived" kills
                // The seeded delays are 480 and 158 ms after a round's first checkpoint; epochs take 0.1-0.5 s, so
                // round 1's kill lands by epoch ~5 of 8 (round 2 may finish, then the last run only evaluates).
                Expect.isGreaterThan kills 0 "at least one run was killed mid-training"

                let history = History.ofCsv (File.ReadAllText(Path.Combine(out, "history.csv")))

                Expect.equal
                    (history.Epochs |> List.map (fun e -> e.Epoch))
                    [ 1..epochs ]
                    "history.csv has every epoch once, across the kills"

                // Resuming a run that has finished trains nothing and still evaluates its checkpoint.
                let code, output = finish $"--epochs {epochs} --resume --out \"{out}\""
                Expect.equal code 0 $"resuming a finished run succeeds:\n{output}"
                Expect.stringContains output $"already finished its {epochs} epochs" "it says so"
                Expect.stringContains output "test accuracy: " "it evaluates"
                Directory.Delete(out, true)
        ]
