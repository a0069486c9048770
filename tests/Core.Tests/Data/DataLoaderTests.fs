module Functional.Tests.Data.DataLoaderTests

open System
open Expecto
open Functional
open Functional.Data

let private numbers n = Dataset.init n id
let private epochOf e (l: DataLoader<int, int[]>) = DataLoader.epoch e l |> Array.ofSeq

[<Tests>]
let tests =
    testList
        "Data.DataLoader"
        [
            test "sequential batches cover the data in order; the last one is short" {
                let l = DataLoader.create 4 id (numbers 10)
                Expect.equal (epochOf 0 l) [| [| 0; 1; 2; 3 |]; [| 4; 5; 6; 7 |]; [| 8; 9 |] |] "batches"
                Expect.equal l.BatchCount 3 "batch count"
                let d = DataLoader.dropLast l
                Expect.equal (epochOf 0 d).Length 2 "drop last"
                Expect.equal d.BatchCount 2 "batch count with drop last"
            }

            test "shuffled epochs cover every sample exactly once; same seed, same order" {
                let l = numbers 103 |> DataLoader.create 10 id |> DataLoader.shuffle (Rng.seed 5)

                for e in 0..2 do
                    let flat = epochOf e l |> Array.concat
                    Expect.equal (Array.sort flat) [| 0..102 |] $"epoch {e} is a permutation"

                let again =
                    numbers 103 |> DataLoader.create 10 id |> DataLoader.shuffle (Rng.seed 5)

                Expect.equal (epochOf 1 again) (epochOf 1 l) "reproducible"
                Expect.notEqual (epochOf 0 l) (epochOf 1 l) "epochs differ"
                Expect.notEqual (Array.concat (epochOf 0 l)) [| 0..102 |] "shuffled"
            }

            test "prefetching gives the same batches as loading in the foreground" {
                let l = numbers 1000 |> DataLoader.create 7 id |> DataLoader.shuffle (Rng.seed 9)

                Expect.equal
                    (epochOf 3 (DataLoader.prefetch 3 l))
                    (epochOf 3 (DataLoader.prefetch 0 l))
                    "same"
            }

            test "a collate error reaches the consumer through the prefetch thread" {
                let l =
                    numbers 20
                    |> DataLoader.create 5 (fun b -> if b[0] = 10 then failwith "bad sample 10" else b)
                    |> DataLoader.prefetch 2

                let e = Catch.throws<Exception> (fun () -> epochOf 0 l |> ignore) "throws"
                Expect.stringContains e.Message "bad sample 10" "the original message"
            }

            test "stopping early ends the producer" {
                let l = numbers 100000 |> DataLoader.create 1 id |> DataLoader.prefetch 2
                let first = DataLoader.batches l |> Seq.take 3 |> Array.ofSeq
                Expect.equal first [| [| 0 |]; [| 1 |]; [| 2 |] |] "first batches"
            }

            test "transform gives each batch its own key, reproducibly" {
                let l =
                    numbers 12
                    |> DataLoader.create 4 id
                    |> DataLoader.transform (Rng.seed 1) (fun rng b -> rng.Key, b)

                let keys = DataLoader.epoch 0 l |> Seq.map fst |> Array.ofSeq
                Expect.equal (Array.distinct keys).Length 3 "distinct keys"
                Expect.equal (DataLoader.epoch 0 l |> Seq.map fst |> Array.ofSeq) keys "reproducible"
            }

            test "bucketing by length groups similar lengths and covers every sample once" {
                let lengths = Array.init 500 (fun i -> (i * 7919) % 97 + 1)
                let d = Dataset.init 500 (fun i -> lengths[i])

                let spread (batches: int[][]) =
                    batches |> Array.sumBy (fun b -> Array.max b - Array.min b)

                let bucketed =
                    d |> DataLoader.create 10 id |> DataLoader.bucketByLength id (Rng.seed 4)

                let shuffled = d |> DataLoader.create 10 id |> DataLoader.shuffle (Rng.seed 4)
                let idx = DataLoader.batchIndices 0 bucketed
                Expect.equal (Array.sort (Array.concat idx)) [| 0..499 |] "every sample once"

                Expect.isLessThan
                    (spread (epochOf 0 bucketed))
                    (spread (epochOf 0 shuffled) / 5)
                    "less spread in length"

                Expect.equal (DataLoader.batchIndices 0 bucketed) idx "reproducible"
            }

            test "Batch.classification makes Float32 features and Int64 labels" {
                let samples = Array.init 3 (fun i -> Array.init 4 (fun j -> float32 (i * 4 + j)), i)
                let x, y = Batch.classification [| 1; 2; 2 |] samples
                Expect.equal x.Shape [| 3; 1; 2; 2 |] "feature shape"
                Expect.equal x.Dtype Float32 "feature dtype"
                Expect.equal (x.ToArray<float32>()) (Array.init 12 float32) "features"
                Expect.equal y.Dtype Int64 "label dtype"
                Expect.equal (y.ToArray<int>()) [| 0; 1; 2 |] "labels"

                Expect.throwsT<ArgumentException>
                    (fun () -> Batch.features [| 5 |] [| Array.zeroCreate 4 |] |> ignore)
                    "wrong sample size"
            }

            test "invalid settings raise ArgumentException" {
                Expect.throwsT<ArgumentException>
                    (fun () -> DataLoader.create 0 id (numbers 3) |> ignore)
                    "batch size 0"

                Expect.throwsT<ArgumentException>
                    (fun () -> DataLoader.create 1 id (numbers 3) |> DataLoader.prefetch -1 |> ignore)
                    "negative prefetch"
            }
        ]
