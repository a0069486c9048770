module Functional.Tests.Checkpoint.CheckpointRejectionTests

open System
open System.IO
open System.Text
open System.Threading
open Expecto
open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests

/// A safetensors file from a header given as raw bytes and a data section.
let private fileOfBytes (header: byte[]) (data: byte[]) =
    Array.concat [ BitConverter.GetBytes(uint64 header.Length); header; data ]

/// A safetensors file from a header given as text (UTF-8) and a data section.
let private fileOf (header: string) (data: byte[]) =
    fileOfBytes (Encoding.UTF8.GetBytes header) data

let private entry (name: string) (dtype: string) (shape: string) (b: int64) (e: int64) =
    $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{b},{e}]}}"

/// Writes the bytes to a fresh file and expects load to raise a CheckpointException naming the file
/// and containing every fragment.
let private rejects (fragments: string list) (bytes: byte[]) =
    let path = Path.Combine(CheckpointTests.tempFolder (), "bad.safetensors")
    File.WriteAllBytes(path, bytes)

    TestUtil.throwsOf
        (fun e -> e :? CheckpointException)
        "CheckpointException"
        ("bad.safetensors" :: fragments)
        (fun () -> Checkpoint.load path)

let private twoFloats = Array.zeroCreate<byte> 8

let private rejection =
    testList
        "rejects"
        [
            test "a file shorter than the length field" {
                rejects [ "truncated"; "3 bytes" ] [| 1uy; 2uy; 3uy |]
            }

            test "a header length above the 100 MB limit" {
                rejects
                    [ "200000000"; "limit" ]
                    (Array.append (BitConverter.GetBytes 200_000_000UL) (Array.zeroCreate 64))
            }

            test "a header length past the end of the file" {
                rejects
                    [ "1000"; "past the end of the file" ]
                    (Array.append (BitConverter.GetBytes 1000UL) (Array.zeroCreate 64))

                rejects
                    [ "18446744073709551615"; "exceeds the limit" ]
                    (Array.append (BitConverter.GetBytes UInt64.MaxValue) (Array.zeroCreate 8))
            }

            test "an empty or non-object header" {
                rejects [ "too small" ] (fileOf "" [||])
                rejects [ "does not start with '{'" ] (fileOf "[1,2]   " [||])
                rejects [ "not valid JSON" ] (fileOf "{\"a\":" [||])
            }

            test "a header that is not UTF-8" {
                let header = Encoding.UTF8.GetBytes(entry "ab" "F32" "[2]" 0L 8L |> sprintf "{%s}")
                header[2] <- 0xFFuy // inside the name
                rejects [ "not valid UTF-8" ] (fileOfBytes header twoFloats)
            }

            test "duplicate keys: tensor names, metadata keys, entry fields" {
                rejects
                    [ "'a' more than once" ]
                    (fileOf $"""{{{entry "a" "F32" "[1]" 0L 4L},{entry "a" "F32" "[1]" 4L 8L}}}""" twoFloats)

                rejects
                    [ "__metadata__ has the key 'k' more than once" ]
                    (fileOf
                        $"""{{"__metadata__":{{"k":"1","k":"2"}},{entry "a" "F32" "[2]" 0L 8L}}}"""
                        twoFloats)

                rejects
                    [ "'dtype' more than once" ]
                    (fileOf
                        """{"a":{"dtype":"F32","dtype":"F64","shape":[2],"data_offsets":[0,8]}}"""
                        twoFloats)
            }

            test "unknown and unsupported dtypes" {
                rejects [ "unknown dtype 'Q7'" ] (fileOf $"""{{{entry "a" "Q7" "[2]" 0L 8L}}}""" twoFloats)

                rejects
                    [ "F16"; "does not support" ]
                    (fileOf $"""{{{entry "a" "F16" "[4]" 0L 8L}}}""" twoFloats)
            }

            test "a shape that does not match the byte range" {
                rejects
                    [ "needs 12 bytes"; "span 8" ]
                    (fileOf $"""{{{entry "a" "F32" "[3]" 0L 8L}}}""" twoFloats)

                rejects
                    [ "too many elements" ]
                    (fileOf $"""{{{entry "a" "F64" "[2147483647,2147483647,2147483647]" 0L 8L}}}""" twoFloats)

                rejects
                    [ "not a non-negative integer" ]
                    (fileOf $"""{{{entry "a" "F32" "[-2]" 0L 8L}}}""" twoFloats)

                rejects
                    [ "not a non-negative integer" ]
                    (fileOf $"""{{{entry "a" "F32" "[2.5]" 0L 8L}}}""" twoFloats)
            }

            test "offsets that overlap, leave a gap, are reversed or run past the end" {
                let data = Array.zeroCreate<byte> 16

                rejects
                    [ "overlaps" ]
                    (fileOf $"""{{{entry "a" "F32" "[2]" 0L 8L},{entry "b" "F32" "[2]" 4L 12L}}}""" data)

                rejects [ "gap" ] (fileOf $"""{{{entry "a" "F32" "[2]" 4L 12L}}}""" data)

                rejects
                    [ "ends (offset 0) before it begins (offset 8)" ]
                    (fileOf $"""{{{entry "a" "F32" "[2]" 8L 0L}}}""" data)

                rejects
                    [ "runs past the end of the file" ]
                    (fileOf $"""{{{entry "a" "F32" "[6]" 0L 24L}}}""" data)

                rejects [ "trailing bytes" ] (fileOf $"""{{{entry "a" "F32" "[2]" 0L 8L}}}""" data)
            }

            test "a truncated data section" {
                let path = Path.Combine(CheckpointTests.tempFolder (), "ok.safetensors")
                Checkpoint.save path [ "w", Tensor.ones [ 4; 4 ] ] Map.empty
                let bytes = File.ReadAllBytes path
                rejects [ "runs past the end" ] bytes[.. bytes.Length - 5]
            }

            test "malformed entries: missing or extra fields, wrong types, bad metadata" {
                rejects
                    [ "has no 'shape'" ]
                    (fileOf """{"a":{"dtype":"F32","data_offsets":[0,8]}}""" twoFloats)

                rejects
                    [ "unexpected key 'extra'" ]
                    (fileOf """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}""" twoFloats)

                rejects [ "not an object" ] (fileOf """{"a":[1,2]}""" twoFloats)

                rejects
                    [ "dtype of tensor 'a' is not a string" ]
                    (fileOf """{"a":{"dtype":3,"shape":[2],"data_offsets":[0,8]}}""" twoFloats)

                rejects
                    [ "not an array of two integers" ]
                    (fileOf """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}""" twoFloats)

                rejects [ "metadata value 'k' is not a string" ] (fileOf """{"__metadata__":{"k":1}}""" [||])

                rejects
                    [ "more than 64" ]
                    (fileOf
                        $"""{{{entry "a" "F32" ("[" + String.replicate 64 "1," + "1]") 0L 4L}}}"""
                        (Array.zeroCreate 4))
            }

            test "escaped lone surrogates in names or metadata" {
                rejects
                    [ "cannot be decoded" ]
                    (fileOf $"""{{{entry "\\ud800" "F32" "[2]" 0L 8L}}}""" twoFloats)

                rejects [ "cannot be decoded" ] (fileOf """{"__metadata__":{"k":"\udfff"}}""" [||])
            }

            test "a BOOL tensor holding a byte other than 0 or 1" {
                rejects
                    [ "BOOL"; "byte 7" ]
                    (fileOf $"""{{{entry "m" "BOOL" "[3]" 0L 3L}}}""" [| 1uy; 7uy; 0uy |])
            }

            test "a missing file" {
                let path = Path.Combine(CheckpointTests.tempFolder (), "missing.safetensors")

                TestUtil.throwsOf
                    (fun e -> e :? CheckpointException)
                    "CheckpointException"
                    [ "missing.safetensors"; "does not exist" ]
                    (fun () -> Checkpoint.load path)
            }

            test "a huge claimed header or tensor allocates almost nothing before it is rejected" {
                let folder = CheckpointTests.tempFolder ()
                let header = Path.Combine(folder, "header.safetensors")

                File.WriteAllBytes(
                    header,
                    Array.append (BitConverter.GetBytes 99_000_000UL) (Array.zeroCreate 92)
                )

                let tensor = Path.Combine(folder, "tensor.safetensors")

                File.WriteAllBytes(
                    tensor,
                    fileOf $"""{{{entry "a" "F64" "[100000000]" 0L 800000000L}}}""" twoFloats
                )

                for path in [ header; tensor ] do
                    let before = GC.GetAllocatedBytesForCurrentThread()

                    try
                        Checkpoint.load path |> ignore
                    with :? CheckpointException ->
                        ()

                    let allocated = GC.GetAllocatedBytesForCurrentThread() - before
                    Expect.isLessThan allocated 1_000_000L $"{Path.GetFileName path}: bytes allocated"
            }
        ]

