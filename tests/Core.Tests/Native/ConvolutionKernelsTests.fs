module Functional.Tests.Native.ConvolutionKernelsTests

open Expecto
open TorchSharp
open Functional.Native
open Functional.Native.ConvolutionKernels

/// Deterministic float64 values of a shape: sin(0.7 i + phase).
let private values (phase: float) (shape: int64[]) =
    let count = Array.fold (*) 1L shape

    torch
        .arange(count, dtype = torch.float64)
        .mul_(Scalar.op_Implicit 0.7)
        .add_(Scalar.op_Implicit phase)
        .sin_()
        .reshape
        shape

/// Asserts that two tensors have the same shape and agree to 1e-10.
let private agree (what: string) (actual: torch.Tensor) (expected: torch.Tensor) =
    Expect.sequenceEqual actual.shape expected.shape $"{what}: shape"
    let error = (actual - expected).abs().max().item<float>()
    Expect.isLessThan error 1e-10 $"{what}: largest difference"

/// A 2-d geometry with one group.
let private geometry2d (stride: int64[]) (padding: int64[]) (dilation: int64[]) : Geometry =
    {
        Stride = stride
        Padding = padding
        Dilation = dilation
        Groups = 1L
    }

/// A convolution: input and weight shapes and the geometry.
type private Case =
    {
        Name: string
        Input: int64[]
        Weight: int64[]
        Geometry: Geometry
    }

let private cases =
    [
        {
            Name = "2-d, strided, padded, dilated, 2 groups"
            Input = [| 3L; 4L; 9L; 8L |]
            Weight = [| 6L; 2L; 3L; 2L |]
            Geometry =
                {
                    Stride = [| 2L; 1L |]
                    Padding = [| 1L; 0L |]
                    Dilation = [| 1L; 2L |]
                    Groups = 2L
                }
        }
        {
            Name = "1-d, dilated"
            Input = [| 2L; 3L; 11L |]
            Weight = [| 5L; 3L; 3L |]
            Geometry =
                {
                    Stride = [| 1L |]
                    Padding = [| 2L |]
                    Dilation = [| 2L |]
                    Groups = 1L
                }
        }
        {
            Name = "2-d, LeNet's first layer"
            Input = [| 4L; 1L; 12L; 12L |]
            Weight = [| 6L; 1L; 5L; 5L |]
            Geometry = geometry2d [| 1L; 1L |] [| 2L; 2L |] [| 1L; 1L |]
        }
    ]

