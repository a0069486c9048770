namespace Functional

/// The cell of a recurrent layer.
type RecurrentCell =
    /// h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (PyTorch's RNN).
    | RnnTanh
    /// h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (PyTorch's RNN with nonlinearity='relu').
    | RnnRelu
    /// PyTorch's LSTM: gates i, f, g, o stacked in that order in the 4H rows of the weights.
    | Lstm
    /// PyTorch's GRU: gates r, z, n stacked in that order in the 3H rows; n = tanh(W_in x + b_in + r (W_hn h + b_hn)).
    | Gru

/// Recurrent layers over whole sequences, batch first: x (N, T, F) -> output (N, T, D·H) and final states
/// (D·L, N, H) (D = 2 if bidirectional, L layers), with PyTorch's parameter names and gate layouts:
/// "weight_ih_l{k}" [G·H; F or D·H], "weight_hh_l{k}" [G·H; H], "bias_ih_l{k}", "bias_hh_l{k}" [G·H] (G = 1, 4, 3
/// for RNN, LSTM, GRU), suffixed "_reverse" for the backward direction; all initialized U(-1/√H, 1/√H) unless
/// initializers are given (applied per gate block, as Flax does).
module Recurrent =
    /// Number of stacked weight blocks (gates) of a cell.
    let gates (cell: RecurrentCell) =
        match cell with
        | RnnTanh
        | RnnRelu -> 1
        | Lstm -> 4
        | Gru -> 3

    let private layerName (cell: RecurrentCell) =
        match cell with
        | RnnTanh
        | RnnRelu -> "rnn"
        | Lstm -> "lstm"
        | Gru -> "gru"

    /// Parameters for `numLayers` layers of a cell from `inputSize` features to `hiddenSize`, in PyTorch's order.
    /// An initializer, when given, fills each gate's block ([H; in], [H; H] or [H]) separately, so e.g.
    /// `Init.orthogonal` makes every gate's recurrent matrix orthogonal (Keras's recurrent default); without
    /// one a tensor is U(-1/√H, 1/√H) as in PyTorch.
    let initParams
        (rng: Rng)
        (cell: RecurrentCell)
        (inputSize: int)
        (hiddenSize: int)
        (numLayers: int)
        (bidirectional: bool)
        (bias: bool)
        (weightInit: Initializer option, recurrentInit: Initializer option, biasInit: Initializer option)
        : Params =
        let blocks = gates cell
        let g = blocks * hiddenSize
        let dirs = if bidirectional then 2 else 1
        let k = 1.0 / sqrt (float hiddenSize)
        let u = Init.uniform -k k
        let mutable i = 0

        let nextWith (init: Initializer option) (shape: int[]) =
            i <- i + 1
            let key = Rng.fold i rng

            match init with
            | None -> u key shape
            | Some f ->
                let block = Array.append [| hiddenSize |] shape[1..]
                Tensor.cat ([ for b in 0 .. blocks - 1 -> f (Rng.fold b key) block ], 0)

        [
            for l in 0 .. numLayers - 1 do
                for d in 0 .. dirs - 1 do
                    let sfx = if d = 1 then "_reverse" else ""
                    let inSize = if l = 0 then inputSize else dirs * hiddenSize
                    $"weight_ih_l{l}{sfx}", Leaf(nextWith weightInit [| g; inSize |])
                    $"weight_hh_l{l}{sfx}", Leaf(nextWith recurrentInit [| g; hiddenSize |])

                    if bias then
                        $"bias_ih_l{l}{sfx}", Leaf(nextWith biasInit [| g |])
                        $"bias_hh_l{l}{sfx}", Leaf(nextWith biasInit [| g |])
        ]
        |> Params.group

    /// Layer count, bidirectionality and hidden size read from a parameter tree.
    let structure (cell: RecurrentCell) (p: Params) : int * bool * int =
        let name = layerName cell
        let whh = Model.param name "weight_hh_l0" p
        let mutable layers = 0

        while (Model.tryParam $"weight_ih_l{layers}" p).IsSome do
            layers <- layers + 1

        layers, (Model.tryParam "weight_ih_l0_reverse" p).IsSome, whh.Shape[1]

    let private linear (x: Tensor) (w: Tensor) (b: Tensor option) =
        let y = Tensor.matmul (x, w.T)

        match b with
        | Some b -> y + b
        | None -> y

    /// One step: (input projection at t, h, c) -> (h', c').
    let private step
        (cell: RecurrentCell)
        (whh: Tensor)
        (bhh: Tensor option)
        (xi: Tensor)
        (h: Tensor)
        (c: Tensor)
        =
        match cell with
        | RnnTanh -> Tensor.tanh (xi + linear h whh bhh), c
        | RnnRelu -> Tensor.relu (xi + linear h whh bhh), c
        | Lstm ->
            let parts = Tensor.chunk (xi + linear h whh bhh, 4, -1)
            let i = Tensor.sigmoid parts[0]
            let f = Tensor.sigmoid parts[1]
            let g = Tensor.tanh parts[2]
            let o = Tensor.sigmoid parts[3]
            let c' = f * c + i * g
            o * Tensor.tanh c', c'
        | Gru ->
            let xs = Tensor.chunk (xi, 3, -1)
            let hs = Tensor.chunk (linear h whh bhh, 3, -1)
            let r = Tensor.sigmoid (xs[0] + hs[0])
            let z = Tensor.sigmoid (xs[1] + hs[1])
            let n = Tensor.tanh (xs[2] + r * hs[2])
            (1.0 - z) * n + z * h, c

    /// One direction of one layer over the whole sequence: outputs (N, T, H), final h and c.
    let private direction
        (cell: RecurrentCell)
        (p: Params)
        (key: string)
        (x: Tensor)
        (h0: Tensor)
        (c0: Tensor)
        =
        let name = layerName cell
        let wih = Model.param name $"weight_ih_{key}" p
        let whh = Model.param name $"weight_hh_{key}" p
        let bhh = Model.tryParam $"bias_hh_{key}" p
        let bih = Model.tryParam $"bias_ih_{key}" p
        let steps = x.Shape[1]
        let reverse = key.EndsWith "_reverse"
        let outputs = Array.zeroCreate steps
        let mutable h = h0
        let mutable c = c0

        for k in 0 .. steps - 1 do
            let t = if reverse then steps - 1 - k else k
            // The input projection is taken step by step: the adjoint of `select` is a zero tensor of the
            // selected tensor's size, so selecting from x (N, T, F) rather than from its projection
            // (N, T, G·H) keeps the backward pass's extra work at N·T²·F instead of N·T²·G·H.
            let h', c' = step cell whh bhh (linear (Tensor.select (x, 1, t)) wih bih) h c
            h <- h'
            c <- c'
            outputs[t] <- h'

        Tensor.stack (outputs, 1), h, c

    /// Runs a (stacked, possibly bidirectional) recurrent network over x (N, T, F) from initial states h0 and
    /// c0 (D·L, N, H) (zeros when absent; c only for LSTM), with dropout `rate` between layers in training
    /// mode: output (N, T, D·H), final h (D·L, N, H) and final c (LSTM; otherwise the zeros it started from).
    let run
        (cell: RecurrentCell)
        (dropout: float)
        (mode: Mode)
        (p: Params)
        (x: Tensor)
        (h0: Tensor option)
        (c0: Tensor option)
        : Tensor * Tensor * Tensor =
        let name = layerName cell
        let layers, bidirectional, hidden = structure cell p
        let dirs = if bidirectional then 2 else 1
        let inputSize = (Model.param name "weight_ih_l0" p).Shape[1]

        if x.Rank <> 3 || x.Shape[2] <> inputSize || x.Shape[1] < 1 then
            Errors.fail
                name
                $"expected an input of shape (N, T, {inputSize}) (batch first, T >= 1), got {Model.shapeText x.Shape}"
                "Pass a batch of sequences with the feature count the layer was initialized for."

        let n = x.Shape[0]
        let stateShape = [| dirs * layers; n; hidden |]

        let initial (what: string) (s: Tensor option) =
            match s with
            | Some s when s.Shape <> stateShape ->
                Errors.fail
                    name
                    $"expected an initial {what} of shape {Model.shapeText stateShape} (layers·directions, batch, hidden), got {Model.shapeText s.Shape}"
                    "Pass one state per layer and direction."
            | Some s -> s
            | None -> Tensor.zeros (stateShape, x.Dtype)

        let h0 = initial "hidden state" h0
        let c0 = initial "cell state" c0
        let finalH = Array.zeroCreate (dirs * layers)
        let finalC = Array.zeroCreate (dirs * layers)
        let mutable input = x

        for l in 0 .. layers - 1 do
            let results =
                [|
                    for d in 0 .. dirs - 1 ->
                        let k = l * dirs + d
                        let key = if d = 1 then $"l{l}_reverse" else $"l{l}"

                        let out, h, c =
                            direction cell p key input (Tensor.select (h0, 0, k)) (Tensor.select (c0, 0, k))

                        finalH[k] <- h
                        finalC[k] <- c
                        out
                |]

            let out = if dirs = 1 then results[0] else Tensor.cat (results, -1)

            input <-
                if l < layers - 1 then
                    Dropout.inMode dropout (Model.childMode mode l) out
                else
                    out

        input, Tensor.stack (finalH, 0), Tensor.stack (finalC, 0)

    /// An Elman RNN with tanh over x (N, T, F) from h0 (zeros if None): output (N, T, D·H) and final h (D·L, N, H).
    let rnn (p: Params) (x: Tensor) (h0: Tensor option) : Tensor * Tensor =
        let y, h, _ = run RnnTanh 0.0 Mode.Eval p x h0 None
        y, h

    /// An LSTM over x (N, T, F) from (h0, c0) (zeros if None): output (N, T, D·H) and final (h, c), each (D·L, N, H).
    let lstm (p: Params) (x: Tensor) (state: (Tensor * Tensor) option) : Tensor * (Tensor * Tensor) =
        let y, h, c =
            run Lstm 0.0 Mode.Eval p x (Option.map fst state) (Option.map snd state)

        y, (h, c)

    /// A GRU over x (N, T, F) from h0 (zeros if None): output (N, T, D·H) and final h (D·L, N, H).
    let gru (p: Params) (x: Tensor) (h0: Tensor option) : Tensor * Tensor =
        let y, h, _ = run Gru 0.0 Mode.Eval p x h0 None
        y, h

    /// A recurrent layer as a model: per-example [T; F] -> [T; D·H] (all steps) or [D·H] (the last layer's
    /// final hidden state, both directions concatenated, when not returnSequences).
    let layer
        (cell: RecurrentCell)
        (hiddenSize: int)
        (numLayers: int)
        (bidirectional: bool)
        (bias: bool)
        (dropout: float)
        (returnSequences: bool)
        (inits: Initializer option * Initializer option * Initializer option)
        : Model =
        let name = layerName cell

        if hiddenSize < 1 || numLayers < 1 then
            Errors.fail
                name
                $"hiddenSize = {hiddenSize} and numLayers = {numLayers} must be positive"
                "Pass the state size and the number of stacked layers."

        Dropout.checkRate dropout
        let dirs = if bidirectional then 2 else 1

        let title =
            match cell with
            | RnnTanh -> "RNN"
            | RnnRelu -> "RNN(relu)"
            | Lstm -> "LSTM"
            | Gru -> "GRU"

        let stacked = if numLayers > 1 then $" x{numLayers}" else ""
        let both = if bidirectional then ", bidirectional" else ""

        Model.createStateful
            $"{title}({hiddenSize}{stacked}{both})"
            (fun rng shape ->
                if shape.Length <> 2 then
                    Errors.fail
                        name
                        $"expected a per-example input shape [T; F] (time steps, features), got {Model.shapeText shape}"
                        "Pass sequences batch first: (N, T, F)."

                let p = initParams rng cell shape[1] hiddenSize numLayers bidirectional bias inits

                let out =
                    if returnSequences then
                        [| shape[0]; dirs * hiddenSize |]
                    else
                        [| dirs * hiddenSize |]

                p, Params.empty, out)
            (fun p s mode x ->
                let y, h, _ = run cell dropout mode p x None None

                if returnSequences then
                    y, s
                else
                    let last = h.Shape[0]

                    let final =
                        if dirs = 1 then
                            Tensor.select (h, 0, last - 1)
                        else
                            Tensor.cat (
                                [ Tensor.select (h, 0, last - 2); Tensor.select (h, 0, last - 1) ],
                                -1
                            )

                    final, s)

