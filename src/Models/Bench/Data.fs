/// Deterministic benchmark inputs, made once as .NET arrays and handed to both contenders.
module Functional.Models.Bench.Data

open TorchSharp
open Functional

/// A matrix of normally distributed values with standard deviation `scale` (fixed seed).
let matrix (seed: int) (rows: int) (cols: int) (scale: float) : float32[,] =
    let rng = System.Random seed

    let normal () =
        let u1 = 1.0 - rng.NextDouble()
        let u2 = rng.NextDouble()
        sqrt (-2.0 * log u1) * cos (2.0 * System.Math.PI * u2)

    Array2D.init rows cols (fun _ _ -> float32 (scale * normal ()))

/// A one-hot matrix [rows; classes] with deterministic labels.
let oneHot (seed: int) (rows: int) (classes: int) : float32[,] =
    let rng = System.Random seed
    let labels = Array.init rows (fun _ -> rng.Next classes)
    Array2D.init rows classes (fun i j -> if labels[i] = j then 1.0f else 0.0f)

/// Our tensor of the data.
let ours (data: float32[,]) : Tensor = Tensor.create data

/// A raw TorchSharp tensor of the data (outside every dispose scope, so it lives for the run).
let peer (data: float32[,]) (requiresGrad: bool) : torch.Tensor =
    let t = torch.tensor data
    if requiresGrad then t.requires_grad_ true else t
