module Functional.Tests.Layers.RecurrentTests

open Expecto
open Functional
open Functional.Tests
open Functional.Tests.Layers.LayerTestUtil

let private flat (ts: Tensor list) =
    Tensor.cat (ts |> List.map (fun t -> Tensor.reshape (t, [ -1 ])), 0)

let private cellOf (op: string) =
    match op.Replace("State", "") with
    | "rnn" -> RnnTanh
    | "rnnRelu" -> RnnRelu
    | "lstm" -> Lstm
    | "gru" -> Gru
    | other -> failwith $"no cell for {other}"

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    match c.Op with
    | "lstmLast" ->
        viaModel
            (Layers.lstm (
                c.Int "hidden",
                numLayers = c.Int "layers",
                bidirectional = true,
                returnSequences = false
            ))
            Mode.Eval
            c
    | "lstm"
    | "lstmState" ->
        fun args ->
            let state =
                if args.Length > 1 && c.Op = "lstmState" then
                    Some(args[1], args[2])
                else
                    None

            let y, (h, cs) = Recurrent.lstm (paramsOf c args) args[0] state
            flat [ y; h; cs ]
    | "gru"
    | "gruState" ->
        fun args ->
            let h0 = if c.Op = "gruState" then Some args[1] else None
            let y, h = Recurrent.gru (paramsOf c args) args[0] h0
            flat [ y; h ]
    | "rnn"
    | "rnnState" ->
        fun args ->
            let h0 = if c.Op = "rnnState" then Some args[1] else None
            let y, h = Recurrent.rnn (paramsOf c args) args[0] h0
            flat [ y; h ]
    | op ->
        fun args ->
            let h0 = if op.EndsWith "State" then Some args[1] else None

            let y, h, _ =
                Recurrent.run (cellOf op) 0.0 Mode.Eval (paramsOf c args) args[0] h0 None

            flat [ y; h ]

/// GradCheck of a recurrent function in x, the initial states and all parameters.
let private gradCheckStates (cell: RecurrentCell) (layers: int) (bidirectional: bool) =
    let m = Recurrent.layer cell 2 layers bidirectional true 0.0 true (None, None, None)
    let p, _ = float64Model m [ 3; 2 ]
    let dirs = if bidirectional then 2 else 1
    let x = Tensor.randn (Rng.seed 1, [ 2; 3; 2 ], Float64)
    let h0 = Tensor.randn (Rng.seed 2, [ dirs * layers; 2; 2 ], Float64)
    let c0 = Tensor.randn (Rng.seed 3, [ dirs * layers; 2; 2 ], Float64)
    let ts = Params.tensors p |> Array.ofList

    GradCheck.checkArgs
        (fun args ->
            let y, h, c =
                Recurrent.run
                    cell
                    0.0
                    Mode.Eval
                    (Params.withTensors p args[3..])
                    args[0]
                    (Some args[1])
                    (Some args[2])

            flat [ y; h; (if cell = Lstm then c else h) ])
        (Array.append [| x; h0; c0 |] ts)

