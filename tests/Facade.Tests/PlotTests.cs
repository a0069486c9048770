using Xunit;

namespace Functional.CSharp.Tests;

/// <summary>Charts written from C#.</summary>
public class PlotTests
{
    [Fact]
    public void TheHistoryAndConfusionMatrixBecomeHtmlFiles()
    {
        var (train, test) = Data.Iris().Split(0.3).Standardized();
        var result = Training.Fit(
            Layer.Dense(3), Loss.CrossEntropy, Optimizers.Adam(0.05), train,
            new TrainingOptions { Epochs = 2, Validation = test, Metrics = [MetricFn.Accuracy], Progress = ProgressDisplay.Silent });

        var path = Path.Combine(Path.GetTempPath(), $"functional-facade-{Guid.NewGuid():N}.html");
        try
        {
            Plots.History(result.History).Save(path);
            var html = File.ReadAllText(path);
            Assert.Contains("<html", html);
            Assert.Contains("validation accuracy", html);
        }
        finally
        {
            File.Delete(path);
        }

        var confusion = Plots.ConfusionMatrix(result.PredictClasses(test.X), test.Y.ToArray<long>().Select(v => (int)v).ToArray(), 3, test.ClassNames);
        Assert.Contains("virginica", confusion.ToHtml());
        Assert.Equal(new[] { 1, 2 }, result.History.Validation("accuracy").Select(p => p.Epoch));
        Assert.Equal(new[] { "loss", "accuracy" }, result.History.Names);
        Assert.StartsWith("epoch,train_loss,train_accuracy,val_loss,val_accuracy", result.History.ToCsv());
    }
}
