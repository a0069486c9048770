module Functional.Tests.Ops.LinearAlgebraTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests
open Functional.Tests.Ops.OpGenerators

let private resolve (c: TorchFixture.FixtureCase) : Tensor[] -> Tensor =
    match c.Op with
    | "dot" -> fun a -> Tensor.dot (a[0], a[1])
    | "outer" -> fun a -> Tensor.outer (a[0], a[1])
    | "matmul" -> fun a -> Tensor.matmul (a[0], a[1])
    | "solve" -> fun a -> Tensor.solve (a[0], a[1])
    | "inverse" -> fun a -> Tensor.inverse a[0]
    | "det" -> fun a -> Tensor.det a[0]
    | op -> failwith $"no F# function for fixture op {op}"

let private f64 (data: obj) = Tensor.create (data, Float64)

let private eye (n: int) =
    f64 (Array2D.init n n (fun i j -> if i = j then 1.0 else 0.0))

let private property name (gen: Gen<'a>) (check: 'a -> unit) =
    testPropertyWithConfig config name (Prop.forAll (Arb.fromGen gen) check)

/// A batch shape and a copy in which some dimensions are 1 or dropped (so the two broadcast).
let private batchPair =
    gen {
        let! b = shape 0 2
        let! ones = Gen.arrayOfLength b.Length (Gen.elements [ true; false ])
        let! drop = Gen.choose (0, b.Length)
        let other = Array.map2 (fun n one -> if one then 1 else n) b ones
        return b, other[drop..]
    }

let private generated =
    testList
        "GradCheck to second order on generated shapes"
        [
            property
                "matmul (broadcast batches, 1-D operands)"
                (gen {
                    let! ba, bb = batchPair
                    let! swap = Gen.elements [ true; false ]
                    let ba, bb = if swap then bb, ba else ba, bb
                    let! n = Gen.choose (1, 3)
                    let! k = Gen.choose (1, 3)
                    let! m = Gen.choose (1, 3)
                    let! vecA = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]
                    let! vecB = Gen.frequency [ 3, Gen.constant false; 1, Gen.constant true ]
                    let! a = valuesOf (if vecA then [| k |] else Array.append ba [| n; k |])
                    let! b = valuesOf (if vecB then [| k |] else Array.append bb [| k; m |])
                    return a, b
                })
                (fun (a, b) -> GradCheck.checkArgs (fun x -> Tensor.matmul (x[0], x[1])) [| a; b |])

            property
                "dot and outer"
                (gen {
                    let! n = Gen.choose (1, 4)
                    let! m = Gen.choose (1, 4)
                    let! a = valuesOf [| n |]
                    let! b = valuesOf [| n |]
                    let! c = valuesOf [| m |]
                    return a, b, c
                })
                (fun (a, b, c) ->
                    GradCheck.checkArgs (fun x -> Tensor.dot (x[0], x[1])) [| a; b |]
                    GradCheck.checkArgs (fun x -> Tensor.outer (x[0], x[1])) [| a; c |])

            property
                "solve (matrix and vector right-hand sides, broadcast batches)"
                (gen {
                    let! ba, bb = batchPair
                    let! n = Gen.choose (1, 3)
                    let! k = Gen.choose (1, 2)
                    let! vector = Gen.elements [ true; false ]
                    let! a = wellConditioned ba n
                    let! b = valuesOf (if vector then [| n |] else Array.append bb [| n; k |])
                    return a, b
                })
                (fun (a, b) ->
                    let x = Tensor.solve (a, b)

                    // As torch.linalg.solve: B is a (batch of) vector(s) when it is 1-d or has A's shape without
                    // its last dimension (so a generated [n; k] matrix with k = n beside A [n'; n; n] is n' vectors).
                    let vectors =
                        b.Rank = 1 || (b.Rank = a.Rank - 1 && b.Shape = a.Shape[.. a.Rank - 2])

                    let back =
                        if vectors then
                            Tensor.matmul(a, x.Unsqueeze -1).Squeeze -1
                        else
                            Tensor.matmul (a, x)

                    TestUtil.expectClose 1e-10 back (b.Expand back.Shape) "A X = B"
                    GradCheck.checkArgs (fun x -> Tensor.solve (x[0], x[1])) [| a; b |])

            property
                "inverse and det"
                (gen {
                    let! batch = shape 0 1
                    let! n = Gen.choose (1, 3)
                    return! wellConditioned batch n
                })
                (fun a ->
                    let n = a.Shape[a.Rank - 1]

                    TestUtil.expectClose
                        1e-10
                        (Tensor.matmul (Tensor.inverse a, a))
                        ((eye n).Expand a.Shape)
                        "A⁻¹ A = I"

                    GradCheck.check Tensor.inverse a
                    GradCheck.check Tensor.det a)
        ]

