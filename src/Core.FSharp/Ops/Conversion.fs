/// Changing a tensor's dtype or device, differentiably between floating-point dtypes.
module internal Functional.Ops.Conversion

open Functional
open Functional.Ad
open Functional.Ops.Define

/// `x` converted to `dtype`; between float dtypes the derivative is converted back (identity otherwise).
let rec toDtype (dtype: Dtype) (x: Value) : Value =
    let target = Convert.toScalarType dtype
    let source = (Value.raw x).dtype

    if source = target then
        x
    elif not dtype.IsFloatingPoint || not (Convert.ofScalarType source).IsFloatingPoint then
        constant "Tensor.toDtype" (fun r -> r[0].to_type target) [| x |]
    else
        let back = Convert.ofScalarType source

        unary
            "Tensor.toDtype"
            (fun r -> r.to_type target)
            (fun _ _ t -> toDtype dtype t)
            (fun _ _ g -> toDtype back g)
            x

/// `x` moved to `device`; the derivative moves back.
let rec toDevice (device: Device) (x: Value) : Value =
    Convert.requireDevice "Tensor.toDevice" device
    let target = Convert.toTorchDevice device
    let source = Convert.ofTorchDevice (Value.raw x).device

    if source = device then
        x
    else
        unary
            "Tensor.toDevice"
            (fun r -> r.``to`` target)
            (fun _ _ t -> toDevice device t)
            (fun _ _ g -> toDevice source g)
            x
