/// FsCheck generators for op tests: small shapes (with size-1 dimensions), broadcastable shape pairs,
/// and values moved away from the points where an op has a kink.
module Functional.Tests.Ops.OpGen

open Expecto
open FsCheck
open FsCheck.FSharp
open Functional

/// Dimension sizes 1-3 (size 1 often, to exercise broadcasting and squeezing edge cases).
let dimSize = Gen.frequency [ 2, Gen.constant 1; 3, Gen.choose (2, 3) ]

/// Shapes of rank `lo` to `hi` with sizes from `dimSize`.
let shapeOfRank (lo: int) (hi: int) =
    gen {
        let! rank = Gen.choose (lo, hi)
        return! Gen.listOfLength rank dimSize
    }

/// Shapes of rank 0-3.
let shape = shapeOfRank 0 3

/// Two shapes that broadcast together: a common shape with some dimensions set to 1 in either, and
/// sometimes leading dimensions dropped from one of them.
let broadcastPair =
    gen {
        let! full = shapeOfRank 1 3

        let thin =
            Gen.sequenceToList [ for n in full -> Gen.frequency [ 2, Gen.constant n; 1, Gen.constant 1 ] ]

        let! a = thin
        let! b = thin
        let! drop = Gen.choose (0, full.Length - 1)
        let! which = Gen.elements [ 0; 1; 2 ]

        match which with
        | 0 -> return a, b
        | 1 -> return List.skip drop a, b
        | _ -> return a, List.skip drop b
    }

/// A shape of rank 1-3 together with a dimension index in it (negative half of the time).
let shapeAndDim =
    gen {
        let! s = shapeOfRank 1 3
        let! d = Gen.choose (0, s.Length - 1)
        let! negative = Gen.elements [ false; true ]
        return s, (if negative then d - s.Length else d)
    }

/// A seed for the values.
let seed = Gen.choose (0, 100000)

/// Standard normal values (Float64) of a shape, from a seed.
let normal (seed: int) (shape: int list) =
    Tensor.randn (Rng.seed seed, shape, Float64)

/// `x` with every element within `radius` of one of `points` moved to distance `radius` from it.
let avoid (points: float list) (radius: float) (x: Tensor) =
    points
    |> List.fold
        (fun (x: Tensor) c ->
            let side =
                Tensor.where (
                    Tensor.ge (x, c),
                    Tensor.ones (x.Shape, Float64),
                    -Tensor.ones(x.Shape, Float64)
                )

            Tensor.where (Tensor.lt (Tensor.abs (x - c), radius), c + radius * side, x))
        x

/// Runs an FsCheck property of values from `gen` with `maxTest` cases (gradient checks are slow).
let property (name: string) (maxTest: int) (gen: Gen<'T>) (body: 'T -> unit) =
    testPropertyWithConfig
        { FsCheckConfig.defaultConfig with
            maxTest = maxTest
        }
        name
        (Prop.forAll (Arb.fromGen gen) body)
