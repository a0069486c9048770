module Functional.Tests.Ops.WindowMaxTests

open Expecto
open TorchSharp
open Functional

/// libtorch's max pooling of the same values: (pooled, gradient of sum(pooled * weights)), as flat arrays.
let private reference (x: float[]) (shape: int list) (kernel: int64[]) (weights: float[]) =
    let dims = shape |> List.map int64 |> Array.ofList
    use t = torch.tensor(x, dtype = torch.ScalarType.Float64).reshape dims
    let lifted = if dims.Length = 3 then t.unsqueeze 2L else t

    let struct (y, index) =
        torch.nn.functional.max_pool2d_with_indices (
            lifted,
            kernel,
            kernel,
            [| 0L; 0L |],
            [| 1L; 1L |],
            false
        )

    let n, c = lifted.shape[0], lifted.shape[1]
    use w = torch.tensor(weights, dtype = torch.ScalarType.Float64).reshape(n, c, -1L)

    use zeros =
        torch.zeros (n, c, lifted.shape[2] * lifted.shape[3], dtype = torch.ScalarType.Float64)

    use grad = zeros.scatter_add (2L, index.reshape (n, c, -1L), w)
    let pooled = y.reshape(-1L).data<float>().ToArray()
    let gradient = grad.reshape(-1L).data<float>().ToArray()
    y.Dispose()
    index.Dispose()
    pooled, gradient

/// Pools `values` (given as Float64, run in `dtype`) with our op and compares the maxima and the
/// gradient of sum(pooled * w) with libtorch's max_pool2d_with_indices (ties to the first maximum).
let private agrees (dtype: Dtype) (shape: int list) (kernel: int list) (values: float[]) =
    let x = (Tensor.create (values, dtype)).Reshape shape

    let pool (x: Tensor) =
        match shape.Length with
        | 3 -> Tensor.maxPool1d (x, kernel[0])
        | _ -> Tensor.maxPool2d (x, kernelSizes = kernel)

    let pooled = pool x
    let weights = Array.init pooled.NumElements (fun i -> float (i % 7) - 3.0)
    let w = (Tensor.create (weights, dtype)).Reshape(List.ofArray pooled.Shape)
    let grad = Diff.grad (fun x -> Tensor.sum (pool x * w)) x

    let kernel2d =
        if shape.Length = 3 then
            [| 1L; int64 kernel[0] |]
        else
            kernel |> List.map int64 |> Array.ofList

    let expectedPooled, expectedGrad = reference values shape kernel2d weights

    let asFloat (t: Tensor) =
        (Tensor.toDtype (t, Float64)).ToArray<float>()

    Expect.sequenceEqual (asFloat pooled) expectedPooled "window maxima"
    Expect.sequenceEqual (asFloat grad) expectedGrad "gradient at each window's first maximum"

/// Values with many ties: relu of a random grid (a quarter of the windows all zero) rounded to halves.
let private tiedValues (seed: int) (n: int) =
    let rng = System.Random seed
    Array.init n (fun _ -> max 0.0 (System.Math.Round(rng.NextDouble() * 6.0 - 3.0) / 2.0))

[<Tests>]
let tests =
    testList
        "Ops.WindowMax (non-overlapping max pooling without libtorch's kernel)"
        [
            test "2 × 2 windows over relu-like values with ties, Float32" {
                agrees Float32 [ 8; 16; 28; 28 ] [ 2; 2 ] (tiedValues 1 (8 * 16 * 28 * 28))
            }

            test "3 × 3 windows over odd sizes (the last rows and columns are dropped), Float64" {
                agrees Float64 [ 16; 8; 31; 29 ] [ 3; 3 ] (tiedValues 2 (16 * 8 * 31 * 29))
            }

            test "2 × 3 windows" { agrees Float32 [ 8; 8; 30; 33 ] [ 2; 3 ] (tiedValues 3 (8 * 8 * 30 * 33)) }

            test "1-d windows of 4" { agrees Float32 [ 16; 32; 100 ] [ 4 ] (tiedValues 4 (16 * 32 * 100)) }

            test "infinities: an all -∞ window and windows whose maximum is +∞" {
                let n = 8 * 16 * 28 * 28
                let values = tiedValues 5 n

                for i in 0..997 .. n - 1 do
                    values[i] <- infinity

                for i in 0..1009 .. n - 1 do
                    values[i] <- -infinity

                // the first window (rows 0-1, columns 0-1 of the first plane) entirely -∞
                for i in [ 0; 1; 28; 29 ] do
                    values[i] <- -infinity

                agrees Float32 [ 8; 16; 28; 28 ] [ 2; 2 ] values
            }

            test "a NaN propagates to its window's maximum" {
                let shape = [ 8; 16; 28; 28 ]
                let values = tiedValues 6 (8 * 16 * 28 * 28)
                values[29] <- nan
                let pooled = Tensor.maxPool2d ((Tensor.create (values, Float32)).Reshape shape, 2)
                let maxima = pooled.ToArray<float32>()
                Expect.isTrue (System.Single.IsNaN maxima[0]) "the first window holds the NaN"
                Expect.isFalse (Array.exists System.Single.IsNaN maxima[1..]) "no other window is NaN"
            }

            test "second derivatives (forward over reverse) route through the same indices" {
                let shape = [ 8; 16; 28; 28 ]
                let values = tiedValues 7 (8 * 16 * 28 * 28)
                let x = (Tensor.create (values, Float64)).Reshape shape

                let f (x: Tensor) =
                    Tensor.sum (Tensor.maxPool2d (x, 2) ** 2)

                let v = Tensor.ones (List.ofArray x.Shape, Float64)
                let hv = Diff.hvp f x v
                // f = Σ max², so H v = 2 v at each window's first maximum and 0 elsewhere
                let expected = Diff.grad (fun x -> Tensor.sum (Tensor.maxPool2d (x, 2))) x * 2.0
                Expect.sequenceEqual (hv.ToArray<float>()) (expected.ToArray<float>()) "H v"
            }
        ]
