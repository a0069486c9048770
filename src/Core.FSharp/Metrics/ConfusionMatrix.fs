namespace Functional

/// How per-class precision, recall and F1 are combined into one number (as in scikit-learn).
type Average =
    /// Class 1 is the positive class of a two-class problem.
    | Binary
    /// The unweighted mean over all classes (a class never predicted or never present counts as 0).
    | Macro
    /// From the counts summed over classes (equals accuracy for single-label problems).
    | Micro

/// Counts of (true class, predicted class) pairs: row = true class, column = predicted class.
/// Immutable: `Add` returns a new matrix.
[<Sealed>]
type ConfusionMatrix private (classes: int, counts: int64[]) =
    /// Number of classes (rows and columns).
    member _.Classes = classes

    /// How many samples of class `actual` were predicted as `predicted`.
    member _.Item
        with get (actual: int, predicted: int) =
            if actual < 0 || actual >= classes || predicted < 0 || predicted >= classes then
                Errors.fail
                    "ConfusionMatrix.Item"
                    $"({actual}, {predicted}) is outside a {classes}x{classes} matrix"
                    $"Use classes 0 .. {classes - 1}."

            counts[actual * classes + predicted]

    /// Number of samples counted.
    member _.Total = Array.sum counts

    /// A copy of the counts, [actual, predicted].
    member _.ToArray() : int64[,] =
        Array2D.init classes classes (fun i j -> counts[i * classes + j])

    /// A new matrix with pairs of (predicted, actual) labels added.
    member _.AddLabels(predicted: int[], actual: int[]) : ConfusionMatrix =
        if predicted.Length <> actual.Length then
            Errors.fail
                "ConfusionMatrix.AddLabels"
                $"{predicted.Length} predictions for {actual.Length} targets"
                "Pass one prediction per target."

        let next = Array.copy counts

        for i in 0 .. actual.Length - 1 do
            let a, p = actual[i], predicted[i]

            if a < 0 || a >= classes || p < 0 || p >= classes then
                Errors.fail
                    "ConfusionMatrix.AddLabels"
                    $"pair {i} (actual {a}, predicted {p}) is outside classes 0 .. {classes - 1}"
                    "Use labels in range."

            next[a * classes + p] <- next[a * classes + p] + 1L

        ConfusionMatrix(classes, next)

    /// A new matrix with a batch added: predictions are class scores [..., C] (argmax) or labels of
    /// the targets' shape (for two classes, floating-point predictions are probabilities of class 1,
    /// thresholded at 0.5); targets are integer labels.
    member m.Add(predictions: Tensor, targets: Tensor) : ConfusionMatrix =
        let p, y =
            MetricLabels.classLabels "ConfusionMatrix.Add" (Some classes) predictions targets

        m.AddLabels(p, y)

    /// An empty matrix for `classes` classes.
    static member empty(classes: int) : ConfusionMatrix =
        if classes < 1 || classes > 100_000 then
            Errors.fail
                "ConfusionMatrix.empty"
                $"class count {classes} is out of range"
                "Use 1 to 100000 classes."

        ConfusionMatrix(classes, Array.zeroCreate (classes * classes))

    override m.ToString() =
        let rows =
            [
                for i in 0 .. classes - 1 ->
                    System.String.Join(" ", [ for j in 0 .. classes - 1 -> string m[i, j] ])
            ]

        $"ConfusionMatrix({classes} classes)\n" + System.String.Join("\n", rows)

/// Scores read off a confusion matrix, and batch updates for pipelines.
module ConfusionMatrix =
    /// An empty matrix for `classes` classes.
    let empty (classes: int) = ConfusionMatrix.empty classes

    /// Adds a batch (see `ConfusionMatrix.Add`).
    let update (predictions: Tensor) (targets: Tensor) (m: ConfusionMatrix) = m.Add(predictions, targets)

    /// A matrix from predicted and actual label arrays.
    let ofLabels (classes: int) (predicted: int[]) (actual: int[]) =
        (empty classes).AddLabels(predicted, actual)

    let private ratio (a: int64) (b: int64) =
        if b = 0L then 0.0 else float a / float b

    /// Samples of class c predicted as c.
    let truePositives (c: int) (m: ConfusionMatrix) = m[c, c]

    /// Samples predicted as c that are of another class.
    let falsePositives (c: int) (m: ConfusionMatrix) =
        Seq.sum
            [
                for a in 0 .. m.Classes - 1 do
                    if a <> c then
                        m[a, c]
            ]

    /// Samples of class c predicted as another class.
    let falseNegatives (c: int) (m: ConfusionMatrix) =
        Seq.sum
            [
                for p in 0 .. m.Classes - 1 do
                    if p <> c then
                        m[c, p]
            ]

    /// Fraction of samples on the diagonal (0 for an empty matrix).
    let accuracy (m: ConfusionMatrix) =
        ratio (Seq.sum [ for c in 0 .. m.Classes - 1 -> m[c, c] ]) m.Total

    /// Precision of each class, TP / (TP + FP) (0 when the class is never predicted).
    let classPrecision (m: ConfusionMatrix) : float[] =
        Array.init m.Classes (fun c -> ratio (truePositives c m) (truePositives c m + falsePositives c m))

    /// Recall of each class, TP / (TP + FN) (0 when the class never occurs).
    let classRecall (m: ConfusionMatrix) : float[] =
        Array.init m.Classes (fun c -> ratio (truePositives c m) (truePositives c m + falseNegatives c m))

    /// F1 of each class, 2PR / (P + R) (0 when P + R = 0).
    let classF1 (m: ConfusionMatrix) : float[] =
        Array.map2
            (fun p r -> if p + r = 0.0 then 0.0 else 2.0 * p * r / (p + r))
            (classPrecision m)
            (classRecall m)

    let private requireBinary (op: string) (m: ConfusionMatrix) =
        if m.Classes <> 2 then
            Errors.fail
                op
                $"Binary averaging needs 2 classes, the matrix has {m.Classes}"
                "Use Macro or Micro."

    let private micro (m: ConfusionMatrix) =
        let tp = Seq.sum [ for c in 0 .. m.Classes - 1 -> m[c, c] ]
        ratio tp m.Total

    /// Precision combined as `average` says.
    let precision (average: Average) (m: ConfusionMatrix) =
        match average with
        | Binary ->
            requireBinary "ConfusionMatrix.precision" m
            (classPrecision m)[1]
        | Macro -> Array.average (classPrecision m)
        | Micro -> micro m

    /// Recall combined as `average` says.
    let recall (average: Average) (m: ConfusionMatrix) =
        match average with
        | Binary ->
            requireBinary "ConfusionMatrix.recall" m
            (classRecall m)[1]
        | Macro -> Array.average (classRecall m)
        | Micro -> micro m

    /// F1 combined as `average` says (Macro: the mean of per-class F1 scores).
    let f1 (average: Average) (m: ConfusionMatrix) =
        match average with
        | Binary ->
            requireBinary "ConfusionMatrix.f1" m
            (classF1 m)[1]
        | Macro -> Array.average (classF1 m)
        | Micro -> micro m
