module Functional.Tests.Native.HeapTuningTests

open System
open System.Runtime.InteropServices
open Expecto
open Functional.Native

/// Runs `body` with an environment variable set, restoring it afterwards.
let private withVariable (name: string) (value: string) (body: unit -> 'T) : 'T =
    let before = Environment.GetEnvironmentVariable name
    Environment.SetEnvironmentVariable(name, value)

    try
        body ()
    finally
        Environment.SetEnvironmentVariable(name, before)

[<Tests>]
let tests =
    testSequenced
    <| testList
        "Native.HeapTuning"
        [
            test "glibc accepts the thresholds on Linux" {
                if
                    RuntimeInformation.IsOSPlatform OSPlatform.Linux
                    && not (HeapTuning.userDecides ())
                then
                    Expect.isTrue (HeapTuning.apply ()) "mallopt took both settings"
                    Expect.equal HeapTuning.mmapThreshold (32 * 1024 * 1024) "glibc's largest mmap threshold"
            }

            test "the user's own malloc settings win" {
                withVariable "MALLOC_ARENA_MAX" "2" (fun () ->
                    Expect.isTrue (HeapTuning.userDecides ()) "a MALLOC_ variable is the user's choice"
                    Expect.isFalse (HeapTuning.apply ()) "nothing is changed")

                withVariable "FUNCTIONAL_MALLOC_TUNING" "0" (fun () ->
                    Expect.isFalse (HeapTuning.apply ()) "turned off")
            }
        ]
