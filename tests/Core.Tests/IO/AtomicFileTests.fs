module Functional.Tests.IO.AtomicFileTests

open System.IO
open Expecto
open Functional

[<Tests>]
let tests =
    testList
        "AtomicFile"
        [
            test "writes the content, creating the folder" {
                let folder =
                    Path.Combine(Functional.Tests.Checkpoint.CheckpointTests.tempFolder (), "sub")

                let path = Path.Combine(folder, "a.txt")
                AtomicFile.writeText path "hello ✓"
                Expect.equal (File.ReadAllText path) "hello ✓" "content"

                Expect.sequenceEqual
                    (Directory.GetFiles folder |> Array.map Path.GetFileName)
                    [| "a.txt" |]
                    "only the file"
            }

            test "a write that fails half-way leaves the old file intact and no temporary file" {
                let folder = Functional.Tests.Checkpoint.CheckpointTests.tempFolder ()
                let path = Path.Combine(folder, "a.txt")
                AtomicFile.writeText path "old"

                let failed =
                    try
                        AtomicFile.write path (fun s ->
                            s.Write([| 1uy; 2uy; 3uy |], 0, 3)
                            failwith "disk full")

                        false
                    with e ->
                        e.Message = "disk full"

                Expect.isTrue failed "the writer's exception is raised again"
                Expect.equal (File.ReadAllText path) "old" "old content"

                Expect.sequenceEqual
                    (Directory.GetFiles folder |> Array.map Path.GetFileName)
                    [| "a.txt" |]
                    "no temporary file"
            }
        ]
