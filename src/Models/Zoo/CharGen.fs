/// A character-level LSTM language model on Moby-Dick, compared with a bigram model; prints sampled text.
module Functional.Models.Zoo.CharGen

open System
open Functional
open Functional.Data

/// Registry name.
let name = "char-gen"

/// Characters per training window.
let length = 100

/// Embeddings (32) -> LSTM (256, every step) -> logits over the characters, at every position.
let model (characters: int) =
    Layers.embedding (characters, 32)
    => Layers.lstm (256, returnSequences = true)
    => Layers.dense characters

/// Perplexity on `valid` of a bigram model with add-k smoothing fitted on `train`.
let bigramPerplexity (characters: int) (train: int[]) (valid: int[]) : float =
    let k = 0.5
    let counts = Array2D.zeroCreate<float> characters characters

    for t in 1 .. train.Length - 1 do
        counts[train[t - 1], train[t]] <- counts[train[t - 1], train[t]] + 1.0

    let totals = Array.init characters (fun a -> Seq.sum counts[a, *])

    let nll =
        [| 1 .. valid.Length - 1 |]
        |> Array.averageBy (fun t ->
            let a, b = valid[t - 1], valid[t]
            -log((counts[a, b] + k) / (totals[a] + k * float characters)))

    exp nll

/// Continues `prompt` with `count` characters drawn from softmax(logits / temperature).
let sample
    (vocabulary: Vocabulary)
    (p: Params)
    (prompt: string)
    (count: int)
    (temperature: float)
    (seed: int)
    =
    let random = Random seed

    let embed (ids: int[]) =
        Embedding.lookup
            None
            (Model.sub "0" p)
            (Tensor.create (Array2D.init 1 ids.Length (fun _ j -> int64 ids[j]), Dtype.Int64))

    let draw (probs: float32[]) =
        let u = random.NextDouble() * float (Array.sum probs)

        let rec go i acc =
            let acc = acc + float probs[i]

            if u < acc || i = probs.Length - 1 then
                i
            else
                go (i + 1) acc

        go 0 0.0

    // The distribution of the character after the last position of the LSTM's output.
    let next (output: Tensor) =
        let last = Tensor.select (output, 1, output.Shape[1] - 1)
        let logits = Dense.forward (Model.sub "2" p) last / temperature
        draw ((Tensor.softmax (logits, -1)).ToArray<float32>())

    let ids = Vocabulary.encode vocabulary (Tokenizer.characters prompt)
    let out, state = Recurrent.lstm (Model.sub "1" p) (embed ids) None
    let mutable state, c = state, next out
    let text = Text.StringBuilder(prompt)

    for _ in 1..count do
        text.Append(vocabulary.TokenOf c) |> ignore
        let out, s = Recurrent.lstm (Model.sub "1" p) (embed [| c |]) (Some state)
        state <- s
        c <- next out

    text.ToString()

/// The characters of Moby-Dick (quick: its first 20,000) as ids, split by position 90/10: (vocabulary,
/// training ids, validation ids).
let data (quick: bool) =
    let text = MobyDick.text ()
    let text = if quick then text.Substring(0, 20000) else text
    let characters = Tokenizer.characters text
    let vocabulary = Vocabulary.build 1 [ characters ]
    let ids = Vocabulary.encode vocabulary characters
    let cut = ids.Length * 9 / 10
    vocabulary, ids[.. cut - 1], ids[cut..]

/// Windows of `length` characters and the same windows shifted by one (the next characters).
let windows (s: int[]) =
    Sequences.windows length length s |> Dataset.toArray |> Sequences.windowBatch

/// The validation windows and perplexity for `evaluate`/`predict` (which shows the most likely next
/// characters of a window against the true ones).
let evaluation (quick: bool) : ZooEvaluation =
    let vocabulary, _, validIds = data quick

    let text (ids: int64[]) =
        ids
        |> Array.map (fun c -> vocabulary.TokenOf(int c))
        |> String.concat ""
        |> fun s -> s.Replace("\n", " ")

    {
        Model = model vocabulary.Count
        InputShape = [ length ]
        Dtype = Float32
        Metric = "perplexity"
        Test = windows validIds
        Score = fun p y -> Metric.ofBatches [ p, y ] Metrics.perplexity
        Describe =
            fun p y i ->
                let predicted = (Tensor.argmax (Tensor.select (p, 0, i), -1)).ToArray<int64>()
                let actual = (Tensor.select (y, 0, i)).ToArray<int64>()
                $"window {i}\n  true next:      {text actual}\n  predicted next: {text predicted}"
    }

/// Trains, compares with the bigram model, prints samples and the validation perplexity last.
let run (options: ZooOptions) : ZooResult =
    printfn "== char-gen: Moby-Dick (1.2 MB of text), first 90%% for training, last 10%% for validation"
    let vocabulary, trainIds, validIds = data options.Quick
    let ids = Array.append trainIds validIds
    let bigram = bigramPerplexity vocabulary.Count trainIds validIds

    printfn
        "%d characters, %d distinct; bigram baseline: validation perplexity %.3f"
        ids.Length
        vocabulary.Count
        bigram

    let xTrain, yTrain = windows trainIds
    let xValid, yValid = windows validIds
    let m = model vocabulary.Count
    let batchSize = 64

    let config =
        {
            Model = m
            Loss =
                fun logits y ->
                    Losses.crossEntropy (
                        Tensor.reshape (logits, [ -1; vocabulary.Count ]),
                        Tensor.reshape (y, [ -1 ])
                    )
            Optimizer = Transform.chain [ Transform.clipByGlobalNorm 1.0; Optim.adam 3e-3 ]
            Metrics = [ Metrics.perplexity ]
        }

    Zoo.header "character LSTM" [ length ] m
    let state = TrainStep.init config (Rng.seed 1) [ length ]

    let fit =
        Train.fit
            config
            { Zoo.fitOptions options 3 batchSize with
                Validation = Some(xValid, yValid)
            }
            state
            (xTrain, yTrain)

    let seconds = Zoo.reportTime fit.History batchSize
    let reloaded, files = Zoo.saveRun options name [ length ] m fit

    for temperature in [ 0.5; 1.0 ] do
        printfn "-- sample, temperature %.1f:" temperature

        printfn
            "%s"
            (sample
                vocabulary
                reloaded.Params
                "Call me Ishmael. "
                (if options.Quick then 40 else 300)
                temperature
                0)

    let perplexity =
        Train.evaluate config reloaded 64 (xValid, yValid) |> Zoo.valueOf "perplexity"

    printfn "LSTM vs bigram: validation perplexity %.3f vs %.3f" perplexity bigram
    Zoo.metricLine "perplexity" perplexity

    {
        Name = name
        Metric = "perplexity"
        Value = perplexity
        Epochs = fit.History.Epochs.Length
        SecondsPerEpoch = seconds
        Parameters = Params.count fit.State.Params
        Details = [ "bigram_perplexity", bigram ]
        Files = files
    }
