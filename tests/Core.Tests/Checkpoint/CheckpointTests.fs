module Functional.Tests.Checkpoint.CheckpointTests

open System
open System.IO
open System.Text.Json
open Expecto
open Functional
open Functional.Tests

/// A fresh folder under the system temp folder for one test.
let tempFolder () =
    let d =
        Path.Combine(Path.GetTempPath(), "functional-tests", Guid.NewGuid().ToString("N"))

    Directory.CreateDirectory d |> ignore
    d

let private fixture name =
    Path.Combine(AppContext.BaseDirectory, "Fixtures", name)

let private rng = Rng.seed 21

let private sample (dtype: Dtype) (shape: int list) (key: int) =
    let r = Rng.fold key rng

    match dtype with
    | Float32
    | Float64 -> Tensor.randn (r, shape, dtype)
    | Int32
    | Int64 -> Tensor.randint (r, -1000, 1000, shape, dtype)
    | Bool -> Tensor.bernoulli (r, 0.5, shape, Bool)

let private expectSame (what: string) (expected: Tensor) (got: Tensor) =
    Expect.equal got.Dtype expected.Dtype $"{what}: dtype"
    Expect.sequenceEqual got.Shape expected.Shape $"{what}: shape"

    match expected.Dtype with
    | Float64
    | Float32 ->
        let bits (t: Tensor) =
            t.ToArray<float>() |> Array.map BitConverter.DoubleToInt64Bits

        Expect.sequenceEqual (bits got) (bits expected) $"{what}: bits"
    | _ -> Expect.sequenceEqual (got.ToArray<int64>()) (expected.ToArray<int64>()) $"{what}: values"

let private dtypes = [ Float32; Float64; Int32; Int64; Bool ]

let private shapes =
    [
        []
        [ 0 ]
        [ 5 ]
        [ 2; 3 ]
        [ 0; 4 ]
        [ 3; 0; 2 ]
        [ 1; 1; 1; 1 ]
        [ 2; 3; 4; 5 ]
    ]

