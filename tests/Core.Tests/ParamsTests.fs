module Functional.Tests.ParamsTests

open System
open Expecto
open Functional
open Functional.Tests.TestUtil

let private vec (xs: float list) = Tensor.create (xs, Float64)

let private mat (rows: float list list) = Tensor.create (rows, Float64)

let private values (t: Tensor) = t.ToArray<float>() |> List.ofArray

/// encoder.0.weight [2; 3], encoder.0.bias [2], head.weight [1; 2], in this order.
let sample () =
    Params.ofList
        [
            "encoder.0.weight", mat [ [ 1.0; 2.0; 3.0 ]; [ 4.0; 5.0; 6.0 ] ]
            "encoder.0.bias", vec [ 0.5; -0.5 ]
            "head.weight", mat [ [ 2.0; -1.0 ] ]
        ]

[<Tests>]
let tests =
    testList
        "Params"
        [
            test "ofList nests dotted paths and keeps their order" {
                let p = sample ()
                Expect.equal (Params.paths p) [ "encoder.0.weight"; "encoder.0.bias"; "head.weight" ] "paths"

                match p with
                | Group [ "encoder", Group [ "0", Group [ "weight", Leaf _; "bias", Leaf _ ] ]
                          "head", Group [ "weight", Leaf _ ] ] -> ()
                | _ -> failtest $"unexpected structure:\n{p}"
            }

            test "lookup by path returns tensors and subtrees" {
                let p = sample ()
                Expect.equal (values (Params.get "encoder.0.bias" p)) [ 0.5; -0.5 ] "get"
                Expect.equal (values (p.Get "head.weight")) [ 2.0; -1.0 ] "member Get"
                Expect.equal (Params.paths p["encoder.0"]) [ "weight"; "bias" ] "indexer gives the subtree"
                Expect.isNone (Params.tryFind "encoder.1" p) "missing path"
                throwsArgument [ "encoder.1"; "encoder.0.weight" ] (fun () -> Params.find "encoder.1" p)
                throwsArgument [ "group" ] (fun () -> Params.get "encoder" p)
            }

            test "group rejects dotted, empty and repeated names" {
                throwsArgument [ "a.b" ] (fun () -> Params.group [ "a.b", Params.leaf (vec [ 1.0 ]) ])
                throwsArgument [ "twice" ] (fun () -> Params.group [ "a", Params.empty; "a", Params.empty ])

                throwsArgument [ "appears twice" ] (fun () ->
                    Params.ofList [ "a", vec [ 1.0 ]; "a", vec [ 2.0 ] ])
            }

            test "map, map2, map3 and fold keep the structure and order" {
                let p = sample ()
                let doubled = Params.map (fun t -> 2.0 * t) p
                Expect.isTrue (Params.sameStructure p doubled) "map keeps the structure"
                Expect.equal (values (doubled.Get "encoder.0.bias")) [ 1.0; -1.0 ] "map"
                let sum = Params.map2 (+) p doubled
                Expect.equal (values (sum.Get "head.weight")) [ 6.0; -3.0 ] "map2"
                let m3 = Params.map3 (fun a b c -> a + b - c) p p doubled
                Expect.equal (values (Params.flatten m3)) (List.replicate 10 0.0) "map3"

                let order = Params.fold (fun acc (t: Tensor) -> acc @ [ t.NumElements ]) [] p
                Expect.equal order [ 6; 2; 2 ] "fold visits the tensors in order"
                Expect.equal (Params.count p) 10 "count"
                Expect.equal p.Count 10 "Count member"
            }

            test "map2 on different trees names the place" {
                let p = sample ()

                let q =
                    Params.ofList
                        [
                            "encoder.0.weight", vec [ 1.0 ]
                            "encoder.0.gain", vec [ 1.0 ]
                            "head.weight", vec [ 1.0 ]
                        ]

                throwsArgument [ "encoder.0"; "bias"; "gain" ] (fun () -> Params.map2 (+) p q)
            }

            test "arithmetic works tensor by tensor" {
                let p = sample ()
                let q = Params.map (fun t -> t * 0.0 + 1.0) p
                Expect.equal (values (Params.flatten (p + q - p))) (List.replicate 10 1.0) "p + q - p"
                Expect.equal (values ((3.0 * q).Get "head.weight")) [ 3.0; 3.0 ] "a * p"
                Expect.equal (values ((q * 2.0).Get "head.weight")) [ 2.0; 2.0 ] "p * a"

                Expect.equal
                    (values ((Tensor.scalar (4.0, Float64) * q).Get "head.weight"))
                    [ 4.0; 4.0 ]
                    "tensor * p"

                Expect.equal (values ((p / 2.0).Get "encoder.0.bias")) [ 0.25; -0.25 ] "p / a"
                Expect.equal (values ((-p).Get "encoder.0.bias")) [ -0.5; 0.5 ] "-p"
                Expect.equal (values ((p * p).Get "head.weight")) [ 4.0; 1.0 ] "p * q elementwise"
                Expect.floatClose Accuracy.veryHigh ((Params.dot p q).ToDouble()) 22.0 "dot"
                Expect.floatClose Accuracy.veryHigh ((Params.norm q).ToDouble()) (sqrt 10.0) "norm"
            }

            test "flatten and unflatten round-trip" {
                let p = sample ()
                let v = Params.flatten p
                Expect.equal v.Shape [| 10 |] "one vector"

                Expect.equal
                    (values v)
                    [ 1.0; 2.0; 3.0; 4.0; 5.0; 6.0; 0.5; -0.5; 2.0; -1.0 ]
                    "leaf after leaf, row-major"

                let back = Params.unflatten p v
                Expect.isTrue (Params.sameStructure p back) "same structure and shapes"

                Expect.equal
                    (Params.toList back |> List.map (fun (n, t) -> n, values t))
                    (Params.toList p |> List.map (fun (n, t) -> n, values t))
                    "same values"

                let w = vec [ for i in 1..10 -> float i ]

                Expect.equal
                    (values (Params.flatten (Params.unflatten p w)))
                    [ for i in 1..10 -> float i ]
                    "unflatten then flatten"

                throwsArgument [ "[10]" ] (fun () -> Params.unflatten p (vec [ 1.0; 2.0 ]))
            }

            test "filter, merge and set" {
                let p = sample ()
                let weights = Params.filter (fun path _ -> path.EndsWith "weight") p
                Expect.equal (Params.paths weights) [ "encoder.0.weight"; "head.weight" ] "filter"
                let merged = Params.merge p (Params.map (fun t -> t * 0.0) weights)

                Expect.equal
                    (values (Params.flatten merged))
                    [ 0.0; 0.0; 0.0; 0.0; 0.0; 0.0; 0.5; -0.5; 0.0; 0.0 ]
                    "merge"

                let changed = Params.set "encoder.0.bias" (Params.leaf (vec [ 7.0; 8.0 ])) p
                Expect.equal (values (changed.Get "encoder.0.bias")) [ 7.0; 8.0 ] "set"
                Expect.equal (values (p.Get "encoder.0.bias")) [ 0.5; -0.5 ] "the original is unchanged"
            }

            test "ToString lists names, shapes and the count" {
                let text = (sample ()).ToString()
                Expect.stringContains text "3 tensors, 10 elements" "totals"
                Expect.stringContains text "encoder.0.weight  [2; 3]" "name and shape"
                Expect.stringContains text "head.weight" "every name"
                Expect.stringContains text "Float64" "dtype"
            }
        ]
