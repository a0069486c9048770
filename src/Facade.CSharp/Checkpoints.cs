using Microsoft.FSharp.Collections;

namespace Functional.CSharp;

/// <summary>
/// Saving and loading parameters in the safetensors format (readable by PyTorch, JAX, NumPy, ...). Files are written
/// atomically; a truncated or corrupt file raises <see cref="CheckpointException"/> naming the file.
/// </summary>
public static class Checkpoints
{
    private static FSharpMap<string, string> Meta(IReadOnlyDictionary<string, string>? metadata) =>
        MapModule.OfSeq((metadata ?? new Dictionary<string, string>()).Select(kv => Tuple.Create(kv.Key, kv.Value)));

    /// <summary>Writes a parameter tree to <paramref name="path"/> (one tensor per leaf, named by its dotted path), with optional string metadata.</summary>
    public static void Save(string path, ParamTree parameters, IReadOnlyDictionary<string, string>? metadata = null) =>
        Checkpoint.saveParams(path, parameters.Core, Meta(metadata));

    /// <summary>Reads a tree saved by <see cref="Save(string, ParamTree, IReadOnlyDictionary{string, string}?)"/> into the structure of <paramref name="like"/> (names, shapes and dtypes must match).</summary>
    public static ParamTree Load(string path, ParamTree like) => new(Checkpoint.loadParams(path, like.Core));

    /// <summary>
    /// Writes a training result: its parameters ("params.*"), model state ("state.*") and optimizer state ("opt.*"),
    /// the layout of <see cref="TrainingCallback.Checkpoint"/>'s files.
    /// </summary>
    public static void Save(string path, TrainingResult result, IReadOnlyDictionary<string, string>? metadata = null)
    {
        static IEnumerable<(string, Tensor)> Prefixed(string prefix, ParamTree tree) =>
            tree.Select(e => (prefix + e.Path, e.Tensor));

        var all = Prefixed("params.", result.Params)
            .Concat(Prefixed("state.", result.ModelState))
            .Concat(Prefixed("opt.", result.OptimizerState));
        SaveTensors(path, all.ToDictionary(e => e.Item1, e => e.Item2), metadata);
    }

    /// <summary>
    /// <paramref name="like"/> with the parameters, model state and optimizer state read from a file written by
    /// <see cref="Save(string, TrainingResult, IReadOnlyDictionary{string, string}?)"/> or by a checkpoint callback.
    /// </summary>
    public static TrainingResult Load(string path, TrainingResult like)
    {
        var data = Checkpoint.load(path);
        ParamTree Part(string prefix, ParamTree tree) => new(Checkpoint.toParams(prefix, tree.Core, data));
        var state = like.State;
        return like.WithState(new TrainState(
            Part("params.", like.Params).Core,
            Part("state.", like.ModelState).Core,
            Part("opt.", like.OptimizerState).Core,
            state.Step,
            state.Rng));
    }

    /// <summary>Writes named tensors to <paramref name="path"/>, with optional string metadata.</summary>
    public static void SaveTensors(
        string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Checkpoint.save(path, Interop.List(tensors.Select(kv => Tuple.Create(kv.Key, kv.Value))), Meta(metadata));

    /// <summary>All tensors and the metadata of a safetensors file.</summary>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) LoadTensors(string path)
    {
        var data = Checkpoint.load(path);
        return (data.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value), data.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value));
    }
}
