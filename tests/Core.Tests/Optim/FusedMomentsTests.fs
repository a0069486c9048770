module Functional.Tests.Optim.FusedMomentsTests

open Expecto
open Functional
open Functional.Tests.Optim.Problems

/// Runs `steps` steps with `Optimizer.step` (which takes the fused path when there is one).
let private run (opt: Optimizer) (steps: int) =
    let mutable p = treeParameters ()
    let mutable s = Optimizer.init opt p

    for i in 1..steps do
        let next, state = Optimizer.step opt (treeGradients i p) s p
        p <- next
        s <- state

    p, s

let private expectSameTrees (actual: Params) (expected: Params) (what: string) =
    Expect.equal (Params.paths actual) (Params.paths expected) $"{what}: the same paths"

    for (path, a), (_, e) in List.zip (Params.toList actual) (Params.toList expected) do
        Expect.isTrue (Tensor.allclose (a, e, rtol = 1e-5, atol = 1e-6)) $"{what}: {path} {a} vs {e}"

[<Tests>]
let tests =
    testList
        "Optim fused Adam"
        [
            for name, opt in
                [
                    "adam", Optim.adam 1e-2
                    "adam with L2 weight decay", Optim.adam (1e-2, weightDecay = 0.1)
                    "adamW", Optim.adamW (1e-2, weightDecay = 0.1)
                    "adam with a schedule", Optim.adam (Schedule.cosineDecay (1e-2, 10))
                    "adam with a tensor rate", Optim.adam (Rate.tensor (Tensor.scalar 1e-2))
                    "adam with other betas and eps", Optim.adam (3e-2, beta1 = 0.8, beta2 = 0.99, eps = 1e-6)
                ] do
                test $"{name}: the fused step equals update + applyUpdates" {
                    // a copy of the record is the same optimizer without the fused step
                    let generic = { opt with Init = opt.Init }
                    let pFused, sFused = run opt 6
                    let pGeneric, sGeneric = run generic 6
                    expectSameTrees pFused pGeneric "parameters"
                    expectSameTrees sFused sGeneric "state"
                    let moved = Params.toList pFused |> List.head |> snd
                    let start = Params.toList (treeParameters ()) |> List.head |> snd
                    Expect.isFalse (Tensor.allclose (moved, start)) "the parameters moved"
                }

                test $"{name}: the fused path is taken (it makes fewer native tensors than the generic step)" {
                    let created (o: Optimizer) =
                        let p = treeParameters ()
                        let g = treeGradients 1 p
                        let s = Optimizer.init o p
                        use _ = TorchSharp.torch.NewDisposeScope()
                        TorchSharp.DisposeScopeManager.Statistics.Reset()
                        Optimizer.step o g s p |> ignore
                        TorchSharp.DisposeScopeManager.Statistics.CreatedInScopeCount

                    Expect.isLessThan (created opt) (created { opt with Init = opt.Init }) "fused < generic"
                }

            test "a differentiated learning rate takes the generic, differentiable path" {
                let p = treeParameters ()
                let g = treeGradients 1 p

                let lossAfterStep (lr: Tensor) =
                    let opt = Optim.adam (Rate.tensor lr)
                    let next, _ = Optimizer.step opt g (Optimizer.init opt p) p
                    Params.dot next next

                let d = Diff.grad lossAfterStep (Tensor.scalar (1e-2, Float32))
                let h = 1e-3

                let fd =
                    ((lossAfterStep (Tensor.scalar (1e-2 + h, Float32))).ToDouble()
                     - (lossAfterStep (Tensor.scalar (1e-2 - h, Float32))).ToDouble())
                    / (2.0 * h)

                Expect.floatClose { absolute = 1e-2; relative = 1e-2 } (d.ToDouble()) fd "d loss / d lr"
                Expect.notEqual (d.ToDouble()) 0.0 "the derivative flows through the step"
            }
        ]
