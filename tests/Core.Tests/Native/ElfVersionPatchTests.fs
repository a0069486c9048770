module Functional.Tests.Native.ElfVersionPatchTests

open System
open System.IO
open System.Text
open Expecto
open Functional.Native

/// Builds a minimal ELF64 LE image with a `.dynstr`, a `.gnu.version_r` naming
/// libstdc++.so.6 (GLIBCXX_3.4.32, GLIBCXX_3.4) and libc.so.6 (GLIBC_2.2.5), and a `.shstrtab`.
let fixture () : byte[] =
    let strings =
        [
            ""
            "libstdc++.so.6"
            "GLIBCXX_3.4.32"
            "GLIBCXX_3.4"
            "libc.so.6"
            "GLIBC_2.2.5"
        ]

    let dynstr = Encoding.ASCII.GetBytes(String.Join("\000", strings) + "\000")

    let offsetOf (s: string) =
        let idx = strings |> List.findIndex ((=) s)
        strings |> List.take idx |> List.sumBy (fun x -> x.Length + 1)

    let ms = new MemoryStream()
    let w = new BinaryWriter(ms)
    let pad n = w.Write(Array.zeroCreate<byte> n)
    // ELF header (64 bytes); section header fields are filled in below.
    w.Write([| 0x7fuy; byte 'E'; byte 'L'; byte 'F'; 2uy; 1uy; 1uy |])
    pad (64 - 7)
    let dynstrOff = 64
    w.Write dynstr
    pad ((8 - int ms.Position % 8) % 8)
    let verneedOff = int ms.Position

    let verneed (cnt: int) (file: string) (next: int) =
        w.Write 1us
        w.Write(uint16 cnt)
        w.Write(uint32 (offsetOf file))
        w.Write 16u
        w.Write(uint32 next)

    let vernaux (name: string) (flags: uint16) (next: int) =
        w.Write 0u
        w.Write flags
        w.Write 0us
        w.Write(uint32 (offsetOf name))
        w.Write(uint32 next)

    verneed 2 "libstdc++.so.6" 48
    vernaux "GLIBCXX_3.4.32" 0us 16
    vernaux "GLIBCXX_3.4" 0us 0
    verneed 1 "libc.so.6" 0
    vernaux "GLIBC_2.2.5" 0us 0
    let verneedSize = int ms.Position - verneedOff
    let shstr = Encoding.ASCII.GetBytes "\000.dynstr\000.gnu.version_r\000.shstrtab\000"
    let shstrOff = int ms.Position
    w.Write shstr
    pad ((8 - int ms.Position % 8) % 8)
    let shoff = int ms.Position

    let section (name: int) (typ: uint32) (offset: int) (size: int) (link: int) (info: int) =
        w.Write(uint32 name)
        w.Write typ
        w.Write 0UL
        w.Write 0UL
        w.Write(uint64 offset)
        w.Write(uint64 size)
        w.Write(uint32 link)
        w.Write(uint32 info)
        w.Write 1UL
        w.Write 0UL

    section 0 0u 0 0 0 0
    section 1 3u dynstrOff dynstr.Length 0 0
    section 9 0x6ffffffeu verneedOff verneedSize 1 2
    section 25 3u shstrOff shstr.Length 0 0
    let image = ms.ToArray()
    BitConverter.GetBytes(uint64 shoff).CopyTo(image, 0x28)
    BitConverter.GetBytes(64us).CopyTo(image, 0x3A)
    BitConverter.GetBytes(4us).CopyTo(image, 0x3C)
    BitConverter.GetBytes(3us).CopyTo(image, 0x3E)
    image

let private versions (image: byte[]) =
    ElfVersionPatch.readRequirements image
    |> List.map (fun r -> r.Library, r.Version, r.Flags)