[<Tests>]
let tests =
    testList
        "Native.ConvolutionKernels"
        [
            for c in cases do
                test $"{c.Name}: the gradients equal TorchSharp autograd's" {
                    use _ = torch.NewDisposeScope()
                    let x = (values 0.1 c.Input).requires_grad_ true
                    let w = (values 0.5 c.Weight).requires_grad_ true
                    let y = convolve x w c.Geometry
                    let g = values 0.9 y.shape
                    y.backward [| g |]
                    use _ = torch.no_grad ()
                    let xd, wd = x.detach (), w.detach ()
                    agree "input gradient" (inputGrad g c.Input wd c.Geometry) x.grad
                    agree "weight gradient by the kernel" (weightGradByKernel g xd c.Weight c.Geometry) w.grad

                    agree
                        "weight gradient over the batch"
                        (weightGradOverBatch g xd c.Weight c.Geometry)
                        w.grad
                }

            test "the input gradient is the transposed convolution, with the cut output padded back" {
                use _ = torch.NewDisposeScope()
                let w = values 0.3 [| 4L; 3L; 3L; 3L |]
                let g = values 0.2 [| 2L; 4L; 4L; 5L |]

                let geometry = geometry2d [| 2L; 2L |] [| 1L; 1L |] [| 1L; 1L |]

                // a 2-strided 3x3 kernel with padding 1 maps 8x9 to 4x5; ask for 8x9
                let expected =
                    torch.nn.functional.conv_transpose2d (
                        g,
                        w,
                        strides = geometry.Stride,
                        padding = geometry.Padding,
                        output_padding = [| 1L; 0L |]
                    )

                agree "input gradient" (inputGrad g [| 2L; 3L; 8L; 9L |] w geometry) expected
                // a 1-strided kernel maps 6x7 to 6x7: the 4x5 gradient is the top-left corner of it
                let one = { geometry with Stride = [| 1L; 1L |] }
                let full = torch.nn.functional.pad (g, [| 0L; 2L; 0L; 2L |])

                agree
                    "input gradient of a cut output"
                    (inputGrad g [| 2L; 3L; 6L; 7L |] w one)
                    (torch.nn.functional.conv_transpose2d (full, w, padding = one.Padding))
            }

            test "both weight gradients agree when the output is cut and when the batch is empty" {
                use _ = torch.NewDisposeScope()
                let x = values 0.4 [| 3L; 2L; 7L; 6L |]
                let g = values 0.8 [| 3L; 5L; 4L; 3L |]

                let geometry = geometry2d [| 1L; 2L |] [| 1L; 1L |] [| 2L; 1L |]

                // full output lengths: (7 + 2 - 4 - 1) / 1 + 1 = 5 and (6 + 2 - 2 - 1) / 2 + 1 = 3
                let shape = [| 5L; 2L; 3L; 2L |]
                let padded = torch.nn.functional.pad (g, [| 0L; 0L; 0L; 1L |])
                let byKernel = weightGradByKernel g x shape geometry
                agree "kernel, cut output" byKernel (weightGradByKernel padded x shape geometry)
                agree "over the batch, cut output" (weightGradOverBatch g x shape geometry) byKernel
                let none = x.narrow (0L, 0L, 0L)
                let noGradient = g.narrow (0L, 0L, 0L)

                agree
                    "kernel, empty batch"
                    (weightGradByKernel noGradient none shape geometry)
                    (torch.zeros shape)

                agree
                    "over the batch, empty batch"
                    (weightGradOverBatch noGradient none shape geometry)
                    (torch.zeros shape)
            }

            test "the kernels read their geometry right while the garbage collector runs" {
                // TorchSharp hands int64 arguments to TorchScript as temporary native objects that a collection
                // could free before libtorch read them (10 of 20,000 calls failed so)
                use _ = torch.NewDisposeScope()
                let x = values 0.1 [| 2L; 3L; 6L; 6L |]
                let g = values 0.2 [| 2L; 4L; 6L; 6L |]
                let shape = [| 4L; 3L; 3L; 3L |]

                let geometry = geometry2d [| 1L; 1L |] [| 1L; 1L |] [| 1L; 1L |]

                let expected = weightGradByKernel g x shape geometry
                let collecting = ref true

                let collector =
                    System.Threading.Thread(fun () ->
                        while collecting.Value do
                            System.GC.Collect 0
                            System.Threading.Thread.Sleep 1)

                collector.Start()

                let wrong =
                    try
                        Seq.init 20000 id
                        |> Seq.filter (fun _ ->
                            use _ = torch.NewDisposeScope()
                            not ((weightGradByKernel g x shape geometry).allclose(expected, 0.0, 1e-12)))
                        |> Seq.length
                    finally
                        collecting.Value <- false
                        collector.Join()

                Expect.equal wrong 0 "calls with a wrong result"
            }

            test "the kernel is preferred on a GPU, with one thread, and for large products" {
                Expect.isTrue (prefersKernel false 8 1L) "GPU"
                Expect.isTrue (prefersKernel true 1 1L) "one CPU thread"
                Expect.isTrue (prefersKernel true 2 smallProduct) "a large product"
                Expect.isFalse (prefersKernel true 2 (smallProduct - 1L)) "a small product on 2 threads"
                // LeNet's second layer: 16 x 6 x 5 x 5 weights, 10 x 10 outputs
                Expect.isFalse (prefersKernel true 2 (16L * 6L * 25L * 100L)) "LeNet, 2 threads"
                // cnn-mnist's second layer: 64 x 32 x 3 x 3 weights, 24 x 24 outputs
                Expect.isTrue (prefersKernel true 2 (64L * 32L * 9L * 576L)) "cnn-mnist, 2 threads"
            }
        ]
