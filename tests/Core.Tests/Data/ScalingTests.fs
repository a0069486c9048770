module Functional.Tests.Data.ScalingTests

open System
open System.IO
open Expecto
open Functional
open Functional.Data

let private train =
    [| [| 1.0f; 10.0f; 5.0f |]; [| 3.0f; 20.0f; 5.0f |]; [| 5.0f; 30.0f; 5.0f |] |]

[<Tests>]
let tests =
    testList
        "Data.Scaling"
        [
            test "standardization fitted on training data gives mean 0 and std 1 there" {
                let s = Standardization.fit train
                Expect.equal s.Mean [| 3.0; 20.0; 5.0 |] "means"
                Expect.floatClose Accuracy.high s.Std[0] (sqrt (8.0 / 3.0)) "population std"
                Expect.equal s.Std[2] 1.0 "constant feature gets std 1"
                let z = train |> Array.map (Standardization.apply s)
                let col j = z |> Array.map (fun r -> float r[j])
                Expect.floatClose Accuracy.high (Array.average (col 1)) 0.0 "mean 0"
                Expect.floatClose Accuracy.medium (col 1 |> Array.averageBy (fun v -> v * v)) 1.0 "variance 1"
                Expect.equal (col 2) [| 0.0; 0.0; 0.0 |] "constant feature becomes 0"
                let test = Standardization.apply s [| 7.0f; 20.0f; 6.0f |]

                Expect.floatClose
                    Accuracy.medium
                    (float test[0])
                    (4.0 / sqrt (8.0 / 3.0))
                    "test data uses training statistics"

                let back = Standardization.invert s test
                Expect.floatClose Accuracy.medium (float back[0]) 7.0 "invert"
            }

            test "the tensor form agrees with the array form and keeps shape and dtype" {
                let x = Batch.features [| 3 |] train
                let s = Standardization.fitTensor x
                Expect.equal s (Standardization.fit train) "same statistics"
                let y = Standardization.applyTensor s x
                Expect.equal y.Shape [| 3; 3 |] "shape"
                Expect.equal y.Dtype Float32 "dtype"
                let expected = train |> Array.collect (Standardization.apply s)

                Expect.isTrue
                    (Array.forall2 (fun a b -> abs (a - b) < 1e-6f) (y.ToArray<float32>()) expected)
                    "values"

                let x64 = Tensor.create (Array2D.init 2 3 (fun i j -> float (i + j)), Float64)
                Expect.equal (Standardization.applyTensor s x64).Dtype Float64 "Float64 stays Float64"

                Expect.throwsT<ArgumentException>
                    (fun () -> Standardization.applyTensor s (Tensor.zeros [ 2; 4 ]) |> ignore)
                    "width"
            }

            test "min-max scaling maps training data into [0, 1]" {
                let m = MinMaxScaling.fit train
                Expect.equal (m.Min, m.Max) ([| 1.0; 10.0; 5.0 |], [| 5.0; 30.0; 5.0 |]) "min and max"
                Expect.equal (MinMaxScaling.apply m train[1]) [| 0.5f; 0.5f; 0.0f |] "scaled"
                let t = MinMaxScaling.applyTensor m (Batch.features [| 3 |] train)

                Expect.equal
                    (t.ToArray<float32>())
                    [| 0.0f; 0.0f; 0.0f; 0.5f; 0.5f; 0.0f; 1.0f; 1.0f; 0.0f |]
                    "tensor"
            }

            test "statistics survive a JSON round trip" {
                let s = Standardization.fit train
                Expect.equal (Standardization.ofJson (Standardization.toJson s)) s "standardization"
                let m = MinMaxScaling.fit train
                Expect.equal (MinMaxScaling.ofJson (MinMaxScaling.toJson m)) m "min-max"

                Expect.throwsT<InvalidDataException>
                    (fun () -> Standardization.ofJson "{\"Mean\": [1]}" |> ignore)
                    "incomplete"

                Expect.throwsT<InvalidDataException>
                    (fun () -> MinMaxScaling.ofJson "not json" |> ignore)
                    "malformed"
            }

            test "fitting on nothing or ragged samples raises ArgumentException" {
                Expect.throwsT<ArgumentException> (fun () -> Standardization.fit [||] |> ignore) "empty"

                Expect.throwsT<ArgumentException>
                    (fun () -> Standardization.fit [| [| 1.0f |]; [| 1.0f; 2.0f |] |] |> ignore)
                    "ragged"
            }
        ]