[<Tests>]
let tests =
    testList
        "Checkpoint"
        [
            test "round trip of every dtype and shape, including 0-d and zero-size" {
                let folder = tempFolder ()
                let path = Path.Combine(folder, "all.safetensors")

                let tensors =
                    [
                        for d in dtypes do
                            for i, s in List.indexed shapes -> $"{d}/{i}", sample d s i
                    ]

                Checkpoint.save path tensors (Map [ "epoch", "3"; "note", "héllo ✓" ])
                let loaded = Checkpoint.load path
                Expect.equal loaded.Tensors.Count tensors.Length "count"

                for name, t in tensors do
                    expectSame name t loaded.Tensors[name]

                Expect.equal loaded.Metadata (Map [ "epoch", "3"; "note", "héllo ✓" ]) "metadata"
            }

            test "special values survive bit for bit: NaN, ±Inf, -0, subnormals, extreme integers" {
                let path = Path.Combine(tempFolder (), "special.safetensors")

                let f64 =
                    Tensor.create (
                        [|
                            nan
                            infinity
                            -infinity
                            -0.0
                            4.9e-324
                            Double.MaxValue
                            Double.Epsilon
                            1.0 / 3.0
                        |],
                        Float64
                    )

                let f32 =
                    Tensor.create ([| nanf; infinityf; -0.0f; 1e-45f; Single.MaxValue |], Float32)

                let i64 = Tensor.create ([ Int64.MaxValue; Int64.MinValue; 0L; -1L ], Int64)
                let i32 = Tensor.create ([ Int32.MaxValue; Int32.MinValue; 7 ], Int32)
                Checkpoint.save path [ "f64", f64; "f32", f32; "i64", i64; "i32", i32 ] Map.empty
                let loaded = Checkpoint.load path
                expectSame "f64" f64 loaded.Tensors["f64"]
                expectSame "f32" f32 loaded.Tensors["f32"]

                Expect.sequenceEqual
                    (loaded.Tensors["i64"].ToArray<int64>())
                    [| Int64.MaxValue; Int64.MinValue; 0L; -1L |]
                    "i64"

                Expect.sequenceEqual
                    (loaded.Tensors["i32"].ToArray<int>())
                    [| Int32.MaxValue; Int32.MinValue; 7 |]
                    "i32"

                Expect.isTrue loaded.Metadata.IsEmpty "no metadata"
            }

            test "a tensor larger than one copy chunk (2.4 MB) round-trips" {
                let path = Path.Combine(tempFolder (), "big.safetensors")
                let big = Tensor.randn (rng, [ 300; 1000 ], Float64)
                Checkpoint.save path [ "big", big; "small", Tensor.ones [ 3 ] ] Map.empty
                expectSame "big" big (Checkpoint.load path).Tensors["big"]
            }

            test "names may hold any text (dots, slashes, unicode, quotes)" {
                let path = Path.Combine(tempFolder (), "names.safetensors")
                let names = [ "layer.0/weight"; "wéight-π"; "with \"quotes\" and \\"; ""; "日本" ]

                Checkpoint.save
                    path
                    (names |> List.mapi (fun i n -> n, Tensor.full ([ 1 ], float i)))
                    Map.empty

                let loaded = Checkpoint.load path

                for i, n in List.indexed names do
                    Expect.equal (loaded.Tensors[n].ToArray<float>()) [| float i |] n
            }

            test "derivative-carrying tensors are saved by value" {
                let path = Path.Combine(tempFolder (), "diff.safetensors")

                let g =
                    Diff.grad
                        (fun x ->
                            Checkpoint.save path [ "x", x ] Map.empty
                            Tensor.sum (x * x))
                        (Tensor.create ([| 1.0; 2.0 |], Float64))

                Expect.sequenceEqual (g.ToArray<float>()) [| 2.0; 4.0 |] "gradient"

                Expect.sequenceEqual
                    ((Checkpoint.load path).Tensors["x"].ToArray<float>())
                    [| 1.0; 2.0 |]
                    "saved primal"
            }

            test "a file laid out by the safetensors specification (PyTorch values) loads with its values" {
                let loaded = Checkpoint.load (fixture "reference.safetensors")
                use doc = JsonDocument.Parse(File.ReadAllText(fixture "safetensors_reference.json"))
                let expected = doc.RootElement.GetProperty "tensors"
                Expect.equal loaded.Metadata (Map [ "epoch", "7"; "format", "pt" ]) "metadata"
                Expect.equal loaded.Tensors.Count (expected.EnumerateObject() |> Seq.length) "count"

                for p in expected.EnumerateObject() do
                    let t = loaded.Tensors[p.Name]
                    Expect.equal (string t.Dtype) (p.Value.GetProperty("dtype").GetString()) $"{p.Name} dtype"

                    Expect.sequenceEqual
                        t.Shape
                        [| for d in p.Value.GetProperty("shape").EnumerateArray() -> d.GetInt32() |]
                        $"{p.Name} shape"

                    let values =
                        [| for v in p.Value.GetProperty("data").EnumerateArray() -> v.GetDouble() |]

                    Expect.sequenceEqual (t.ToArray<float>()) values $"{p.Name} values"
            }

            test "saving those tensors reproduces the reference file byte for byte" {
                let reference = Checkpoint.load (fixture "reference.safetensors")
                let path = Path.Combine(tempFolder (), "again.safetensors")
                Checkpoint.save path (Map.toList reference.Tensors) reference.Metadata
                let expected = File.ReadAllBytes(fixture "reference.safetensors")
                Expect.sequenceEqual (File.ReadAllBytes path) expected "bytes"
            }

            test "the header length is little-endian and the data starts at a multiple of 8" {
                let path = Path.Combine(tempFolder (), "layout.safetensors")

                Checkpoint.save
                    path
                    [ "a", Tensor.ones ([ 3 ], Bool); "b", Tensor.ones ([ 2 ], Float64) ]
                    Map.empty

                let bytes = File.ReadAllBytes path
                let n = BitConverter.ToUInt64(bytes, 0)
                Expect.equal ((8UL + n) % 8UL) 0UL "aligned"
                Expect.equal (uint64 bytes.Length) (8UL + n + 16UL + 3UL) "length"
                Expect.equal bytes[8] (byte '{') "JSON object"
            }

            test "saving replaces an existing file and leaves no temporary files" {
                let folder = tempFolder ()
                let path = Path.Combine(folder, "ckpt.safetensors")
                Checkpoint.save path [ "v", Tensor.scalar 1.0 ] Map.empty
                Checkpoint.save path [ "v", Tensor.scalar 2.0 ] Map.empty
                Expect.equal ((Checkpoint.load path).Tensors["v"].ToDouble()) 2.0 "new value"

                Expect.sequenceEqual
                    (Directory.GetFiles folder |> Array.map Path.GetFileName)
                    [| "ckpt.safetensors" |]
                    "files"
            }

            test "bad arguments to save are explained" {
                let path = Path.Combine(tempFolder (), "bad.safetensors")

                TestUtil.throwsArgument [ "'w'"; "2 tensors" ] (fun () ->
                    Checkpoint.save path [ "w", Tensor.ones [ 1 ]; "w", Tensor.ones [ 1 ] ] Map.empty)

                TestUtil.throwsArgument [ "__metadata__" ] (fun () ->
                    Checkpoint.save path [ "__metadata__", Tensor.ones [ 1 ] ] Map.empty)

                Expect.isFalse (File.Exists path) "nothing written"
            }
        ]

[<Tests>]
let paramsTests =
    testList
        "Checkpoint"
        [
            test "Params round trip keeps the tree's order, and mismatches name the tensor" {
                let path = Path.Combine(tempFolder (), "params.safetensors")

                let p =
                    Params.ofList
                        [
                            "head.weight", sample Float32 [ 2; 3 ] 1
                            "encoder.0.weight", sample Float32 [ 3; 4 ] 2
                            "encoder.0.bias", sample Float64 [ 3 ] 3
                            "step", sample Int64 [] 4
                        ]

                Checkpoint.saveParams path p (Map [ "epoch", "4" ])
                let q = Checkpoint.loadParams path (Params.zerosLike p)
                Expect.equal (Params.paths q) (Params.paths p) "paths in the model's order"

                for (name, a), (_, b) in List.zip (Params.toList p) (Params.toList q) do
                    expectSame name a b

                Expect.equal (Checkpoint.load path).Metadata (Map [ "epoch", "4" ]) "metadata"

                let other = Params.ofList [ "head.weight", Tensor.zeros [ 3; 3 ] ]

                TestUtil.throwsOf
                    (fun e -> e :? CheckpointException)
                    "CheckpointException"
                    [ "params.safetensors"; "head.weight"; "[2; 3]"; "[3; 3]" ]
                    (fun () -> Checkpoint.loadParams path other)

                TestUtil.throwsArgument [ "no tensor 'model.head.weight'" ] (fun () ->
                    Checkpoint.toParams "model." p (Checkpoint.load path))
            }
        ]
