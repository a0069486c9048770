namespace Functional

open System

/// The differentiation modes GradCheck exercises.
type GradCheckMode =
    /// Forward mode (JVPs).
    | Forward
    /// Reverse mode (VJPs).
    | Reverse

/// Settings of a gradient check; start from `GradCheck.defaults`.
type GradCheckOptions =
    {
        /// Highest derivative order checked (1 = first derivatives; 2 also checks the derivatives' derivatives).
        Order: int
        /// Modes to check.
        Modes: GradCheckMode list
        /// Dtype in which the function is evaluated (Float64 for tight checks).
        Dtype: Dtype
        /// Finite-difference step; None picks 1e-6 for Float64 and 1e-3 for Float32.
        Eps: float option
        /// Absolute tolerance; None picks 1e-5 for Float64 and 1e-2 for Float32.
        Atol: float option
        /// Relative tolerance; None picks 1e-5 for Float64 and 1e-2 for Float32.
        Rtol: float option
        /// Seed of the random directions and cotangents.
        Seed: int
    }

/// Raised when derivatives disagree with finite differences; the message says where.
type GradCheckException(message: string) =
    inherit Exception(message)

/// Gradient checking in the spirit of JAX's `check_grads`: compares a function's JVPs and VJPs with
/// central finite differences and with each other (⟨u, J v⟩ = ⟨Jᵀu, v⟩), recursively up to an order.
module GradCheck =
    /// Order 2, both modes, Float64, tolerances and step chosen by dtype, seed 0.
    let defaults =
        {
            Order = 2
            Modes = [ Forward; Reverse ]
            Dtype = Float64
            Eps = None
            Atol = None
            Rtol = None
            Seed = 0
        }

    type private Settings =
        {
            Eps: float
            Atol: float
            Rtol: float
            Modes: GradCheckMode list
        }

    let private settings (o: GradCheckOptions) =
        let f64 = o.Dtype = Float64

        {
            Eps = defaultArg o.Eps (if f64 then 1e-6 else 1e-3)
            Atol = defaultArg o.Atol (if f64 then 1e-5 else 1e-2)
            Rtol = defaultArg o.Rtol (if f64 then 1e-5 else 1e-2)
            Modes = o.Modes
        }

    let private shapes (xs: Tensor[]) =
        xs
        |> Array.map (fun x -> Errors.shapeText (Array.map int64 x.Shape))
        |> String.concat ", "

    let private indexText (shape: int[]) (flat: int) =
        let idx = Array.zeroCreate shape.Length
        let mutable rest = flat

        for d in shape.Length - 1 .. -1 .. 0 do
            idx[d] <- rest % shape[d]
            rest <- rest / shape[d]

        "[" + String.Join(", ", idx) + "]"

    /// Compares `got` with `expected` elementwise and raises a GradCheckException describing the worst element.
    let private compare
        (s: Settings)
        (what: string)
        (gotName: string)
        (expectedName: string)
        (got: Tensor)
        (expected: Tensor)
        =
        if got.Shape <> expected.Shape then
            raise (
                GradCheckException(
                    $"GradCheck: {what}: {gotName} has shape {Errors.shapeText (Array.map int64 got.Shape)} but {expectedName} has shape {Errors.shapeText (Array.map int64 expected.Shape)}."
                )
            )

        let g = got.ToArray<float>()
        let e = expected.ToArray<float>()
        let mutable worst = -1
        let mutable worstExcess = 0.0
        let mutable bad = 0

        for i in 0 .. g.Length - 1 do
            let tol = s.Atol + s.Rtol * abs e[i]
            let diff = abs (g[i] - e[i])

            if not (diff <= tol) then
                bad <- bad + 1

                let excess =
                    if Double.IsNaN diff then
                        Double.PositiveInfinity
                    else
                        diff - tol

                if worst < 0 || excess > worstExcess then
                    worst <- i
                    worstExcess <- excess

        if bad > 0 then
            let i = worst
            let tol = s.Atol + s.Rtol * abs e[i]

            raise (
                GradCheckException(
                    $"GradCheck: {what}: {gotName} and {expectedName} disagree at index {indexText got.Shape i}: {gotName} = {g[i]:G10}, {expectedName} = {e[i]:G10} (|difference| {abs (g[i] - e[i]):G3} > tolerance {tol:G3} = atol {s.Atol:G3} + rtol {s.Rtol:G3} x |{expectedName}|); {bad} of {g.Length} elements disagree."
                )
            )

    let private inner (a: Tensor) (b: Tensor) = Tensor.sum (a * b)

    /// Central finite-difference JVP (f(x + eps v) - f(x - eps v)) / (2 eps), arguments without a direction fixed.
    let private numericJvp (s: Settings) (f: Tensor[] -> Tensor) (xs: Tensor[]) (vs: Tensor option[]) =
        let shifted (sign: float) =
            Array.map2
                (fun (x: Tensor) v ->
                    match v with
                    | Some(v: Tensor) -> x + (sign * s.Eps) * v
                    | None -> x)
                xs
                vs

        (f (shifted 1.0) - f (shifted -1.0)) / (2.0 * s.Eps)

    let rec private checkAt
        (s: Settings)
        (order: int)
        (level: int)
        (rng: Rng)
        (f: Tensor[] -> Tensor)
        (xs: Tensor[])
        =
        let keys = Rng.splitN 4 rng
        let isFloat (x: Tensor) = x.Dtype.IsFloatingPoint

        let directions =
            xs
            |> Array.mapi (fun i x ->
                if isFloat x then
                    Some(Tensor.randn (Rng.fold i keys[0], x.Shape, x.Dtype, x.Device))
                else
                    None)

        let where = $"derivative order {level}, argument shapes {shapes xs}"
        let numeric = numericJvp s f xs directions
        let y, jv = Diff.jvpArgs f xs directions

        if not (isFloat y) then
            Errors.fail
                "GradCheck"
                $"the function returned a {y.Dtype} tensor of shape {Errors.shapeText (Array.map int64 y.Shape)} ({where}), which carries no derivative"
                "Check a function with a floating-point result (integer and Bool results are piecewise constant)."

        if List.contains Forward s.Modes then
            compare s $"forward mode (JVP), {where}" "JVP" "finite differences" jv numeric

        if List.contains Reverse s.Modes then
            let _, pullback = Diff.vjpArgs f xs
            let u = Tensor.randn (keys[1], y.Shape, y.Dtype, y.Device)
            let cotangents = pullback u

            let viaVjp =
                Array.map2
                    (fun (c: Tensor) v ->
                        match v with
                        | Some v -> inner c v
                        | None -> Tensor.zeros ([], c.Dtype, c.Device))
                    cotangents
                    directions
                |> Array.reduce (+)

            compare
                s
                $"reverse mode (VJP), {where}"
                "<J^T u, v>"
                "<u, finite-difference J v>"
                viaVjp
                (inner u numeric)

            if List.contains Forward s.Modes then
                compare s $"JVP/VJP consistency, {where}" "<J^T u, v>" "<u, J v>" viaVjp (inner u jv)

            if level < order then
                // The VJP as a function of (xs, u), one output argument at a time.
                let n = xs.Length

                for i in 0 .. n - 1 do
                    if isFloat xs[i] then
                        let vjpI (args: Tensor[]) =
                            let _, pb = Diff.vjpArgs f args[0 .. n - 1]
                            (pb args[n])[i]

                        checkAt
                            s
                            order
                            (level + 1)
                            (Rng.fold (100 + i) keys[2])
                            vjpI
                            (Array.append xs [| u |])

        if level < order && List.contains Forward s.Modes then
            // The JVP as a function of (xs, vs).
            let n = xs.Length

            let floatIdx =
                [|
                    for i in 0 .. n - 1 do
                        if isFloat xs[i] then
                            i
                |]

            let jvpOf (args: Tensor[]) =
                let vs = Array.create n None
                floatIdx |> Array.iteri (fun k i -> vs[i] <- Some args[n + k])
                snd (Diff.jvpArgs f args[0 .. n - 1] vs)

            checkAt
                s
                order
                (level + 1)
                keys[3]
                jvpOf
                (Array.append xs (floatIdx |> Array.map (fun i -> directions[i].Value)))

    /// Checks a function of several tensors (integer and bool arguments are held fixed) with `options`.
    let checkArgsWith (options: GradCheckOptions) (f: Tensor[] -> Tensor) (xs: Tensor[]) : unit =
        if options.Order < 1 then
            Errors.fail "GradCheck" $"order {options.Order} is below 1" "Use Order = 1 or more."

        if not options.Dtype.IsFloatingPoint then
            Errors.fail
                "GradCheck"
                $"dtype {options.Dtype} carries no derivatives"
                "Use Float64 (or Float32)."

        if xs |> Array.forall (fun x -> not x.Dtype.IsFloatingPoint) then
            Errors.fail
                "GradCheck"
                $"no floating-point argument among shapes {shapes xs}"
                "Pass at least one Float32/Float64 tensor."

        let converted =
            xs
            |> Array.map (fun x ->
                if x.Dtype.IsFloatingPoint then
                    Diff.stopGradient (Tensor.toDtype (x, options.Dtype))
                else
                    x)

        checkAt (settings options) options.Order 1 (Rng.seed options.Seed) f converted

    /// Checks a function of several tensors to second order in both modes, in Float64.
    let checkArgs (f: Tensor[] -> Tensor) (xs: Tensor[]) : unit = checkArgsWith defaults f xs

    /// Checks a function of one tensor with `options`.
    let checkWith (options: GradCheckOptions) (f: Tensor -> Tensor) (x: Tensor) : unit =
        checkArgsWith options (fun xs -> f xs[0]) [| x |]

    /// Checks a function of one tensor to second order in both modes, in Float64: raises a
    /// GradCheckException that shows where derivatives and finite differences disagree.
    let check (f: Tensor -> Tensor) (x: Tensor) : unit = checkWith defaults f x
