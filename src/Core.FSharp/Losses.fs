namespace Functional

/// How a loss turns per-element losses into its result.
[<RequireQualifiedAccess>]
type Reduction =
    /// The mean (weighted by the class weights where a loss has them, as PyTorch does).
    | Mean
    /// The sum.
    | Sum
    /// No reduction: one loss per element (or per example).
    | None
    /// The sum divided by the batch size (the first dimension), e.g. KL divergence's 'batchmean'.
    | BatchMean

/// Loss functions with PyTorch's definitions and defaults (reduction Mean), computed stably and
/// differentiable to any order: `Losses.mse (prediction, target)`,
/// `Losses.crossEntropy (logits, labels, labelSmoothing = 0.1)`.
[<AbstractClass; Sealed>]
type Losses =
    static member private shapeText(shape: int[]) = Model.shapeText shape

    static member private sameShape(op: string, input: Tensor, target: Tensor) =
        if input.Shape <> target.Shape then
            Errors.fail
                op
                $"the input has shape {Losses.shapeText input.Shape} but the target has shape {Losses.shapeText target.Shape}"
                "Pass a target of the input's shape."

    static member private reduce(reduction: Reduction option, loss: Tensor) =
        match defaultArg reduction Reduction.Mean with
        | Reduction.Mean -> Tensor.mean loss
        | Reduction.Sum -> Tensor.sum loss
        | Reduction.None -> loss
        | Reduction.BatchMean ->
            let n = if loss.Rank = 0 then 1 else loss.Shape[0]
            Tensor.sum loss / float n

    /// Mean squared error (input - target)².
    static member mse(input: Tensor, target: Tensor, ?reduction: Reduction) =
        Losses.sameShape ("mse", input, target)
        let d = input - target
        Losses.reduce (reduction, d * d)

    /// Mean absolute error |input - target| (PyTorch's L1Loss).
    static member mae(input: Tensor, target: Tensor, ?reduction: Reduction) =
        Losses.sameShape ("mae", input, target)
        Losses.reduce (reduction, Tensor.abs (input - target))

    /// Huber loss with threshold δ (default 1): ½d² where |d| < δ, δ(|d| - ½δ) elsewhere (PyTorch's HuberLoss).
    static member huber(input: Tensor, target: Tensor, ?delta: float, ?reduction: Reduction) =
        Losses.sameShape ("huber", input, target)
        let delta = defaultArg delta 1.0

        if not (delta > 0.0) then
            Errors.fail "huber" $"delta = {delta} is not positive" "Pass delta > 0."

        let d = input - target
        let a = Tensor.abs d
        let inside = Tensor.lt(a, delta).ToDtype input.Dtype
        let quadratic = 0.5 * d * d
        let linear = delta * (a - 0.5 * delta)
        Losses.reduce (reduction, inside * quadratic + (1.0 - inside) * linear)

    /// Smooth L1 loss with threshold β (default 1): ½d²/β where |d| < β, |d| - ½β elsewhere.
    static member smoothL1(input: Tensor, target: Tensor, ?beta: float, ?reduction: Reduction) =
        Losses.sameShape ("smoothL1", input, target)
        let beta = defaultArg beta 1.0

        if not (beta > 0.0) then
            Errors.fail "smoothL1" $"beta = {beta} is not positive" "Pass beta > 0 (use mae for beta = 0)."

        let d = input - target
        let a = Tensor.abs d
        let inside = Tensor.lt(a, beta).ToDtype input.Dtype
        Losses.reduce (reduction, inside * (0.5 * d * d / beta) + (1.0 - inside) * (a - 0.5 * beta))

    /// Binary cross-entropy of probabilities p against targets t in [0, 1]: -w (t log p + (1 - t) log(1 - p)),
    /// each log clamped at -100 as PyTorch does; `weight` broadcasts against the input.
    static member binaryCrossEntropy(input: Tensor, target: Tensor, ?weight: Tensor, ?reduction: Reduction) =
        Losses.sameShape ("binaryCrossEntropy", input, target)

        if input.NumElements > 0 then
            let values = Diff.stopGradient input
            let lo = (Tensor.min values).ToDouble()
            let hi = (Tensor.max values).ToDouble()

            if not (lo >= 0.0 && hi <= 1.0) then
                Errors.fail
                    "binaryCrossEntropy"
                    $"the input ranges over [{lo}, {hi}] but must hold probabilities in [0, 1]"
                    "Apply a sigmoid first, or use binaryCrossEntropyWithLogits on logits."

        let logP = Tensor.clamp (Tensor.log input, min = -100.0)
        let log1mP = Tensor.clamp (Tensor.log (1.0 - input), min = -100.0)
        let loss = -(target * logP + (1.0 - target) * log1mP)

        let loss =
            match weight with
            | Some w -> loss * w
            | None -> loss

        Losses.reduce (reduction, loss)

    /// Binary cross-entropy on logits x (stable): w ((1 - t) x + (1 + (posWeight - 1) t) softplus(-x)); `weight`
    /// broadcasts against the input, `posWeight` (the weight of positives, per class) against its last dimension.
    static member binaryCrossEntropyWithLogits
        (input: Tensor, target: Tensor, ?weight: Tensor, ?posWeight: Tensor, ?reduction: Reduction)
        =
        Losses.sameShape ("binaryCrossEntropyWithLogits", input, target)
        let softplusNeg = Tensor.softplus (-input)

        let loss =
            match posWeight with
            | Some pw -> (1.0 - target) * input + (1.0 + (pw - 1.0) * target) * softplusNeg
            | None -> (1.0 - target) * input + softplusNeg

        let loss =
            match weight with
            | Some w -> loss * w
            | None -> loss

        Losses.reduce (reduction, loss)

    /// Checks class-index targets against input (N, C, d...) (or (C)) and returns them as Int64.
    static member private classTargets(op: string, input: Tensor, target: Tensor) =
        let expected =
            if input.Rank = 1 then
                [||]
            else
                Array.append [| input.Shape[0] |] input.Shape[2..]

        if input.Rank < 1 || target.Shape <> expected then
            Errors.fail
                op
                $"class-index targets of shape {Losses.shapeText target.Shape} do not fit the input of shape {Losses.shapeText input.Shape}"
                $"Pass targets of shape {Losses.shapeText expected} (the input without its class dimension 1), or class probabilities of the input's shape."

        target.ToDtype Int64

    /// The per-element weighted negative log-likelihood and weight for class-index targets (ignored ones 0).
    static member private pick
        (op: string, logP: Tensor, target: Tensor, weight: Tensor option, ignoreIndex: int)
        : Tensor * Tensor * Tensor =
        let c = logP.Shape[1]
        let keep = Tensor.ne (target, float ignoreIndex)
        let keepF = keep.ToDtype logP.Dtype
        let safe = target * keep.ToDtype Int64

        if safe.NumElements > 0 then
            let lo = (Tensor.min safe).ToDouble()
            let hi = (Tensor.max safe).ToDouble()

            if lo < 0.0 || hi >= float c then
                Errors.fail
                    op
                    $"the targets range over [{lo}, {hi}] but there are {c} classes"
                    $"Use class indices in [0, {c - 1}] (or ignoreIndex = {ignoreIndex} for ignored positions)."

        let picked = Tensor.squeeze (Tensor.gather (logP, 1, Tensor.unsqueeze (safe, 1)), 1)

        let w =
            match weight with
            | Some w ->
                if w.Shape <> [| c |] then
                    Errors.fail
                        op
                        $"the class weights have shape {Losses.shapeText w.Shape} but there are {c} classes"
                        $"Pass one weight per class, shape [{c}]."

                Tensor.reshape (Tensor.indexSelect (w, 0, Tensor.reshape (safe, [ -1 ])), safe.Shape)
                * keepF
            | None -> keepF

        -picked * w, w, keepF

    static member private reduceWeighted(reduction: Reduction option, loss: Tensor, w: Tensor) =
        match defaultArg reduction Reduction.Mean with
        | Reduction.Mean -> Tensor.sum loss / Tensor.sum w
        | r -> Losses.reduce (Some r, loss)

    /// Brings an unbatched input (C) with target () to (1, C) and (1).
    static member private batched(input: Tensor, target: Tensor) =
        if input.Rank = 1 then
            Tensor.unsqueeze (input, 0), Tensor.unsqueeze (target, 0), true
        else
            input, target, false

    /// Negative log-likelihood of log-probabilities (N, C, d...) at class indices (N, d...): -w[t] logP[t],
    /// the mean divided by Σ w[t]; targets equal to ignoreIndex (default -100) count for nothing.
    static member nll
        (input: Tensor, target: Tensor, ?weight: Tensor, ?ignoreIndex: int, ?reduction: Reduction)
        =
        let target = Losses.classTargets ("nll", input, target)
        let input, target, unbatched = Losses.batched (input, target)

        let loss, w, _ =
            Losses.pick ("nll", input, target, weight, defaultArg ignoreIndex -100)

        let loss = if unbatched then Tensor.squeeze (loss, 0) else loss

        Losses.reduceWeighted (reduction, loss, w)

    static member private crossEntropyGeneral
        (
            input: Tensor,
            target: Tensor,
            weight: Tensor option,
            ignoreIndex: int option,
            labelSmoothing: float option,
            reduction: Reduction option
        ) =
        let op = "crossEntropy"
        let eps = defaultArg labelSmoothing 0.0

        if not (eps >= 0.0 && eps <= 1.0) then
            Errors.fail op $"labelSmoothing = {eps} is outside [0, 1]" "Pass a smoothing amount in [0, 1]."

        if input.Rank < 1 then
            Errors.fail op "the input is a scalar" "Pass logits of shape (N, C, ...) or (C)."

        let classDim = if input.Rank = 1 then 0 else 1
        let c = input.Shape[classDim]
        let logP = Tensor.logSoftmax (input, classDim)

        let weightView (w: Tensor) =
            if w.Shape <> [| c |] then
                Errors.fail
                    op
                    $"the class weights have shape {Losses.shapeText w.Shape} but there are {c} classes"
                    $"Pass one weight per class, shape [{c}]."

            Tensor.reshape (w, Array.init input.Rank (fun d -> if d = classDim then c else 1))

        if target.Dtype.IsFloatingPoint then
            // Class probabilities.
            Losses.sameShape (op, input, target)

            let t =
                if eps > 0.0 then
                    target * (1.0 - eps) + eps / float c
                else
                    target

            let terms =
                match weight with
                | Some w -> logP * t * weightView w
                | None -> logP * t

            match defaultArg reduction Reduction.Mean with
            | Reduction.Mean -> -(Tensor.sum terms) / float (input.NumElements / c)
            | Reduction.Sum -> -(Tensor.sum terms)
            | r -> Losses.reduce (Some r, -(Tensor.sum (terms, classDim)))
        else
            let target = Losses.classTargets (op, input, target)
            let logP, target, unbatched = Losses.batched (logP, target)
            let ignore = defaultArg ignoreIndex -100
            let nll, w, keep = Losses.pick (op, logP, target, weight, ignore)

            let squeeze (t: Tensor) =
                if unbatched then Tensor.squeeze (t, 0) else t

            let nllReduced = Losses.reduceWeighted (reduction, squeeze nll, squeeze w)

            if eps = 0.0 then
                nllReduced
            else
                let smooth =
                    match weight with
                    | Some wc ->
                        -(Tensor.sum (
                            logP
                            * Tensor.reshape (wc, Array.init logP.Rank (fun d -> if d = 1 then c else 1)),
                            1
                        ))
                    | None -> -(Tensor.sum (logP, 1))

                let smooth = squeeze (smooth * keep)

                let smoothReduced =
                    match defaultArg reduction Reduction.Mean with
                    | Reduction.Mean -> Tensor.sum smooth / Tensor.sum (squeeze w)
                    | r -> Losses.reduce (Some r, smooth)

                (1.0 - eps) * nllReduced + (eps / float c) * smoothReduced

    /// Cross-entropy of logits (N, C, d...) (or (C)) against class indices (N, d...) or class probabilities of
    /// the logits' shape (e.g. one-hot), as PyTorch's CrossEntropyLoss: log-softmax over dimension 1, optional
    /// class weights, ignoreIndex (index targets) and label smoothing ε (targets mixed with the uniform ε/C).
    static member crossEntropy
        (
            input: Tensor,
            target: Tensor,
            ?weight: Tensor,
            ?ignoreIndex: int,
            ?labelSmoothing: float,
            ?reduction: Reduction
        ) =
        // The usual case (logits [N; C], class indices, mean, nothing else) is one fused primitive; a target out
        // of range makes libtorch refuse it, and the general path then names the range.
        let fused =
            if
                input.Rank = 2
                && input.Dtype.IsFloatingPoint
                && not target.Dtype.IsFloatingPoint
                && weight.IsNone
                && defaultArg ignoreIndex -100 = -100
                && defaultArg labelSmoothing 0.0 = 0.0
                && defaultArg reduction Reduction.Mean = Reduction.Mean
            then
                let target = Losses.classTargets ("crossEntropy", input, target)

                try
                    Some(Tensor(Functional.Ops.CrossEntropy.crossEntropy input.Value target.Value))
                with :? System.ArgumentException ->
                    None
            else
                None

        match fused with
        | Some loss -> loss
        | None -> Losses.crossEntropyGeneral (input, target, weight, ignoreIndex, labelSmoothing, reduction)

    /// Kullback-Leibler divergence KL(target ‖ exp input) pointwise: t (log t - input) (0 where t = 0), with
    /// input log-probabilities and target probabilities (or log-probabilities if logTarget); PyTorch's default
    /// reduction is the mean over all elements (use Reduction.BatchMean for the mathematical KL per example).
    static member klDiv(input: Tensor, target: Tensor, ?logTarget: bool, ?reduction: Reduction) =
        Losses.sameShape ("klDiv", input, target)

        let pointwise =
            if defaultArg logTarget false then
                Tensor.exp target * (target - input)
            else
                let positive = Tensor.gt(target, 0.0).ToDtype target.Dtype
                // log of 1 where t = 0 keeps t·log t and its derivatives finite (t log t -> 0).
                let safe = target * positive + (1.0 - positive)
                target * Tensor.log safe - target * input

        Losses.reduce (reduction, pointwise)

    /// Cosine embedding loss of pairs x1, x2 (N, D) (or (D)) with labels y = ±1 (N): 1 - cos for y = 1,
    /// max(0, cos - margin) for y = -1, cos = x1·x2 / √((|x1|² + 1e-12)(|x2|² + 1e-12)) as in PyTorch.
    static member cosineEmbedding(x1: Tensor, x2: Tensor, y: Tensor, ?margin: float, ?reduction: Reduction) =
        Losses.sameShape ("cosineEmbedding", x1, x2)

        let labels = if x1.Rank = 2 then [| x1.Shape[0] |] else [||]

        if x1.Rank < 1 || x1.Rank > 2 || y.Shape <> labels then
            Errors.fail
                "cosineEmbedding"
                $"inputs of shape {Losses.shapeText x1.Shape} need labels of shape {Losses.shapeText labels}, got {Losses.shapeText y.Shape}"
                "Pass pairs (N, D) with one label ±1 per pair."

        let dim = x1.Rank - 1
        let dot = Tensor.sum (x1 * x2, dim)
        let m1 = Tensor.sum (x1 * x1, dim) + 1e-12
        let m2 = Tensor.sum (x2 * x2, dim) + 1e-12
        let cos = dot / Tensor.sqrt (m1 * m2)
        let positive = Tensor.eq(y, 1.0).ToDtype cos.Dtype
        let negative = Tensor.eq(y, -1.0).ToDtype cos.Dtype

        let loss =
            positive * (1.0 - cos)
            + negative * Tensor.clamp (cos - defaultArg margin 0.0, min = 0.0)

        Losses.reduce (reduction, loss)

/// Regularization terms of a parameter tree (multiply by the strength and add to the loss; filter the tree
/// first with `Params.filter` to leave out biases or normalization parameters).
module Regularization =
    let private total (f: Tensor -> Tensor) (p: Params) =
        match Params.tensors p with
        | [] -> Tensor.scalar 0.0
        | first :: rest -> rest |> List.fold (fun acc t -> acc + f t) (f first)

    /// Σ |θ| over all parameters (the lasso penalty).
    let l1 (p: Params) : Tensor =
        total (fun t -> Tensor.sum (Tensor.abs t)) p

    /// Σ θ² over all parameters (the ridge penalty; weight decay λ/2 · l2).
    let l2 (p: Params) : Tensor = total (fun t -> Tensor.sum (t * t)) p