let private values =
    testList
        "values"
        [
            test "matmul follows torch.matmul for 1-D operands" {
                let m = f64 (array2D [ [ 1.0; 2.0 ]; [ 3.0; 4.0 ] ])
                let v = f64 [| 1.0; 10.0 |]
                Expect.sequenceEqual (Tensor.matmul(v, m).ToArray<float>()) [ 31.0; 42.0 ] "vector × matrix"
                Expect.sequenceEqual (Tensor.matmul(m, v).ToArray<float>()) [ 21.0; 43.0 ] "matrix × vector"
                Expect.equal (Tensor.matmul(v, v).ToDouble()) 101.0 "vector × vector"
                Expect.sequenceEqual (Tensor.matmul(v, v).Shape) [] "vector × vector is 0-dimensional"
                let batch = Tensor.stack [ m; m * 2.0 ]
                Expect.sequenceEqual (Tensor.matmul(batch, v).Shape) [ 2; 2 ] "batch × vector"

                Expect.sequenceEqual
                    (Tensor.matmul(v, batch).ToArray<float>())
                    [ 31.0; 42.0; 62.0; 84.0 ]
                    "vector × batch"

                Expect.sequenceEqual
                    (Tensor.matmul(Tensor.zeros [ 3; 1; 2; 4 ], Tensor.zeros [ 5; 4; 6 ]).Shape)
                    [ 3; 5; 2; 6 ]
                    "batch broadcasting"
            }

            test "solve reads B [m; n] beside A [m; n; n] as m vectors, as torch.linalg.solve does" {
                let a =
                    Tensor.create (
                        [ [ [ 2.0; 0.0 ]; [ 0.0; 4.0 ] ]; [ [ 1.0; 1.0 ]; [ 0.0; 1.0 ] ] ],
                        Float64
                    )

                let b = Tensor.create ([ [ 2.0; 8.0 ]; [ 3.0; 1.0 ] ], Float64)
                // Vector 0 solves diag(2, 4) x = (2, 8); vector 1 solves [[1, 1]; [0, 1]] x = (3, 1).
                TestUtil.expectClose
                    1e-12
                    (Tensor.solve (a, b))
                    (Tensor.create ([ [ 1.0; 2.0 ]; [ 2.0; 1.0 ] ], Float64))
                    "X"
            }

            test "dot, outer, solve, inverse, det" {
                let a = f64 [| 1.0; 2.0; 3.0 |]
                Expect.equal (Tensor.dot(a, a).ToDouble()) 14.0 "dot"

                Expect.sequenceEqual
                    (Tensor.outer(a, f64 [| 1.0; -1.0 |]).ToArray<float>())
                    [ 1.0; -1.0; 2.0; -2.0; 3.0; -3.0 ]
                    "outer"

                let m = f64 (array2D [ [ 4.0; 2.0 ]; [ 5.0; 9.0 ] ])

                TestUtil.expectClose
                    1e-12
                    (Tensor.solve (m, f64 [| 8.0; 23.0 |]))
                    (f64 [| 1.0; 2.0 |])
                    "solve"

                TestUtil.expectClose
                    1e-12
                    (Tensor.inverse m)
                    (f64 (array2D [ [ 9.0; -2.0 ]; [ -5.0; 4.0 ] ]) / 26.0)
                    "inverse"

                TestUtil.expectScalar 1e-12 (Tensor.det m) 26.0 "det"

                TestUtil.expectClose
                    1e-12
                    (Tensor.det (Tensor.stack [ m; eye 2 * 3.0 ]))
                    (f64 [| 26.0; 9.0 |])
                    "batched det"

                TestUtil.expectClose
                    1e-12
                    (Diff.grad Tensor.det m)
                    (f64 (array2D [ [ 9.0; -5.0 ]; [ -2.0; 4.0 ] ]))
                    "∇det = det · A⁻ᵀ"
            }
        ]

