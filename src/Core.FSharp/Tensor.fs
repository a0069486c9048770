namespace Functional

open System
open TorchSharp
open Functional.Ad
open Functional.Ops

/// Reading one number out of a raw tensor.
module internal RawNumber =
    /// The value of a one-element raw tensor as a float: Float32, Float64 and Int64 (losses, counts) are read
    /// as they are, other dtypes are converted first. The caller keeps `r` alive while it is read.
    let read (r: torch.Tensor) : float =
        match r.dtype with
        | torch.ScalarType.Float32 -> float (r.item<float32>())
        | torch.ScalarType.Float64 -> r.item<float>()
        | torch.ScalarType.Int64 -> float (r.item<int64>())
        | _ -> Raw.Memory.Discarding(fun () -> r.to_type(torch.ScalarType.Float64).cpu().item<float>())

/// An immutable n-dimensional array that can carry derivatives: a constant, a forward-mode dual or a
/// reverse-mode node (see `Diff`). Operators accept a Tensor or a number on either side.
[<Sealed; AllowNullLiteral>]
type Tensor internal (value: Value) =
    /// The differentiable value behind this tensor.
    member internal _.Value = value

    /// Sizes of the dimensions.
    member t.Shape: int[] = Value.shape t.Value |> Array.map int

    /// Number of dimensions.
    member t.Rank = int (Value.raw t.Value).ndim

    /// Total number of elements.
    member t.NumElements = int (Value.raw t.Value).NumberOfElements

    /// Element type.
    member t.Dtype: Dtype = Convert.ofScalarType (Value.raw t.Value).dtype

    /// The device holding the data.
    member t.Device: Device = Convert.ofTorchDevice (Value.raw t.Value).device

    /// True when the tensor carries a forward or reverse derivative (it is inside a `Diff` call).
    member _.IsDifferentiable =
        match value with
        | Const _ -> false
        | _ -> true

    /// The value of a one-element tensor (any dtype) as a float.
    member t.ToDouble() : float =
        let r = (Value.raw t.Value)

        if r.NumberOfElements <> 1L then
            Errors.invalid
                "Tensor.ToDouble"
                $"the tensor has shape {Errors.shapeText r.shape} ({r.NumberOfElements} elements), not one element"
                "Reduce it first (e.g. Tensor.sum) or index one element."

        // KeepAlive: a GC on another thread must not finalize the tensor while libtorch reads it.
        let value = RawNumber.read r

        GC.KeepAlive r
        GC.KeepAlive t
        value

    /// A row-major flattened copy of the elements, converted to 'T (float, float32, int, int64 or bool).
    member t.ToArray<'T when 'T: unmanaged and 'T: struct and 'T: (new: unit -> 'T) and 'T :> ValueType>
        ()
        : 'T[] =
        let target =
            match typeof<'T> with
            | ty when ty = typeof<float> -> torch.ScalarType.Float64
            | ty when ty = typeof<float32> -> torch.ScalarType.Float32
            | ty when ty = typeof<int> -> torch.ScalarType.Int32
            | ty when ty = typeof<int64> -> torch.ScalarType.Int64
            | ty when ty = typeof<bool> -> torch.ScalarType.Bool
            | ty ->
                Errors.fail
                    "Tensor.ToArray"
                    $"element type {ty.Name} is not supported"
                    "Use float, float32, int, int64 or bool."

        let r = Value.raw t.Value

        let values =
            Raw.Memory.Discarding(fun () ->
                let c = r.to_type(target).cpu().contiguous()
                // TorchSharp's accessor fails on an empty tensor.
                if c.NumberOfElements = 0L then
                    [||]
                else
                    c.data<'T>().ToArray())

        // KeepAlive: a GC on another thread must not finalize the tensor while libtorch reads it.
        GC.KeepAlive r
        GC.KeepAlive t
        values

    override t.ToString() =
        let r = (Value.raw t.Value)

        let body =
            if r.NumberOfElements = 0L then
                "[]"
            else
                Raw.Memory.Discarding(fun () ->
                    r.ToString(TensorStringStyle.Numpy, fltFormat = "G6", width = 100, newLine = "\n"))

        let deriv =
            match value with
            | Const _ -> ""
            | Fwd(_, _, tag) -> $", derivative=forward(tag {tag})"
            | Rev(_, _, tag) -> $", derivative=reverse(tag {tag})"

        let text =
            $"Tensor({body}, shape={Errors.shapeText r.shape}, dtype={t.Dtype}{deriv})"

        GC.KeepAlive r
        text

    // ---- creation -------------------------------------------------------------------------------

    /// A tensor from a number, a .NET array (1-4 D, rectangular or jagged) or nested lists/seqs.
    /// The dtype defaults to Bool for bools and Float32 otherwise.
    static member create(data: obj, ?dtype: Dtype, ?device: Device) : Tensor =
        Tensor(
            Value.ofRaw (
                Errors.guard "Tensor.create" (fun () -> Raw.Create.ofData data dtype (defaultArg device CPU))
            )
        )

    /// A 0-dimensional tensor holding `value`.
    static member scalar(value: float, ?dtype: Dtype, ?device: Device) : Tensor =
        Tensor(Value.ofRaw (Raw.Create.full [||] value (defaultArg dtype Float32) (defaultArg device CPU)))

    /// A tensor of the given shape filled with `value`.
    static member full(shape: int seq, value: float, ?dtype: Dtype, ?device: Device) : Tensor =
        let s = shape |> Seq.map int64 |> Array.ofSeq
        Tensor(Value.ofRaw (Raw.Create.full s value (defaultArg dtype Float32) (defaultArg device CPU)))

    /// A tensor of zeros.
    static member zeros(shape: int seq, ?dtype: Dtype, ?device: Device) : Tensor =
        Tensor.full (shape, 0.0, defaultArg dtype Float32, defaultArg device CPU)

    /// A tensor of ones.
    static member ones(shape: int seq, ?dtype: Dtype, ?device: Device) : Tensor =
        Tensor.full (shape, 1.0, defaultArg dtype Float32, defaultArg device CPU)

    // ---- operators ------------------------------------------------------------------------------

    /// Elementwise sum with broadcasting.
    static member (+)(a: Tensor, b: Tensor) = Tensor(Arithmetic.add a.Value b.Value)
    /// Adds a number to every element.
    static member (+)(a: Tensor, b: float) = Tensor(Arithmetic.addScalar b a.Value)
    /// Adds a number to every element.
    static member (+)(a: float, b: Tensor) = Tensor(Arithmetic.addScalar a b.Value)

    /// Adds a number to every element.
    static member (+)(a: Tensor, b: int) =
        Tensor(Arithmetic.addScalar (float b) a.Value)

    /// Adds a number to every element.
    static member (+)(a: int, b: Tensor) =
        Tensor(Arithmetic.addScalar (float a) b.Value)

    /// Elementwise difference with broadcasting.
    static member (-)(a: Tensor, b: Tensor) = Tensor(Arithmetic.sub a.Value b.Value)
    /// Subtracts a number from every element.
    static member (-)(a: Tensor, b: float) = Tensor(Arithmetic.addScalar -b a.Value)
    /// A number minus every element.
    static member (-)(a: float, b: Tensor) = Tensor(Arithmetic.rsubScalar a b.Value)

    /// Subtracts a number from every element.
    static member (-)(a: Tensor, b: int) =
        Tensor(Arithmetic.addScalar (float -b) a.Value)

    /// A number minus every element.
    static member (-)(a: int, b: Tensor) =
        Tensor(Arithmetic.rsubScalar (float a) b.Value)

    /// Elementwise product with broadcasting.
    static member (*)(a: Tensor, b: Tensor) = Tensor(Arithmetic.mul a.Value b.Value)
    /// Multiplies every element by a number.
    static member (*)(a: Tensor, b: float) = Tensor(Arithmetic.mulScalar b a.Value)
    /// Multiplies every element by a number.
    static member (*)(a: float, b: Tensor) = Tensor(Arithmetic.mulScalar a b.Value)

    /// Multiplies every element by a number.
    static member (*)(a: Tensor, b: int) =
        Tensor(Arithmetic.mulScalar (float b) a.Value)

    /// Multiplies every element by a number.
    static member (*)(a: int, b: Tensor) =
        Tensor(Arithmetic.mulScalar (float a) b.Value)

    /// Elementwise quotient with broadcasting.
    static member (/)(a: Tensor, b: Tensor) = Tensor(Arithmetic.div a.Value b.Value)

    /// Divides every element by a number.
    static member (/)(a: Tensor, b: float) =
        Tensor(Arithmetic.mulScalar (1.0 / b) a.Value)

    /// A number divided by every element.
    static member (/)(a: float, b: Tensor) = Tensor(Arithmetic.rdivScalar a b.Value)

    /// Divides every element by a number.
    static member (/)(a: Tensor, b: int) =
        Tensor(Arithmetic.mulScalar (1.0 / float b) a.Value)

    /// A number divided by every element.
    static member (/)(a: int, b: Tensor) =
        Tensor(Arithmetic.rdivScalar (float a) b.Value)

    /// Elementwise power with broadcasting (`a ** b`).
    static member Pow(a: Tensor, b: Tensor) = Tensor(Elementwise.pow a.Value b.Value)
    /// Every element to a constant power (`a ** 2.0`).
    static member Pow(a: Tensor, b: float) = Tensor(Arithmetic.powScalar b a.Value)

    /// Every element to a constant power (`a ** 2`).
    static member Pow(a: Tensor, b: int) =
        Tensor(Arithmetic.powScalar (float b) a.Value)

    /// A constant to the power of every element (`2.0 ** a`).
    static member Pow(a: float, b: Tensor) =
        Tensor(Elementwise.exp (Arithmetic.mulScalar (Math.Log a) b.Value))

    /// Elementwise negation.
    static member (~-)(a: Tensor) = Tensor(Arithmetic.neg a.Value)
    /// Identity.
    static member (~+)(a: Tensor) = a
