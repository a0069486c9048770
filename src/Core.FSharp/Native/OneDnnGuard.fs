/// Checks libtorch's oneDNN (mkldnn) convolutions once per process and switches them off where they compute
/// wrong values. On some CPUs (seen on a virtual AMD EPYC with AVX-512, libtorch 2.10 / oneDNN 3.7.1) float32
/// convolutions whose input channels are not a multiple of 16 (above 16), transposed convolutions and input
/// gradients whose input channels are not a multiple of 16, and some strided transposed ones return wrong
/// numbers, often NaN/Inf, while float64 and libtorch's native kernels are right. How wrong depends on the
/// run (the same shapes are sometimes right), so no list of safe shapes can be trusted. At start three small
/// forward and transposed convolutions of those kinds run twice in float32 and float64, and, if they agree,
/// two of libtorch's backward kernels; if any differs, libtorch's switch for oneDNN
/// (`torch.backends.mkldnn.enabled` in PyTorch) is cleared for the whole process, so every convolution (ours
/// and TorchSharp's `nn`) takes libtorch's native kernels: slower for wide layers, but right.
/// `FUNCTIONAL_ONEDNN=on` skips the check; `FUNCTIONAL_ONEDNN=off` switches oneDNN off without it.
module Functional.Native.OneDnnGuard

open System
open System.Runtime.InteropServices
open TorchSharp

