namespace Functional.CSharp;

/// <summary>Charts of training (Plotly): the history, a confusion matrix and sample predictions, as <see cref="Figure"/>s.</summary>
public static class Plots
{
    /// <summary>One subplot per recorded metric ("loss" first) with training and validation curves by epoch, and the learning rate.</summary>
    public static Figure History(TrainingHistory history) => new(Plot.history(history.Core));

    /// <summary>
    /// A heatmap of the confusion matrix of predicted against actual class labels (rows: true class), with the count in
    /// each cell; <paramref name="classNames"/> label the classes (their indices when empty).
    /// </summary>
    public static Figure ConfusionMatrix(int[] predicted, int[] actual, int classes, IReadOnlyList<string>? classNames = null) =>
        new(Plot.confusionMatrix(
            Interop.List(classNames ?? Array.Empty<string>()),
            ConfusionMatrixModule.ofLabels(classes, predicted, actual)));

    /// <summary>A grid of grayscale images [N, H, W] or [N, 1, H, W] titled with the predicted and true labels (wrong ones marked).</summary>
    public static Figure ImageGrid(
        Tensor images, int[] predicted, int[] actual, int columns = 8, IReadOnlyList<string>? classNames = null) =>
        new(Plot.imageGrid(columns, Interop.List(classNames ?? Array.Empty<string>()), images, predicted, actual));
}