/// A change to a valid file, as FsCheck generates it.
type Mutation =
    | FlipBit of position: int * bit: int
    | Truncate of length: int
    | SetLength of uint64
    | ShiftLength of int
    | SetByte of position: int * value: byte

let private apply (bytes: byte[]) (m: Mutation) : byte[] =
    let at (p: int) =
        (p &&& Int32.MaxValue) % max 1 bytes.Length

    match m with
    | _ when bytes.Length = 0 -> bytes
    | FlipBit(p, b) ->
        let copy = Array.copy bytes
        copy[at p] <- copy[at p] ^^^ (1uy <<< (b &&& 7))
        copy
    | Truncate n -> bytes[.. (n &&& Int32.MaxValue) % bytes.Length - 1]
    | SetLength v when bytes.Length >= 8 -> Array.append (BitConverter.GetBytes v) bytes[8..]
    | ShiftLength d when bytes.Length >= 8 ->
        Array.append
            (BitConverter.GetBytes(BitConverter.ToUInt64(bytes, 0) + uint64 (int64 (d % 64))))
            bytes[8..]
    | SetByte(p, v) ->
        let copy = Array.copy bytes
        copy[at p] <- v
        copy
    | _ -> bytes

let private fuzz =
    test "fuzz: mutated files load or raise CheckpointException, nothing else" {
        let folder = CheckpointTests.tempFolder ()
        let valid = Path.Combine(folder, "valid.safetensors")

        Checkpoint.save
            valid
            [
                "w", Tensor.randn (Rng.seed 1, [ 3; 4 ])
                "step", Tensor.scalar (5.0, Int64)
                "mask", Tensor.ones ([ 7 ], Bool)
                "b", Tensor.zeros ([ 2 ], Float64)
                "none", Tensor.zeros [ 0; 2 ]
            ]
            (Map [ "epoch", "2" ])

        let original = File.ReadAllBytes valid
        let path = Path.Combine(folder, "mutated.safetensors")
        let mutable tried = 0
        let mutable rejected = 0
        let mutable loaded = 0

        let property (mutations: Mutation list) =
            let bytes = mutations |> List.truncate 4 |> List.fold apply original
            File.WriteAllBytes(path, bytes)
            Interlocked.Increment(&tried) |> ignore

            // Managed bytes allocated by load itself: bounded by the file's size (plus the 64 KB stream
            // buffer and the JSON parser's small constant), whatever lengths the header claims.
            let allocatedBy (f: unit -> 'T) =
                let before = GC.GetAllocatedBytesForCurrentThread()

                try
                    f ()
                finally
                    let allocated = GC.GetAllocatedBytesForCurrentThread() - before
                    let bound = 256_000L + 16L * int64 bytes.Length

                    if allocated > bound then
                        failtest
                            $"load allocated {allocated} bytes for a {bytes.Length}-byte file (bound {bound}), mutations {mutations}"

            try
                let c = allocatedBy (fun () -> Checkpoint.load path)
                let mutable tensorBytes = 0L

                for KeyValue(name, t) in c.Tensors do
                    let n = t.Shape |> Array.fold (*) 1
                    Expect.equal (t.ToArray<float>().Length) n $"{name}: element count matches the shape"
                    tensorBytes <- tensorBytes + int64 n * int64 t.Dtype.ElementSize

                Expect.isLessThanOrEqual tensorBytes (int64 bytes.Length) "the tensors fit in the file"
                Interlocked.Increment(&loaded) |> ignore
            with
            | :? CheckpointException as e ->
                Expect.stringContains e.Message "mutated.safetensors" "the message names the file"
                Interlocked.Increment(&rejected) |> ignore
            | :? AssertException -> reraise ()
            | e -> failtest $"unexpected {e.GetType().Name}: {e.Message} for mutations {mutations}"

        let arb = ArbMap.defaults |> ArbMap.arbitrary<Mutation list>

        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(3000).WithQuietOnSuccess(true),
            Prop.forAll arb property
        )

        printfn
            $"checkpoint fuzz: {tried} mutated files tried, {rejected} rejected with CheckpointException, {loaded} loaded"

        Expect.isGreaterThanOrEqual tried 3000 "cases tried"
        Expect.isGreaterThan rejected 100 "some mutations are rejected"
        Expect.isGreaterThan loaded 100 "some mutations (data bytes) still load"
    }

