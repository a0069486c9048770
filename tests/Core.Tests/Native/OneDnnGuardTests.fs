module Functional.Tests.Native.OneDnnGuardTests

open System
open System.Runtime.InteropServices
open Expecto
open Functional
open Functional.Native

[<Tests>]
let tests =
    testList
        "Native.OneDnnGuard"
        [
            test "setup checked oneDNN and left it on only if it was right" {
                NativeSetup.ensure ()

                let chosen = Environment.GetEnvironmentVariable OneDnnGuard.variable

                if RuntimeInformation.IsOSPlatform OSPlatform.Linux && String.IsNullOrEmpty chosen then
                    match OneDnnGuard.current () with
                    | OneDnnGuard.Verified ->
                        Expect.equal (OneDnnGuard.enabled ()) (Some true) "oneDNN stays on"
                        Expect.isNone (OneDnnGuard.notice ()) "nothing to say"
                    | OneDnnGuard.Disabled reason ->
                        Expect.stringContains reason "wrong on this CPU" "the reason names the failure"
                        Expect.equal (OneDnnGuard.enabled ()) (Some false) "oneDNN is off"

                        Expect.stringContains
                            (OneDnnGuard.notice () |> Option.defaultValue "")
                            "native kernels"
                            "programs can say so"

                        for name, error in OneDnnGuard.probe () do
                            Expect.isLessThanOrEqual error OneDnnGuard.tolerance $"{name} without oneDNN"
                    | OneDnnGuard.TurnedOff -> failtest "turned off although FUNCTIONAL_ONEDNN is not set"
                    | OneDnnGuard.NotChecked -> failtest "libtorch's oneDNN switch was not reached"
            }

            test "the verdict names every probe that is off, including NaN" {
                Expect.isNone (OneDnnGuard.verdict [ "a", 3e-7; "b", 0.0 ]) "rounding only"

                match OneDnnGuard.verdict [ "a", 3e-7; "b", 0.25; "c", nan; "b", 0.5 ] with
                | Some reason ->
                    Expect.stringContains reason "b: relative error 0.5;" "names b once, with its worst error"
                    Expect.isFalse (reason.Contains "0.25") "b's smaller error is left out"
                    Expect.stringContains reason "c: relative error NaN" "names c"
                    Expect.isFalse (reason.Contains "a:") "leaves out a"
                | None -> failtest "0.25 and NaN are wrong"
            }
        ]
