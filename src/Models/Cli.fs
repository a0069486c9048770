/// Command-line arguments of the main job (Argu).
module Functional.Models.Cli

open Argu

/// `train` arguments.
type TrainArgs =
    | [<MainCommand; Mandatory>] Model of name: string
    | Dataset of name: string
    | Epochs of int
    | Quick
    | Out of folder: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Model _ -> "model to train (see 'list'): main-job, or a zoo model."
            | Dataset _ -> "dataset to train on (defaults to the model's own)."
            | Epochs _ -> "number of epochs."
            | Quick -> "a few steps only (for tests)."
            | Out _ -> "output folder for plots, history and checkpoints."

/// `evaluate` arguments.
type EvaluateArgs =
    | [<MainCommand; Mandatory>] Checkpoint of path: string

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Checkpoint _ ->
                "a .safetensors checkpoint written by the main job or a zoo model (zoo-output/<name>/model.safetensors)."

/// `predict` arguments.
type PredictArgs =
    | [<MainCommand; Mandatory>] Checkpoint of path: string
    | Count of int

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Checkpoint _ ->
                "a .safetensors checkpoint written by the main job or a zoo model (zoo-output/<name>/model.safetensors)."
            | Count _ -> "how many test examples to predict (default 20)."

/// `zoo` arguments.
type ZooArgs =
    | Quick
    | Out of folder: string
    | Results of file: string
    | Report

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Quick -> "a few steps per model only (for tests)."
            | Out _ -> "output folder for every model's files (default zoo-output)."
            | Results _ -> "where to write the results table (default docs/RESULTS.md)."
            | Report -> "write the table from the result.json files of earlier runs, without training."

/// Top-level arguments. Run without a command, the main job trains the digits CNN.
type MainArgs =
    | [<CliPrefix(CliPrefix.None)>] Train of ParseResults<TrainArgs>
    | [<CliPrefix(CliPrefix.None)>] Evaluate of ParseResults<EvaluateArgs>
    | [<CliPrefix(CliPrefix.None)>] Predict of ParseResults<PredictArgs>
    | [<CliPrefix(CliPrefix.None)>] Zoo of ParseResults<ZooArgs>
    | [<CliPrefix(CliPrefix.None)>] List
    | Quick
    | Epochs of int
    | Out of folder: string
    | Seed of int
    | Resume

    interface IArgParserTemplate with
        member a.Usage =
            match a with
            | Train _ -> "train a model: train <model> [--quick] [--epochs n] [--out folder]."
            | Evaluate _ -> "evaluate a main-job or zoo checkpoint on its test split."
            | Predict _ -> "predict test examples with a main-job or zoo checkpoint."
            | Zoo _ -> "train every zoo model at full budget and write docs/RESULTS.md."
            | List -> "list the models and datasets."
            | Quick -> "main job: a few steps only (for tests)."
            | Epochs _ -> "main job: number of epochs (default 40)."
            | Out _ -> "main job: output folder (default artifacts/main-job)."
            | Seed _ -> "seed of every random choice (default 0)."
            | Resume -> "main job: continue from the last checkpoint in the output folder."

/// Commands handled outside Argu (they parse their own arguments).
let extraUsage =
    """
Other commands:
    data <list|fetch|verify|bench> ...   datasets (run 'data help')
    bench                                 AD benchmarks against TorchSharp's autograd (writes artifacts/bench.json)
    memory                                soak benchmark: 20,000 training steps, RSS and step time per 1k"""
