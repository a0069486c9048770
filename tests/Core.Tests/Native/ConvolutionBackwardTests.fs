module Functional.Tests.Native.ConvolutionBackwardTests

open Expecto
open TorchSharp
open Functional.Native

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

/// A convolution geometry: input and weight shapes, stride, padding, dilation (per spatial dimension), groups.
type private Case =
    {
        Name: string
        Input: int64[]
        Weight: int64[]
        Stride: int64[]
        Padding: int64[]
        Dilation: int64[]
        Groups: int64
    }

let private cases =
    [
        {
            Name = "2-d, strided, padded, 2 groups"
            Input = [| 3L; 4L; 9L; 8L |]
            Weight = [| 6L; 2L; 3L; 2L |]
            Stride = [| 2L; 1L |]
            Padding = [| 1L; 0L |]
            Dilation = [| 1L; 2L |]
            Groups = 2L
        }
        {
            Name = "1-d, dilated"
            Input = [| 2L; 3L; 11L |]
            Weight = [| 5L; 3L; 3L |]
            Stride = [| 1L |]
            Padding = [| 2L |]
            Dilation = [| 2L |]
            Groups = 1L
        }
        {
            Name = "2-d, LeNet's first layer"
            Input = [| 4L; 1L; 12L; 12L |]
            Weight = [| 6L; 1L; 5L; 5L |]
            Stride = [| 1L; 1L |]
            Padding = [| 2L; 2L |]
            Dilation = [| 1L; 1L |]
            Groups = 1L
        }
    ]

/// The convolution of a case on x and w, by TorchSharp.
let private convolve (c: Case) (x: torch.Tensor) (w: torch.Tensor) =
    if c.Stride.Length = 1 then
        torch.nn.functional.conv1d (
            x,
            w,
            stride = c.Stride[0],
            padding = c.Padding[0],
            dilation = c.Dilation[0],
            groups = c.Groups
        )
    else
        torch.nn.functional.conv2d (
            x,
            w,
            strides = c.Stride,
            padding = c.Padding,
            dilation = c.Dilation,
            groups = c.Groups
        )

[<Tests>]
let tests =
    testList
        "Native.ConvolutionBackward"
        [
            for c in cases do
                test $"{c.Name}: both gradients equal TorchSharp autograd's" {
                    use _ = torch.NewDisposeScope()
                    let x = (values 0.1 c.Input).requires_grad_ true
                    let w = (values 0.5 c.Weight).requires_grad_ true
                    let y = convolve c x w
                    let g = values 0.9 y.shape
                    y.backward [| g |]

                    use _ = torch.no_grad ()

                    let gx =
                        ConvolutionBackward.inputGrad
                            g
                            c.Input
                            (w.detach ())
                            c.Stride
                            c.Padding
                            c.Dilation
                            c.Groups

                    let gw =
                        ConvolutionBackward.weightGrad
                            g
                            (x.detach ())
                            c.Weight
                            c.Stride
                            c.Padding
                            c.Dilation
                            c.Groups

                    agree "input gradient" gx x.grad
                    agree "weight gradient" gw w.grad
                }

            test "the input gradient is the transposed convolution" {
                use _ = torch.NewDisposeScope()
                let w = values 0.3 [| 4L; 3L; 3L; 3L |]
                let g = values 0.2 [| 2L; 4L; 4L; 5L |]
                let strides, padding = [| 2L; 2L |], [| 1L; 1L |]
                // a 2-strided 3x3 kernel with padding 1 maps 8x9 (and 7x9) to 4x5; ask for 8x9
                let gx =
                    ConvolutionBackward.inputGrad g [| 2L; 3L; 8L; 9L |] w strides padding [| 1L; 1L |] 1L

                let expected =
                    torch.nn.functional.conv_transpose2d (
                        g,
                        w,
                        strides = strides,
                        padding = padding,
                        output_padding = [| 1L; 0L |]
                    )

                agree "input gradient" gx expected
            }
        ]
