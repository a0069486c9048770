module Functional.Tests.Data.SetsTests

open System
open System.IO
open System.Security.Cryptography
open Expecto
open Functional
open Functional.Data

let private counts (labels: int seq) =
    labels |> Seq.countBy id |> Seq.sortBy fst |> Seq.map snd |> List.ofSeq

/// The repository's data/ folder (found from the test binary's location).
let private repoData () =
    let rec up (d: DirectoryInfo) =
        if isNull d then
            None
        elif File.Exists(Path.Combine(d.FullName, "data", "digits.csv.gz")) then
            Some(Path.Combine(d.FullName, "data"))
        else
            up d.Parent

    up (DirectoryInfo AppContext.BaseDirectory)

/// Runs `body` on a fetched dataset's folder, or skips with the command that fetches it.
let private withFetched (name: string) (body: string -> unit) =
    if DataCache.isInstalled name then
        body (DataCache.locate name)
    else
        skiptest $"dataset '{name}' is not fetched; run: {DataCache.fetchCommand name}"

[<Tests>]
let tests =
    testList
        "Data.Sets"
        [
            test "embedded digits: 1,797 8x8 images of 10 classes, first values as in scikit-learn" {
                let d = Digits.load ()
                Expect.equal d.Length 1797 "samples"
                let x, y = d[0]
                Expect.equal x.Length 64 "pixels"
                Expect.equal y 0 "first label"

                Expect.equal
                    x[0..7]
                    ([| 0; 0; 5; 13; 9; 1; 0; 0 |] |> Array.map (fun v -> float32 v / 16.0f))
                    "first row"

                Expect.equal
                    (counts (Seq.map snd d))
                    [ 178; 182; 177; 183; 181; 182; 181; 179; 174; 180 ]
                    "class counts"

                Expect.isTrue
                    (d
                     |> Seq.forall (fun (x, _) -> x |> Array.forall (fun v -> v >= 0.0f && v <= 1.0f)))
                    "range"
            }

            test "embedded iris, wine and breast cancer" {
                let iris = Iris.load ()
                Expect.equal (fst iris[0]) [| 5.1f; 3.5f; 1.4f; 0.2f |] "iris first sample"
                Expect.equal (counts (Seq.map snd iris)) [ 50; 50; 50 ] "iris classes"
                Expect.equal (Iris.classNames ()) [| "setosa"; "versicolor"; "virginica" |] "iris names"
                let wine = Wine.load ()
                Expect.equal (counts (Seq.map snd wine)) [ 59; 71; 48 ] "wine classes"
                Expect.equal (fst wine[0]).Length Wine.featureNames.Length "wine features"
                Expect.equal (fst wine[0]).[12] 1065.0f "wine proline"
                let bc = BreastCancer.load ()
                Expect.equal (counts (Seq.map snd bc)) [ 212; 357 ] "malignant, benign"
                Expect.equal (fst bc[0]).Length 30 "30 features"
                Expect.equal BreastCancer.featureNames[10] "radius error" "feature names"
                Expect.equal (BreastCancer.classNames ()) [| "malignant"; "benign" |] "class names"
            }

            test "embedded diabetes regression" {
                let d = Diabetes.load ()
                Expect.equal d.Length 442 "patients"

                Expect.equal
                    (fst d[0])
                    [| 59.0f; 2.0f; 32.1f; 101.0f; 157.0f; 93.2f; 38.0f; 4.0f; 4.8598f; 87.0f |]
                    "first features"

                Expect.equal (snd d[0]) 151.0f "first target"
            }

            test "a digits pipeline: standardize on train, loader batches of the right shape" {
                let s = Dataset.stratifiedSplit (Rng.seed 0) 0.2 snd (Digits.load ())
                Expect.equal (s.Train.Length + s.Test.Length) 1797 "all samples"
                let stats = Standardization.fit (Seq.map fst s.Train)
                let prep = Dataset.map (fun (x, y) -> Standardization.apply stats x, y)

                let loader =
                    prep s.Train
                    |> DataLoader.create 64 (Batch.classification Digits.imageShape)
                    |> DataLoader.shuffle (Rng.seed 1)

                let batches = DataLoader.epoch 0 loader |> Array.ofSeq
                Expect.equal batches.Length loader.BatchCount "batch count"
                Expect.equal (fst batches[0]).Shape [| 64; 1; 8; 8 |] "images"
                Expect.equal (batches |> Array.sumBy (fun (_, y) -> y.Shape[0])) s.Train.Length "every sample"
            }

            test "the committed data/ files match the catalog checksums" {
                match repoData () with
                | None -> skiptest "the repository's data/ folder is not above the test binary"
                | Some dir ->
                    for d in Catalog.all |> List.filter (fun d -> d.Embedded) do
                        for f in d.Files do
                            use s = File.OpenRead(Path.Combine(dir, f.CachePath))
                            let sha = Convert.ToHexString(SHA256.HashData s).ToLowerInvariant()
                            Expect.equal sha f.Sha256 $"{d.Name}: {f.CachePath}"
            }

            test "a dataset missing from the cache raises DatasetNotFoundException naming the fetch command" {
                let empty = Directory.CreateTempSubdirectory("functional-cache-").FullName

                for name in [ "mnist"; "fashion-mnist"; "spam"; "moby-dick"; "movielens" ] do
                    let e =
                        Catch.throws<DatasetNotFoundException>
                            (fun () -> DataCache.locateIn empty name |> ignore)
                            name

                    Expect.equal e.Dataset name "dataset"
                    Expect.stringContains e.Message $"data fetch {name}" "names the command"
                    Expect.stringContains e.Message "FUNCTIONAL_DATA" "mentions the cache variable"

                let e =
                    Catch.throws<ArgumentException> (fun () -> Catalog.find "cifar" |> ignore) "unknown"

                Expect.stringContains e.Message "mnist" "lists the known datasets"
            }

            test "fetched MNIST: 60,000 + 10,000 images" {
                withFetched "mnist" (fun dir ->
                    let m = Mnist.loadFrom dir
                    Expect.equal (m.Train.Length, m.Test.Length) (60000, 10000) "counts"
                    Expect.equal (snd m.Train[0], snd m.Test[0]) (5, 7) "first labels"
                    Expect.equal (fst m.Train[0]).Length 784 "pixels")
            }

            test "fetched Fashion-MNIST: 60,000 + 10,000 images, 6,000 per class" {
                withFetched "fashion-mnist" (fun dir ->
                    let m = FashionMnist.loadFrom dir
                    Expect.equal (m.Train.Length, m.Test.Length) (60000, 10000) "counts"
                    Expect.equal (counts (Seq.map snd m.Train)) (List.replicate 10 6000) "balanced"
                    Expect.equal FashionMnist.classNames[snd m.Train[0]] "Ankle boot" "first label")
            }

            test "fetched SpamAssassin: 4,150 ham and 1,896 spam" {
                withFetched "spam" (fun dir ->
                    let d = SpamAssassin.loadFrom dir
                    Expect.equal (counts (Seq.map snd d)) [ 4150; 1896 ] "classes"
                    Expect.stringStarts (fst d[0]) "From " "raw message with headers"
                    Expect.isLessThan (SpamAssassin.body (fst d[0])).Length (fst d[0]).Length "body")
            }

            test "fetched Moby-Dick starts with chapter 1" {
                withFetched "moby-dick" (fun dir ->
                    let t = MobyDick.textFrom dir
                    Expect.stringStarts t "CHAPTER 1. Loomings." "start"
                    Expect.isGreaterThan t.Length 1_000_000 "whole novel")
            }

            test "fetched MovieLens: 100,004 ratings by 671 users of 9,066 movies" {
                withFetched "movielens" (fun dir ->
                    let r = MovieLens.ratingsFrom dir
                    Expect.equal r.Length 100004 "ratings"
                    Expect.equal (r |> Seq.distinctBy (fun x -> x.UserId) |> Seq.length) 671 "users"
                    Expect.equal (r |> Seq.distinctBy (fun x -> x.MovieId) |> Seq.length) 9066 "movies"

                    Expect.equal
                        r[0]
                        {
                            UserId = 1
                            MovieId = 31
                            Rating = 2.5f
                            Timestamp = 1260759144L
                        }
                        "first")
            }
        ]
