/// FsCheck generators for fuzzing the public tensor API: shapes of rank 0-4 with zero-size and size-1
/// dimensions, every dtype, awkward values (NaN, ±Inf, subnormals, huge, ±0) and awkward arguments
/// (dimensions in and out of range, negative sizes, index tensors with out-of-range entries).
module Functional.Tests.Fuzz.FuzzGen

open System
open FsCheck
open FsCheck.FSharp
open Functional

/// Every dtype; floating point drawn most often (most ops are about floats).
let dtype =
    Gen.frequency
        [
            3, Gen.constant Float32
            3, Gen.constant Float64
            1, Gen.constant Int32
            1, Gen.constant Int64
            1, Gen.constant Bool
        ]

/// A floating-point dtype.
let floatDtype = Gen.elements [ Float32; Float64 ]

/// A dimension size: 0 and 1 are common, so empty tensors and broadcasting edge cases are exercised.
let dimSize =
    Gen.frequency [ 1, Gen.constant 0; 3, Gen.constant 1; 4, Gen.choose (2, 3) ]

/// A shape of exactly `rank` dimensions.
let shapeOfRank (rank: int) = Gen.arrayOfLength rank dimSize

/// A shape of rank 0-4.
let shape =
    gen {
        let! rank =
            Gen.frequency
                [
                    2, Gen.constant 0
                    3, Gen.constant 1
                    3, Gen.constant 2
                    2, Gen.constant 3
                    1, Gen.constant 4
                ]

        return! shapeOfRank rank
    }

/// A shape of rank in [lo, hi].
let shapeOfRanks (lo: int) (hi: int) =
    gen {
        let! rank = Gen.choose (lo, hi)
        return! shapeOfRank rank
    }

/// Values that break naive numerics.
let specials =
    [
        nan
        infinity
        -infinity
        0.0
        -0.0
        5e-324
        -5e-324
        1e-310
        1.4e-45
        1e-40
        1e300
        -1e300
        3.4e38
        -3.5e38
        1e20
        Double.MaxValue
        Double.MinValue
        Double.Epsilon
    ]

/// A floating-point element: mostly ordinary, often special.
let floatElement =
    Gen.frequency
        [
            6, Gen.choose (-300, 300) |> Gen.map (fun i -> float i / 100.0)
            3, Gen.elements specials
            1, Gen.choose (-3, 3) |> Gen.map float
        ]

/// An integer element, including the extremes of Int32 and Int64.
let intElement =
    Gen.frequency
        [
            6, Gen.choose (-5, 5) |> Gen.map int64
            1,
            Gen.elements
                [
                    int64 Int32.MaxValue
                    int64 Int32.MinValue
                    Int64.MaxValue
                    Int64.MinValue
                    1000000000000L
                ]
        ]

/// A contiguous tensor of `shape` and `dtype` with elements from the generators above.
let private contiguousOf (dtype: Dtype) (shape: int[]) : Gen<Tensor> =
    let n = Array.fold (*) 1 shape

    match dtype with
    | Float32
    | Float64 ->
        Gen.arrayOfLength n floatElement
        |> Gen.map (fun xs -> Tensor.create(xs, dtype).Reshape shape)
    | Int32
    | Int64 ->
        Gen.arrayOfLength n intElement
        // Int32 tensors wrap the Int64 extremes, which is fine: any values will do.
        |> Gen.map (fun xs -> Tensor.create(xs, dtype).Reshape shape)
    | Bool ->
        Gen.arrayOfLength n (Gen.elements [ true; false ])
        |> Gen.map (fun xs -> Tensor.create(xs, Bool).Reshape shape)

/// A tensor of `shape` and `dtype`: usually contiguous, sometimes a view with other strides (a transposed
/// tensor, or one expanded from size-1 dimensions, whose stride is 0).
let tensorOf (dtype: Dtype) (shape: int[]) : Gen<Tensor> =
    let rank = shape.Length

    let transposed =
        if rank < 2 then
            contiguousOf dtype shape
        else
            let swapped = Array.copy shape
            swapped[0] <- shape[rank - 1]
            swapped[rank - 1] <- shape[0]
            contiguousOf dtype swapped |> Gen.map (fun t -> t.Transpose(0, rank - 1))

    let expanded =
        gen {
            let! ones = Gen.arrayOfLength rank (Gen.elements [ false; true ])
            let thin = Array.map2 (fun n one -> if one then 1 else n) shape ones
            let! t = contiguousOf dtype thin
            return t.Expand shape
        }

    Gen.frequency [ 6, contiguousOf dtype shape; 1, transposed; 1, expanded ]

/// A tensor of random shape and dtype.
let tensor =
    gen {
        let! d = dtype
        let! s = shape
        return! tensorOf d s
    }

/// A floating-point tensor of random shape.
let floatTensor =
    gen {
        let! d = floatDtype
        let! s = shape
        return! tensorOf d s
    }

/// A tensor of random dtype with the given shape.
let tensorOfShape (s: int[]) =
    gen {
        let! d = dtype
        return! tensorOf d s
    }

/// A floating-point tensor of the given shape.
let floatTensorOfShape (s: int[]) =
    gen {
        let! d = floatDtype
        return! tensorOf d s
    }

