/// Catching expected exceptions in the data tests (Expecto's throwsT does not return the exception).
module Functional.Tests.Data.Catch

open Expecto

/// Runs `f`, expecting an exception of type 'E, and returns it (fails the test otherwise).
let throws<'E when 'E :> exn> (f: unit -> unit) (message: string) : 'E =
    let caught =
        try
            f ()
            None
        with
        | :? AssertException -> reraise ()
        | :? 'E as e -> Some e
        | e -> failtestf "%s: expected %s but got %s: %s" message typeof<'E>.Name (e.GetType().Name) e.Message

    match caught with
    | Some e -> e
    | None -> failtestf "%s: expected %s but nothing was raised" message typeof<'E>.Name
