/// FsCheck generators shared by the op test suites: small shapes (size-1 dimensions are common),
/// Float64 values, index tensors and well-conditioned matrices.
module Functional.Tests.Ops.OpGenerators

open Expecto
open FsCheck
open FsCheck.FSharp
open Functional

/// Few cases per property: each case runs a second-order gradient check.
let config =
    { FsCheckConfig.defaultConfig with
        maxTest = 10
    }

/// A dimension size; 1 is drawn often so broadcasting and squeezing paths are exercised.
let dimSize = Gen.elements [ 1; 1; 2; 3 ]

/// A shape of `rank` dimensions.
let shapeOfRank (rank: int) =
    Gen.listOfLength rank dimSize |> Gen.map Array.ofList

/// A shape with rank in [lo, hi].
let shape (lo: int) (hi: int) =
    gen {
        let! rank = Gen.choose (lo, hi)
        return! shapeOfRank rank
    }

/// A Float64 tensor of the given shape with values in [-2, 2].
let valuesOf (shape: int[]) : Gen<Tensor> =
    Gen.arrayOfLength (Array.fold (*) 1 shape) (Gen.choose (-200, 200))
    |> Gen.map (fun xs -> Tensor.create(Array.map (fun i -> float i / 100.0) xs, Float64).Reshape shape)

/// An Int64 tensor of the given shape with entries in [0, bound).
let indicesOf (bound: int) (shape: int[]) : Gen<Tensor> =
    Gen.arrayOfLength (Array.fold (*) 1 shape) (Gen.choose (0, bound - 1))
    |> Gen.map (fun xs -> Tensor.create(xs, Int64).Reshape shape)

/// A batch of well-conditioned n×n matrices I + 0.3 R / n with |R| <= 1 (singular values in [0.7, 1.3]).
let wellConditioned (batch: int[]) (n: int) : Gen<Tensor> =
    valuesOf (Array.append batch [| n; n |])
    |> Gen.map (fun r ->
        r * (0.15 / float n)
        + Tensor.create (Array2D.init n n (fun i j -> if i = j then 1.0 else 0.0), Float64))

/// A random permutation of 0 .. n - 1.
let permutation (n: int) = Gen.shuffle [| 0 .. n - 1 |]

/// A nonlinear wrapper so that second-order checks see non-zero second derivatives through the op.
let square (x: Tensor) = x * x
