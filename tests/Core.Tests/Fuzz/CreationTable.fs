/// Fuzzed creation functions (Tensor.create from arbitrary .NET data, scalar, full, zeros, ones, eye,
/// arange, linspace, the random ones) and conversions to .NET values (ToDouble, ToArray, ToString,
/// allclose): these call libtorch outside any op, so a libtorch error there is not caught by the op
/// machinery.
module Functional.Tests.Fuzz.CreationTable

open System
open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests.Fuzz.FuzzGen
open Functional.Tests.Fuzz.FuzzCase

/// Data that Tensor.create may be given: numbers, arrays of every rank and element type, jagged and
/// ragged arrays, lists, lazy sequences, and things it must reject (strings, null, unsupported types).
let private data: Gen<obj> =
    let elements n = Gen.arrayOfLength n floatElement

    gen {
        let! n = Gen.choose (0, 4)
        let! m = Gen.choose (0, 3)
        let! xs = elements n
        let! ys = elements (n * m)
        let! ragged = Gen.elements [ false; true ]

        let jagged =
            Array.init n (fun i -> Array.init (if ragged && i = 1 then m + 1 else m) (fun j -> float (i + j)))

        let finite =
            xs |> Array.map (fun v -> if Double.IsFinite v && abs v < 1e20 then v else 0.0)

        return!
            Gen.elements
                [
                    box xs
                    box (Array.map float32 xs)
                    box (Array.map int finite)
                    box (Array.map int64 finite)
                    box (Array.map (fun v -> v > 0.0) xs)
                    box (Array.map byte (Array.map abs (Array.map int finite)))
                    box (Array.map int16 finite)
                    box (Array.map decimal finite)
                    box (Array2D.init n m (fun i j -> ys[i * m + j]))
                    box (Array2D.init n m (fun i j -> float32 ys[i * m + j]))
                    box (Array3D.init n m 2 (fun i j k -> i + j + k))
                    box (Array4D.init 1 n m 1 (fun _ i j _ -> ys[i * m + j]))
                    box (Array.CreateInstance(typeof<float>, [| 1; 1; 1; 1; 1 |]))
                    box jagged
                    box (jagged |> Array.map List.ofArray |> List.ofArray)
                    box (Seq.init n (fun i -> Seq.init m (fun j -> float (i * j))))
                    box [| box 1.0; box true |]
                    box [| box 1.0; null |]
                    box [| box 1.0; box "x" |]
                    box (if n > 0 then xs[0] else nan)
                    box n
                    box true
                    box "not a tensor"
                    box 'c'
                    box 5u
                    box DateTime.Now
                    null
                    box ([]: float list)
                    box [ [ 1.0; 2.0 ]; [] ]
                ]
    }

/// A shape argument for creation: mostly valid, sometimes with negative sizes.
let private shapeArg = Gen.frequency [ 5, shape |> Gen.map List.ofArray; 1, sizes ]

let private rng = Gen.choose (0, 1000) |> Gen.map Rng.seed

