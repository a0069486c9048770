module Functional.Tests.Data.IdxTests

open System
open System.IO
open System.IO.Compression
open Expecto
open Functional.Data

let private tempDir () =
    Directory.CreateTempSubdirectory("functional-idx-test-").FullName

/// A tiny MNIST-layout folder: `n` images of 2x3 pixels (pixel k of image i = 10 i + k) and labels i % 10.
let private writeMnistLike (dir: string) (n: int) (gz: bool) =
    let ext = if gz then ".gz" else ""

    let images =
        {
            Shape = [| n; 2; 3 |]
            Data = Array.init (n * 6) (fun k -> byte ((k / 6) * 10 + k % 6))
        }

    let labels =
        {
            Shape = [| n |]
            Data = Array.init n (fun i -> byte (i % 10))
        }

    for prefix in [ "train"; "t10k" ] do
        Idx.writeBytes (Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}")) images
        Idx.writeBytes (Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}")) labels

[<Tests>]
let tests =
    testList
        "Data.Idx"
        [
            test "writes and reads unsigned bytes, plain and gzip" {
                let dir = tempDir ()

                let a =
                    {
                        Shape = [| 2; 3; 4 |]
                        Data = Array.init 24 byte
                    }

                for name in [ "a-idx3-ubyte"; "a-idx3-ubyte.gz" ] do
                    let p = Path.Combine(dir, name)
                    Idx.writeBytes p a
                    let b = Idx.readBytes p
                    Expect.equal b.Shape a.Shape $"{name} shape"
                    Expect.equal b.Data a.Data $"{name} data"

                let gz = File.ReadAllBytes(Path.Combine(dir, "a-idx3-ubyte.gz"))
                Expect.equal (gz[0], gz[1]) (0x1fuy, 0x8buy) "really gzip"
                let f = Idx.readFloats (Path.Combine(dir, "a-idx3-ubyte.gz"))
                Expect.equal f.Data[23] 23.0f "as floats"
            }

            test "IDX arrays become tensors of the right dtype and shape" {
                let a =
                    {
                        Shape = [| 2; 2; 3 |]
                        Data = Array.init 12 (fun i -> byte (i * 20))
                    }

                let x = Idx.toFloatTensor (1.0f / 255.0f) a
                Expect.equal (x.Shape, x.Dtype) ([| 2; 2; 3 |], Functional.Float32) "images"
                Expect.floatClose Accuracy.high (float (x.ToArray<float32>()).[11]) (220.0 / 255.0) "scaled"

                let y =
                    Idx.toLabelTensor
                        {
                            Shape = [| 3 |]
                            Data = [| 7uy; 0uy; 9uy |]
                        }

                Expect.equal (y.Dtype, y.ToArray<int>()) (Functional.Int64, [| 7; 0; 9 |]) "labels"
            }

            test "reads big-endian int16 and float32 elements as floats" {
                let dir = tempDir ()
                let p16 = Path.Combine(dir, "s16")

                File.WriteAllBytes(
                    p16,
                    [| 0uy; 0uy; 0x0Buy; 1uy; 0uy; 0uy; 0uy; 2uy; 0xFFuy; 0xFEuy; 0x01uy; 0x00uy |]
                )

                Expect.equal (Idx.readFloats p16).Data [| -2.0f; 256.0f |] "int16"
                let pf = Path.Combine(dir, "f32")

                File.WriteAllBytes(
                    pf,
                    [| 0uy; 0uy; 0x0Duy; 1uy; 0uy; 0uy; 0uy; 1uy; 0x3Fuy; 0xC0uy; 0uy; 0uy |]
                )

                Expect.equal (Idx.readFloats pf).Data [| 1.5f |] "float32"

                let e =
                    Catch.throws<InvalidDataException> (fun () -> Idx.readBytes pf |> ignore) "not bytes"

                Expect.stringContains e.Message "float32" "names the element type"
            }

            test "a wrong magic number raises InvalidDataException" {
                let p = Path.Combine(tempDir (), "bad")
                File.WriteAllBytes(p, [| 1uy; 2uy; 8uy; 1uy; 0uy; 0uy; 0uy; 1uy; 7uy |])

                let e =
                    Catch.throws<InvalidDataException> (fun () -> Idx.readBytes p |> ignore) "throws"

                Expect.stringContains e.Message "magic number 01020801" "shows the magic number"
            }

            test "a truncated file raises InvalidDataException saying how much is missing" {
                let dir = tempDir ()
                let p = Path.Combine(dir, "t")

                Idx.writeBytes
                    p
                    {
                        Shape = [| 10; 10 |]
                        Data = Array.zeroCreate 100
                    }

                let bytes = File.ReadAllBytes p
                File.WriteAllBytes(p, bytes[.. bytes.Length - 31])

                let e =
                    Catch.throws<InvalidDataException> (fun () -> Idx.readBytes p |> ignore) "throws"

                Expect.stringContains e.Message "truncated" "says truncated"
                Expect.stringContains e.Message "only 70 remain" "counts the bytes"
                File.WriteAllBytes(p, bytes[..5])
                Expect.throwsT<InvalidDataException> (fun () -> Idx.readBytes p |> ignore) "truncated header"
                File.WriteAllBytes(p, Array.append bytes [| 1uy |])

                let e =
                    Catch.throws<InvalidDataException> (fun () -> Idx.readBytes p |> ignore) "extra bytes"

                Expect.stringContains e.Message "extra bytes" "says extra bytes"
            }

            test "a truncated gzip file raises InvalidDataException" {
                let dir = tempDir ()
                let p = Path.Combine(dir, "t.gz")

                Idx.writeBytes
                    p
                    {
                        Shape = [| 100; 100 |]
                        Data = Array.init 10000 (fun i -> byte (i * 31 % 251))
                    }

                let bytes = File.ReadAllBytes p
                File.WriteAllBytes(p, bytes[.. bytes.Length / 2])
                Expect.throwsT<InvalidDataException> (fun () -> Idx.readBytes p |> ignore) "throws"
            }

            test "Mnist.loadFrom reads an MNIST-layout folder (plain or gzip) into [0, 1] pixels" {
                for gz in [ false; true ] do
                    let dir = tempDir ()
                    writeMnistLike dir 12 gz
                    let m = Mnist.loadFrom dir
                    Expect.equal (m.Train.Length, m.Test.Length) (12, 12) "counts"
                    let x, y = m.Train[3]
                    Expect.equal y 3 "label"
                    Expect.equal x.Length 6 "pixels per image"
                    Expect.floatClose Accuracy.high (float x[2]) (32.0 / 255.0) "pixel scaled"
            }

            test "Mnist.loadFrom on a folder without the files names the fetch command" {
                let e =
                    Catch.throws<FileNotFoundException>
                        (fun () -> Mnist.loadFrom (tempDir ()) |> ignore)
                        "throws"

                Expect.stringContains e.Message "train-images-idx3-ubyte" "names the file"
                Expect.stringContains e.Message (DataCache.fetchCommand "mnist") "names the command"
            }

            test "mismatched image and label counts raise InvalidDataException" {
                let dir = tempDir ()
                writeMnistLike dir 5 false

                Idx.writeBytes
                    (Path.Combine(dir, "t10k-labels-idx1-ubyte"))
                    {
                        Shape = [| 4 |]
                        Data = Array.zeroCreate 4
                    }

                Expect.throwsT<InvalidDataException> (fun () -> Mnist.loadFrom dir |> ignore) "throws"
            }
        ]
