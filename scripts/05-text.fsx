// %% [markdown]
// # 05 · Text: a spam filter and a character-level language model
//
// Two recurrent models: an LSTM that reads e-mails and tells spam from ham (the SpamAssassin public corpus), and
// a character-level LSTM that learns to write like *Moby-Dick*. Both start from raw text: tokenize, build a
// vocabulary, turn texts into padded id sequences, embed them. The datasets are fetched once into the dataset
// cache (`dotnet run --project src/Models -- data fetch spam moby-dick`; the test script does it).
// With `FUNCTIONAL_QUICK=1` (as in the test suite) every training runs a few steps on a small subset only.

// %%
#I "../src/Core.FSharp/bin/Release/net10.0"
#r "Functional.Core.dll"
#r "Plotly.NET.dll"

open Functional
open Functional.Data
open Plotly.NET

/// FUNCTIONAL_QUICK=1: train for a few steps only.
let quick = System.Environment.GetEnvironmentVariable "FUNCTIONAL_QUICK" = "1"

/// The HTML of a chart in Polyglot Notebooks and Jupyter (as Plotly.NET.Interactive writes it).
let chartHtml (chart: obj) (writer: System.IO.TextWriter) =
    let plotlyJs = $"https://cdn.plot.ly/plotly-{Globals.PLOTLYJS_VERSION}.min"

    chart :?> GenericChart
    |> Chart.withDisplayOptionsStyle (PlotlyJSReference = Require plotlyJs)
    |> GenericChart.toChartHTML
    |> writer.Write

// Under .NET Interactive (Polyglot Notebooks, Jupyter) charts render as charts: register chartHtml as their HTML
// formatter. dotnet fsi and tools/NotebookRunner have no .NET Interactive formatter: there this does nothing.
for a in System.AppDomain.CurrentDomain.GetAssemblies() do
    match a.GetType "Microsoft.DotNet.Interactive.Formatting.Formatter" with
    | null -> ()
    | formatter ->
        let format = System.Action<obj, System.IO.TextWriter> chartHtml

        let register =
            formatter.GetMethod("Register", [| typeof<System.Type>; format.GetType(); typeof<string> |])

        register.Invoke(null, [| typeof<GenericChart>; format; "text/html" |]) |> ignore

// %% [script]
/// Saves a chart as a self-contained HTML file under artifacts/scripts (the notebook shows it inline).
let show (name: string) (chart: GenericChart) =
    let path =
        System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "artifacts", "scripts", name + ".html")

    Plot.save path chart
    printfn "chart: %s" (System.IO.Path.GetFullPath path)

// %% [markdown]
// ## Spam or ham
// Each message is a raw e-mail; we keep its body (after the headers), lower-case it and split it into words
// and punctuation. The vocabulary keeps the words seen at least three times in the training messages (at most
// 10,000); id 0 pads, id 1 stands for every other word.

// %%
let messages =
    SpamAssassin.load ()
    |> Dataset.shuffle (Rng.seed 0)
    |> Dataset.take (if quick then 600 else 6046)

let tokenized =
    messages
    |> Dataset.map (fun (m, label) -> Tokenizer.words ((SpamAssassin.body m).ToLowerInvariant()), label)
    |> Dataset.cache

let split = Dataset.stratifiedSplit (Rng.seed 1) 0.2 snd tokenized

let vocabulary =
    Vocabulary.build 3 (Dataset.toArray split.Train |> Seq.map fst)
    |> Vocabulary.truncate 10_000

printfn "%d messages (%d spam), vocabulary of %O" messages.Length (tokenized |> Seq.sumBy snd) vocabulary
printfn "first message: %s ..." (fst tokenized[0] |> Array.truncate 30 |> Tokenizer.joinWords)
printfn "as ids: %A" (fst tokenized[0] |> Array.truncate 12 |> Vocabulary.encode vocabulary)

// %% [markdown]
// Messages become fixed-length id sequences: the first `length` tokens, padded with id 0 (the median body has
// about 250 tokens, so long messages are cut).

