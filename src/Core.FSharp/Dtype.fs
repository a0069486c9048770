namespace Functional

open TorchSharp

/// Element type of a tensor. Float32 is the default.
type Dtype =
    | Float32
    | Float64
    | Int32
    | Int64
    | Bool

    /// True for Float32 and Float64, the dtypes that carry derivatives.
    member d.IsFloatingPoint =
        match d with
        | Float32
        | Float64 -> true
        | _ -> false

    /// Size of one element in bytes.
    member d.ElementSize =
        match d with
        | Float32
        | Int32 -> 4
        | Float64
        | Int64 -> 8
        | Bool -> 1

/// Where a tensor lives. CPU is the default; CUDA devices are numbered from 0.
type Device =
    | CPU
    | CUDA of index: int

/// Conversions between Functional's and TorchSharp's dtypes and devices.
module internal Convert =
    let toScalarType (d: Dtype) =
        match d with
        | Float32 -> torch.ScalarType.Float32
        | Float64 -> torch.ScalarType.Float64
        | Int32 -> torch.ScalarType.Int32
        | Int64 -> torch.ScalarType.Int64
        | Bool -> torch.ScalarType.Bool

    let ofScalarType (s: torch.ScalarType) =
        match s with
        | torch.ScalarType.Float32 -> Float32
        | torch.ScalarType.Float64 -> Float64
        | torch.ScalarType.Int32 -> Int32
        | torch.ScalarType.Int64 -> Int64
        | torch.ScalarType.Bool -> Bool
        | other -> invalidOp $"Functional does not support the libtorch dtype {other}."

    let toTorchDevice (d: Device) =
        match d with
        | CPU -> torch.CPU
        | CUDA i -> torch.device (DeviceType.CUDA, i)

    /// Fails with a clear message naming `op` unless device `d` exists on this machine (TorchSharp would
    /// raise an error that names neither).
    let requireDevice (op: string) (d: Device) =
        match d with
        | CPU -> ()
        | CUDA i ->
            Functional.Native.NativeSetup.ensure ()

            let count =
                if torch.cuda.is_available () then
                    torch.cuda.device_count ()
                else
                    0

            if i < 0 || i >= count then
                Errors.fail
                    op
                    $"device CUDA {i} is not available: this machine has {count} CUDA device(s)"
                    "Use CPU, or a CUDA index below the device count."

    let ofTorchDevice (d: torch.Device) =
        match d.``type`` with
        | DeviceType.CPU -> CPU
        | DeviceType.CUDA -> CUDA d.index
        | other -> invalidOp $"Functional does not support the libtorch device type {other}."
