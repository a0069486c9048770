module Functional.Tests.Native.OpenMpTuningTests

open System.Runtime.InteropServices
open Expecto
open Functional
open Functional.Native

[<Tests>]
let tests =
    testList
        "Native.OpenMpTuning"
        [
            test "OpenMP threads wait passively unless the user chose otherwise" {
                if RuntimeInformation.IsOSPlatform OSPlatform.Linux then
                    Tensor.zeros [ 1 ] |> ignore // loads libtorch (and sets the policy first)
                    let policy = OpenMpTuning.nativeVariable "OMP_WAIT_POLICY"
                    Expect.isSome policy "a policy is in the native environment"
                    Expect.equal (OpenMpTuning.apply ()) policy "a second call keeps the policy in effect"

                    if isNull (System.Environment.GetEnvironmentVariable "OMP_WAIT_POLICY") then
                        Expect.equal policy (Some "PASSIVE") "our default when the user set nothing"
            }

            test "native variables that are not set read as None" {
                if RuntimeInformation.IsOSPlatform OSPlatform.Linux then
                    Expect.isNone (OpenMpTuning.nativeVariable "FUNCTIONAL_SURELY_UNSET_VARIABLE") "unset"
            }
        ]
