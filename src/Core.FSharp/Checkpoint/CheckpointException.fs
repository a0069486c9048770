namespace Functional

open System.IO

/// Raised when a checkpoint file is truncated, corrupted or otherwise not a valid safetensors file
/// Functional can read. The message names the file and the problem. It is an IOException.
type CheckpointException(path: string, problem: string, inner: exn) =
    inherit IOException($"Checkpoint '{path}': {problem}.", inner)

    /// A checkpoint error without an inner exception.
    new(path: string, problem: string) = CheckpointException(path, problem, null)

    /// The file that could not be read.
    member _.Path = path

    /// What is wrong with it.
    member _.Problem = problem
