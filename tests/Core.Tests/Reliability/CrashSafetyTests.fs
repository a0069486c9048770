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

let private start (args: string) =
    let info = ProcessStartInfo("dotnet", $"\"{mainJob ()}\" {args}")
    info.RedirectStandardOutput <- true
    info.RedirectStandardError <- true
    info.UseShellExecute <- false
    info.Environment["CI"] <- "true"
    Process.Start info

let private waitFor (file: string) (timeout: TimeSpan) (p: Process) =
    let watch = Stopwatch.StartNew()

    while not (File.Exists file) && not p.HasExited && watch.Elapsed < timeout do
        Threading.Thread.Sleep 50

    File.Exists file

[<Tests>]
let tests =
    testList
        "Reliability.CrashSafety"
        [
            testCase "SIGKILL during training leaves a loadable checkpoint and --resume finishes the run"
            <| fun () ->
                let out = Path.Combine(Path.GetTempPath(), $"functional-crash-{Guid.NewGuid():N}")
                let last = Path.Combine(out, "checkpoints", "last.safetensors")
                let rng = Random 20261125
                let mutable kills = 0

                for round in 1..2 do
                    let resume = if round > 1 then " --resume" else ""
                    use p = start $"--epochs 4 --out \"{out}\"{resume}"
                    Expect.isTrue (waitFor last (TimeSpan.FromMinutes 3.0) p) "a first checkpoint appears"
                    // Kill at a random moment after a checkpoint exists (possibly in the middle of the next write).
                    Threading.Thread.Sleep(rng.Next(0, 1500))

                    if not p.HasExited then
                        p.Kill true
                        kills <- kills + 1

                    p.WaitForExit()
                    let data = Checkpoint.load last
                    Expect.isGreaterThan data.Tensors.Count 0 $"the checkpoint after kill {round} loads"

                use finish = start $"--epochs 4 --resume --out \"{out}\""
                let output = finish.StandardOutput.ReadToEnd()
                finish.WaitForExit()
                Expect.equal finish.ExitCode 0 $"the resumed run succeeds:\n{output}"
                Expect.stringContains output "resuming from" "it resumed"
                Expect.stringContains output "test accuracy: " "it finished"
                printfn "crash safety: %d kills survived" kills
                // each round's job is still training when the kill comes (4 epochs, killed within 1.5 s of the first)
                Expect.isGreaterThan kills 0 "at least one run was killed mid-training"
                Directory.Delete(out, true)
        ]