// %%
let length = if quick then 24 else 80

let sequences (d: Dataset<string[] * int>) =
    let items = Dataset.toArray d

    let ids, _ =
        Sequences.batch
            KeepFirst
            length
            Vocabulary.PadId
            (items |> Array.map (fst >> Vocabulary.encode vocabulary))

    ids, Batch.labels (Array.map snd items)

let xTrain, yTrain = sequences split.Train
let xTest, yTest = sequences split.Test
printfn "train ids %A, test ids %A" xTrain.Shape xTest.Shape

// %% [markdown]
// The classifier: an embedding (a learned 32-dimensional vector per word; the padding row stays zero), an
// LSTM whose final hidden state summarizes the message, and a dense layer giving the two class scores.

// %%
let classifier =
    Layers.embedding (vocabulary.Count, 32, paddingIdx = Vocabulary.PadId)
    => Layers.lstm (32, returnSequences = false)
    => Layers.dense 2

let spamConfig =
    {
        Model = classifier
        Loss = fun logits labels -> Losses.crossEntropy (logits, labels)
        Optimizer = Transform.chain [ Transform.clipByGlobalNorm 1.0; Optim.adam 3e-3 ]
        Metrics = [ Metrics.accuracy; Metrics.f1 Binary 2 ]
    }

printfn "%s" (Model.summary [ length ] classifier)

let spamFit =
    let options =
        { FitOptions.defaults with
            Epochs = (if quick then 1 else 3)
            BatchSize = 32
            Validation = Some(xTest, yTest)
            MaxStepsPerEpoch = (if quick then Some 3 else None)
            Progress = Some Quiet
        }

    Train.fit spamConfig options (TrainStep.init spamConfig (Rng.seed 2) [ length ]) (xTrain, yTrain)

Plot.history spamFit.History |> show "05-spam-history"

// %% [markdown]
// The confusion matrix on the test messages, and the model's verdict on two messages of our own.

// %%
let spamScores = Train.predict spamConfig spamFit.State 256 xTest

let predictedLabels =
    (Tensor.argmax (spamScores, 1)).ToArray<int64>() |> Array.map int

let spamConfusion =
    ConfusionMatrix.ofLabels 2 predictedLabels (yTest.ToArray<int64>() |> Array.map int)

for text in
    [
        "Hi Tom, the meeting is moved to Thursday. Can you bring the slides? Thanks"
        "CLICK HERE to claim your FREE prize!!! Limited offer, act now $$$"
    ] do
    let ids, _ =
        Sequences.batch
            KeepFirst
            length
            Vocabulary.PadId
            [| Tokenizer.words (text.ToLowerInvariant()) |> Vocabulary.encode vocabulary |]

    let p = Tensor.softmax (Model.apply classifier spamFit.State.Params ids, 1)
    printfn "P(spam) = %.3f: %s" ((p[0, 1]).ToDouble()) text

Plot.confusionMatrix (List.ofArray SpamAssassin.classNames) spamConfusion
|> show "05-spam-confusion"

// %% [markdown]
// ## Writing like Melville
// A character-level language model predicts the next character from the previous ones. Training samples are
// windows of the novel: the input is characters s .. s+T-1, the target the same window shifted by one.

// %%
let novel = MobyDick.text ()
let text = if quick then novel.Substring(0, 20_000) else novel
let characters = Tokenizer.characters text
let charVocabulary = Vocabulary.build 1 [ characters ]
let window = if quick then 16 else 64

let windows =
    Sequences.windows window window (Vocabulary.encode charVocabulary characters)

let xChars, yChars = Sequences.windowBatch (Dataset.toArray windows)

printfn
    "%d characters, %d distinct; %d windows of %d"
    characters.Length
    (charVocabulary.Count - 2)
    windows.Length
    window

