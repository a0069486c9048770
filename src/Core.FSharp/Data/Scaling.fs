namespace Functional.Data

open System
open Functional

/// Per-feature mean and standard deviation, fitted on training data and applied unchanged to
/// validation and test data: x' = (x - mean) / std. Save it with the model (`toJson`).
type Standardization =
    {
        /// Mean of each feature over the training samples.
        Mean: float[]
        /// Population standard deviation of each feature (1 where a feature is constant).
        Std: float[]
    }

/// Per-feature minimum and maximum, fitted on training data: x' = (x - min) / (max - min), in [0, 1]
/// on the training data. Save it with the model (`toJson`).
type MinMaxScaling =
    {
        /// Minimum of each feature over the training samples.
        Min: float[]
        /// Maximum of each feature over the training samples.
        Max: float[]
    }

/// Shared checks and tensor plumbing of the scalers.
module internal Scaling =
    let columns (op: string) (rows: float32[] seq) : float[][] =
        let rows = Array.ofSeq rows

        if rows.Length = 0 then
            Errors.fail op "there are no samples to fit on" "Pass the training samples."

        let width = rows[0].Length

        match rows |> Array.tryFindIndex (fun r -> r.Length <> width) with
        | Some i ->
            Errors.fail
                op
                $"sample {i} has {rows[i].Length} features but sample 0 has {width}"
                "Give every sample the same features."
        | None -> Array.init width (fun j -> rows |> Array.map (fun r -> float r[j]))

    /// The samples of a tensor [n; ...] as rows of its flattened features.
    let rowsOf (x: Tensor) : float32[][] =
        if x.Rank < 1 || x.Shape[0] = 0 then
            Errors.fail
                "Scaling.fit"
                $"the tensor has shape {x.Shape}; it needs samples along dimension 0"
                "Pass a tensor [n; features...]."

        let n = x.Shape[0]
        let flat = x.ToArray<float32>()
        let width = flat.Length / n
        Array.init n (fun i -> Array.sub flat (i * width) width)

    let checkWidth (op: string) (expected: int) (actual: int) =
        if expected <> actual then
            Errors.fail
                op
                $"the sample has {actual} features but the statistics were fitted on {expected}"
                "Apply the statistics to data shaped like the training data."

    /// (x - shift) * scale with per-feature constants broadcast over dimension 0, in x's dtype.
    let affine (op: string) (shift: float[]) (scale: float[]) (x: Tensor) : Tensor =
        let featureShape = x.Shape[1..]
        checkWidth op shift.Length (Array.fold (*) 1 featureShape)
        let s = Tensor.reshape (Tensor.create (shift, x.Dtype), featureShape)
        let k = Tensor.reshape (Tensor.create (scale, x.Dtype), featureShape)
        (x - s) * k

/// Fitting and applying standardization.
module Standardization =
    /// Fits the mean and population standard deviation of every feature of the training samples.
    let fit (samples: float32[] seq) : Standardization =
        let cols = Scaling.columns "Standardization.fit" samples

        let mean = cols |> Array.map Array.average

        let std =
            Array.map2
                (fun (c: float[]) m ->
                    let s = sqrt (c |> Array.averageBy (fun v -> (v - m) * (v - m)))
                    if s > 1e-12 then s else 1.0)
                cols
                mean

        { Mean = mean; Std = std }

    /// Fits on a tensor [n; features...] (features flattened).
    let fitTensor (x: Tensor) : Standardization = fit (Scaling.rowsOf x)

    /// Standardizes one sample.
    let apply (s: Standardization) (sample: float32[]) : float32[] =
        Scaling.checkWidth "Standardization.apply" s.Mean.Length sample.Length
        Array.init sample.Length (fun j -> float32 ((float sample[j] - s.Mean[j]) / s.Std[j]))

    /// Standardizes a tensor [n; features...] (as tensor ops, in the tensor's dtype).
    let applyTensor (s: Standardization) (x: Tensor) : Tensor =
        Scaling.affine "Standardization.applyTensor" s.Mean (s.Std |> Array.map (fun v -> 1.0 / v)) x

    /// Undoes `apply` on one sample.
    let invert (s: Standardization) (sample: float32[]) : float32[] =
        Scaling.checkWidth "Standardization.invert" s.Mean.Length sample.Length
        Array.init sample.Length (fun j -> float32 (float sample[j] * s.Std[j] + s.Mean[j]))

    /// The statistics as JSON text (to save beside a model).
    let toJson (s: Standardization) : string = Json.write s

    /// Statistics from JSON text written by `toJson`.
    let ofJson (json: string) : Standardization =
        Json.read
            "Standardization.ofJson"
            (fun s -> not (isNull s.Mean) && not (isNull s.Std) && s.Mean.Length = s.Std.Length)
            json

/// Fitting and applying min-max scaling.
module MinMaxScaling =
    /// Fits the minimum and maximum of every feature of the training samples.
    let fit (samples: float32[] seq) : MinMaxScaling =
        let cols = Scaling.columns "MinMaxScaling.fit" samples

        {
            Min = cols |> Array.map Array.min
            Max = cols |> Array.map Array.max
        }

    /// Fits on a tensor [n; features...] (features flattened).
    let fitTensor (x: Tensor) : MinMaxScaling = fit (Scaling.rowsOf x)

    let private scale (m: MinMaxScaling) =
        Array.map2 (fun lo hi -> if hi - lo > 1e-12 then 1.0 / (hi - lo) else 1.0) m.Min m.Max

    /// Scales one sample (values of constant features become 0).
    let apply (m: MinMaxScaling) (sample: float32[]) : float32[] =
        Scaling.checkWidth "MinMaxScaling.apply" m.Min.Length sample.Length
        let k = scale m
        Array.init sample.Length (fun j -> float32 ((float sample[j] - m.Min[j]) * k[j]))

    /// Scales a tensor [n; features...] (as tensor ops, in the tensor's dtype).
    let applyTensor (m: MinMaxScaling) (x: Tensor) : Tensor =
        Scaling.affine "MinMaxScaling.applyTensor" m.Min (scale m) x

    /// The statistics as JSON text (to save beside a model).
    let toJson (m: MinMaxScaling) : string = Json.write m

    /// Statistics from JSON text written by `toJson`.
    let ofJson (json: string) : MinMaxScaling =
        Json.read
            "MinMaxScaling.ofJson"
            (fun m -> not (isNull m.Min) && not (isNull m.Max) && m.Min.Length = m.Max.Length)
            json
