namespace Functional

open System

/// Makes the initial value of a parameter of a given shape from a random key (Float32); the same key
/// and shape always give the same tensor.
type Initializer = Rng -> int[] -> Tensor

/// Which fan a variance-scaling initializer keeps constant.
type FanMode =
    /// The number of inputs of a unit (preserves the variance of activations in the forward pass).
    | FanIn
    /// The number of outputs of a unit (preserves the variance of gradients in the backward pass).
    | FanOut

/// Parameter initializers, with PyTorch's formulas (torch.nn.init). Fans follow PyTorch: for a weight
/// of shape [out; in; k₁; ...], fanIn = in·k₁⋯ and fanOut = out·k₁⋯ (a vector has fanIn = fanOut = its length).
///
/// Defaults of the built-in layers (as in PyTorch): dense/conv/convTranspose weight and bias
/// U(-1/√fanIn, 1/√fanIn) (`torchDefault`, kaiming uniform with a = √5); RNN/LSTM/GRU all tensors
/// U(-1/√hidden, 1/√hidden); embedding N(0, 1); batch/layer norm weight 1, bias 0; attention input
/// projection Xavier uniform with zero biases. Keras instead uses Glorot uniform weights and zero biases
/// for Dense/Conv, and orthogonal recurrent kernels: pass `weightInit = Init.glorotUniform` (and, to
/// `Layers.lstm`/`gru`/`rnn`, `recurrentInit = Init.orthogonal`, `biasInit = Init.zeros`) to get them.
module Init =
    let private shapeText (shape: int[]) = "[" + String.Join("; ", shape) + "]"

    /// (fanIn, fanOut) of a parameter shape, as torch.nn.init._calculate_fan_in_and_fan_out.
    let fans (shape: int[]) : int * int =
        match shape.Length with
        | 0 -> 1, 1
        | 1 -> shape[0], shape[0]
        | _ ->
            let receptive = Array.fold (*) 1 shape[2..]
            shape[1] * receptive, shape[0] * receptive

    let private fanOf (mode: FanMode) (shape: int[]) =
        let fanIn, fanOut = fans shape

        match mode with
        | FanIn -> fanIn
        | FanOut -> fanOut

    /// The recommended gain for ReLU layers, √2.
    let reluGain = sqrt 2.0

    /// The recommended gain for tanh layers, 5/3.
    let tanhGain = 5.0 / 3.0

    /// The recommended gain for leaky ReLU with negative slope a, √(2 / (1 + a²)).
    let leakyReluGain (slope: float) = sqrt (2.0 / (1.0 + slope * slope))

    /// All zeros.
    let zeros: Initializer = fun _ shape -> Tensor.zeros shape

    /// All ones.
    let ones: Initializer = fun _ shape -> Tensor.ones shape

    /// Every element equal to `value`.
    let constant (value: float) : Initializer =
        fun _ shape -> Tensor.full (shape, value)

    /// Independent samples of U(low, high).
    let uniform (low: float) (high: float) : Initializer =
        if not (high >= low) then
            Errors.fail "Init.uniform" $"the range [{low}, {high}) is empty" "Pass low <= high."

        fun rng shape -> low + (high - low) * Tensor.rand (rng, shape)

    /// Independent samples of N(mean, std²).
    let normal (mean: float) (std: float) : Initializer =
        if not (std >= 0.0) then
            Errors.fail "Init.normal" $"the standard deviation {std} is negative" "Pass std >= 0."

        fun rng shape -> mean + std * Tensor.randn (rng, shape)

    /// Glorot/Xavier uniform: U(-b, b) with b = gain·√(6 / (fanIn + fanOut)).
    let xavierUniformWith (gain: float) : Initializer =
        fun rng shape ->
            let fanIn, fanOut = fans shape
            let b = gain * sqrt (6.0 / float (fanIn + fanOut))
            uniform -b b rng shape

    /// Glorot/Xavier normal: N(0, σ²) with σ = gain·√(2 / (fanIn + fanOut)).
    let xavierNormalWith (gain: float) : Initializer =
        fun rng shape ->
            let fanIn, fanOut = fans shape
            normal 0.0 (gain * sqrt (2.0 / float (fanIn + fanOut))) rng shape

    /// Glorot/Xavier uniform with gain 1 (Keras's default kernel initializer).
    let xavierUniform: Initializer = xavierUniformWith 1.0

    /// Glorot/Xavier normal with gain 1.
    let xavierNormal: Initializer = xavierNormalWith 1.0

    /// Same as `xavierUniform` (Keras's name).
    let glorotUniform: Initializer = xavierUniform

    /// Same as `xavierNormal` (Keras's name).
    let glorotNormal: Initializer = xavierNormal

    /// He/Kaiming uniform: U(-b, b) with b = gain·√(3 / fan).
    let kaimingUniform (gain: float) (mode: FanMode) : Initializer =
        fun rng shape ->
            let b = gain * sqrt (3.0 / float (max 1 (fanOf mode shape)))
            uniform -b b rng shape

    /// He/Kaiming normal: N(0, σ²) with σ = gain / √fan.
    let kaimingNormal (gain: float) (mode: FanMode) : Initializer =
        fun rng shape -> normal 0.0 (gain / sqrt (float (max 1 (fanOf mode shape)))) rng shape

    /// He uniform for ReLU layers: kaiming uniform with gain √2 over fanIn.
    let heUniform: Initializer = kaimingUniform reluGain FanIn

    /// He normal for ReLU layers: kaiming normal with gain √2 over fanIn.
    let heNormal: Initializer = kaimingNormal reluGain FanIn

    /// PyTorch's default for dense and convolution weights: kaiming uniform with a = √5, i.e. U(-1/√fanIn, 1/√fanIn).
    let torchDefault: Initializer = kaimingUniform (leakyReluGain (sqrt 5.0)) FanIn

    /// PyTorch's default for a bias of a layer with `fanIn` inputs: U(-1/√fanIn, 1/√fanIn).
    let torchBias (fanIn: int) : Initializer =
        let b = if fanIn > 0 then 1.0 / sqrt (float fanIn) else 0.0
        uniform -b b

    /// Modified Gram-Schmidt on the columns of a rows×cols matrix (rows ≥ cols), row-major: Q with R's
    /// diagonal positive (the unique QR, which is what PyTorch's sign correction of Householder QR gives).
    let private orthonormalColumns (rows: int) (cols: int) (a: float[]) =
        let q = Array.copy a

        for j in 0 .. cols - 1 do
            for k in 0 .. j - 1 do
                let mutable dot = 0.0

                for i in 0 .. rows - 1 do
                    dot <- dot + q[i * cols + k] * q[i * cols + j]

                for i in 0 .. rows - 1 do
                    q[i * cols + j] <- q[i * cols + j] - dot * q[i * cols + k]

            let mutable norm = 0.0

            for i in 0 .. rows - 1 do
                norm <- norm + q[i * cols + j] * q[i * cols + j]

            let norm = sqrt norm

            for i in 0 .. rows - 1 do
                q[i * cols + j] <- q[i * cols + j] / norm

        q

    /// A (semi-)orthogonal matrix times `gain` (PyTorch's orthogonal_, Keras's recurrent default): the
    /// tensor is viewed as [shape[0]; rest] and has orthonormal rows or columns, whichever are fewer.
    let orthogonalWith (gain: float) : Initializer =
        fun rng shape ->
            if shape.Length < 2 then
                Errors.fail
                    "Init.orthogonal"
                    $"the shape {shapeText shape} has fewer than 2 dimensions"
                    "Use it for matrices (or higher-rank weights viewed as [shape[0]; rest])."

            let rows = shape[0]
            let cols = Array.fold (*) 1 shape[1..]
            let a = (Tensor.randn (rng, [ rows; cols ], Float64)).ToArray<float>()
            // Orthonormalize the longer side's columns: work on the transpose when there are fewer rows.
            let tall = rows >= cols
            let m, n = if tall then rows, cols else cols, rows

            let at =
                if tall then
                    a
                else
                    Array.init (m * n) (fun k -> a[(k % n) * cols + k / n])

            let q = orthonormalColumns m n at

            let back =
                if tall then
                    q
                else
                    Array.init (rows * cols) (fun k -> q[(k % cols) * n + k / cols])

            Tensor.create(Array.map (fun v -> float32 (gain * v)) back).Reshape(shape)

    /// A (semi-)orthogonal matrix with gain 1.
    let orthogonal: Initializer = orthogonalWith 1.0
