/// libtorch's own convolution backward kernels (`aten::convolution_backward`, what PyTorch's autograd
/// runs for a convolution) as raw tensor functions. TorchSharp binds no entry point for them, so they
/// are called through a small TorchScript unit compiled once per process (a call costs ~5 µs more
/// than a bound op). They are several times faster than expressing the adjoints as other
/// convolutions (a transposed convolution, a convolution over the batch as channels), which libtorch
/// runs with general-purpose im2col kernels.
module Functional.Native.ConvolutionBackward

open TorchSharp

/// One function per spatial rank and adjoint: the output mask asks libtorch for one gradient only.
let private script =
    """
def input_grad_1d(g: Tensor, x: Tensor, w: Tensor, s: int, p: int, d: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s], [p], [d], False, [0], groups, [True, False, False])[0]

def weight_grad_1d(g: Tensor, x: Tensor, w: Tensor, s: int, p: int, d: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s], [p], [d], False, [0], groups, [False, True, False])[1]

def input_grad_2d(g: Tensor, x: Tensor, w: Tensor, s0: int, s1: int, p0: int, p1: int, d0: int, d1: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s0, s1], [p0, p1], [d0, d1], False, [0, 0], groups, [True, False, False])[0]

def weight_grad_2d(g: Tensor, x: Tensor, w: Tensor, s0: int, s1: int, p0: int, p1: int, d0: int, d1: int, groups: int) -> Tensor:
    return torch.convolution_backward(g, x, w, None, [s0, s1], [p0, p1], [d0, d1], False, [0, 0], groups, [False, True, False])[1]
"""

let private compiled = lazy (torch.jit.compile script)

/// Calls `<name>_<nd>d` with the gradient, the input, the weight and the geometry.
let private call
    (name: string)
    (g: torch.Tensor)
    (x: torch.Tensor)
    (w: torch.Tensor)
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (groups: int64)
    : torch.Tensor =
    // the script's arguments: g, x, w, strides, paddings, dilations (one per spatial dimension), groups
    let args =
        Array.concat
            [
                [| box g; box x; box w |]
                Array.map box (Array.concat [ stride; padding; dilation ])
                [| box groups |]
            ]

    compiled.Value.invoke ($"{name}_{stride.Length}d", args) :?> torch.Tensor

/// ∂<g, conv(x, w)>/∂x for x of shape `inputShape`: g must have the convolution's full output lengths
/// (the weight's values are read, the input only gives the shape).
let inputGrad
    (g: torch.Tensor)
    (inputShape: int64[])
    (w: torch.Tensor)
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (groups: int64)
    : torch.Tensor =
    use shapeOnly = torch.empty (inputShape, dtype = g.dtype, device = g.device)
    call "input_grad" g shapeOnly w stride padding dilation groups

/// ∂<g, conv(x, w)>/∂w for w of shape `weightShape`: g must have the convolution's full output lengths
/// (the input's values are read, the weight only gives the shape).
let weightGrad
    (g: torch.Tensor)
    (x: torch.Tensor)
    (weightShape: int64[])
    (stride: int64[])
    (padding: int64[])
    (dilation: int64[])
    (groups: int64)
    : torch.Tensor =
    use shapeOnly = torch.empty (weightShape, dtype = g.dtype, device = g.device)
    call "weight_grad" g x shapeOnly stride padding dilation groups
