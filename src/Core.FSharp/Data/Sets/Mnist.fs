namespace Functional.Data

open System.IO
open Functional

/// Loads a train/test pair of IDX image and label files (MNIST layout, plain or gzip).
module internal IdxImages =
    /// The path of `name` or `name.gz` in `dir`; raises FileNotFoundException naming the dataset otherwise.
    let find (dataset: string) (dir: string) (name: string) =
        [ name; name + ".gz" ]
        |> List.map (fun n -> Path.Combine(dir, n))
        |> List.tryFind File.Exists
        |> Option.defaultWith (fun () ->
            raise (
                FileNotFoundException(
                    $"{dataset}: '{name}' (or '{name}.gz') is not in {dir}. Fetch the dataset with: {DataCache.fetchCommand dataset}",
                    Path.Combine(dir, name)
                )
            ))

    /// One split: images scaled to [0, 1] and labels, checked against each other.
    let split (dataset: string) (dir: string) (prefix: string) : Dataset<float32[] * int> =
        let images = Idx.readBytes (find dataset dir $"{prefix}-images-idx3-ubyte")
        let labels = Idx.readBytes (find dataset dir $"{prefix}-labels-idx1-ubyte")

        match images.Shape, labels.Shape with
        | [| n; h; w |], [| m |] when n = m ->
            let size = h * w

            match labels.Data |> Array.tryFind (fun l -> l > 9uy) with
            | Some l ->
                DataFiles.corrupt
                    dataset
                    $"the {prefix} labels contain {l}, not a digit class 0-9"
                    "Fetch the dataset again."
            | None -> ()

            Dataset.init n (fun i ->
                let pixels =
                    Array.init size (fun j -> float32 images.Data[i * size + j] * (1.0f / 255.0f))

                pixels, int labels.Data[i])
        | s, t ->
            DataFiles.corrupt
                dataset
                $"the {prefix} images have shape {s} but the labels have shape {t}"
                "Images must be [n; height; width] and labels [n]; fetch the dataset again."

    let load (dataset: string) (dir: string) : TrainTest<float32[] * int> =
        {
            Train = split dataset dir "train"
            Test = split dataset dir "t10k"
        }

/// MNIST handwritten digits (60,000 training and 10,000 test 28x28 images), fetched once with
/// `data fetch mnist`. Pixels are scaled to [0, 1].
module Mnist =
    /// Shape of one image: [1; 28; 28].
    let imageShape = [| 1; 28; 28 |]

    /// Number of classes (the digits 0-9).
    let classCount = 10

    /// Loads the four IDX files (plain or .gz) from a folder.
    let loadFrom (dir: string) : TrainTest<float32[] * int> = IdxImages.load "mnist" dir

    /// Loads MNIST from the cache; raises `DatasetNotFoundException` with the fetch command when absent.
    let load () : TrainTest<float32[] * int> = loadFrom (DataCache.locate "mnist")

/// Zalando's Fashion-MNIST (60,000 training and 10,000 test 28x28 clothing images, 10 classes), fetched
/// once with `data fetch fashion-mnist`. Pixels are scaled to [0, 1]. Published test accuracies (the
/// package README): MLP 256-128-100 0.883, 2 conv layers under 100k parameters 0.925, ResNet18 0.949.
module FashionMnist =
    /// Shape of one image: [1; 28; 28].
    let imageShape = [| 1; 28; 28 |]

    /// The ten classes, by label.
    let classNames =
        [|
            "T-shirt/top"
            "Trouser"
            "Pullover"
            "Dress"
            "Coat"
            "Sandal"
            "Shirt"
            "Sneaker"
            "Bag"
            "Ankle boot"
        |]

    /// Loads the four IDX files (plain or .gz) from a folder.
    let loadFrom (dir: string) : TrainTest<float32[] * int> = IdxImages.load "fashion-mnist" dir

    /// Loads Fashion-MNIST from the cache; raises `DatasetNotFoundException` with the fetch command when absent.
    let load () : TrainTest<float32[] * int> =
        loadFrom (DataCache.locate "fashion-mnist")