/// The layer constructors `Layers.rnn`, `Layers.lstm` and `Layers.gru`.
[<AutoOpen>]
module RecurrentLayers =
    type Layers with
        /// An Elman RNN (tanh, or relu if `relu`) over sequences [T; F] -> [T; D·H] (or [D·H] if not
        /// returnSequences); numLayers stacked, dropout between layers in training; PyTorch's names and init.
        [<CompiledName("Rnn")>]
        static member rnn
            (
                hiddenSize: int,
                ?numLayers: int,
                ?bidirectional: bool,
                ?relu: bool,
                ?bias: bool,
                ?dropout: float,
                ?returnSequences: bool,
                ?weightInit: Initializer,
                ?recurrentInit: Initializer,
                ?biasInit: Initializer
            ) =
            Recurrent.layer
                (if defaultArg relu false then RnnRelu else RnnTanh)
                hiddenSize
                (defaultArg numLayers 1)
                (defaultArg bidirectional false)
                (defaultArg bias true)
                (defaultArg dropout 0.0)
                (defaultArg returnSequences true)
                (weightInit, recurrentInit, biasInit)

        /// An LSTM over sequences [T; F] -> [T; D·H] (or [D·H], the final hidden state, if not returnSequences);
        /// PyTorch's gate layout (i, f, g, o), names and init U(-1/√H, 1/√H) unless `weightInit` (input kernels),
        /// `recurrentInit` (Keras: `Init.orthogonal`) or `biasInit` are given (each fills one gate block at a time).
        [<CompiledName("Lstm")>]
        static member lstm
            (
                hiddenSize: int,
                ?numLayers: int,
                ?bidirectional: bool,
                ?bias: bool,
                ?dropout: float,
                ?returnSequences: bool,
                ?weightInit: Initializer,
                ?recurrentInit: Initializer,
                ?biasInit: Initializer
            ) =
            Recurrent.layer
                Lstm
                hiddenSize
                (defaultArg numLayers 1)
                (defaultArg bidirectional false)
                (defaultArg bias true)
                (defaultArg dropout 0.0)
                (defaultArg returnSequences true)
                (weightInit, recurrentInit, biasInit)

        /// A GRU over sequences [T; F] -> [T; D·H] (or [D·H], the final hidden state, if not returnSequences);
        /// PyTorch's gate layout (r, z, n), names and init U(-1/√H, 1/√H) unless `weightInit` (input kernels),
        /// `recurrentInit` (Keras: `Init.orthogonal`) or `biasInit` are given (each fills one gate block at a time).
        [<CompiledName("Gru")>]
        static member gru
            (
                hiddenSize: int,
                ?numLayers: int,
                ?bidirectional: bool,
                ?bias: bool,
                ?dropout: float,
                ?returnSequences: bool,
                ?weightInit: Initializer,
                ?recurrentInit: Initializer,
                ?biasInit: Initializer
            ) =
            Recurrent.layer
                Gru
                hiddenSize
                (defaultArg numLayers 1)
                (defaultArg bidirectional false)
                (defaultArg bias true)
                (defaultArg dropout 0.0)
                (defaultArg returnSequences true)
                (weightInit, recurrentInit, biasInit)
