/// SpamAssassin e-mails for the text classifiers: subject + body as lower-case word tokens, a seeded 80/20
/// split, a vocabulary from the training part, and the bag-of-words logistic-regression baseline.
module Functional.Models.Zoo.SpamText

open System
open Functional
open Functional.Data

/// Encoded messages, split 80/20.
type SpamData =
    {
        /// The training vocabulary (words seen at least twice, at most `vocabularySize` entries).
        Vocabulary: Vocabulary
        /// Training messages: (token ids, label 0 = ham / 1 = spam).
        Train: (int[] * int)[]
        /// Test messages.
        Test: (int[] * int)[]
    }

/// The vocabulary size of the sequence models.
let vocabularySize = 20000

/// The words of a message's subject line and body, lower-cased.
let tokens (message: string) : string[] =
    let subject =
        message.Replace("\r\n", "\n").Split '\n'
        |> Array.takeWhile (fun line -> line <> "")
        |> Array.tryFind (fun line -> line.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase))
        |> Option.defaultValue ""

    Tokenizer.words ((subject + "\n" + SpamAssassin.body message).ToLowerInvariant())

/// Loads, tokenizes, splits (seed 0) and encodes the corpus (quick runs keep every 10th message).
let load (quick: bool) : SpamData =
    let all = SpamAssassin.load ()

    let all =
        if quick then
            Dataset.subset [| 0..10 .. all.Length - 1 |] all
        else
            all

    let split = Dataset.trainTestSplit (Rng.seed 0) 0.2 all

    let tokenize (d: Dataset<string * int>) =
        Dataset.toArray d |> Array.map (fun (m, label) -> tokens m, label)

    let train, test = tokenize split.Train, tokenize split.Test

    let vocabulary =
        Vocabulary.build 2 (Array.map fst train) |> Vocabulary.truncate vocabularySize

    let encode =
        Array.map (fun (words, label) -> Vocabulary.encode vocabulary words, label)

    {
        Vocabulary = vocabulary
        Train = encode train
        Test = encode test
    }

/// (ids Int64 [n; length] padded on the left with `<pad>` and cut after `length` tokens, labels Int64 [n]).
/// Left padding puts the message's last tokens next to a recurrent network's final state.
let sequences (length: int) (messages: (int[] * int)[]) : Tensor * Tensor =
    let ids =
        messages
        |> Array.map (fun (ids, _) ->
            let kept = Array.truncate length ids
            Array.append (Array.create (length - kept.Length) Vocabulary.PadId) kept)

    fst (Sequences.batch KeepFirst length Vocabulary.PadId ids), Batch.labels (Array.map snd messages)

/// F1 of the spam class and accuracy, from class scores [n; 2] and labels.
let scores (logits: Tensor) (y: Tensor) : float * float =
    let f1 = Metric.ofBatches [ logits, y ] (Metrics.f1 Binary 2)
    let accuracy = Metric.ofBatches [ logits, y ] Metrics.accuracy
    f1, accuracy

/// The held-out messages and spam-class F1 of a sequence model over the first `length` tokens, for
/// `evaluate`/`predict`.
let evaluation (model: Model) (length: int) (quick: bool) : ZooEvaluation =
    {
        Model = model
        InputShape = [ length ]
        Dtype = Float32
        Metric = "f1"
        Test = sequences length (load quick).Test
        Score = fun p y -> fst (scores p y)
        Describe = ZooEvaluation.describeClass (List.ofArray SpamAssassin.classNames)
    }

/// The baseline: logistic regression (two logits) on binary bag-of-words features of the 5,000 most
/// frequent training words, trained with this library; returns (test F1, test accuracy).
let bagOfWordsBaseline (options: ZooOptions) (data: SpamData) : float * float =
    let size = 5000

    let features (messages: (int[] * int)[]) =
        let rows =
            messages
            |> Array.map (fun (ids, _) ->
                let row = Array.zeroCreate<float32> size

                for id in ids do
                    if id >= 2 && id < size then
                        row[id] <- 1.0f

                row)

        Batch.features [| size |] rows, Batch.labels (Array.map snd messages)

    let xTrain, yTrain = features data.Train
    let xTest, yTest = features data.Test

    let config =
        {
            Model = Layers.dense 2
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Optim.adam (1e-3, weightDecay = 1e-4)
            Metrics = [ Metrics.accuracy ]
        }

    let state = TrainStep.init config (Rng.seed 1) [ size ]

    let fit =
        Train.fit
            config
            { Zoo.fitOptions options 10 32 with
                Progress = Some Silent
            }
            state
            (xTrain, yTrain)

    let f1, accuracy = scores (Train.predict config fit.State 256 xTest) yTest

    printfn
        "baseline (bag-of-words logistic regression, %d words): test f1 %.4f, accuracy %.4f"
        size
        f1
        accuracy

    f1, accuracy

/// Trains a sequence classifier on the first `length` words of each message (Adam or AdamW after clipping
/// the global norm at 1), trains the bag-of-words baseline, and prints the test F1 of the spam class last.
let trainClassifier
    (options: ZooOptions)
    (name: string)
    (what: string)
    (model: Model)
    (length: int)
    (optimizer: Optimizer)
    (epochs: int)
    : ZooResult =
    let dir = Zoo.folder options name
    printfn "== %s: SpamAssassin (6,046 e-mails, ham vs spam), 80/20 split" name
    let data = load options.Quick

    printfn
        "vocabulary: %d words; %d training / %d test messages"
        data.Vocabulary.Count
        data.Train.Length
        data.Test.Length

    let baselineF1, _ = bagOfWordsBaseline options data
    let xTrain, yTrain = sequences length data.Train
    let xTest, yTest = sequences length data.Test
    let batchSize = 32

    let config =
        {
            Model = model
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Transform.chain [ Transform.clipByGlobalNorm 1.0; optimizer ]
            Metrics = [ Metrics.accuracy; Metrics.f1 Binary 2 ]
        }

    Zoo.header what [ length ] model
    let state = TrainStep.init config (Rng.seed 1) [ length ]

    let fit =
        Train.fit
            config
            { Zoo.fitOptions options epochs batchSize with
                Validation = Some(xTest, yTest)
            }
            state
            (xTrain, yTrain)

    let seconds = Zoo.reportTime fit.History batchSize
    let reloaded, files = Zoo.saveRun options name [ length ] model fit
    let logits = Train.predict config reloaded 256 xTest

    let plot =
        Zoo.confusion dir [ "ham"; "spam" ] (Zoo.argmaxLabels logits) (Zoo.labels yTest)

    let f1, accuracy = scores logits yTest
    printfn "%s vs bag-of-words baseline: f1 %.4f vs %.4f (accuracy %.4f)" what f1 baselineF1 accuracy
    Zoo.metricLine "f1" f1

    {
        Name = name
        Metric = "f1"
        Value = f1
        Epochs = fit.History.Epochs.Length
        SecondsPerEpoch = seconds
        Parameters = Params.count fit.State.Params
        Details = [ "accuracy", accuracy; "baseline_f1", baselineF1 ]
        Files = files @ [ plot ]
    }