/// Two shapes that mostly broadcast together (a common shape with dimensions set to 1 or dropped in
/// either), sometimes unrelated.
let broadcastPair =
    gen {
        let! full = shape

        let thin =
            Gen.sequenceToList [ for n in full -> Gen.frequency [ 3, Gen.constant n; 1, Gen.constant 1 ] ]
            |> Gen.map Array.ofList

        let! a = thin
        let! b = thin
        let! dropA = Gen.choose (0, full.Length)
        let! dropB = Gen.choose (0, full.Length)
        let! other = shape

        return!
            Gen.frequency
                [
                    4, Gen.constant (a, b)
                    2, Gen.constant (Array.skip dropA a, b)
                    2, Gen.constant (a, Array.skip dropB b)
                    2, Gen.constant (a, other)
                ]
    }

/// A dimension argument for a tensor of rank `rank`: mostly valid (possibly negative), sometimes out of range.
let dimFor (rank: int) =
    let r = max rank 1

    Gen.frequency
        [
            8, Gen.choose (-r, r - 1)
            2, Gen.elements [ r; -r - 1; rank + 1; 7; -9; Int32.MaxValue; Int32.MinValue ]
        ]

/// An optional dimension argument.
let optDimFor (rank: int) = Gen.optionOf (dimFor rank)

/// A size or count argument: mostly small and non-negative, sometimes negative or zero.
let sizeArg =
    Gen.frequency [ 8, Gen.choose (0, 4); 2, Gen.elements [ -1; -2; -7; 0; 9 ] ]

/// A positive-ish parameter (kernel size, stride, dilation, groups): mostly 1-3, sometimes 0 or negative.
let windowArg =
    Gen.frequency [ 8, Gen.choose (1, 3); 2, Gen.elements [ 0; -1; 4; 7 ] ]

/// A list of distinct dimensions of a tensor of rank `rank` (a random subset, in random order), sometimes
/// with an out-of-range or repeated entry.
let dimsFor (rank: int) =
    gen {
        let! order = Gen.shuffle [| 0 .. rank - 1 |]
        let! count = Gen.choose (0, rank)
        let! negative = Gen.elements [ false; true ]

        let valid =
            order[.. count - 1]
            |> Array.map (fun d -> if negative then d - rank else d)
            |> List.ofArray

        let! bad = dimFor rank

        return!
            Gen.frequency
                [
                    6, Gen.constant valid
                    1, Gen.constant (bad :: valid)
                    1, Gen.constant (valid @ valid)
                ]
    }

/// A list of `n` size arguments.
let sizesOf (n: int) = Gen.listOfLength n sizeArg

/// Sizes that split `n` into consecutive pieces (sometimes not adding up, or negative).
let partitionOf (n: int) =
    gen {
        let! cuts = Gen.listOfLength 2 (Gen.choose (0, n)) |> Gen.map List.sort
        let valid = [ cuts[0]; cuts[1] - cuts[0]; n - cuts[1] ]
        let! other = Gen.listOf sizeArg |> Gen.map (List.truncate 4)

        return!
            Gen.frequency
                [
                    4, Gen.constant valid
                    1, Gen.constant [ n ]
                    1, Gen.constant (-1 :: n + 1 :: [])
                    2, Gen.constant other
                ]
    }

/// A list of size arguments with random length 0-5.
let sizes =
    gen {
        let! n = Gen.choose (0, 5)
        return! sizesOf n
    }

/// A target shape for a tensor of `shape`: often a valid reshape (with at most one -1), sometimes not.
let reshapeTarget (shape: int[]) =
    let n = Array.fold (*) 1 shape

    gen {
        let! shuffled = Gen.shuffle shape
        let! withInferred = Gen.elements [ false; true ]
        let! index = Gen.choose (0, max 0 (shape.Length - 1))

        let valid =
            if withInferred && shuffled.Length > 0 then
                shuffled |> Array.mapi (fun i d -> if i = index then -1 else d)
            else
                shuffled

        return!
            Gen.frequency
                [
                    4, Gen.constant (List.ofArray valid)
                    1, Gen.constant [ n ]
                    1, Gen.constant [ -1 ]
                    1, Gen.constant [ -1; -1 ]
                    2, sizes
                ]
    }

/// A float argument (slope, bound, fill value, exponent): ordinary or special.
let floatArg =
    Gen.frequency
        [
            6, Gen.choose (-30, 30) |> Gen.map (fun i -> float i / 10.0)
            2, Gen.elements specials
        ]

/// An index tensor for a dimension of size `bound`: usually Int64 in range, sometimes Int32, out of
/// range (negative or too large) or of a non-integer dtype.
let indicesFor (bound: int) (shape: int[]) : Gen<Tensor> =
    let n = Array.fold (*) 1 shape

    gen {
        let! inRange = Gen.frequency [ 7, Gen.constant true; 2, Gen.constant false ]

        let entry =
            if inRange && bound > 0 then
                Gen.choose (0, bound - 1)
            else
                Gen.elements [ -1; bound; bound + 3; -100; Int32.MaxValue ]

        let! xs = Gen.arrayOfLength n entry

        let! d =
            Gen.frequency
                [
                    7, Gen.constant Int64
                    2, Gen.constant Int32
                    1, Gen.elements [ Float32; Bool ]
                ]

        return Tensor.create(xs |> Array.map int64, Int64).ToDtype(d).Reshape shape
    }

/// A device: mostly the CPU, sometimes a CUDA device (absent on a CPU-only machine).
let device =
    Gen.frequency [ 9, Gen.constant CPU; 1, Gen.elements [ CUDA 0; CUDA 3 ] ]
