namespace Functional

open Functional.Ops

/// Changing dtype and device: `Tensor.toDtype (x, Float64)` and `x.ToDtype Float64`.
[<AutoOpen>]
module ConversionMembers =
    type Tensor with
        /// `x` converted to `dtype`; differentiable between Float32 and Float64.
        [<CompiledName("ToDtype")>]
        static member toDtype(x: Tensor, dtype: Dtype) =
            Tensor(Conversion.toDtype dtype x.Value)

        /// `x` moved to `device`; differentiable.
        [<CompiledName("ToDevice")>]
        static member toDevice(x: Tensor, device: Device) =
            Tensor(Conversion.toDevice device x.Value)

        /// This tensor converted to `dtype`.
        member x.ToDtype(dtype: Dtype) = Tensor.toDtype (x, dtype)

        /// This tensor moved to `device`.
        member x.ToDevice(device: Device) = Tensor.toDevice (x, device)
