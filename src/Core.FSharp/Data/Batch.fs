namespace Functional.Data

open System
open TorchSharp
open Functional
open Functional.Ad
open Functional.Native

/// Collating samples into batch tensors (what a `DataLoader` calls on each group of samples):
/// features become a Float32 tensor [n; sampleShape...], class labels an Int64 tensor [n].
module Batch =
    /// A constant CPU tensor over a copy of `data` with the given shape.
    let internal ofFloats (shape: int[]) (data: float32[]) : Tensor =
        NativeSetup.ensure ()
        let dims = shape |> Array.map int64
        Tensor(Value.ofRaw (torch.tensor (data, dimensions = ReadOnlySpan dims)))

    /// A constant CPU Int64 tensor over a copy of `data` with the given shape.
    let internal ofLongs (shape: int[]) (data: int64[]) : Tensor =
        NativeSetup.ensure ()
        let dims = shape |> Array.map int64
        Tensor(Value.ofRaw (torch.tensor (data, dimensions = ReadOnlySpan dims)))

    /// A constant CPU Bool tensor over a copy of `data` with the given shape.
    let internal ofBools (shape: int[]) (data: bool[]) : Tensor =
        NativeSetup.ensure ()
        let dims = shape |> Array.map int64
        Tensor(Value.ofRaw (torch.tensor (data, dimensions = ReadOnlySpan dims)))

    let private sizeOf (op: string) (sampleShape: int[]) =
        if sampleShape |> Array.exists (fun d -> d <= 0) then
            Errors.fail
                op
                $"sample shape {sampleShape} has a dimension <= 0"
                "Give the shape of one sample, e.g. [| 1; 28; 28 |]."

        Array.fold (*) 1 sampleShape

    /// Stacks feature arrays (each with as many values as `sampleShape` holds) into a Float32 tensor
    /// of shape [n; sampleShape...].
    let features (sampleShape: int[]) (rows: float32[][]) : Tensor =
        let size = sizeOf "Batch.features" sampleShape
        let data = Array.zeroCreate<float32>(rows.Length * size)

        rows
        |> Array.iteri (fun i r ->
            if r.Length <> size then
                Errors.fail
                    "Batch.features"
                    $"sample {i} has {r.Length} values but the sample shape {sampleShape} holds {size}"
                    "Give every sample the same number of values as the sample shape."

            Array.blit r 0 data (i * size) size)

        ofFloats (Array.append [| rows.Length |] sampleShape) data

    /// Class indices as an Int64 tensor [n].
    let labels (labels: int[]) : Tensor =
        ofLongs [| labels.Length |] (labels |> Array.map int64)

    /// Regression targets as a Float32 tensor [n].
    let targets (values: float32[]) : Tensor = ofFloats [| values.Length |] values

    /// (features [n; sampleShape...] Float32, labels [n] Int64) from classification samples.
    let classification (sampleShape: int[]) (samples: (float32[] * int)[]) : Tensor * Tensor =
        features sampleShape (Array.map fst samples), labels (Array.map snd samples)

    /// (features [n; sampleShape...] Float32, targets [n] Float32) from regression samples.
    let regression (sampleShape: int[]) (samples: (float32[] * float32)[]) : Tensor * Tensor =
        features sampleShape (Array.map fst samples), targets (Array.map snd samples)
