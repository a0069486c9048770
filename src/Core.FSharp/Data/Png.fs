namespace Functional.Data

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression
open System.Text

/// An 8-bit image: grayscale (1 channel), gray + alpha (2), RGB (3) or RGBA (4), rows top to bottom.
type PngImage =
    {
        /// Width in pixels.
        Width: int
        /// Height in pixels.
        Height: int
        /// Channels per pixel (1, 2, 3 or 4).
        Channels: int
        /// Row-major pixel bytes, `Channels` per pixel.
        Pixels: byte[]
    }

/// Writes and reads 8-bit, non-interlaced PNG files (enough for image grids and their checks).
module Png =
    let private signature = [| 137uy; 80uy; 78uy; 71uy; 13uy; 10uy; 26uy; 10uy |]

    let private crcTable =
        Array.init 256 (fun n ->
            let mutable c = uint32 n

            for _ in 0..7 do
                c <-
                    if c &&& 1u <> 0u then
                        0xEDB88320u ^^^ (c >>> 1)
                    else
                        c >>> 1

            c)

    let private crc (data: byte[]) =
        let mutable c = 0xFFFFFFFFu

        for b in data do
            c <- crcTable[int ((c ^^^ uint32 b) &&& 0xFFu)] ^^^ (c >>> 8)

        c ^^^ 0xFFFFFFFFu

    let private colorType (channels: int) =
        match channels with
        | 1 -> 0uy
        | 2 -> 4uy
        | 3 -> 2uy
        | 4 -> 6uy
        | c ->
            Functional.Errors.fail
                "Png"
                $"{c} channels are not supported"
                "Use 1 (gray), 2, 3 (RGB) or 4 (RGBA)."

    /// Encodes an image as PNG bytes.
    let encode (image: PngImage) : byte[] =
        let ct = colorType image.Channels
        let stride = image.Width * image.Channels

        if
            image.Width <= 0
            || image.Height <= 0
            || image.Pixels.Length <> stride * image.Height
        then
            Functional.Errors.fail
                "Png.encode"
                $"{image.Pixels.Length} bytes do not make a {image.Width}x{image.Height} image with {image.Channels} channels"
                "Give Width * Height * Channels bytes."

        use out = new MemoryStream()
        out.Write signature

        let chunk (kind: string) (data: byte[]) =
            let head = Array.zeroCreate<byte> 4
            BinaryPrimitives.WriteInt32BigEndian(head.AsSpan(), data.Length)
            out.Write head
            let body = Array.append (Encoding.ASCII.GetBytes kind) data
            out.Write body
            let tail = Array.zeroCreate<byte> 4
            BinaryPrimitives.WriteUInt32BigEndian(tail.AsSpan(), crc body)
            out.Write tail

        let ihdr = Array.zeroCreate<byte> 13
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(0, 4), image.Width)
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4, 4), image.Height)
        ihdr[8] <- 8uy
        ihdr[9] <- ct
        chunk "IHDR" ihdr

        use compressed = new MemoryStream()

        do
            use z = new ZLibStream(compressed, CompressionLevel.Optimal, true)

            for y in 0 .. image.Height - 1 do
                z.WriteByte 0uy // filter: none
                z.Write(image.Pixels, y * stride, stride)

        chunk "IDAT" (compressed.ToArray())
        chunk "IEND" [||]
        out.ToArray()

    /// Writes an image to a PNG file.
    let write (path: string) (image: PngImage) : unit = File.WriteAllBytes(path, encode image)

    let private paeth (a: int) (b: int) (c: int) =
        let p = a + b - c
        let pa, pb, pc = abs (p - a), abs (p - b), abs (p - c)

        if pa <= pb && pa <= pc then a
        elif pb <= pc then b
        else c

    /// Decodes PNG bytes (8-bit depth, non-interlaced, any filter); raises an InvalidDataException otherwise.
    let decode (bytes: byte[]) : PngImage =
        let op = "Png.decode"

        if bytes.Length < 8 || bytes[0..7] <> signature then
            DataFiles.corrupt op "the data does not start with the PNG signature" "Pass a PNG file."

        let mutable pos = 8
        let mutable header = None
        let idat = new MemoryStream()
        let mutable fin = false

        while not fin do
            if pos + 8 > bytes.Length then
                DataFiles.corrupt op "the PNG data is truncated" "The file is incomplete."

            let len = BinaryPrimitives.ReadInt32BigEndian(ReadOnlySpan(bytes, pos, 4))
            let kind = Encoding.ASCII.GetString(bytes, pos + 4, 4)

            if len < 0 || pos + 12 + len > bytes.Length then
                DataFiles.corrupt op $"the {kind} chunk is truncated" "The file is incomplete."

            let data = ReadOnlySpan(bytes, pos + 8, len)

            match kind with
            | "IHDR" ->
                let w = BinaryPrimitives.ReadInt32BigEndian(data.Slice(0, 4))
                let h = BinaryPrimitives.ReadInt32BigEndian(data.Slice(4, 4))

                let channels =
                    match data[9] with
                    | 0uy -> 1
                    | 4uy -> 2
                    | 2uy -> 3
                    | 6uy -> 4
                    | t ->
                        DataFiles.corrupt
                            op
                            $"colour type {t} is not supported"
                            "Use 8-bit gray, gray+alpha, RGB or RGBA."

                if data[8] <> 8uy || data[12] <> 0uy then
                    DataFiles.corrupt
                        op
                        "only 8-bit, non-interlaced PNGs are supported"
                        "Re-encode the image."

                header <- Some(w, h, channels)
            | "IDAT" -> idat.Write data
            | "IEND" -> fin <- true
            | _ -> ()

            pos <- pos + 12 + len

        match header with
        | None -> DataFiles.corrupt op "the PNG has no IHDR chunk" "Pass a PNG file."
        | Some(w, h, channels) ->
            let stride = w * channels
            let raw = Array.zeroCreate<byte>((stride + 1) * h)
            idat.Position <- 0L

            do
                use z = new ZLibStream(idat, CompressionMode.Decompress)
                let got = z.ReadAtLeast(raw.AsSpan(), raw.Length, false)

                if got < raw.Length then
                    DataFiles.corrupt
                        op
                        "the image data is shorter than the header declares"
                        "The file is damaged."

            let pixels = Array.zeroCreate<byte>(stride * h)

            for y in 0 .. h - 1 do
                let filter = raw[y * (stride + 1)]

                for x in 0 .. stride - 1 do
                    let v = int raw[y * (stride + 1) + 1 + x]

                    let a =
                        if x >= channels then
                            int pixels[y * stride + x - channels]
                        else
                            0

                    let b = if y > 0 then int pixels[(y - 1) * stride + x] else 0

                    let c =
                        if x >= channels && y > 0 then
                            int pixels[(y - 1) * stride + x - channels]
                        else
                            0

                    let predicted =
                        match filter with
                        | 0uy -> 0
                        | 1uy -> a
                        | 2uy -> b
                        | 3uy -> (a + b) / 2
                        | 4uy -> paeth a b c
                        | f ->
                            DataFiles.corrupt op $"row {y} has unknown filter type {f}" "The file is damaged."

                    pixels[y * stride + x] <- byte ((v + predicted) &&& 0xFF)

            {
                Width = w
                Height = h
                Channels = channels
                Pixels = pixels
            }

    /// Reads a PNG file (see `decode`).
    let read (path: string) : PngImage = decode (File.ReadAllBytes path)
