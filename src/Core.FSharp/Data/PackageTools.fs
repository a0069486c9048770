/// The command-line tools used to fetch packages (apt-get, dpkg-deb, npm): finding and running them.
module internal Functional.Data.PackageTools

open System
open System.Diagnostics
open System.IO

/// The full path of an executable on PATH, if any.
let find (name: string) : string option =
    (Environment.GetEnvironmentVariable "PATH"
     |> Option.ofObj
     |> Option.defaultValue "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
    |> Array.map (fun d -> Path.Combine(d, name))
    |> Array.tryFind File.Exists

/// Runs a program in `workDir` for at most `timeout`; returns its output, or the reason it failed (the
/// command, its exit code and output, or the timeout, after which the process tree is killed).
let run (timeout: TimeSpan) (tool: string) (args: string list) (workDir: string) : Result<string, string> =
    let cmd = String.Join(" ", Path.GetFileName tool :: args)
    let psi = ProcessStartInfo(tool)

    for a in args do
        psi.ArgumentList.Add a

    psi.WorkingDirectory <- workDir
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    psi.RedirectStandardInput <- true
    psi.UseShellExecute <- false

    try
        use p = Process.Start psi
        p.StandardInput.Close()
        let out = p.StandardOutput.ReadToEndAsync()
        let err = p.StandardError.ReadToEndAsync()

        if not (p.WaitForExit timeout) then
            p.Kill true
            p.WaitForExit()
            Error $"'{cmd}' did not finish within {timeout.TotalSeconds:g} s and was stopped"
        else
            let text = (out.Result + err.Result).Trim()

            if p.ExitCode <> 0 then
                let output = if text = "" then " (no output)" else ": " + text
                Error $"'{cmd}' failed with exit code {p.ExitCode}{output}"
            else
                Ok text
    with e ->
        Error $"'{cmd}' could not be run: {e.Message}"
