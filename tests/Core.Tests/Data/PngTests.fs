module Functional.Tests.Data.PngTests

open System
open System.IO
open System.IO.Compression
open System.Text
open Expecto
open Functional.Data

/// A PNG whose rows use the given filter types (CRCs left zero: the decoder does not check them).
let private filtered (w: int) (channels: int) (rows: byte[][]) (filters: byte[]) =
    let stride = w * channels

    let filterRow (y: int) =
        let f = filters[y]
        let cur = rows[y]
        let prev = if y > 0 then rows[y - 1] else Array.zeroCreate stride

        let paeth a b c =
            let p = a + b - c
            let pa, pb, pc = abs (p - a), abs (p - b), abs (p - c)

            if pa <= pb && pa <= pc then a
            elif pb <= pc then b
            else c

        Array.init stride (fun x ->
            let a = if x >= channels then int cur[x - channels] else 0
            let b = int prev[x]
            let c = if x >= channels then int prev[x - channels] else 0

            let pred =
                match f with
                | 0uy -> 0
                | 1uy -> a
                | 2uy -> b
                | 3uy -> (a + b) / 2
                | _ -> paeth a b c

            byte ((int cur[x] - pred) &&& 0xFF))
        |> Array.append [| f |]

    let raw = Array.concat [ for y in 0 .. rows.Length - 1 -> filterRow y ]
    use z = new MemoryStream()

    do
        use zs = new ZLibStream(z, CompressionLevel.Fastest, true)
        zs.Write(raw, 0, raw.Length)

    let chunk (kind: string) (data: byte[]) =
        let len = BitConverter.GetBytes(data.Length) |> Array.rev
        Array.concat [ len; Encoding.ASCII.GetBytes kind; data; [| 0uy; 0uy; 0uy; 0uy |] ]

    let ihdr =
        Array.concat
            [
                BitConverter.GetBytes(w) |> Array.rev
                BitConverter.GetBytes(rows.Length) |> Array.rev
                [| 8uy; (if channels = 3 then 2uy else 0uy); 0uy; 0uy; 0uy |]
            ]

    Array.concat
        [
            [| 137uy; 80uy; 78uy; 71uy; 13uy; 10uy; 26uy; 10uy |]
            chunk "IHDR" ihdr
            chunk "IDAT" (z.ToArray())
            chunk "IEND" [||]
        ]

[<Tests>]
let tests =
    testList
        "Data.Png"
        [
            test "encode then decode gives the image back" {
                let img =
                    {
                        Width = 5
                        Height = 3
                        Channels = 3
                        Pixels = Array.init 45 (fun i -> byte (i * 17))
                    }

                Expect.equal (Png.decode (Png.encode img)) img "round trip"
            }

            test "the decoder undoes every PNG filter type" {
                let rows =
                    Array.init 5 (fun y -> Array.init 12 (fun x -> byte ((x * 37 + y * 91 + x * y) % 256)))

                let img = Png.decode (filtered 4 3 rows [| 0uy; 1uy; 2uy; 3uy; 4uy |])
                Expect.equal img.Pixels (Array.concat rows) "pixels"
                Expect.equal (img.Width, img.Height, img.Channels) (4, 5, 3) "header"
            }

            test "non-PNG and truncated data raise InvalidDataException" {
                Expect.throwsT<InvalidDataException>
                    (fun () -> Png.decode (Encoding.ASCII.GetBytes "GIF89a....") |> ignore)
                    "signature"

                let good =
                    Png.encode
                        {
                            Width = 2
                            Height = 2
                            Channels = 1
                            Pixels = [| 1uy; 2uy; 3uy; 4uy |]
                        }

                Expect.throwsT<InvalidDataException>
                    (fun () -> Png.decode good[.. good.Length - 20] |> ignore)
                    "truncated"
            }
        ]
