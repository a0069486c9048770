module Functional.Tests.Data.DatasetTests

open System
open Expecto
open Functional
open Functional.Data

let private numbers n = Dataset.init n id

[<Tests>]
let tests =
    testList
        "Data.Dataset"
        [
            test "init, item, map and filter" {
                let d = numbers 10 |> Dataset.map (fun i -> i * i)
                Expect.equal d.Length 10 "length"
                Expect.equal d[3] 9 "item"

                Expect.equal
                    (Dataset.toArray (Dataset.filter (fun v -> v % 2 = 0) d))
                    [| 0; 4; 16; 36; 64 |]
                    "filter"

                Expect.equal (List.ofSeq (Dataset.take 3 d)) [ 0; 1; 4 ] "as a sequence"
                Expect.equal (Dataset.toArray (Dataset.skip 8 d)) [| 64; 81 |] "skip"
            }

            test "out-of-range index raises an ArgumentException naming the size" {
                let e =
                    Catch.throws<ArgumentException> (fun () -> (numbers 3)[3] |> ignore) "throws"

                Expect.stringContains e.Message "3 samples" "names the size"
            }

            test "ofArray copies its input" {
                let a = [| 1; 2; 3 |]
                let d = Dataset.ofArray a
                a[0] <- 99
                Expect.equal d[0] 1 "unchanged"
            }

            test "concat and append keep order, skipping empty parts" {
                let d =
                    Dataset.concat [ numbers 2; numbers 0; Dataset.map ((+) 10) (numbers 3); numbers 0 ]

                Expect.equal (Dataset.toArray d) [| 0; 1; 10; 11; 12 |] "concat"
                Expect.equal (Dataset.toArray (Dataset.append (numbers 1) (numbers 2))) [| 0; 0; 1 |] "append"
            }

            test "split sizes round and give the rest to the last part" {
                Expect.equal (Dataset.splitSizes [ 0.8; 0.1; 0.1 ] 1797) [ 1438; 180; 179 ] "sizes"
                Expect.equal (Dataset.splitSizes [ 0.5; 0.5 ] 3) [ 2; 1 ] "rounding"

                Expect.throwsT<ArgumentException>
                    (fun () -> Dataset.splitSizes [ 0.8; 0.3 ] 10 |> ignore)
                    "sum > 1"

                Expect.throwsT<ArgumentException>
                    (fun () -> Dataset.splitSizes [ 1.2; -0.2 ] 10 |> ignore)
                    "negative"
            }

            test "split puts every sample in exactly one part, deterministically" {
                let parts = Dataset.split (Rng.seed 7) [ 0.6; 0.2; 0.2 ] (numbers 101)
                let all = parts |> List.collect (Dataset.toArray >> List.ofArray)
                Expect.equal (List.sort all) [ 0..100 ] "a partition"
                Expect.equal (parts |> List.map Dataset.length) [ 61; 20; 20 ] "sizes"
                let again = Dataset.split (Rng.seed 7) [ 0.6; 0.2; 0.2 ] (numbers 101)

                Expect.equal
                    (List.map Dataset.toArray again)
                    (List.map Dataset.toArray parts)
                    "same seed, same split"

                let other = Dataset.split (Rng.seed 8) [ 0.6; 0.2; 0.2 ] (numbers 101)

                Expect.notEqual
                    (Dataset.toArray other[0])
                    (Dataset.toArray parts[0])
                    "another seed, another split"
            }

            test "trainTestSplit and shuffle" {
                let s = Dataset.trainTestSplit (Rng.seed 1) 0.25 (numbers 40)
                Expect.equal (s.Train.Length, s.Test.Length) (30, 10) "sizes"
                Expect.isEmpty (Set.intersect (set s.Train) (set s.Test)) "disjoint"
                let sh = Dataset.shuffle (Rng.seed 3) (numbers 50)
                Expect.equal (Array.sort (Dataset.toArray sh)) [| 0..49 |] "a permutation"
                Expect.notEqual (Dataset.toArray sh) [| 0..49 |] "not the identity"
            }

            test "stratifiedSplit keeps class shares" {
                let d = Dataset.init 100 (fun i -> i, (if i < 80 then 0 else 1))
                let s = Dataset.stratifiedSplit (Rng.seed 2) 0.25 snd d

                let count c (ds: Dataset<int * int>) =
                    ds |> Seq.filter (fun (_, l) -> l = c) |> Seq.length

                Expect.equal (count 0 s.Test, count 1 s.Test) (20, 5) "test classes"
                Expect.equal (count 0 s.Train, count 1 s.Train) (60, 15) "train classes"
            }
        ]
