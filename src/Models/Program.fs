/// The command-line main job of Functional.
module Functional.Models.Program

open Functional

let private usage () =
    printfn "usage: Functional.Models [command]"
    printfn "  (no command)   print the library version and a derivative"
    printfn "  data ...       list, fetch and benchmark datasets (see 'data help')"
    1

[<EntryPoint>]
let main argv =
    Library.ensureNative ()

    match List.ofArray argv with
    | [] ->
        printfn $"Functional {Library.version}: native backend loaded."
        let x = Tensor.scalar 0.5
        let d = Diff.diff (fun x -> Tensor.sin x * x) x

        printfn
            $"d/dx [x sin x] at x = 0.5: {d.ToDouble():F6} (expected sin 0.5 + 0.5 cos 0.5 = {sin 0.5 + 0.5 * cos 0.5:F6})"

        0
    | "data" :: rest -> DataCommand.run rest
    | "train" :: rest -> TrainCommand.train rest
    | "zoo" :: rest -> TrainCommand.zoo rest
    | _ -> usage ()