[<Tests>]
let tests =
    testList
        "Layers.Recurrent"
        [
            fixtures
                [
                    "rnn"
                    "rnnRelu"
                    "lstm"
                    "gru"
                    "rnnState"
                    "rnnReluState"
                    "lstmState"
                    "gruState"
                    "lstmLast"
                ]
                resolve

            test "GradCheck RNN (initial state, parameters)" { gradCheckStates RnnTanh 1 false }
            test "GradCheck LSTM, stacked and bidirectional" { gradCheckStates Lstm 2 true }
            test "GradCheck GRU, bidirectional" { gradCheckStates Gru 1 true }
            test "GradCheck GRU layer (final state)" {
                gradCheck (Layers.gru (2, returnSequences = false)) [ 3; 2 ] 2
            }

            test "shapes, names and init of an LSTM layer" {
                let m = Layers.lstm (5, numLayers = 2, bidirectional = true)
                let b = Model.build (Rng.seed 0) [ 7; 3 ] m
                Expect.sequenceEqual b.OutputShape [| 7; 10 |] "[T; F] -> [T; 2H]"

                Expect.sequenceEqual
                    (b.Params.Get "weight_ih_l0").Shape
                    [| 20; 3 |]
                    "layer 0 input weights [4H; F]"

                Expect.sequenceEqual
                    (b.Params.Get "weight_ih_l1_reverse").Shape
                    [| 20; 10 |]
                    "layer 1 input weights [4H; 2H]"

                Expect.sequenceEqual (b.Params.Get "bias_hh_l1").Shape [| 20 |] "bias"
                Expect.equal (List.length (Params.paths b.Params)) 16 "4 tensors x 2 layers x 2 directions"
                let k = 1.0f / sqrt 5.0f

                Expect.isTrue
                    (Params.tensors b.Params
                     |> List.forall (fun t -> t.ToArray<float32>() |> Array.forall (fun v -> abs v <= k)))
                    "U(-1/sqrt H, 1/sqrt H)"

                let last =
                    Model.outputShape [ 7; 3 ] (Layers.gru (4, bidirectional = true, returnSequences = false))

                Expect.sequenceEqual last [| 8 |] "final state of both directions"
            }

            test
                "Keras-style initializers fill every gate block: orthogonal recurrent, Glorot input, zero bias" {
                let m =
                    Layers.lstm (
                        4,
                        bidirectional = true,
                        weightInit = Init.glorotUniform,
                        recurrentInit = Init.orthogonal,
                        biasInit = Init.zeros
                    )

                let p = Model.init (Rng.seed 0) [ 6; 3 ] m

                for sfx in [ ""; "_reverse" ] do
                    let hh = p.Get $"weight_hh_l0{sfx}"
                    Expect.sequenceEqual hh.Shape [| 16; 4 |] "[4H; H]"

                    for gate in 0..3 do
                        let q = Tensor.narrow (hh, 0, 4 * gate, 4)

                        TestUtil.expectClose
                            1e-5
                            (Tensor.matmul (q, Tensor.transpose (q, 0, 1)))
                            (Tensor.eye 4)
                            $"gate {gate}{sfx}: Q Qᵀ = I"

                    let ih = (p.Get $"weight_ih_l0{sfx}").ToArray<float32>()
                    // Glorot bound of one gate block [H; F] = [4; 3]: √(6 / 7).
                    Expect.isTrue (ih |> Array.forall (fun v -> abs v <= sqrt (6.0f / 7.0f))) "Glorot bound"
                    Expect.isTrue (ih |> Array.exists (fun v -> abs v > 0.5f)) "wider than U(-1/2, 1/2)"
                    Expect.equal ((p.Get $"bias_ih_l0{sfx}").ToArray<float32>() |> Array.sum) 0.0f "zero bias"

                let plain = Model.init (Rng.seed 0) [ 6; 3 ] (Layers.lstm (4, bidirectional = true))

                Expect.isFalse
                    (Tensor.allclose (plain.Get "weight_hh_l0", p.Get "weight_hh_l0"))
                    "the default stays PyTorch's uniform"
            }

            test "the final state of a unidirectional LSTM is the last output" {
                let m = Layers.lstm 3
                let p = Model.init (Rng.seed 0) [ 4; 2 ] m
                let x = Tensor.randn (Rng.seed 1, [ 2; 4; 2 ])
                let y, (h, _) = Recurrent.lstm p x None
                TestUtil.expectClose 1e-6 (Tensor.select (y, 1, 3)) (Tensor.select (h, 0, 0)) "h_T"
            }

            test "bad shapes name the layer and the shapes" {
                TestUtil.throwsArgument [ "lstm"; "[T; F]"; "[10]" ] (fun () ->
                    Model.init (Rng.seed 0) [ 10 ] (Layers.lstm 4))

                let m = Layers.gru 4
                let p = Model.init (Rng.seed 0) [ 5; 3 ] m

                TestUtil.throwsArgument [ "gru"; "(N, T, 3)"; "[2; 5; 4]" ] (fun () ->
                    Model.apply m p (Tensor.zeros [ 2; 5; 4 ]))

                TestUtil.throwsArgument [ "gru"; "[1; 2; 4]"; "[2; 2; 4]" ] (fun () ->
                    Recurrent.gru p (Tensor.zeros [ 2; 5; 3 ]) (Some(Tensor.zeros [ 2; 2; 4 ])))
            }
        ]
