// Functional from C#: train a small CNN on the 8x8 digits shipped with the library, evaluate it and write plots.
//   dotnet run --project samples/CSharp.QuickStart -c Release [-- --epochs 8 --out artifacts/csharp-quickstart] [--quick]
// --quick (or FUNCTIONAL_QUICK=1) trains one epoch of a few steps only: the test command runs it that way.
using Functional;
using Functional.CSharp;

var quick = args.Contains("--quick") || Environment.GetEnvironmentVariable("FUNCTIONAL_QUICK") == "1";
var epochs = quick ? 1 : args.SkipWhile(a => a != "--epochs").Skip(1).Select(int.Parse).FirstOrDefault(8);
var outDir = args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() ?? Path.Combine("artifacts", "csharp-quickstart");

// Data: 1,797 images [1, 8, 8] with their digit; 80% to train, 20% to test.
var (train, test) = Data.Digits().Split(testFraction: 0.2, seed: 0);
Console.WriteLine($"Functional {Info.Version}: {train.Count} training and {test.Count} test images");

// A model is a pure function of its parameters: ModelFn.Init makes them, ModelFn.Apply uses them.
ModelFn model = Layer.Sequential(
    Layer.Conv2d(16, kernelSize: 3, padding: 1),
    Layer.Relu(),
    Layer.MaxPool2d(2),
    Layer.Flatten(),
    Layer.Dense(64),
    Layer.Relu(),
    Layer.Dropout(0.2),
    Layer.Dense(10));
Console.WriteLine(model.Summary(train.SampleShape));

// Training: Adam with gradient clipping, accuracy on the test set after every epoch.
var optimizer = Optimizers.Chain(Optimizers.ClipByGlobalNorm(1.0), Optimizers.Adam(2e-3));
TrainingResult result = Training.Fit(
    model,
    Loss.CrossEntropy,
    optimizer,
    train,
    new TrainingOptions
    {
        Epochs = epochs,
        BatchSize = 32,
        Validation = test,
        Metrics = [MetricFn.Accuracy],
        Callbacks = [TrainingCallback.EarlyStopping("val_loss", patience: 3)],
        MaxStepsPerEpoch = quick ? 5 : null,
    });

// Evaluation, a prediction by hand (the same pure function), plots and a checkpoint.
var metrics = result.Evaluate(test);
int[] predicted = result.PredictClasses(test.X);
int[] actual = test.Y.ToArray<long>().Select(v => (int)v).ToArray();
Tensor logits = model.Apply(result.Params, test.X.Narrow(0, 0, 1));
Console.WriteLine($"first test image: predicted {logits.Argmax().ToDouble()}, true {actual[0]}");

Directory.CreateDirectory(outDir);
var historyPlot = Path.Combine(outDir, "history.html");
var confusionPlot = Path.Combine(outDir, "confusion-matrix.html");
var checkpoint = Path.Combine(outDir, "model.safetensors");
Plots.History(result.History).Save(historyPlot);
Plots.ConfusionMatrix(predicted, actual, classes: 10, test.ClassNames).Save(confusionPlot);
Checkpoints.Save(checkpoint, result.Params);
Console.WriteLine($"wrote {historyPlot}, {confusionPlot} and {checkpoint}");
Console.WriteLine($"test loss: {metrics["loss"]:F4}");
Console.WriteLine($"test accuracy: {metrics["accuracy"]:F4}");
