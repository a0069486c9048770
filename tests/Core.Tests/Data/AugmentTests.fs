module Functional.Tests.Data.AugmentTests

open System
open System.IO
open Expecto
open Functional
open Functional.Data

/// The first 16 embedded digits as a batch [16; 1; 8; 8] with their labels.
let private digits () =
    let samples = Digits.load () |> Dataset.take 16 |> Dataset.toArray
    Batch.classification Digits.imageShape samples

let private values (t: Tensor) = t.ToArray<float32>()
let private total (t: Tensor) = values t |> Array.sumBy float

let private augmentations: (string * (Rng -> Tensor -> Tensor)) list =
    [
        "rotation", Augment.rotation 15.0
        "shift", Augment.shift 0.1
        "zoom", Augment.zoom 0.9 1.1
        "affine", Augment.affine 10.0 0.1 0.9 1.1
        "horizontalFlip", Augment.horizontalFlip 0.5
        "cropWithPadding", Augment.cropWithPadding 2
        "noise", Augment.noise 0.1
    ]

[<Tests>]
let tests =
    testList
        "Data.Augment"
        [
            test "every augmentation keeps shape, dtype and labels, and is deterministic per key" {
                let x, y = digits ()

                for name, aug in augmentations do
                    let ax, ay = Augment.labeled aug (Rng.seed 3) (x, y)
                    Expect.equal ax.Shape x.Shape $"{name}: shape"
                    Expect.equal ax.Dtype Float32 $"{name}: dtype"
                    Expect.equal (ay.ToArray<int>()) (y.ToArray<int>()) $"{name}: labels"
                    Expect.equal (values (aug (Rng.seed 3) x)) (values ax) $"{name}: same key, same result"

                    Expect.notEqual
                        (values (aug (Rng.seed 4) x))
                        (values ax)
                        $"{name}: another key, another result"
            }

            test "[n; h; w] batches work too" {
                let x, _ = digits ()
                let x3 = Tensor.reshape (x, [ 16; 8; 8 ])
                Expect.equal (Augment.rotation 10.0 (Rng.seed 1) x3).Shape [| 16; 8; 8 |] "rank 3"
            }

            test "neutral settings give the input back" {
                let x, _ = digits ()

                let close name (a: Tensor) =
                    Expect.isTrue (Array.forall2 (fun u v -> abs (u - v) < 1e-5f) (values a) (values x)) name

                close "rotation 0" (Augment.rotation 0.0 (Rng.seed 1) x)
                close "shift 0" (Augment.shift 0.0 (Rng.seed 1) x)
                close "zoom 1" (Augment.zoom 1.0 1.0 (Rng.seed 1) x)
                close "crop with padding 0" (Augment.cropWithPadding 0 (Rng.seed 1) x)
                close "flip with probability 0" (Augment.horizontalFlip 0.0 (Rng.seed 1) x)
                close "noise 0" (Augment.noise 0.0 (Rng.seed 1) x)
            }

            test "a certain flip mirrors every row, twice gives the input" {
                let x, _ = digits ()
                let f = Augment.horizontalFlip 1.0 (Rng.seed 1) x
                let a, b = values x, values f
                Expect.equal b[0..7] (Array.rev a[0..7]) "first row mirrored"
                Expect.equal (values (Augment.horizontalFlip 1.0 (Rng.seed 2) f)) a "involution"
            }

            test "crops move whole pixels: each image keeps or loses mass, never gains" {
                let x, _ = digits ()
                let c = Augment.cropWithPadding 2 (Rng.seed 5) x

                for i in 0..15 do
                    let before = values x |> Array.skip (64 * i) |> Array.take 64
                    let after = values c |> Array.skip (64 * i) |> Array.take 64
                    Expect.isLessThanOrEqual (Array.sum after) (Array.sum before + 1e-4f) $"image {i}"

                    Expect.isTrue
                        (after |> Array.forall (fun v -> v = 0.0f || Array.contains v before))
                        $"image {i}: same pixel values"
            }

            test "small rotations roughly preserve ink, noise has the requested spread" {
                let x, _ = digits ()
                let r = Augment.rotation 10.0 (Rng.seed 6) x
                Expect.floatClose { absolute = 0.0; relative = 0.1 } (total r) (total x) "ink"
                let z = Tensor.zeros [ 64; 1; 16; 16 ]
                let n = values (Augment.noise 0.5 (Rng.seed 7) z)
                let mean = Array.averageBy float n
                let std = sqrt (n |> Array.averageBy (fun v -> (float v - mean) ** 2.0))
                Expect.floatClose { absolute = 0.02; relative = 0.0 } mean 0.0 "noise mean"
                Expect.floatClose { absolute = 0.0; relative = 0.03 } std 0.5 "noise std"
            }

            test "compose applies augmentations in order with their own keys" {
                let x, _ = digits ()

                let both =
                    Augment.compose [ Augment.horizontalFlip 1.0; Augment.horizontalFlip 1.0 ] (Rng.seed 1) x

                Expect.equal (values both) (values x) "two flips"
            }

            test "picture check: a PNG grid of augmented digits has the right size and brightness" {
                let x, _ = digits ()

                let aug =
                    Augment.compose [ Augment.affine 15.0 0.1 0.9 1.1; Augment.noise 0.05 ] (Rng.seed 11) x

                let path =
                    Path.Combine(
                        Directory.CreateTempSubdirectory("functional-grid-").FullName,
                        "augmented.png"
                    )

                ImageGrid.save path 8 aug
                let png = Png.read path
                Expect.equal (png.Width, png.Height, png.Channels) (8 * 9 + 1, 2 * 9 + 1, 1) "grid size"

                let expected =
                    values aug
                    |> Array.sumBy (fun v -> MathF.Round(255.0f * max 0.0f (min 1.0f v)) |> float)

                Expect.floatClose Accuracy.high (png.Pixels |> Array.sumBy float) expected "total brightness"
                Expect.equal png.Pixels[0] 0uy "black border"
                let inked = png.Pixels |> Array.filter (fun p -> p > 128uy) |> Array.length
                Expect.isGreaterThan inked 200 "digits are visible"
            }

            test "differentiable or integer input and bad ranges raise ArgumentException" {
                let x, _ = digits ()

                Expect.throwsT<ArgumentException>
                    (fun () ->
                        Augment.rotation 10.0 (Rng.seed 1) (Tensor.zeros ([ 2; 3; 4; 5 ], Int64))
                        |> ignore)
                    "integer"

                Expect.throwsT<ArgumentException>
                    (fun () -> Augment.rotation 10.0 (Rng.seed 1) (Tensor.zeros [ 4; 4 ]) |> ignore)
                    "rank 2"

                Expect.throwsT<ArgumentException>
                    (fun () -> Augment.zoom 1.2 1.1 (Rng.seed 1) x |> ignore)
                    "zoom range"

                Expect.throwsT<ArgumentException>
                    (fun () -> Augment.horizontalFlip 1.5 (Rng.seed 1) x |> ignore)
                    "probability"

                Expect.throwsT<ArgumentException>
                    (fun () -> Diff.grad (fun t -> Tensor.sum (Augment.noise 0.1 (Rng.seed 1) t)) x |> ignore)
                    "inside grad"
            }
        ]
