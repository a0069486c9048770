namespace Functional

open System

/// Schedules: the value of a hyperparameter (usually the learning rate) as a function of the number of
/// updates done so far, `count` = 0, 1, 2, ... Each is a plain `int -> float`; pass one where a `Rate`
/// is expected (`Optim.adam (Schedule.cosineDecay (1e-3, 10000))`) or to `Transform.scaleBySchedule`.
[<AbstractClass; Sealed>]
type Schedule =
    static member private positive (op: string) (name: string) (value: int) =
        if value <= 0 then
            Errors.fail $"Schedule.{op}" $"{name} is {value}" $"{name} must be at least 1."

    /// The same value at every step.
    static member constant(value: float) : int -> float = fun _ -> value

    /// `init` until the first boundary, then the value paired with the last boundary reached:
    /// piecewiseConstant (0.1, [ 100, 0.01; 200, 0.001 ]) is 0.1 for count < 100, 0.01 until 200, then 0.001.
    static member piecewiseConstant(init: float, boundaries: (int * float) seq) : int -> float =
        let sorted = boundaries |> Seq.sortBy fst |> Array.ofSeq

        fun count ->
            let mutable value = init

            for boundary, v in sorted do
                if count >= boundary then
                    value <- v

            value

    /// init · gamma^⌊count / stepSize⌋ (PyTorch's StepLR).
    static member stepDecay(init: float, stepSize: int, gamma: float) : int -> float =
        Schedule.positive "stepDecay" "stepSize" stepSize
        fun count -> init * Math.Pow(gamma, float (count / stepSize))

    /// init · decayRate^((count - transitionBegin) / transitionSteps), the exponent floored if `staircase`;
    /// `init` before `transitionBegin`; bounded by `endValue` if given (optax's exponential_decay).
    static member exponentialDecay
        (
            init: float,
            decayRate: float,
            transitionSteps: int,
            ?staircase: bool,
            ?transitionBegin: int,
            ?endValue: float
        ) : int -> float =
        Schedule.positive "exponentialDecay" "transitionSteps" transitionSteps
        let staircase = defaultArg staircase false
        let first = defaultArg transitionBegin 0

        fun count ->
            let steps = count - first

            if steps <= 0 then
                init
            else
                let p = float steps / float transitionSteps
                let p = if staircase then Math.Floor p else p
                let v = init * Math.Pow(decayRate, p)

                match endValue with
                | Some e when decayRate < 1.0 -> max v e
                | Some e -> min v e
                | None -> v

    /// init / (1 + decay · count) (Keras's InverseTimeDecay; PyTorch Adagrad's lr_decay).
    static member inverseTimeDecay(init: float, decay: float) : int -> float =
        fun count -> init / (1.0 + decay * float count)

    /// From `init` to `endValue` linearly over `transitionSteps` updates, starting after `transitionBegin`.
    static member linear
        (init: float, endValue: float, transitionSteps: int, ?transitionBegin: int)
        : int -> float =
        Schedule.positive "linear" "transitionSteps" transitionSteps
        let first = defaultArg transitionBegin 0

        fun count ->
            let t = float (min transitionSteps (max 0 (count - first)))
            init + (endValue - init) * t / float transitionSteps

    /// init · ((1 - alpha) · ½(1 + cos(π · min(count, decaySteps) / decaySteps)) + alpha): cosine decay from
    /// `init` to `alpha · init` over `decaySteps` updates (optax's cosine_decay_schedule).
    static member cosineDecay(init: float, decaySteps: int, ?alpha: float) : int -> float =
        Schedule.positive "cosineDecay" "decaySteps" decaySteps
        let alpha = defaultArg alpha 0.0

        fun count ->
            let t = float (min count decaySteps) / float decaySteps
            init * ((1.0 - alpha) * 0.5 * (1.0 + Math.Cos(Math.PI * t)) + alpha)

    /// Linear warmup from `init` to `peak` over `warmupSteps`, then cosine decay to `endValue` (default 0)
    /// until `decaySteps` (counted from the start, warmup included), as optax's warmup_cosine_decay_schedule.
    static member warmupCosineDecay
        (init: float, peak: float, warmupSteps: int, decaySteps: int, ?endValue: float)
        : int -> float =
        if warmupSteps < 0 || decaySteps <= warmupSteps then
            Errors.fail
                "Schedule.warmupCosineDecay"
                $"warmupSteps = {warmupSteps} and decaySteps = {decaySteps}"
                "Use 0 <= warmupSteps < decaySteps (decaySteps counts the warmup too)."

        let finalValue = defaultArg endValue 0.0
        let cosineSteps = float (decaySteps - warmupSteps)

        fun count ->
            if count < warmupSteps then
                init + (peak - init) * float count / float warmupSteps
            else
                let t = min (float (count - warmupSteps)) cosineSteps / cosineSteps
                finalValue + (peak - finalValue) * 0.5 * (1.0 + Math.Cos(Math.PI * t))

    /// PyTorch's OneCycleLR (cosine annealing, two phases): from maxValue / divFactor up to `maxValue` over
    /// the first `pctStart` of `totalSteps`, then down to maxValue / (divFactor · finalDivFactor).
    static member oneCycle
        (totalSteps: int, maxValue: float, ?pctStart: float, ?divFactor: float, ?finalDivFactor: float)
        : int -> float =
        Schedule.positive "oneCycle" "totalSteps" totalSteps
        let pctStart = defaultArg pctStart 0.3

        if pctStart <= 0.0 || pctStart >= 1.0 then
            Errors.fail
                "Schedule.oneCycle"
                $"pctStart is {pctStart}"
                "Use a fraction strictly between 0 and 1."

        let initial = maxValue / defaultArg divFactor 25.0
        let lowest = initial / defaultArg finalDivFactor 1e4
        let peakStep = pctStart * float totalSteps - 1.0
        let lastStep = float totalSteps - 1.0

        let anneal (a: float) (b: float) (pct: float) =
            b + (a - b) / 2.0 * (Math.Cos(Math.PI * pct) + 1.0)

        fun count ->
            let t = min (float count) lastStep

            if t <= peakStep then
                anneal initial maxValue (t / peakStep)
            else
                anneal maxValue lowest ((t - peakStep) / (lastStep - peakStep))

    /// Runs `schedules[0]` until `boundaries[0]`, then `schedules[1]` counted from that boundary, and so on
    /// (optax's join_schedules); needs one boundary fewer than schedules.
    static member join(schedules: (int -> float) seq, boundaries: int seq) : int -> float =
        let schedules = Array.ofSeq schedules
        let boundaries = Array.ofSeq boundaries

        if schedules.Length = 0 || boundaries.Length <> schedules.Length - 1 then
            Errors.fail
                "Schedule.join"
                $"{schedules.Length} schedules and {boundaries.Length} boundaries"
                "Pass n schedules and n - 1 increasing boundaries."

        fun count ->
            let mutable i = 0

            while i < boundaries.Length && count >= boundaries[i] do
                i <- i + 1

            let start = if i = 0 then 0 else boundaries[i - 1]
            schedules[i](count - start)
