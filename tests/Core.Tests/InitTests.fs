module Functional.Tests.InitTests

open Expecto
open Functional
open Functional.Tests

let private stats (t: Tensor) =
    let v = t.ToArray<float32>() |> Array.map float
    let mean = Array.average v
    mean, sqrt (v |> Array.averageBy (fun x -> (x - mean) ** 2.0)), Array.max (Array.map abs v)

[<Tests>]
let tests =
    testList
        "Init"
        [
            test "fans as PyTorch computes them" {
                Expect.equal (Init.fans [| 5; 3 |]) (3, 5) "dense weight [out; in]"
                Expect.equal (Init.fans [| 8; 4; 3; 3 |]) (36, 72) "conv weight [out; in; k; k]"
                Expect.equal (Init.fans [| 7 |]) (7, 7) "vector"
            }

            test "constant initializers" {
                TestUtil.expectClose 0.0 (Init.zeros (Rng.seed 0) [| 2; 2 |]) (Tensor.zeros [ 2; 2 ]) "zeros"
                TestUtil.expectClose 0.0 (Init.ones (Rng.seed 0) [| 3 |]) (Tensor.ones [ 3 ]) "ones"

                TestUtil.expectClose
                    0.0
                    (Init.constant 0.5 (Rng.seed 0) [| 3 |])
                    (Tensor.full ([ 3 ], 0.5))
                    "constant"
            }

            test "uniform and normal have the requested range and moments" {
                let _, _, m = stats (Init.uniform -0.3 0.3 (Rng.seed 1) [| 100; 100 |])
                Expect.isLessThanOrEqual m 0.3 "within the bounds"
                Expect.isGreaterThan m 0.29 "fills the range"
                let mean, std, _ = stats (Init.normal 1.0 2.0 (Rng.seed 2) [| 100; 100 |])
                Expect.floatClose { absolute = 0.05; relative = 0.0 } mean 1.0 "mean"
                Expect.floatClose { absolute = 0.05; relative = 0.0 } std 2.0 "std"
            }

            test "Xavier and He scale with the fans" {
                let _, _, xb = stats (Init.xavierUniform (Rng.seed 1) [| 200; 100 |])

                Expect.isLessThanOrEqual
                    xb
                    (sqrt (6.0 / 300.0) + 1e-6)
                    "Xavier uniform bound √(6/(fanIn+fanOut))"

                let _, xs, _ = stats (Init.xavierNormal (Rng.seed 2) [| 200; 100 |])

                Expect.floatClose
                    { absolute = 0.0; relative = 0.03 }
                    xs
                    (sqrt (2.0 / 300.0))
                    "Xavier normal std"

                let _, hs, _ = stats (Init.heNormal (Rng.seed 3) [| 200; 50; 2; 2 |])

                Expect.floatClose
                    { absolute = 0.0; relative = 0.03 }
                    hs
                    (sqrt (2.0 / 200.0))
                    "He normal std √(2/fanIn)"

                let _, _, hb = stats (Init.kaimingUniform 1.0 FanOut (Rng.seed 4) [| 30; 60 |])
                Expect.isLessThanOrEqual hb (sqrt (3.0 / 30.0) + 1e-6) "kaiming uniform over fanOut"
                let _, _, tb = stats (Init.torchDefault (Rng.seed 5) [| 10; 25 |])
                Expect.isLessThanOrEqual tb (1.0 / 5.0 + 1e-6) "PyTorch's default U(-1/√fanIn, 1/√fanIn)"
            }

            test "orthogonal gives orthonormal rows or columns" {
                for shape in [ [| 6; 4 |]; [| 3; 7 |]; [| 4; 2; 2 |] ] do
                    let q = Init.orthogonalWith 2.0 (Rng.seed 7) shape
                    let m = Tensor.reshape(q, [ shape[0]; -1 ]).ToDtype Float64
                    let rows, cols = m.Shape[0], m.Shape[1]

                    let g =
                        if rows >= cols then
                            Tensor.matmul (m.T, m)
                        else
                            Tensor.matmul (m, m.T)

                    TestUtil.expectClose
                        1e-5
                        g
                        (4.0 * Tensor.eye (min rows cols, dtype = Float64))
                        $"QᵀQ = gain² I for {shape}"

                TestUtil.throwsArgument [ "Init.orthogonal"; "[5]" ] (fun () ->
                    Init.orthogonal (Rng.seed 0) [| 5 |])
            }

            test "the same key gives the same tensor" {
                TestUtil.expectClose
                    0.0
                    (Init.heUniform (Rng.seed 3) [| 4; 4 |])
                    (Init.heUniform (Rng.seed 3) [| 4; 4 |])
                    "same"

                Expect.isFalse
                    (Tensor.allclose (
                        Init.heUniform (Rng.seed 3) [| 4; 4 |],
                        Init.heUniform (Rng.seed 4) [| 4; 4 |]
                    ))
                    "different keys"
            }
        ]
