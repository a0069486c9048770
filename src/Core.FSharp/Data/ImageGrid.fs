namespace Functional.Data

open Functional

/// Tiles a batch of images into one picture (to look at samples or augmentations).
module ImageGrid =
    /// Tiles images [n; c; h; w] or [n; h; w] (c = 1 or 3, values in [0, 1], clamped) into rows of
    /// `columns` images separated by a 1-pixel black border.
    let render (columns: int) (images: Tensor) : PngImage =
        let shape = images.Shape

        let n, c, h, w =
            match shape with
            | [| n; h; w |] -> n, 1, h, w
            | [| n; c; h; w |] when c = 1 || c = 3 -> n, c, h, w
            | _ ->
                Errors.fail
                    "ImageGrid.render"
                    $"the images have shape {shape}"
                    "Pass [n; height; width] or [n; channels; height; width] with 1 or 3 channels."

        if columns <= 0 || n = 0 then
            Errors.fail
                "ImageGrid.render"
                $"{n} images in {columns} columns"
                "Pass at least one image and one column."

        let cols = min columns n
        let rows = (n + cols - 1) / cols
        let width = cols * (w + 1) + 1
        let height = rows * (h + 1) + 1
        let values = images.ToArray<float32>()
        let pixels = Array.zeroCreate<byte>(width * height * c)

        for k in 0 .. n - 1 do
            let top, left = (k / cols) * (h + 1) + 1, (k % cols) * (w + 1) + 1

            for y in 0 .. h - 1 do
                for x in 0 .. w - 1 do
                    for ch in 0 .. c - 1 do
                        let v = values[((k * c + ch) * h + y) * w + x]

                        let v =
                            if System.Single.IsNaN v then
                                0.0f
                            else
                                max 0.0f (min 1.0f v)

                        pixels[((top + y) * width + left + x) * c + ch] <-
                            byte (System.MathF.Round(v * 255.0f))

        {
            Width = width
            Height = height
            Channels = c
            Pixels = pixels
        }

    /// Writes `render columns images` to a PNG file.
    let save (path: string) (columns: int) (images: Tensor) : unit = Png.write path (render columns images)