[<DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")>]
extern nativeint private globalContext()

[<DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")>]
extern [<MarshalAs(UnmanagedType.U1)>] bool private userEnabledMkldnn(nativeint context)

[<DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")>]
extern void private setUserEnabledMkldnn(nativeint context, [<MarshalAs(UnmanagedType.U1)>] bool enabled)

[<DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")>]
extern void private setUserEnabledNNPACK(nativeint context, [<MarshalAs(UnmanagedType.U1)>] bool enabled)

/// What the guard found and did.
type OneDnnState =
    /// Not checked: `FUNCTIONAL_ONEDNN=on`, or libtorch's switch cannot be reached (another libtorch build or OS).
    | NotChecked
    /// oneDNN's convolutions agree with float64: left on.
    | Verified
    /// oneDNN is off for the whole process: its convolutions were wrong (the reason names the probes).
    | Disabled of reason: string
    /// oneDNN is off for the whole process without a check: `FUNCTIONAL_ONEDNN=off`.
    | TurnedOff

/// The variable that overrides the check: `on` keeps oneDNN without checking, `off` turns it off.
let variable = "FUNCTIONAL_ONEDNN"

/// Whether libtorch will use oneDNN for convolutions (None when the switch cannot be reached).
let enabled () : bool option =
    try
        Some(userEnabledMkldnn (globalContext ()))
    with
    | :? EntryPointNotFoundException
    | :? DllNotFoundException -> None

/// Sets libtorch's oneDNN switch; NNPACK stays off (libtorch tries it for every convolution oneDNN does not
/// take and, on CPUs it does not support, prints a warning each time). False when the switch cannot be reached.
let setEnabled (on: bool) : bool =
    try
        let context = globalContext ()
        setUserEnabledMkldnn (context, on)
        setUserEnabledNNPACK (context, false)
        true
    with
    | :? EntryPointNotFoundException
    | :? DllNotFoundException -> false

/// Deterministic inputs (no random generator is touched): sin(0.37 i), shaped.
let private probeInput (shape: int64[]) =
    let count = Array.fold (*) 1L shape
    torch.arange(count, dtype = torch.float64).mul_(Scalar.op_Implicit 0.37).sin_().reshape shape

/// The largest difference between `f` on `dtype` copies of deterministic inputs of `shapes` and `f` on the
/// float64 inputs, relative to the largest float64 output (infinity when not finite).
let private relativeError (dtype: torch.ScalarType) (f: torch.Tensor[] -> torch.Tensor) (shapes: int64[][]) =
    let exact = shapes |> Array.map probeInput
    let low = exact |> Array.map (fun t -> t.to_type dtype)

    try
        use expected = f exact
        use got = f low
        use got64 = got.to_type torch.float64
        use diff = (got64 - expected).abs_().max()
        use scale = expected.abs().max()
        let e = diff.item<float>() / max (scale.item<float>()) 1e-12
        if Double.IsFinite e then e else infinity
    finally
        for t in Array.append exact low do
            t.Dispose()

let private pad1 = [| 1L; 1L |]

/// Stride 1, padding 1, no dilation, one group.
let private padded: ConvolutionKernels.Geometry =
    {
        Stride = [| 1L; 1L |]
        Padding = pad1
        Dilation = [| 1L; 1L |]
        Groups = 1L
    }

/// Forward and transposed convolutions of the kinds that went wrong, with their relative float32 error
/// against float64.
let private forwardProbes () : (string * float) list =
    let error f shapes = relativeError torch.float32 f shapes

    [
        "conv2d with 30 input channels",
        error
            (fun a -> torch.nn.functional.conv2d (a[0], a[1], padding = pad1))
            [| [| 4L; 30L; 6L; 6L |]; [| 8L; 30L; 3L; 3L |] |]
        "conv_transpose2d with 8 input channels",
        error
            (fun a -> torch.nn.functional.conv_transpose2d (a[0], a[1], padding = pad1))
            [| [| 4L; 8L; 6L; 6L |]; [| 8L; 16L; 3L; 3L |] |]
        "strided conv_transpose2d with 48 output channels",
        error
            (fun a ->
                torch.nn.functional.conv_transpose2d (
                    a[0],
                    a[1],
                    strides = [| 2L; 2L |],
                    padding = pad1,
                    output_padding = pad1
                ))
            [| [| 8L; 16L; 7L; 7L |]; [| 16L; 48L; 3L; 3L |] |]
    ]

/// libtorch's backward kernels for the input and the weight (their first call compiles
/// `ConvolutionKernels`' TorchScript unit), with their relative float32 error against float64.
let private backwardProbes () : (string * float) list =
    let error f shapes = relativeError torch.float32 f shapes

    [
        "conv2d input gradient with 8 channels",
        error
            (fun a -> ConvolutionKernels.inputGrad a[0] [| 4L; 8L; 6L; 6L |] a[1] padded)
            [| [| 4L; 8L; 6L; 6L |]; [| 8L; 8L; 3L; 3L |] |]
        "conv2d weight gradient over a batch of 30",
        error
            (fun a -> ConvolutionKernels.weightGradByKernel a[0] a[1] [| 8L; 16L; 3L; 3L |] padded)
            [| [| 30L; 8L; 6L; 6L |]; [| 30L; 16L; 6L; 6L |] |]
    ]

/// Every probe (forward, transposed, backward) with its relative float32 error against float64.
let probe () : (string * float) list = forwardProbes () @ backwardProbes ()

/// Relative error above which a float32 convolution counts as wrong (rounding gives ~1e-7).
let tolerance = 1e-3

/// The reason to switch oneDNN off, if a probe's relative error is above `tolerance` (or not finite); each
/// wrong probe is named once, with its largest error.
let verdict (probes: (string * float) list) : string option =
    let worst (errors: float list) =
        errors |> List.maxBy (fun e -> if Double.IsNaN e then infinity else e)

    match probes |> List.filter (fun (_, e) -> not (e <= tolerance)) with
    | [] -> None
    | wrong ->
        let what =
            wrong
            |> List.groupBy fst
            |> List.map (fun (name, runs) -> $"{name}: relative error {worst (List.map snd runs):G3}")
            |> String.concat "; "

        Some $"oneDNN float32 convolutions are wrong on this CPU ({what})"

let mutable private state = NotChecked

/// What `apply` found (NotChecked before it ran).
let current () : OneDnnState = state

/// A line for programs to print when the check switched oneDNN off (None otherwise).
let notice () : string option =
    match state with
    | Disabled reason ->
        Some
            $"note: {reason}; convolutions use libtorch's native kernels (right, slower). {variable}=on skips the check."
    | _ -> None

/// Runs the check once libtorch is loaded (call it from NativeSetup) and switches oneDNN off if a probe is
/// wrong; `FUNCTIONAL_ONEDNN=on|off` skips the check. Returns the state it leaves.
let apply () : OneDnnState =
    let choice =
        (Environment.GetEnvironmentVariable variable
         |> Option.ofObj
         |> Option.defaultValue "")
            .Trim()
            .ToLowerInvariant()

    state <-
        if choice = "on" || (enabled ()).IsNone then
            NotChecked
        elif choice = "off" || choice = "0" then
            setEnabled false |> ignore
            TurnedOff
        else
            setEnabled true |> ignore

            // Twice: a wrong kernel is sometimes right on one call. The backward kernels are checked only
            // when the forward ones pass: once oneDNN is off, the TorchScript unit they need waits for a
            // program that uses convolutions.
            let check probes = verdict (probes () @ probes ())

            match check forwardProbes |> Option.orElseWith (fun () -> check backwardProbes) with
            | None -> Verified
            | Some reason ->
                setEnabled false |> ignore
                Disabled reason

    state