/// Names of serializers that can run code while reading (BinaryFormatter and relatives, pickle readers).
let private codeRunningReaders =
    [
        "BinaryFormatter"
        "SoapFormatter"
        "NetDataContractSerializer"
        "LosFormatter"
        "ObjectStateFormatter"
        "Unpickler"
        "Pickle"
    ]

let private noCodeExecution =
    test "loading never executes code: Functional.Core references no BinaryFormatter, pickle or torch.load" {
        let assembly = typeof<CheckpointData>.Assembly.Location
        use stream = File.OpenRead assembly
        use pe = new System.Reflection.PortableExecutable.PEReader(stream)
        let md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader pe

        let typeName (h: System.Reflection.Metadata.TypeReferenceHandle) =
            let t = md.GetTypeReference h
            md.GetString t.Namespace + "." + md.GetString t.Name

        let types = md.TypeReferences |> Seq.map typeName |> Set.ofSeq

        let members =
            md.MemberReferences
            |> Seq.map (fun h ->
                let m = md.GetMemberReference h

                let owner =
                    if m.Parent.Kind = System.Reflection.Metadata.HandleKind.TypeReference then
                        typeName (System.Reflection.Metadata.TypeReferenceHandle.op_Explicit m.Parent)
                    else
                        ""

                owner, md.GetString m.Name)
            |> List.ofSeq

        // the scan sees what the reader does use
        Expect.contains types "System.IO.FileStream" "the reader's FileStream is referenced"
        Expect.contains types "System.Text.Json.JsonDocument" "the header is parsed as JSON"

        for t in types do
            for bad in codeRunningReaders do
                Expect.isFalse (t.Contains bad) $"Functional.Core references {t}"

        for owner, name in members do
            Expect.isFalse
                (owner.StartsWith "TorchSharp" && (name = "load" || name = "Load"))
                $"Functional.Core calls {owner}.{name} (TorchSharp's loader)"
    }

[<Tests>]
let tests = testList "Checkpoint" [ rejection; fuzz; noCodeExecution ]
