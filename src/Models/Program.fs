/// The command-line main job of Functional.
module Functional.Models.Program

open Functional

[<EntryPoint>]
let main _argv =
    Library.ensureNative ()
    printfn $"Functional {Library.version}: native backend loaded."
    0
