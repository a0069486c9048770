module Functional.Tests.GradCheckTests

open Expecto
open Functional
open Functional.Tests

let private x0 = Tensor.create ([| 0.3; -0.7; 1.1 |], Float64)

/// sin with a wrong reverse rule (2 cos x instead of cos x); forward mode differentiates sin itself.
let private badSin = Diff.customVjp Tensor.sin (fun x _ u -> 2.0 * u * Tensor.cos x)

/// sin with a correct reverse rule written by hand.
let private goodSin = Diff.customVjp Tensor.sin (fun x _ u -> u * Tensor.cos x)

[<Tests>]
let tests =
    testList
        "GradCheck"
        [
            test "passes a correct function to second order" {
                GradCheck.check (fun x -> Tensor.sum (Tensor.tanh x * x)) x0
            }

            test "passes a custom VJP that is right" { GradCheck.check goodSin x0 }

            test "catches a wrong VJP and says where" {
                TestUtil.throwsGradCheck
                    [ "reverse mode (VJP)"; "derivative order 1"; "[3]"; "disagree" ]
                    (fun () ->
                        GradCheck.checkWith
                            { GradCheck.defaults with
                                Modes = [ Reverse ]
                            }
                            badSin
                            x0)
            }

            test "catches a wrong VJP through JVP/VJP consistency too" {
                TestUtil.throwsGradCheck [ "GradCheck" ] (fun () -> GradCheck.check badSin x0)
            }

            test "catches a wrong JVP in forward mode with the element index" {
                let badExp = Diff.customJvp Tensor.exp (fun x dx -> dx * Tensor.exp x + 0.1)

                TestUtil.throwsGradCheck
                    [ "forward mode (JVP)"; "at index ["; "JVP ="; "finite differences =" ]
                    (fun () ->
                        GradCheck.checkWith
                            { GradCheck.defaults with
                                Modes = [ Forward ]
                            }
                            badExp
                            x0)
            }

            test "catches a wrong second derivative only at order 2" {
                // The first derivative is right; the rule's own derivative is not (it uses a stopped x).
                let f =
                    Diff.customVjp (fun x -> x * x * x) (fun x _ u -> u * 3.0 * Diff.stopGradient (x * x))

                GradCheck.checkWith
                    { GradCheck.defaults with
                        Order = 1
                        Modes = [ Reverse ]
                    }
                    f
                    x0

                TestUtil.throwsGradCheck [ "derivative order 2" ] (fun () ->
                    GradCheck.checkWith
                        { GradCheck.defaults with
                            Modes = [ Reverse ]
                        }
                        f
                        x0)
            }

            test "checks several arguments and holds integer ones fixed" {
                let idx = Tensor.create ([| 2L; 0L |], Int64)

                GradCheck.checkArgs
                    (fun a -> a[0] * a[1] + Tensor.sum a[0])
                    [| x0; Tensor.create (2.0, Float64); idx |]
            }

            test "works from Float32 input in Float32 mode with looser tolerances" {
                GradCheck.checkWith
                    { GradCheck.defaults with
                        Dtype = Float32
                    }
                    (fun x -> Tensor.exp x * 0.5)
                    (Tensor.create [| 0.1; 0.2 |])
            }

            test "rejects an order below 1" {
                TestUtil.throwsArgument [ "order 0" ] (fun () ->
                    GradCheck.checkWith { GradCheck.defaults with Order = 0 } Tensor.exp x0)
            }
        ]