let private creation =
    [
        plainSpec
            "Tensor.create"
            [ "Tensor.create" ]
            (gen {
                let! d = data
                let! dt = Gen.optionOf dtype
                let! dev = device

                return
                    case
                        []
                        (d, dt, dev)
                        (fun _ -> box (Tensor.create (d, ?dtype = dt, device = dev)))
                        Anything
            })
        plainSpec
            "Tensor.scalar"
            [ "Tensor.scalar"; "Tensor.full" ]
            (gen {
                let! v = floatArg
                let! dt = dtype
                let! dev = device
                return case [] (v, dt, dev) (fun _ -> box (Tensor.scalar (v, dt, dev))) (ShapeIfOk [||])
            })
        plainSpec
            "Tensor.full"
            [ "Tensor.full" ]
            (gen {
                let! s = shapeArg
                let! v = floatArg
                let! dt = dtype
                let! dev = device

                let expect =
                    if List.exists (fun n -> n < 0) s then
                        Fails
                    else
                        ShapeIfOk(Array.ofList s)

                return case [] (s, v, dt, dev) (fun _ -> box (Tensor.full (s, v, dt, dev))) expect
            })
        plainSpec
            "Tensor.zeros"
            [ "Tensor.zeros"; "Tensor.full" ]
            (gen {
                let! s = shapeArg
                let! dt = Gen.optionOf dtype
                return case [] (s, dt) (fun _ -> box (Tensor.zeros (s, ?dtype = dt))) Anything
            })
        plainSpec
            "Tensor.ones"
            [ "Tensor.ones"; "Tensor.full" ]
            (gen {
                let! s = shapeArg
                let! dt = Gen.optionOf dtype
                let! dev = device

                return
                    case [] (s, dt, dev) (fun _ -> box (Tensor.ones (s, ?dtype = dt, device = dev))) Anything
            })
        plainSpec
            "Tensor.eye"
            [ "Tensor.eye" ]
            (gen {
                let! n = sizeArg
                let! m = Gen.optionOf sizeArg
                let! dt = dtype
                let! dev = device

                let expect =
                    if n >= 0 && defaultArg m n >= 0 then
                        ShapeIfOk [| n; defaultArg m n |]
                    else
                        Fails

                return
                    case
                        []
                        (n, m, dt, dev)
                        (fun _ -> box (Tensor.eye (n, ?m = m, dtype = dt, device = dev)))
                        expect
            })
        plainSpec
            "Tensor.arange"
            [ "Tensor.arange" ]
            (gen {
                let! start = floatArg
                let! stop = floatArg
                let! step = Gen.optionOf floatArg
                let! dt = dtype
                let! dev = device

                return
                    case
                        []
                        (start, stop, step, dt, dev)
                        (fun _ -> box (Tensor.arange (start, stop, ?step = step, dtype = dt, device = dev)))
                        Anything
            })
        plainSpec
            "Tensor.arange"
            [ "Tensor.arange" ]
            (gen {
                let! n = sizeArg
                let! dt = dtype
                return case [] (n, dt) (fun _ -> box (Tensor.arange (n, dt))) (ShapeIfOk [| max n 0 |])
            })
        plainSpec
            "Tensor.linspace"
            [ "Tensor.linspace" ]
            (gen {
                let! start = floatArg
                let! stop = floatArg
                let! count = sizeArg
                let! dt = dtype
                let! dev = device
                let expect = if count >= 0 then ShapeIfOk [| count |] else Fails

                return
                    case
                        []
                        (start, stop, count, dt, dev)
                        (fun _ -> box (Tensor.linspace (start, stop, count, dt, dev)))
                        expect
            })
        plainSpec
            "Tensor.randn"
            [ "Tensor.randn" ]
            (gen {
                let! r = rng
                let! s = shapeArg
                let! dt = Gen.optionOf dtype
                let! dev = device

                return
                    case
                        []
                        (r, s, dt, dev)
                        (fun _ -> box (Tensor.randn (r, s, ?dtype = dt, device = dev)))
                        Anything
            })
        plainSpec
            "Tensor.rand"
            [ "Tensor.rand" ]
            (gen {
                let! r = rng
                let! s = shapeArg
                let! dt = Gen.optionOf dtype
                return case [] (r, s, dt) (fun _ -> box (Tensor.rand (r, s, ?dtype = dt))) Anything
            })
        plainSpec
            "Tensor.randint"
            [ "Tensor.randint" ]
            (gen {
                let! r = rng

                let! lo =
                    Gen.frequency
                        [ 5, Gen.choose (-5, 5); 1, Gen.elements [ Int32.MinValue; Int32.MaxValue ] ]

                let! hi =
                    Gen.frequency
                        [ 5, Gen.choose (-5, 5); 1, Gen.elements [ Int32.MinValue; Int32.MaxValue ] ]

                let! s = shapeArg
                let! dt = Gen.optionOf dtype
                let! dev = device

                return
                    case
                        []
                        (r, lo, hi, s, dt, dev)
                        (fun _ -> box (Tensor.randint (r, lo, hi, s, ?dtype = dt, device = dev)))
                        Anything
            })
        plainSpec
            "Tensor.bernoulli"
            [ "Tensor.bernoulli" ]
            (gen {
                let! r = rng

                let! p =
                    Gen.frequency [ 4, Gen.choose (0, 10) |> Gen.map (fun i -> float i / 10.0); 1, floatArg ]

                let! s = shapeArg
                let! dt = Gen.optionOf dtype
                return case [] (r, p, s, dt) (fun _ -> box (Tensor.bernoulli (r, p, s, ?dtype = dt))) Anything
            })
    ]

let private conversions =
    [
        plainSpec
            "Tensor.allclose"
            [ "Tensor.allclose" ]
            (gen {
                let! sa, sb = broadcastPair
                let! a = tensorOfShape sa
                let! b = tensorOfShape sb
                let! rtol = Gen.optionOf floatArg
                let! atol = Gen.optionOf floatArg

                return
                    case
                        [ a; b ]
                        (rtol, atol)
                        (fun t -> box (Tensor.allclose (t[0], t[1], ?rtol = rtol, ?atol = atol)))
                        Anything
            })
        plainSpec
            "Tensor.allFinite"
            [ "Tensor.allFinite" ]
            (gen {
                let! x = tensor
                return case [ x ] () (fun t -> box (Tensor.allFinite t[0])) Anything
            })
        plainSpec
            "Tensor.ToDouble"
            [ "Tensor.ToDouble" ]
            (gen {
                let! x = tensor
                let expect = if x.NumElements = 1 then Anything else Fails
                return case [ x ] () (fun t -> box (t[0].ToDouble())) expect
            })
        plainSpec
            "Tensor.ToArray"
            [ "Tensor.ToArray" ]
            (gen {
                let! x = tensor
                let! target = Gen.choose (0, 5)

                let read (t: Tensor) : obj =
                    match target with
                    | 0 -> box (t.ToArray<float>())
                    | 1 -> box (t.ToArray<float32>())
                    | 2 -> box (t.ToArray<int>())
                    | 3 -> box (t.ToArray<int64>())
                    | 4 -> box (t.ToArray<bool>())
                    | _ -> box (t.ToArray<byte>())

                let expect = if target = 5 then Fails else Anything
                return case [ x ] target (fun t -> read t[0]) expect
            })
        plainSpec
            "Tensor.ToString"
            [ "Tensor.ToString" ]
            (gen {
                let! x = tensor
                return case [ x ] () (fun t -> box (t[0].ToString())) Anything
            })
    ]

/// Every fuzzed creation and conversion function.
let all = creation @ conversions
