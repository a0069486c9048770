// The `dotnet fsi` entry point: a script references the built Functional.Core.dll and takes a gradient.
// Run from anywhere after `dotnet build -c Release`: dotnet fsi tests/Scripts/fsi-gradient.fsx
#r "../../src/Core.FSharp/bin/Release/net10.0/Functional.Core.dll"

open Functional

let x = Tensor.create [ 1.0; 2.0; 3.0 ]
let got = (Diff.grad (fun x -> Tensor.sum (x * x)) x).ToArray<float32>()
let expected = [| 2.0f; 4.0f; 6.0f |]

let ok =
    got.Length = expected.Length
    && Array.forall2 (fun (a: float32) b -> abs (a - b) <= 1e-6f) got expected

if ok then
    printfn "PASS: grad of sum(x*x) at [1; 2; 3] = %A" got
    exit 0
else
    eprintfn "FAIL: grad of sum(x*x) at [1; 2; 3] = %A, expected %A" got expected
    exit 1
