namespace Functional.Data

open System
open TorchSharp
open Functional
open Functional.Ad
open Functional.Raw

/// Raw plumbing of the augmentations (kept out of the public module: its signatures mention libtorch).
module internal AugmentRaw =
    /// Runs a raw computation on the images as [n; c; h; w], restoring the input's rank.
    let onImages (op: string) (body: torch.Tensor -> torch.Tensor) (x: Tensor) : Tensor =
        if x.IsDifferentiable then
            Errors.fail op "the images carry derivatives" "Augment input data, outside Diff calls."

        if not x.Dtype.IsFloatingPoint then
            Errors.fail op $"the images have dtype {x.Dtype}" "Convert them to Float32 first."

        if x.Rank <> 3 && x.Rank <> 4 then
            Errors.fail
                op
                $"the images have shape {x.Shape}"
                "Pass a batch [n; channels; height; width] or [n; height; width]."

        let raw = Value.raw x.Value

        let result =
            Memory.Scoped(
                (fun () ->
                    let x4 = if x.Rank = 3 then raw.unsqueeze 1L else raw
                    let y = body x4
                    if x.Rank = 3 then y.squeeze 1L else y),
                fun r -> Seq.singleton r
            )

        Tensor(Value.ofRaw result)

/// Seeded image augmentation on whole batches, as libtorch tensor ops: each augmentation takes a key and
/// a batch of images [n; channels; height; width] (or [n; height; width]) and returns a batch of the
/// same shape and dtype, drawing one set of random parameters per image from the key. Labels are not
/// touched (use `Augment.labeled`). Augmented batches are constants: augmentation is not differentiated.
module Augment =
    /// The per-image value `i` of parameter stream `stream` of a key, uniform in [lo, hi).
    let private draw (rng: Rng) (stream: int) (lo: float) (hi: float) (i: int) =
        Sampling.between lo hi (Rng.fold stream rng) i

    /// Resamples every image through its own affine map (rotation by up to `maxDegrees` either way, shift
    /// by up to `maxShift` of the image size, zoom by a factor in [minScale, maxScale]), bilinear, zero fill.
    let affine
        (maxDegrees: float)
        (maxShift: float)
        (minScale: float)
        (maxScale: float)
        (rng: Rng)
        (x: Tensor)
        : Tensor =
        if
            maxDegrees < 0.0
            || maxShift < 0.0
            || not (minScale > 0.0 && minScale <= maxScale)
        then
            Errors.fail
                "Augment.affine"
                $"invalid ranges: maxDegrees {maxDegrees}, maxShift {maxShift}, scale [{minScale}, {maxScale}]"
                "Use maxDegrees >= 0, maxShift >= 0 and 0 < minScale <= maxScale."

        AugmentRaw.onImages
            "Augment.affine"
            (fun x4 ->
                let n, h, w = int x4.shape[0], float x4.shape[2], float x4.shape[3]

                let theta =
                    Array.init n (fun i ->
                        let a = draw rng 0 -maxDegrees maxDegrees i * Math.PI / 180.0
                        let s = draw rng 1 minScale maxScale i
                        let tx = 2.0 * draw rng 2 -maxShift maxShift i
                        let ty = 2.0 * draw rng 3 -maxShift maxShift i
                        let c, sn = cos a / s, sin a / s
                        // input = A (output - t), A = D^-1 R(-a) D / s with D = diag(w, h) (keeps aspect)
                        let a00, a01, a10, a11 = c, sn * h / w, -sn * w / h, c
                        [| a00; a01; -(a00 * tx + a01 * ty); a10; a11; -(a10 * tx + a11 * ty) |])
                    |> Array.concat

                let theta =
                    torch.tensor(theta, dimensions = ReadOnlySpan [| int64 n; 2L; 3L |]).to_type(x4.dtype)

                let grid = torch.nn.functional.affine_grid (theta, x4.shape, false)

                torch.nn.functional.grid_sample (
                    x4,
                    grid,
                    torch.GridSampleMode.Bilinear,
                    torch.GridSamplePaddingMode.Zeros,
                    false
                ))
            x

    /// Rotates every image by a random angle in [-maxDegrees, maxDegrees] about its centre.
    let rotation (maxDegrees: float) (rng: Rng) (x: Tensor) : Tensor = affine maxDegrees 0.0 1.0 1.0 rng x

    /// Shifts every image by up to `maxFraction` of its width and height (zero fill).
    let shift (maxFraction: float) (rng: Rng) (x: Tensor) : Tensor = affine 0.0 maxFraction 1.0 1.0 rng x

    /// Zooms every image about its centre by a factor in [minScale, maxScale] (> 1 enlarges).
    let zoom (minScale: float) (maxScale: float) (rng: Rng) (x: Tensor) : Tensor =
        affine 0.0 0.0 minScale maxScale rng x

    /// Mirrors each image left-right with probability `probability`.
    let horizontalFlip (probability: float) (rng: Rng) (x: Tensor) : Tensor =
        if not (probability >= 0.0 && probability <= 1.0) then
            Errors.fail "Augment.horizontalFlip" $"probability {probability} is not in [0, 1]" "Use e.g. 0.5."

        AugmentRaw.onImages
            "Augment.horizontalFlip"
            (fun x4 ->
                let n = int x4.shape[0]
                let flip = Array.init n (fun i -> draw rng 0 0.0 1.0 i < probability)
                let mask = torch.tensor (flip, dimensions = ReadOnlySpan [| int64 n; 1L; 1L; 1L |])
                torch.where (mask, x4.flip [| 3L |], x4))
            x

    /// Pads every image by `padding` zero pixels on each side and crops it back to its size at a random
    /// offset (a whole-pixel shift of up to `padding` pixels each way, as in CIFAR training).
    let cropWithPadding (padding: int) (rng: Rng) (x: Tensor) : Tensor =
        if padding < 0 then
            Errors.fail "Augment.cropWithPadding" $"padding {padding} is negative" "Use a padding >= 0."

        AugmentRaw.onImages
            "Augment.cropWithPadding"
            (fun x4 ->
                let n, h, w = int x4.shape[0], x4.shape[2], x4.shape[3]
                let p = int64 padding
                let padded = torch.nn.functional.pad (x4, [| p; p; p; p |])

                let offset stream i =
                    int64 (min (2 * padding) (int (draw rng stream 0.0 (float (2 * padding + 1)) i)))

                let crops =
                    Array.init n (fun i -> padded[int64 i].narrow(1, offset 0 i, h).narrow(2, offset 1 i, w))

                torch.stack (crops, 0L))
            x

    /// Adds Gaussian noise of standard deviation `std` to every pixel.
    let noise (std: float) (rng: Rng) (x: Tensor) : Tensor =
        if not (std >= 0.0) then
            Errors.fail "Augment.noise" $"standard deviation {std} is negative" "Use std >= 0."

        AugmentRaw.onImages
            "Augment.noise"
            (fun x4 ->
                let eps =
                    Create.random rng CPU (fun g -> torch.randn (x4.shape, dtype = x4.dtype, generator = g))

                x4 + eps.``to``(x4.device).mul(Scalar.op_Implicit std))
            x

    /// Applies augmentations one after the other, the k-th with key `Rng.fold k rng`.
    let compose (augmentations: (Rng -> Tensor -> Tensor) list) (rng: Rng) (x: Tensor) : Tensor =
        augmentations
        |> List.indexed
        |> List.fold (fun acc (k, aug) -> aug (Rng.fold k rng) acc) x

    /// Lifts an augmentation to (images, labels) batches: the labels pass through unchanged
    /// (for `DataLoader.transform`).
    let labeled
        (augmentation: Rng -> Tensor -> Tensor)
        (rng: Rng)
        (images: Tensor, labels: 'L)
        : Tensor * 'L =
        augmentation rng images, labels
