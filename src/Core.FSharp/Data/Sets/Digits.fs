namespace Functional.Data

/// scikit-learn's 8x8 handwritten digits (UCI optdigits test set, 1,797 images of 10 classes), shipped
/// inside Functional.Core: no fetch needed. Pixels are the original counts 0..16 divided by 16.
module Digits =
    /// Shape of one image: [1; 8; 8] (channels, height, width).
    let imageShape = [| 1; 8; 8 |]

    /// Number of classes (the digits 0-9).
    let classCount = 10

    let private data =
        lazy
            (use r = Embedded.reader "digits.csv.gz"

             let t =
                 Csv.readFrom
                     { CsvOptions.Default with
                         HasHeader = false
                     }
                     "digits.csv.gz"
                     r

             let pixels = t.Columns[0..63] |> Array.map (fun c -> c.Numbers)
             let labels = t.Columns[64].Numbers |> Array.map int
             Array.init t.RowCount (fun i -> Array.init 64 (fun j -> float32 (pixels[j][i] / 16.0))), labels)

    /// The 1,797 samples in file order: (64 pixel values in [0, 1], row-major 8x8; digit 0-9).
    let load () : Dataset<float32[] * int> =
        let images, labels = data.Force()
        Dataset.init images.Length (fun i -> images[i], labels[i])
