/// SpamAssassin e-mails for the text classifiers: subject + body as lower-case word tokens, a seeded 80/20
/// split, a vocabulary from the training part, and the bag-of-words logistic-regression baseline.
module Functional.Models.Zoo.SpamText

open System
open Functional
open Functional.Data
open Functional.Models.Zoo.TextClassifiers

/// Encoded messages, split 80/20.
type SpamData =
    {
        /// The training vocabulary (words seen at least twice, at most `vocabularySize` entries).
        Vocabulary: Vocabulary
        /// Training messages: (token ids, label 0 = ham / 1 = spam).
        Train: (int[] * int)[]
        /// Validation messages, held out of the training part: early stopping and model choice look only here.
        Validation: (int[] * int)[]
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

/// Loads, tokenizes, splits (seed 0: 80% training, 20% test), holds 15% of the training part out for
/// validation (seed 1) and encodes the corpus with the vocabulary of the rest (quick runs keep every 10th
/// message).
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

    let fit = Dataset.trainTestSplit (Rng.seed 1) 0.15 split.Train

    let train, validation, test =
        tokenize fit.Train, tokenize fit.Test, tokenize split.Test

    let vocabulary =
        Vocabulary.build 2 (Array.map fst train) |> Vocabulary.truncate vocabularySize

    let encode =
        Array.map (fun (words, label) -> Vocabulary.encode vocabulary words, label)

    {
        Vocabulary = vocabulary
        Train = encode train
        Validation = encode validation
        Test = encode test
    }

/// What a model sees of a message: a window of `Length` tokens in order (the first `Length - Tail` and the
/// last `Tail` of a longer message: spam's unsubscribe lines and signatures sit at its end), then the
/// message's distinct words (at most `Bag`), so that pooled embeddings see every word, as the baseline does.
type Window =
    {
        /// Tokens per message.
        Length: int
        /// Of those, how many come from the message's end when it is longer than `Length`.
        Tail: int
        /// How many of the message's distinct words (in order of first use) follow the window; 0 for none.
        Bag: int
    }

/// Tokens per model input: the window, then the distinct words.
let inputLength (window: Window) : int = window.Length + window.Bag

/// The window's part of a model input [N; Length + Bag] -> [N; Length] (its order: for a recurrent
/// network or an encoder).
let windowPart (window: Window) : Model =
    Model.lambda "Window" (fun x -> Tensor.narrow (x, 1, 0, window.Length))

/// The distinct words' part of a model input [N; Length + Bag] -> [N; Bag] (for pooled embeddings).
let bagPart (window: Window) : Model =
    Model.lambda "Bag" (fun x -> Tensor.narrow (x, 1, window.Length, window.Bag))

/// The tokens of a message that fit a window: all of a short message, else its head and its tail.
let windowed (window: Window) (ids: int[]) : int[] =
    if ids.Length <= window.Length then
        ids
    else
        Array.append
            (Array.take (window.Length - window.Tail) ids)
            (Array.sub ids (ids.Length - window.Tail) window.Tail)

/// (ids Int64 [n; Length + Bag]: each message's window padded on the left with `<pad>`, then its distinct
/// words padded on the right; labels Int64 [n]). Left padding puts the message's last tokens next to a
/// recurrent network's final state.
let sequences (window: Window) (messages: (int[] * int)[]) : Tensor * Tensor =
    let ids =
        messages
        |> Array.map (fun (ids, _) ->
            let kept = windowed window ids
            let bag = ids |> Array.distinct |> Array.truncate window.Bag

            Array.concat
                [
                    Array.create (window.Length - kept.Length) Vocabulary.PadId
                    kept
                    bag
                    Array.create (window.Bag - bag.Length) Vocabulary.PadId
                ])

    fst (Sequences.batch KeepFirst (inputLength window) Vocabulary.PadId ids),
    Batch.labels (Array.map snd messages)

/// F1 of the spam class and accuracy, from class scores [n; 2] and labels.
let scores (logits: Tensor) (y: Tensor) : float * float =
    let f1 = Metric.ofBatches [ logits, y ] (Metrics.f1 Binary 2)
    let accuracy = Metric.ofBatches [ logits, y ] Metrics.accuracy
    f1, accuracy

/// The held-out messages and spam-class F1 of a sequence model over a window of tokens, for
/// `evaluate`/`predict`.
let evaluation (model: Model) (window: Window) (quick: bool) : ZooEvaluation =
    {
        Model = model
        InputShape = [ inputLength window ]
        Dtype = Float32
        Metric = "f1"
        Test = sequences window (load quick).Test
        Score = fun p y -> fst (scores p y)
        Describe = ZooEvaluation.describeClass (List.ofArray SpamAssassin.classNames)
    }

/// Trains `config` on the training messages with early stopping on `monitor` (e.g. "val_loss"; patience 3,
/// best epoch restored, at most `epochs` epochs); prints why training stopped early, if it did. When the
/// optimizer keeps a weight average (`Transform.averageWeights`), the average is validated and returned as the
/// state.
let private fitWithEarlyStopping
    (options: ZooOptions)
    (config: TrainConfig)
    (monitor: string)
    (progress: ProgressMode option)
    (inputShape: int list)
    (epochs: int)
    (batchSize: int)
    (xTrain: Tensor, yTrain: Tensor)
    (xValid: Tensor, yValid: Tensor)
    : FitResult =
    let state = TrainStep.init config (Rng.seed 1) inputShape
    let averaged = (WeightAverage.tryFind state.OptState).IsSome

    let fit =
        Train.fit
            config
            { Zoo.fitOptions options epochs batchSize with
                Validation = Some(xValid, yValid)
                ValidateAveraged = averaged
                Callbacks = [ Callbacks.earlyStopping monitor 3 true ]
                Progress = progress
            }
            state
            (xTrain, yTrain)

    fit.StoppedEarly |> Option.iter (printfn "%s")

    if averaged then
        { fit with
            State = Train.averaged fit.State
        }
    else
        fit

/// The baseline: logistic regression (two logits) on binary bag-of-words features of the 5,000 most
/// frequent training words, trained with this library (early stopping on the validation loss); returns
/// (test F1, validation F1).
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

    let xValid, yValid = features data.Validation
    let xTest, yTest = features data.Test

    let config =
        {
            Model = Layers.dense 2
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
            Optimizer = Optim.adam (1e-3, weightDecay = 1e-4)
            Metrics = [ Metrics.accuracy; Metrics.f1 Binary 2 ]
        }

    let fit =
        fitWithEarlyStopping
            options
            config
            "val_loss"
            (Some Silent)
            [ size ]
            30
            32
            (features data.Train)
            (xValid, yValid)

    let validF1, _ = scores (Train.predict config fit.State 256 xValid) yValid
    let f1, accuracy = scores (Train.predict config fit.State 256 xTest) yTest

    printfn
        "baseline (bag-of-words logistic regression, %d words, %d epochs): validation f1 %.4f; test f1 %.4f, accuracy %.4f"
        size
        fit.History.Epochs.Length
        validF1
        f1
        accuracy

    f1, validF1

/// Trains a sequence classifier on each message's window and distinct words (Adam or AdamW after clipping
/// the global norm at 1; early stopping on the validation loss, see `TextClassifier.Logits`), trains the
/// bag-of-words baseline, and prints the test F1 of the spam class last. With `averageDecay`, a moving average
/// of the weights (`Transform.averageWeights`) is validated, saved and tested instead of the raw weights.
let trainClassifier
    (options: ZooOptions)
    (name: string)
    (what: string)
    (classifier: TextClassifier)
    (window: Window)
    (optimizer: Optimizer)
    (averageDecay: float option)
    (epochs: int)
    : ZooResult =
    let dir = Zoo.folder options name
    printfn "== %s: SpamAssassin (6,046 e-mails, ham vs spam), 80/20 split" name
    let data = load options.Quick

    printfn
        "vocabulary: %d words; %d training / %d validation / %d test messages"
        data.Vocabulary.Count
        data.Train.Length
        data.Validation.Length
        data.Test.Length

    let baselineF1, baselineValidF1 = bagOfWordsBaseline options data
    let xValid, yValid = sequences window data.Validation
    let xTest, yTest = sequences window data.Test
    let batchSize = 32

    let config =
        {
            Model = classifier.Training
            Loss = classifier.Loss
            Optimizer =
                let clipped = Transform.chain [ Transform.clipByGlobalNorm 1.0; optimizer ]

                match averageDecay with
                | Some decay -> Transform.averageWeights (decay, clipped)
                | None -> clipped
            Metrics =
                match classifier.Logits with
                | Some logits ->
                    [ Metrics.accuracy; Metrics.f1 Binary 2; classifierLoss ]
                    |> List.map (onLogits logits)
                | None -> []
        }

    let monitor =
        if classifier.Logits.IsSome then
            "val_classifier_loss"
        else
            "val_loss"

    let predictor =
        { config with
            Model = classifier.Prediction
            Loss = fun logits y -> Losses.crossEntropy (logits, y)
        }

    Zoo.header what [ inputLength window ] classifier.Prediction

    let fit =
        fitWithEarlyStopping
            options
            config
            monitor
            options.Progress
            [ inputLength window ]
            epochs
            batchSize
            (sequences window data.Train)
            (xValid, yValid)

    let seconds = Zoo.reportTime fit.History batchSize

    let reloaded, files =
        Zoo.saveRun options name [ inputLength window ] classifier.Prediction fit

    let validF1, _ = scores (Train.predict predictor reloaded 256 xValid) yValid
    let logits = Train.predict predictor reloaded 256 xTest

    let plot =
        Zoo.confusion dir [ "ham"; "spam" ] (Zoo.argmaxLabels logits) (Zoo.labels yTest)

    let f1, accuracy = scores logits yTest
    printfn "%s: validation f1 %.4f (baseline %.4f)" what validF1 baselineValidF1
    printfn "%s vs bag-of-words baseline: f1 %.4f vs %.4f (accuracy %.4f)" what f1 baselineF1 accuracy
    Zoo.metricLine "f1" f1

    {
        Name = name
        Metric = "f1"
        Value = f1
        Epochs = fit.History.Epochs.Length
        SecondsPerEpoch = seconds
        Parameters = Params.count fit.State.Params
        Details =
            [
                "accuracy", accuracy
                "baseline_f1", baselineF1
                "validation_f1", validF1
                "baseline_validation_f1", baselineValidF1
            ]
        Files = files @ [ plot ]
    }
