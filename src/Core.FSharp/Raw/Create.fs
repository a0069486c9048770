/// Making raw libtorch tensors from .NET data, constants and random keys.
module internal Functional.Raw.Create

open System
open System.Collections
open System.Collections.Generic
open TorchSharp
open Functional
open Functional.Native

type private Elements =
    | Floats of List<float>
    | Ints of List<int64>
    | Bools of List<bool>

let private unsupported (o: obj) =
    Errors.fail
        "Tensor.create"
        $"cannot make a tensor from a value of type {o.GetType().Name}"
        "Use a number, a bool, a .NET array (1-4 D, rectangular or jagged) or nested lists/seqs of numbers."

/// Flattens numbers, arrays, lists and seqs (row-major) into a shape and elements; checks raggedness.
let private flatten (data: obj) : int64[] * Elements =
    let floats = List<float>()
    let ints = List<int64>()
    let bools = List<bool>()
    let mutable sawFloat = false

    let scalar (o: obj) =
        match o with
        | :? float as v ->
            sawFloat <- true
            floats.Add v
        | :? float32 as v ->
            sawFloat <- true
            floats.Add(float v)
        | :? int as v ->
            ints.Add(int64 v)
            floats.Add(float v)
        | :? int64 as v ->
            ints.Add v
            floats.Add(float v)
        | :? byte as v ->
            ints.Add(int64 v)
            floats.Add(float v)
        | :? int16 as v ->
            ints.Add(int64 v)
            floats.Add(float v)
        | :? bool as v -> bools.Add v
        | :? decimal as v ->
            sawFloat <- true
            floats.Add(float v)
        | _ -> unsupported o

    let rec walk (o: obj) : int64 list =
        match o with
        | null -> Errors.fail "Tensor.create" "the data contains null" "Pass numbers only."
        | :? string -> unsupported o
        | :? Array as a when a.Rank > 1 ->
            for x in a do
                walk x |> ignore

            [ for d in 0 .. a.Rank - 1 -> int64 (a.GetLength d) ]
        | :? IEnumerable as e ->
            let items = [ for x in e -> x ]
            let shapes = items |> List.map walk

            match shapes with
            | [] -> [ 0L ]
            | first :: rest ->
                match rest |> List.tryFindIndex (fun s -> s <> first) with
                | Some i ->
                    Errors.fail
                        "Tensor.create"
                        $"the data is ragged: item 0 has shape {first} but item {i + 1} has shape {rest[i]}"
                        "Every row must have the same length."
                | None -> int64 items.Length :: first
        | _ ->
            scalar o
            []

    let shape = walk data |> Array.ofList

    let elements =
        if bools.Count > 0 && (floats.Count > 0) then
            Errors.fail "Tensor.create" "the data mixes bools and numbers" "Use one kind of element."
        elif bools.Count > 0 then
            Bools bools
        elif sawFloat || ints.Count = 0 then
            Floats floats
        else
            Ints ints

    shape, elements

/// A raw tensor from .NET data; dtype defaults to Bool for bools and Float32 otherwise.
let ofData (data: obj) (dtype: Dtype option) (device: Device) : torch.Tensor =
    NativeSetup.ensure ()
    Convert.requireDevice "Tensor.create" device
    let dev = Convert.toTorchDevice device

    // the tensors made from the data are temporaries: `use` frees them (and keeps them alive meanwhile)
    use fast: torch.Tensor =
        match data with
        | :? (float32[]) as a -> torch.tensor (a, device = dev)
        | :? (float[]) as a -> torch.tensor (a, device = dev)
        | :? (float32[,]) as a -> torch.tensor (a, device = dev)
        | :? (float[,]) as a -> torch.tensor (a, device = dev)
        | _ -> null

    let t =
        if not (isNull fast) then
            fast.to_type (Convert.toScalarType (defaultArg dtype Float32))
        else
            let shape, elements = flatten data

            match elements with
            | Bools b ->
                use t = torch.tensor (b.ToArray(), dimensions = ReadOnlySpan shape, device = dev)
                t.to_type (Convert.toScalarType (defaultArg dtype Bool))
            | Ints i when (dtype = Some Int64 || dtype = Some Int32) ->
                use t = torch.tensor (i.ToArray(), dimensions = ReadOnlySpan shape, device = dev)
                t.to_type (Convert.toScalarType dtype.Value)
            | Ints _
            | Floats _ ->
                let values =
                    match elements with
                    | Ints i -> i.ConvertAll(fun v -> float v).ToArray()
                    | Floats f -> f.ToArray()
                    | Bools _ -> [||]

                use t = torch.tensor (values, dimensions = ReadOnlySpan shape, device = dev)
                t.to_type (Convert.toScalarType (defaultArg dtype Float32))

    t

/// A raw tensor filled with `value`.
let full (shape: int64[]) (value: float) (dtype: Dtype) (device: Device) : torch.Tensor =
    NativeSetup.ensure ()

    if shape |> Array.exists (fun d -> d < 0L) then
        Errors.fail
            "Tensor.full"
            $"negative dimension in shape {Errors.shapeText shape}"
            "Dimensions must be >= 0."

    Convert.requireDevice "Tensor.full" device
    use v = Scalar.op_Implicit value

    Errors.guard "Tensor.full" (fun () ->
        torch.full (shape, v, Convert.toScalarType dtype, Convert.toTorchDevice device))

/// Runs a libtorch random generator seeded from `rng` on the CPU (bit-identical for a key) and moves the result.
let random (rng: Rng) (device: Device) (make: torch.Generator -> torch.Tensor) : torch.Tensor =
    NativeSetup.ensure ()
    use g = new torch.Generator(uint64 (Rng.generatorSeed rng), torch.CPU)
    let t = make g

    match device with
    | CPU -> t
    | _ -> t.``to`` (Convert.toTorchDevice device)

/// The `i`-th standard basis tensor of a shape (zeros with a one at flat index `i`).
let basis (shape: int64[]) (i: int) (dtype: Dtype) (device: Device) : torch.Tensor =
    let n = Array.fold (*) 1L shape
    use flat = full [| n |] 0.0 dtype device
    use one = Scalar.op_Implicit 1.0
    use element = flat[int64 i]
    element.fill_ one |> ignore
    flat.reshape shape
