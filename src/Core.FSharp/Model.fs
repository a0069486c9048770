namespace Functional

open System

/// How a model runs.
[<RequireQualifiedAccess>]
type Mode =
    /// Inference: dropout is the identity and batch norm uses its running statistics.
    | Eval
    /// Training: dropout draws its masks from the key, batch norm normalizes with batch statistics and
    /// updates its running statistics.
    | Train of Rng

/// Non-trainable values a model carries from call to call (batch norm's running statistics), as a tree
/// like `Params` (empty for most models).
type State = Params

/// One row of a model summary: a layer, where it sits, what it outputs and how many parameters it has.
type LayerRow =
    {
        /// Dotted path of the layer in the parameter tree (e.g. "encoder.1").
        Path: string
        /// What the layer is (e.g. "Dense(10)").
        Layer: string
        /// Per-example output shape (without the batch dimension).
        OutputShape: int[]
        /// Number of trainable scalars of the layer (including its sublayers).
        ParamCount: int
        /// Number of non-trainable state scalars of the layer.
        StateCount: int
        /// Nesting depth (0 for the children of the model summarized).
        Depth: int
    }

/// What initializing a model for a per-example input shape gives.
type Initialized =
    {
        /// The trainable parameters.
        Params: Params
        /// The initial non-trainable state.
        State: State
        /// Per-example output shape (without the batch dimension).
        OutputShape: int[]
        /// Summary rows of the sublayers, outermost first.
        Rows: LayerRow list
    }

/// Raised for a mistake inside a named sublayer of a model: the message starts with the layer's dotted path
/// (e.g. "in layer '0.2': conv2d: ...").
type LayerException(path: string, detail: string, inner: exn) =
    inherit ArgumentException($"in layer '{path}': {detail}", inner)

    /// The dotted path of the layer in which the mistake happened.
    member _.Path = path
    /// The message of the layer's own error.
    member _.Detail = detail

/// A model: a pure function of its parameters (and state), with an initializer that infers parameter shapes
/// from the per-example input shape. Inputs and outputs carry a leading batch dimension; the shapes seen by
/// `Init` and reported by `summary` leave it out.
[<NoEquality; NoComparison>]
type Model =
    {
        /// What the model is (e.g. "Dense(10)"), for summaries.
        Name: string
        /// Makes parameters and state for a per-example input shape, and reports the output shape.
        Init: Rng -> int[] -> Initialized
        /// Runs the model on a batch: params -> state -> mode -> input -> output and the new state.
        Apply: Params -> State -> Mode -> Tensor -> Tensor * State
        /// The steps when the model was made by chaining with `=>` (so chains stay flat); empty otherwise.
        Chain: Model list
    }

/// Constructors of the built-in layers, e.g. `Layers.dense 10`, `Layers.conv2d (16, 3, padding = 1)`;
/// each family lives in its own file under Layers/.
[<AbstractClass; Sealed>]
type Layers = class end

