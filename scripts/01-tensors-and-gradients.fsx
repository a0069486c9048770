// %% [markdown]
// # 01 · Tensors and gradients
//
// Functional's tensors are immutable values; `Diff` differentiates ordinary F# functions of tensors, in forward
// or reverse mode, nested to any order. Build the repository once (`dotnet build -c Release`) before opening this notebook.

// %%
#I "../src/Core.FSharp/bin/Release/net10.0"
#r "Functional.Core.dll"
#r "Plotly.NET.dll"

open Functional
open Functional.Data
open Plotly.NET

/// FUNCTIONAL_QUICK=1: train for a few steps only.
let quick = System.Environment.GetEnvironmentVariable "FUNCTIONAL_QUICK" = "1"

/// The HTML of a chart in Polyglot Notebooks and Jupyter (as Plotly.NET.Interactive writes it).
let chartHtml (chart: obj) (writer: System.IO.TextWriter) =
    let plotlyJs = $"https://cdn.plot.ly/plotly-{Globals.PLOTLYJS_VERSION}.min"

    chart :?> GenericChart
    |> Chart.withDisplayOptionsStyle (PlotlyJSReference = Require plotlyJs)
    |> GenericChart.toChartHTML
    |> writer.Write

// Under .NET Interactive (Polyglot Notebooks, Jupyter) charts render as charts: register chartHtml as their HTML
// formatter. dotnet fsi and tools/NotebookRunner have no .NET Interactive formatter: there this does nothing.
for a in System.AppDomain.CurrentDomain.GetAssemblies() do
    match a.GetType "Microsoft.DotNet.Interactive.Formatting.Formatter" with
    | null -> ()
    | formatter ->
        let format = System.Action<obj, System.IO.TextWriter> chartHtml

        let register =
            formatter.GetMethod("Register", [| typeof<System.Type>; format.GetType(); typeof<string> |])

        register.Invoke(null, [| typeof<GenericChart>; format; "text/html" |]) |> ignore

// %% [markdown]
// ## Tensors
// Created from F# lists, arrays or numbers; Float32 unless you ask for another dtype. Random tensors take an explicit `Rng` key.

// %%
let a = Tensor.create [ [ 1.0; 2.0 ]; [ 3.0; 4.0 ] ]
let b = Tensor.randn (Rng.seed 0, [ 2; 2 ])
printfn "%O" (a * b + 1.0)
printfn "shape %A, dtype %A, sum %.3f" a.Shape a.Dtype ((Tensor.sum a).ToDouble())

// %% [markdown]
// ## Gradients
// `Diff.grad f x` is ∇f(x) for a scalar-valued `f`. Here f(x) = Σ sin(xᵢ) xᵢ, so ∇f = sin x + x cos x.

// %%
let f (x: Tensor) = Tensor.sum (Tensor.sin x * x)
let x = Tensor.create ([ 0.5; 1.0; 2.0 ], Float64)
let g = Diff.grad f x
let expected = Tensor.sin x + x * Tensor.cos x
printfn "grad     %A\nexpected %A" (g.ToArray<float>()) (expected.ToArray<float>())

// %% [markdown]
// ## Nested derivatives
// Every call takes a fresh tag, so derivatives nest without perturbation confusion. The classic test:
// d/dx [x · d/dy (x + y)] at x = 1 must be 1.

// %%
let confusion =
    Diff.diff
        (fun x -> x * Diff.diff (fun y -> x + y) (Tensor.scalar (1.0, Float64)))
        (Tensor.scalar (1.0, Float64))

printfn "perturbation confusion test: %g (must be 1)" (confusion.ToDouble())

printfn
    "third derivative of sin at 0: %g"
    ((Diff.diffn 3 Tensor.sin (Tensor.scalar (0.0, Float64))).ToDouble())

// %% [markdown]
// ## Hessians, Hessian-vector products and the Laplacian
// `hessian` is forward-over-reverse; it agrees with reverse-over-reverse. `hvp` never forms the Hessian.

// %%
let h = Diff.hessian f x
let hrr = Diff.jacrev (Diff.grad f) x
printfn "Hessian (diagonal: 2 cos x - x sin x):\n%O" h
printfn "forward-over-reverse = reverse-over-reverse: %b" (Tensor.allclose (h, hrr))
let v = Tensor.create ([ 1.0; 0.0; 0.0 ], Float64)
printfn "H v = %A" ((Diff.hvp f x v).ToArray<float>())
printfn "Laplacian = %g" ((Diff.laplacian f x).ToDouble())

// %% [markdown]
// ## Jacobians: forward or reverse
// For f: Rⁿ → Rᵐ, `jacfwd` costs n JVPs and `jacrev` m VJPs; `jacobian` picks the cheaper.

// %%
let w = Tensor.randn (Rng.seed 1, [ 2; 3 ], Float64)

let field (v: Tensor) =
    Tensor.tanh ((Tensor.matmul (w, v.Reshape [ 3; 1 ])).Reshape [ 2 ])

let v0 = Tensor.create ([ 0.1; -0.2; 0.3 ], Float64)
printfn "jacfwd = jacrev: %b" (Tensor.allclose (Diff.jacfwd field v0, Diff.jacrev field v0))
Diff.jacobian field v0

// %% [markdown]
// ## Checking a custom derivative
// `GradCheck.check` compares JVPs and VJPs with finite differences (to second order) and tells you where they
// disagree. A softplus with a hand-written reverse rule passes; a wrong rule is caught.

// %%
let softplus (x: Tensor) = Tensor.log (1.0 + Tensor.exp x)
let mySoftplus = Diff.customVjp softplus (fun x _ u -> u * Tensor.sigmoid x)
GradCheck.check (fun x -> Tensor.sum (mySoftplus x)) x
printfn "custom rule: ok"
let wrong = Diff.customVjp softplus (fun x _ u -> u * Tensor.sigmoid (2.0 * x))

try
    GradCheck.check (fun x -> Tensor.sum (wrong x)) x
with :? GradCheckException as e ->
    printfn "caught: %s" e.Message