let private badInput =
    testList
        "bad input names the op and shapes"
        [
            test "shape mismatches" {
                TestUtil.throwsArgument [ "dot"; "[3]"; "[4]" ] (fun () ->
                    Tensor.dot (Tensor.zeros [ 3 ], Tensor.zeros [ 4 ]))

                TestUtil.throwsArgument [ "outer"; "[2; 2]" ] (fun () ->
                    Tensor.outer (Tensor.zeros [ 2; 2 ], Tensor.zeros [ 2 ]))

                TestUtil.throwsArgument [ "matmul"; "[2; 3]"; "[4; 2]" ] (fun () ->
                    Tensor.matmul (Tensor.zeros [ 2; 3 ], Tensor.zeros [ 4; 2 ]))

                TestUtil.throwsArgument [ "matmul"; "[2]"; "[3]" ] (fun () ->
                    Tensor.matmul (Tensor.zeros [ 2; 2; 2 ], Tensor.zeros [ 3; 2; 2 ]))

                TestUtil.throwsArgument [ "matmul"; "[]" ] (fun () ->
                    Tensor.matmul (Tensor.scalar 1.0, Tensor.zeros [ 2 ]))

                TestUtil.throwsArgument [ "solve"; "B has shape [3; 1]"; "[2; 2]" ] (fun () ->
                    Tensor.solve (eye 2, Tensor.zeros ([ 3; 1 ], Float64)))

                TestUtil.throwsArgument [ "det"; "[2; 3]"; "square" ] (fun () ->
                    Tensor.det (Tensor.zeros [ 2; 3 ]))

                TestUtil.throwsArgument [ "inverse"; "[3]"; "square" ] (fun () ->
                    Tensor.inverse (Tensor.zeros [ 3 ]))

                TestUtil.throwsArgument [ "solve"; "A has shape [2; 3]" ] (fun () ->
                    Tensor.solve (Tensor.zeros [ 2; 3 ], Tensor.zeros [ 2 ]))
            }

            test "singular matrices raise instead of returning NaN or Inf" {
                let s = f64 (array2D [ [ 1.0; 2.0 ]; [ 2.0; 4.0 ] ])
                TestUtil.throwsArgument [ "inverse"; "singular"; "[2; 2]" ] (fun () -> Tensor.inverse s)

                TestUtil.throwsArgument [ "solve"; "singular"; "[2; 2]" ] (fun () ->
                    Tensor.solve (s, f64 [| 1.0; 1.0 |]))

                TestUtil.throwsArgument [ "inverse"; "singular"; "[2; 3; 3]" ] (fun () ->
                    Tensor.inverse (Tensor.zeros ([ 2; 3; 3 ], Float64)))

                TestUtil.expectScalar 0.0 (Tensor.det s) 0.0 "det of a singular matrix is 0"
                TestUtil.throwsArgument [ "inverse"; "singular" ] (fun () -> Diff.grad Tensor.det s)
            }
        ]

[<Tests>]
let tests =
    testList "Ops.LinearAlgebra" [ TorchFixture.tests "linalg" resolve; generated; values; badInput ]
