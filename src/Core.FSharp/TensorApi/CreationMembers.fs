namespace Functional

open TorchSharp
open Functional.Ad
open Functional.Raw
open Functional.Native

/// Creation of ranges, identity matrices and random tensors (random ones take an explicit `Rng`).
[<AutoOpen>]
module CreationMembers =
    let private make (r: torch.Tensor) = Tensor(Value.ofRaw r)

    /// The libtorch device (CPU by default), checked to exist.
    let private dev (op: string) (d: Device option) =
        let d = defaultArg d CPU
        Convert.requireDevice op d
        Convert.toTorchDevice d

    let private dt (d: Dtype option) =
        Convert.toScalarType (defaultArg d Float32)

    let private checkShape (op: string) (shape: int seq) =
        let s = shape |> Seq.map int64 |> Array.ofSeq

        if s |> Array.exists (fun d -> d < 0L) then
            Errors.fail op $"negative dimension in shape {Errors.shapeText s}" "Dimensions must be >= 0."

        s

    let private requireFloat (op: string) (d: Dtype option) =
        match d with
        | Some d when not d.IsFloatingPoint ->
            Errors.fail op $"dtype {d} is not a floating-point type" "Use Float32 or Float64."
        | _ -> ()

    type Tensor with
        /// The n×m identity matrix (m defaults to n).
        [<CompiledName("Eye")>]
        static member eye(n: int, ?m: int, ?dtype: Dtype, ?device: Device) : Tensor =
            let m = defaultArg m n

            if n < 0 || m < 0 then
                Errors.fail "Tensor.eye" $"size {n}x{m} is negative" "Pass sizes >= 0."

            NativeSetup.ensure ()

            Errors.guard "Tensor.eye" (fun () ->
                make (torch.eye (int64 n, int64 m, dt dtype, dev "Tensor.eye" device)))

        /// Values start, start+step, ... below stop (like numpy.arange); Float32 unless `dtype` is given.
        [<CompiledName("Arange")>]
        static member arange
            (start: float, stop: float, ?step: float, ?dtype: Dtype, ?device: Device)
            : Tensor =
            let step = defaultArg step 1.0

            if step = 0.0 || System.Double.IsNaN step then
                Errors.fail "Tensor.arange" $"step is {step}" "Use a non-zero step."

            if (stop - start) / step > 1e9 then
                Errors.fail
                    "Tensor.arange"
                    $"[{start}, {stop}) with step {step} has more than 1e9 values"
                    "Use a larger step."

            NativeSetup.ensure ()
            let count = max 0.0 (ceil ((stop - start) / step)) |> int64

            Errors.guard "Tensor.arange" (fun () ->
                let values =
                    torch.arange (count, torch.ScalarType.Float64, dev "Tensor.arange" device)

                make ((values * Scalar.op_Implicit step + Scalar.op_Implicit start).to_type(dt dtype)))

        /// 0, 1, ..., n-1.
        [<CompiledName("Arange")>]
        static member arange(n: int, ?dtype: Dtype, ?device: Device) : Tensor =
            Tensor.arange (0.0, float n, 1.0, defaultArg dtype Float32, defaultArg device CPU)

        /// `count` evenly spaced values from start to stop inclusive.
        [<CompiledName("Linspace")>]
        static member linspace
            (start: float, stop: float, count: int, ?dtype: Dtype, ?device: Device)
            : Tensor =
            if count < 0 then
                Errors.fail "Tensor.linspace" $"count is {count}" "Use a count >= 0."

            NativeSetup.ensure ()

            Errors.guard "Tensor.linspace" (fun () ->
                let values =
                    torch.linspace (
                        start,
                        stop,
                        int64 count,
                        torch.ScalarType.Float64,
                        dev "Tensor.linspace" device
                    )

                make (values.to_type (dt dtype)))

        /// Standard normal samples N(0, 1); the same `rng` gives bit-identical values.
        [<CompiledName("Randn")>]
        static member randn(rng: Rng, shape: int seq, ?dtype: Dtype, ?device: Device) : Tensor =
            requireFloat "Tensor.randn" dtype
            let s = checkShape "Tensor.randn" shape
            Convert.requireDevice "Tensor.randn" (defaultArg device CPU)

            Errors.guard "Tensor.randn" (fun () ->
                make (
                    Create.random rng (defaultArg device CPU) (fun g ->
                        torch.randn (s, dt dtype, generator = g))
                ))

        /// Uniform samples in [0, 1); the same `rng` gives bit-identical values.
        [<CompiledName("Rand")>]
        static member rand(rng: Rng, shape: int seq, ?dtype: Dtype, ?device: Device) : Tensor =
            requireFloat "Tensor.rand" dtype
            let s = checkShape "Tensor.rand" shape
            Convert.requireDevice "Tensor.rand" (defaultArg device CPU)

            Errors.guard "Tensor.rand" (fun () ->
                make (
                    Create.random rng (defaultArg device CPU) (fun g ->
                        torch.rand (s, dt dtype, generator = g))
                ))

        /// Uniform integers in [low, high) (Int64 unless `dtype` is given).
        [<CompiledName("Randint")>]
        static member randint
            (rng: Rng, low: int, high: int, shape: int seq, ?dtype: Dtype, ?device: Device)
            : Tensor =
            if high <= low then
                Errors.fail "Tensor.randint" $"the range [{low}, {high}) is empty" "Use high > low."

            let s = checkShape "Tensor.randint" shape
            Convert.requireDevice "Tensor.randint" (defaultArg device CPU)
            let d = Convert.toScalarType (defaultArg dtype Int64)

            Errors.guard "Tensor.randint" (fun () ->
                make (
                    Create.random rng (defaultArg device CPU) (fun g ->
                        torch.randint (int64 low, int64 high, s, d, generator = g))
                ))

        /// 0/1 samples that are 1 with probability `p` (Float32 unless `dtype` is given).
        [<CompiledName("Bernoulli")>]
        static member bernoulli(rng: Rng, p: float, shape: int seq, ?dtype: Dtype, ?device: Device) : Tensor =
            if not (p >= 0.0 && p <= 1.0) then
                Errors.fail "Tensor.bernoulli" $"probability p = {p} is outside [0, 1]" "Pass 0 <= p <= 1."

            let s = checkShape "Tensor.bernoulli" shape
            Convert.requireDevice "Tensor.bernoulli" (defaultArg device CPU)

            make (
                Create.random rng (defaultArg device CPU) (fun g ->
                    torch
                        .rand(s, torch.ScalarType.Float64, generator = g)
                        .lt(Scalar.op_Implicit p)
                        .to_type(dt dtype))
            )

        /// True when both tensors have the same shape and |a - b| <= atol + rtol |b| everywhere (NaNs unequal).
        [<CompiledName("Allclose")>]
        static member allclose(a: Tensor, b: Tensor, ?rtol: float, ?atol: float) : bool =
            let ra = Value.raw a.Value
            let rb = Value.raw b.Value
            let rtol, atol = defaultArg rtol 1e-5, defaultArg atol 1e-8

            if not (rtol >= 0.0 && atol >= 0.0) then
                Errors.fail
                    "Tensor.allclose"
                    $"the tolerances must be non-negative numbers, got rtol = {rtol} and atol = {atol}"
                    "Pass rtol >= 0 and atol >= 0."

            ra.shape = rb.shape
            && (use x = ra.to_type torch.ScalarType.Float64
                use y = rb.to_type torch.ScalarType.Float64
                x.allclose (y, rtol, atol))
