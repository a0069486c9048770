/// Reads and edits the symbol-version requirements (`.gnu.version_r`) of a 64-bit little-endian ELF file.
/// Used to weaken a version requirement that a shared library can live without.
module Functional.Native.ElfVersionPatch

open System
open System.IO
open System.Text

/// One version a shared library requires from another (a Vernaux entry of `.gnu.version_r`).
type VersionRequirement =
    {
        /// The library the version is required from, e.g. `libstdc++.so.6`.
        Library: string
        /// The version name, e.g. `GLIBCXX_3.4.32`.
        Version: string
        /// The entry's flags; bit 0x2 (VER_FLG_WEAK) marks a weak requirement.
        Flags: uint16
        /// File offset of the 16-bit flags field, where a patch writes.
        FlagsOffset: int
    }

/// The VER_FLG_WEAK flag of a Vernaux entry: a missing weak version is not a load error.
[<Literal>]
let VerFlagWeak = 0x2us

[<Literal>]
let private ShtGnuVerneed = 0x6ffffffeu

let private fail (what: string) =
    raise (
        InvalidDataException($"ElfVersionPatch: {what}; expected a 64-bit little-endian ELF shared library.")
    )

let private u16 (b: byte[]) (o: int) =
    if o < 0 || o + 2 > b.Length then
        fail $"offset {o} is outside the file ({b.Length} bytes)"

    BitConverter.ToUInt16(b, o)

let private u32 (b: byte[]) (o: int) =
    if o < 0 || o + 4 > b.Length then
        fail $"offset {o} is outside the file ({b.Length} bytes)"

    BitConverter.ToUInt32(b, o)

let private u64 (b: byte[]) (o: int) =
    if o < 0 || o + 8 > b.Length then
        fail $"offset {o} is outside the file ({b.Length} bytes)"

    BitConverter.ToUInt64(b, o)

let private toInt (v: uint64) =
    if v > uint64 Int32.MaxValue then
        fail $"value {v} is too large"
    else
        int v

let private cString (b: byte[]) (o: int) =
    if o < 0 || o >= b.Length then
        fail $"string offset {o} is outside the file"

    let e = Array.IndexOf(b, 0uy, o)

    if e < 0 then
        fail "unterminated string"

    Encoding.ASCII.GetString(b, o, e - o)

let private isElf64LittleEndian (b: byte[]) =
    b.Length >= 64
    && b[0] = 0x7fuy
    && b[1] = byte 'E'
    && b[2] = byte 'L'
    && b[3] = byte 'F'
    && b[4] = 2uy
    && b[5] = 1uy

/// Lists every version requirement of an ELF image; raises InvalidDataException if it is not a valid ELF64 LE file.
let readRequirements (image: byte[]) : VersionRequirement list =
    if not (isElf64LittleEndian image) then
        fail "not an ELF64 little-endian header"

    let shoff = toInt (u64 image 0x28)
    let shentsize = int (u16 image 0x3A)
    let shnum = int (u16 image 0x3C)

    if shentsize < 64 then
        fail $"section header size {shentsize} is too small"

    let section i = shoff + i * shentsize

    [
        for i in 0 .. shnum - 1 do
            let sh = section i

            if u32 image (sh + 4) = ShtGnuVerneed then
                let offset = toInt (u64 image (sh + 24))
                let count = int (u32 image (sh + 44))
                let link = int (u32 image (sh + 40))

                if link >= shnum then
                    fail $"string table index {link} is out of range"

                let strtab = toInt (u64 image (section link + 24))
                let mutable need = offset

                for _ in 1..count do
                    let auxCount = int (u16 image (need + 2))
                    let library = cString image (strtab + int (u32 image (need + 4)))
                    let mutable aux = need + int (u32 image (need + 8))

                    for _ in 1..auxCount do
                        yield
                            {
                                Library = library
                                Version = cString image (strtab + int (u32 image (aux + 8)))
                                Flags = u16 image (aux + 4)
                                FlagsOffset = aux + 4
                            }

                        aux <- aux + int (u32 image (aux + 12))

                    need <- need + int (u32 image (need + 12))
    ]

/// Marks the given versions weak; returns the patched copy, or None when nothing needed a change.
let weaken (versions: Set<string>) (image: byte[]) : byte[] option =
    let toPatch =
        readRequirements image
        |> List.filter (fun r -> versions.Contains r.Version && r.Flags &&& VerFlagWeak = 0us)

    if List.isEmpty toPatch then
        None
    else
        let copy = Array.copy image

        for r in toPatch do
            let flags = r.Flags ||| VerFlagWeak
            copy[r.FlagsOffset] <- byte (flags &&& 0xffus)
            copy[r.FlagsOffset + 1] <- byte (flags >>> 8)

        Some copy

/// True when an ELF image defines or names the version string (a cheap test of what a library provides).
let mentionsVersion (version: string) (image: byte[]) : bool =
    let needle = Encoding.ASCII.GetBytes(version + "\000")
    image.AsSpan().IndexOf(ReadOnlySpan needle) >= 0