printfn
    "input : %A\ntarget: %A"
    (String.concat "" (Vocabulary.decode charVocabulary (xChars[0].ToArray<int64>() |> Array.map int)))
    (String.concat "" (Vocabulary.decode charVocabulary (yChars[0].ToArray<int64>() |> Array.map int)))

// %% [markdown]
// The model returns a score for every character at every position ([n; T; vocabulary]); the loss is the
// cross-entropy of each next character, and the perplexity is its exponential (how many characters the model
// is hesitating between).

// %%
let languageModel =
    Layers.embedding (charVocabulary.Count, 32)
    => Layers.lstm (128, returnSequences = true)
    => Layers.dense charVocabulary.Count

let charConfig =
    {
        Model = languageModel
        Loss =
            fun logits targets ->
                Losses.crossEntropy (logits.Reshape [ -1; charVocabulary.Count ], targets.Reshape [ -1 ])
        Optimizer = Transform.chain [ Transform.clipByGlobalNorm 1.0; Optim.adam 3e-3 ]
        Metrics = [ Metrics.perplexity ]
    }

let charFit =
    let options =
        { FitOptions.defaults with
            Epochs = (if quick then 1 else 3)
            BatchSize = 32
            MaxStepsPerEpoch = (if quick then Some 3 else Some 150)
            Progress = Some Quiet
        }

    Train.fit charConfig options (TrainStep.init charConfig (Rng.seed 3) [ window ]) (xChars, yChars)

let stepLosses = charFit.History.Epochs |> List.collect (fun e -> e.StepLosses)

Chart.Line([ 1 .. stepLosses.Length ], stepLosses, Name = "training loss")
|> Chart.withXAxisStyle "step"
|> Chart.withYAxisStyle "cross-entropy per character"
|> Chart.withTitle "Character-level LSTM on Moby-Dick"
|> show "05-char-loss"

// %% [markdown]
// To generate, we run the same parameters one character at a time with `Recurrent.lstm`, carrying the LSTM's
// state (h, c) from step to step, and sample each next character from the softmax of the scores divided by a
// temperature (lower: safer, more repetitive text).

// %%
let p = charFit.State.Params

let generate (seed: int) (temperature: float) (prompt: string) (count: int) =
    let random = System.Random seed

    let step (state: (Tensor * Tensor) option) (id: int) =
        let x =
            Embedding.lookup None (Model.sub "0" p) (Tensor.create ([| [| int64 id |] |], Int64))

        let h, state = Recurrent.lstm (Model.sub "1" p) x state
        Dense.forward (Model.sub "2" p) h, state

    /// A character id drawn from softmax(logits / temperature), never <pad> or <unk> (ids 0 and 1).
    let sample (logits: Tensor) =
        let probs =
            (Tensor.softmax (logits.Reshape [ -1 ] / temperature)).ToArray<float32>()

        let probs = probs |> Array.mapi (fun i q -> if i < 2 then 0.0f else q)
        let u = float32 (random.NextDouble()) * Array.sum probs
        let cumulative = Array.scan (+) 0.0f probs |> Array.tail

        cumulative
        |> Array.tryFindIndex (fun c -> c >= u)
        |> Option.defaultValue (probs.Length - 1)

    let promptIds = Vocabulary.encode charVocabulary (Tokenizer.characters prompt)

    let logits, state =
        promptIds
        |> Array.fold
            (fun (_, s) id ->
                let l, s' = step s id
                l, Some s')
            (Tensor.zeros [ 1 ], None)

    let generated, _, _ =
        List.fold
            (fun (acc, logits, state) _ ->
                let next = sample logits
                let logits', state' = step state next
                next :: acc, logits', Some state')
            ([], logits, state)
            [ 1..count ]

    prompt
    + String.concat "" (Vocabulary.decode charVocabulary (List.rev generated))

for temperature in [ 0.5; 1.0 ] do
    printfn
        "temperature %.1f:\n%s\n"
        temperature
        (generate 7 temperature "Call me Ishmael. " (if quick then 60 else 300))