/// Building, running, combining and inspecting models.
[<RequireQualifiedAccess>]
module Model =
    /// A per-example shape as `[2; 3]`.
    let shapeText (shape: int[]) = "[" + String.Join("; ", shape) + "]"

    /// A batched shape for summaries, `(*, 2, 3)` with `*` for the batch dimension.
    let batchedShapeText (shape: int[]) =
        "("
        + String.Join(", ", Array.append [| "*" |] (shape |> Array.map string))
        + ")"

    let private isEmpty (p: Params) = List.isEmpty (Params.tensors p)

    /// A group of named subtrees, leaving out those without tensors.
    let internal groupOf (children: (string * Params) list) : Params =
        children |> List.filter (snd >> isEmpty >> not) |> Params.group

    /// The subtree `name` of a tree, or the empty tree.
    let sub (name: string) (p: Params) : Params =
        match p with
        | Group children ->
            match List.tryFind (fun (n, _) -> n = name) children with
            | Some(_, child) -> child
            | None -> Params.empty
        | Leaf _ -> Params.empty

    /// The tensor `name` of a layer's parameters, if it is there.
    let tryParam (name: string) (p: Params) : Tensor option =
        match sub name p with
        | Leaf t -> Some t
        | Group _ -> None

    /// The tensor `name` of a layer's parameters; a missing one is an error naming the layer.
    let param (layer: string) (name: string) (p: Params) : Tensor =
        match tryParam name p with
        | Some t -> t
        | None ->
            let present =
                match p with
                | Group [] -> "nothing"
                | Group children -> children |> List.map fst |> String.concat ", "
                | Leaf _ -> "a single tensor"

            Errors.fail
                layer
                $"the parameters have no tensor '{name}' (found: {present})"
                "Pass the Params made by Model.init for this model (or the matching subtree)."

    /// The mode for the i-th child of a combinator: its own key in training.
    let childMode (mode: Mode) (i: int) : Mode =
        match mode with
        | Mode.Train rng -> Mode.Train(Rng.fold i rng)
        | Mode.Eval -> Mode.Eval

    /// Runs `f`, putting the child's name in front of the path of any argument error it raises.
    let internal within (name: string) (f: unit -> 'T) : 'T =
        try
            f ()
        with
        | :? LayerException as e -> raise (LayerException(name + "." + e.Path, e.Detail, e.InnerException))
        | :? ArgumentException as e -> raise (LayerException(name, e.Message, e))

    let private rowsOf (name: string) (child: Model) (built: Initialized) : LayerRow list =
        {
            Path = name
            Layer = child.Name
            OutputShape = built.OutputShape
            ParamCount = Params.count built.Params
            StateCount = Params.count built.State
            Depth = 0
        }
        :: (built.Rows
            |> List.map (fun r ->
                { r with
                    Path = name + "." + r.Path
                    Depth = r.Depth + 1
                }))

    /// A layer from an initializer (input shape -> params and output shape) and a stateless apply that
    /// ignores the mode.
    let create
        (name: string)
        (init: Rng -> int[] -> Params * int[])
        (apply: Params -> Tensor -> Tensor)
        : Model =
        {
            Name = name
            Init =
                fun rng shape ->
                    let p, out = init rng shape

                    {
                        Params = p
                        State = Params.empty
                        OutputShape = out
                        Rows = []
                    }
            Apply = fun p s _ x -> apply p x, s
            Chain = []
        }

    /// A layer with state and a mode-dependent apply (as batch norm and dropout): init gives params, state
    /// and output shape; apply gives the output and the new state.
    let createStateful
        (name: string)
        (init: Rng -> int[] -> Params * State * int[])
        (apply: Params -> State -> Mode -> Tensor -> Tensor * State)
        : Model =
        {
            Name = name
            Init =
                fun rng shape ->
                    let p, s, out = init rng shape

                    {
                        Params = p
                        State = s
                        OutputShape = out
                        Rows = []
                    }
            Apply = apply
            Chain = []
        }

    /// The per-example shape `f` gives for a per-example input shape, found by running it on zeros.
    let internal inferShape (name: string) (f: Tensor -> Tensor) (shape: int[]) : int[] =
        let y = f (Tensor.zeros (Array.append [| 1 |] shape))

        if y.Rank = 0 || y.Shape[0] <> 1 then
            Errors.fail
                name
                $"the function maps a batch of shape {shapeText (Array.append [| 1 |] shape)} to {shapeText y.Shape}, losing the batch dimension"
                "Keep the leading batch dimension (reduce over the other dimensions only)."

        y.Shape[1..]

    /// A parameterless layer computing `f` (which must keep the leading batch dimension); its output shape
    /// is found at init by running `f` on zeros.
    let lambda (name: string) (f: Tensor -> Tensor) : Model =
        create name (fun _ shape -> Params.empty, inferShape name f shape) (fun _ x -> f x)

    /// A parameterless layer computing `f`, whose output shape `shapeOf` gives (and checks) for a per-example
    /// input shape.
    let ofFunction (name: string) (shapeOf: int[] -> int[]) (f: Tensor -> Tensor) : Model =
        create name (fun _ shape -> Params.empty, shapeOf shape) (fun _ x -> f x)

    /// Runs the named models one after another (names become the first level of parameter paths).
    let namedSequential (children: (string * Model) list) : Model =
        if children.IsEmpty then
            Errors.fail "Model.sequential" "there are no layers" "Pass at least one model."

        let names = children |> List.map fst

        match names |> List.tryFind (fun n -> n = "" || n.Contains '.') with
        | Some n ->
            Errors.fail
                "Model.namedSequential"
                $"the name '{n}' is not allowed"
                "Use non-empty names without '.'."
        | None -> ()

        match names |> List.countBy id |> List.tryFind (fun (_, k) -> k > 1) with
        | Some(n, _) ->
            Errors.fail
                "Model.namedSequential"
                $"the name '{n}' appears twice"
                "Give every child its own name."
        | None -> ()

        let steps = Array.ofList children

        {
            Name = "Sequential"
            Init =
                fun rng shape ->
                    let mutable current = shape

                    let built =
                        steps
                        |> Array.mapi (fun i (name, m) ->
                            let b = within name (fun () -> m.Init (Rng.fold i rng) current)
                            current <- b.OutputShape
                            name, m, b)
                        |> List.ofArray

                    {
                        Params = groupOf (built |> List.map (fun (n, _, b) -> n, b.Params))
                        State = groupOf (built |> List.map (fun (n, _, b) -> n, b.State))
                        OutputShape = current
                        Rows = built |> List.collect (fun (n, m, b) -> rowsOf n m b)
                    }
            Apply =
                fun p s mode x ->
                    let states = Array.zeroCreate steps.Length
                    let mutable y = x

                    for i in 0 .. steps.Length - 1 do
                        let name, m = steps[i]

                        let out, s' =
                            within name (fun () -> m.Apply (sub name p) (sub name s) (childMode mode i) y)

                        y <- out
                        states[i] <- (name, s')

                    y, groupOf (List.ofArray states)
            Chain = []
        }

    /// Runs the models one after another; their parameters are named "0", "1", ... (as PyTorch's Sequential).
    let sequential (models: Model list) : Model =
        namedSequential (models |> List.mapi (fun i m -> string i, m))

    /// `a` then `b` as one flat sequential (chains made with `=>` are extended, not nested).
    let chain (a: Model) (b: Model) : Model =
        let steps (m: Model) =
            if m.Chain.IsEmpty then [ m ] else m.Chain

        let all = steps a @ steps b
        { sequential all with Chain = all }

    /// Runs every model on the same input and combines their outputs with `combine` (e.g. a sum or a
    /// concatenation); parameters are named "0", "1", ...
    let parallelWith (name: string) (combine: Tensor list -> Tensor) (models: Model list) : Model =
        if models.IsEmpty then
            Errors.fail "Model.parallel" "there are no branches" "Pass at least one model."

        let branches = models |> List.mapi (fun i m -> string i, m) |> Array.ofList

        {
            Name = name
            Init =
                fun rng shape ->
                    let built =
                        branches
                        |> Array.mapi (fun i (n, m) ->
                            n, m, within n (fun () -> m.Init (Rng.fold i rng) shape))
                        |> List.ofArray

                    let outShape =
                        let zeros =
                            built
                            |> List.map (fun (_, _, b) -> Tensor.zeros (Array.append [| 1 |] b.OutputShape))

                        let y = combine zeros

                        if y.Rank = 0 || y.Shape[0] <> 1 then
                            let shapes =
                                built
                                |> List.map (fun (_, _, b) -> batchedShapeText b.OutputShape)
                                |> String.concat ", "

                            Errors.fail
                                name
                                $"combining the branch outputs {shapes} loses the batch dimension (got {shapeText y.Shape})"
                                "Combine along the other dimensions."

                        y.Shape[1..]

                    {
                        Params = groupOf (built |> List.map (fun (n, _, b) -> n, b.Params))
                        State = groupOf (built |> List.map (fun (n, _, b) -> n, b.State))
                        OutputShape = outShape
                        Rows = built |> List.collect (fun (n, m, b) -> rowsOf n m b)
                    }
            Apply =
                fun p s mode x ->
                    let results =
                        branches
                        |> Array.mapi (fun i (n, m) ->
                            let y, s' = within n (fun () -> m.Apply (sub n p) (sub n s) (childMode mode i) x)
                            y, (n, s'))

                    combine (results |> Array.map fst |> List.ofArray),
                    groupOf (results |> Array.map snd |> List.ofArray)
            Chain = []
        }

    /// Runs every model on the same input (in parallel branches) and combines their outputs with `combine`.
    let branches (combine: Tensor list -> Tensor) (models: Model list) : Model =
        parallelWith "Branches" combine models

    /// Runs every model on the same input and adds their outputs (which must have equal shapes).
    let add (models: Model list) : Model =
        parallelWith "Add" (List.reduce (+)) models

    /// Runs every model on the same input and concatenates their outputs along per-example dimension
    /// `dim` (0 is the first dimension after the batch; negative counts from the end).
    let concatAt (dim: int) (models: Model list) : Model =
        let d = if dim >= 0 then dim + 1 else dim
        parallelWith "Concat" (fun ys -> Tensor.cat (ys, d)) models

    /// Runs every model on the same input and concatenates their outputs along the last dimension.
    let concat (models: Model list) : Model = concatAt -1 models

    /// x + model x: the inner model must keep the shape; its parameters keep their names (no extra level).
    let residual (model: Model) : Model =
        {
            Name = $"Residual({model.Name})"
            Init =
                fun rng shape ->
                    let b = model.Init rng shape

                    if b.OutputShape <> shape then
                        Errors.fail
                            "Model.residual"
                            $"the inner model {model.Name} maps the input shape {batchedShapeText shape} to {batchedShapeText b.OutputShape}, but x + f(x) needs equal shapes"
                            "Make the inner model keep the shape (or add a projection)."

                    b
            Apply =
                fun p s mode x ->
                    let y, s' = model.Apply p s mode x
                    x + y, s'
            Chain = []
        }

    /// f applied to the model's output (f must keep the batch dimension); parameters keep their names.
    let map (f: Tensor -> Tensor) (model: Model) : Model =
        {
            Name = $"Map({model.Name})"
            Init =
                fun rng shape ->
                    let b = model.Init rng shape

                    { b with
                        OutputShape = inferShape "Model.map" f b.OutputShape
                    }
            Apply =
                fun p s mode x ->
                    let y, s' = model.Apply p s mode x
                    f y, s'
            Chain = []
        }

    /// The model with its parameters and state under one more level `name` (e.g. "layers"), without a row of
    /// its own in summaries.
    let nest (name: string) (model: Model) : Model =
        if name = "" || name.Contains '.' then
            Errors.fail "Model.nest" $"the name '{name}' is not allowed" "Use a non-empty name without '.'."

        {
            Name = model.Name
            Init =
                fun rng shape ->
                    let b = within name (fun () -> model.Init rng shape)

                    { b with
                        Params = groupOf [ name, b.Params ]
                        State = groupOf [ name, b.State ]
                        Rows = b.Rows |> List.map (fun r -> { r with Path = name + "." + r.Path })
                    }
            Apply =
                fun p s mode x ->
                    let y, s' = within name (fun () -> model.Apply (sub name p) (sub name s) mode x)
                    y, groupOf [ name, s' ]
            Chain = []
        }

    /// The same model under another name (shown by `summary`).
    let rename (name: string) (model: Model) : Model = { model with Name = name }

    /// Initializes a model for a per-example input shape (without the batch dimension): parameters, state,
    /// output shape and summary rows.
    let build (rng: Rng) (inputShape: int seq) (model: Model) : Initialized =
        let shape = Array.ofSeq inputShape

        if shape |> Array.exists (fun n -> n < 0) then
            Errors.fail
                "Model.init"
                $"the input shape {shapeText shape} has a negative size"
                "Pass the per-example shape without the batch dimension, e.g. [784] or [1; 28; 28]."

        model.Init rng shape

    /// The trainable parameters of a model for a per-example input shape (without the batch dimension).
    let init (rng: Rng) (inputShape: int seq) (model: Model) : Params = (build rng inputShape model).Params

    /// The trainable parameters and the initial state (batch-norm running statistics) of a model.
    let initWithState (rng: Rng) (inputShape: int seq) (model: Model) : Params * State =
        let b = build rng inputShape model
        b.Params, b.State

    /// The per-example output shape of a model for a per-example input shape.
    let outputShape (inputShape: int seq) (model: Model) : int[] =
        (build (Rng.seed 0) inputShape model).OutputShape

    /// The model's output for a batch x in evaluation mode (a pure function of params and x). Models with
    /// state (batch norm) need `applyWith`.
    let apply (model: Model) (p: Params) (x: Tensor) : Tensor =
        fst (model.Apply p Params.empty Mode.Eval x)

    /// The model's output in evaluation mode with its state (batch norm uses the running statistics).
    let applyWith (model: Model) (p: Params) (state: State) (x: Tensor) : Tensor =
        fst (model.Apply p state Mode.Eval x)

    /// The model's output in training mode (dropout from `rng`, batch statistics) and the updated state.
    let applyTrain (model: Model) (p: Params) (state: State) (rng: Rng) (x: Tensor) : Tensor * State =
        model.Apply p state (Mode.Train rng) x

    let private thousands (n: int) =
        n.ToString("N0", Globalization.CultureInfo.InvariantCulture)

    /// A Keras-style table of the model's layers for a per-example input shape: layer (type), output shape
    /// and parameter count, with the totals.
    let summary (inputShape: int seq) (model: Model) : string =
        let b = build (Rng.seed 0) inputShape model

        let rows =
            if b.Rows.IsEmpty then
                [
                    {
                        Path = "0"
                        Layer = model.Name
                        OutputShape = b.OutputShape
                        ParamCount = Params.count b.Params
                        StateCount = Params.count b.State
                        Depth = 0
                    }
                ]
            else
                b.Rows

        let cells =
            rows
            |> List.map (fun r ->
                String.replicate r.Depth "  " + $"{r.Path} ({r.Layer})",
                batchedShapeText r.OutputShape,
                thousands r.ParamCount)

        let header = "Layer (type)", "Output shape", "Param #"
        let all = header :: cells
        let w1 = all |> List.map (fun (a, _, _) -> a.Length) |> List.max
        let w2 = all |> List.map (fun (_, s, _) -> s.Length) |> List.max
        let w3 = all |> List.map (fun (_, _, c) -> c.Length) |> List.max

        let line (a: string, s: string, c: string) =
            $"{a.PadRight w1}  {s.PadRight w2}  {c.PadLeft w3}"

        let rule = String.replicate (w1 + w2 + w3 + 4) "="
        let stateCount = Params.count b.State

        [
            yield $"Model: {model.Name}, input {batchedShapeText (Array.ofSeq inputShape)}"
            yield rule
            yield line header
            yield rule
            yield! cells |> List.map line
            yield rule
            yield $"Total params: {thousands (Params.count b.Params)}"
            if stateCount > 0 then
                yield $"Non-trainable state: {thousands stateCount}"
            yield $"Output shape: {batchedShapeText b.OutputShape}"
        ]
        |> String.concat "\n"

/// The model-chaining operator.
[<AutoOpen>]
module ModelOperators =
    /// `a => b`: a's output feeds b; chains stay flat sequentials with children "0", "1", ...
    let (=>) (a: Model) (b: Model) : Model = Model.chain a b