[<Tests>]
let tests =
    testList
        "Native.ElfVersionPatch"
        [
            test "reads every version requirement with its library" {
                Expect.equal
                    (versions (fixture ()))
                    [
                        "libstdc++.so.6", "GLIBCXX_3.4.32", 0us
                        "libstdc++.so.6", "GLIBCXX_3.4", 0us
                        "libc.so.6", "GLIBC_2.2.5", 0us
                    ]
                    "requirements"
            }

            test "weaken marks only the named version weak" {
                let patched = ElfVersionPatch.weaken (set [ "GLIBCXX_3.4.32" ]) (fixture ())
                Expect.isSome patched "something was patched"

                Expect.equal
                    (versions patched.Value)
                    [
                        "libstdc++.so.6", "GLIBCXX_3.4.32", ElfVersionPatch.VerFlagWeak
                        "libstdc++.so.6", "GLIBCXX_3.4", 0us
                        "libc.so.6", "GLIBC_2.2.5", 0us
                    ]
                    "flags after patch"

                let differing =
                    Array.zip (fixture ()) patched.Value
                    |> Array.filter (fun (a, b) -> a <> b)
                    |> Array.length

                Expect.equal differing 1 "exactly one byte changes"
            }

            test "weaken is idempotent and leaves libraries without the version alone" {
                let once = (ElfVersionPatch.weaken (set [ "GLIBCXX_3.4.32" ]) (fixture ())).Value
                Expect.isNone (ElfVersionPatch.weaken (set [ "GLIBCXX_3.4.32" ]) once) "second patch"
                Expect.isNone (ElfVersionPatch.weaken (set [ "GLIBCXX_9.9" ]) (fixture ())) "absent version"
                Expect.isNone (ElfVersionPatch.weaken Set.empty (fixture ())) "nothing asked"
            }

            test "non-ELF and truncated input raise InvalidDataException naming the patcher" {
                let bad =
                    Encoding.ASCII.GetBytes "this is not an ELF file at all, just text......................."

                let truncated = (fixture ()).[0..200]

                Expect.throwsT<InvalidDataException>
                    (fun () -> ElfVersionPatch.readRequirements truncated |> ignore)
                    "truncated image"

                try
                    ElfVersionPatch.readRequirements bad |> ignore
                    failtest "expected InvalidDataException"
                with :? InvalidDataException as e ->
                    Expect.stringContains e.Message "ElfVersionPatch" "message names the operation"
            }

            test "patchFile rewrites a file once, keeping its permissions" {
                let path = Path.Combine(Path.GetTempPath(), $"functional-elf-{Guid.NewGuid():N}.so")

                try
                    File.WriteAllBytes(path, fixture ())

                    let mode =
                        UnixFileMode.UserRead ||| UnixFileMode.UserWrite ||| UnixFileMode.UserExecute

                    File.SetUnixFileMode(path, mode)
                    Expect.isTrue (NativeSetup.patchFile (set [ "GLIBCXX_3.4.32" ]) path) "first call patches"

                    Expect.isFalse
                        (NativeSetup.patchFile (set [ "GLIBCXX_3.4.32" ]) path)
                        "second call is a no-op"

                    Expect.isFalse (NativeSetup.patchFile Set.empty path) "no missing version: untouched"
                    Expect.equal (File.GetUnixFileMode path) mode "mode kept"

                    Expect.equal
                        ((ElfVersionPatch.readRequirements (File.ReadAllBytes path)).Head.Flags)
                        ElfVersionPatch.VerFlagWeak
                        "patched on disk"
                finally
                    File.Delete path
            }

            test "mentionsVersion finds a version string only when NUL-terminated" {
                Expect.isTrue (ElfVersionPatch.mentionsVersion "GLIBCXX_3.4.32" (fixture ())) "present"
                Expect.isFalse (ElfVersionPatch.mentionsVersion "GLIBCXX_3.4.3" (fixture ())) "prefix only"
            }

            test "the native backend loads and every TorchSharp library copy needs no missing version" {
                NativeSetup.ensure ()
                let missing = NativeSetup.missingVersions ()

                for file in NativeSetup.candidateFiles () do
                    let strong =
                        ElfVersionPatch.readRequirements (File.ReadAllBytes file)
                        |> List.filter (fun r ->
                            missing.Contains r.Version && r.Flags &&& ElfVersionPatch.VerFlagWeak = 0us)

                    Expect.isEmpty strong $"{file} still requires a missing version"

                let t = TorchSharp.torch.ones ([| 2L; 3L |])
                Expect.equal (t.sum().item<float32>()) 6.0f "a libtorch op runs"
            }
        ]
