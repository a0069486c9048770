namespace Functional

open System
open System.Collections.Generic
open Functional.Ad
open Functional.Ops

/// An immutable, ordered tree of named tensors: the parameters of a model (or an optimizer's state).
/// A tensor is addressed by the dotted path of names from the root, e.g. `encoder.0.weight`.
[<NoEquality; NoComparison>]
type Params =
    /// One tensor.
    | Leaf of Tensor
    /// Named children, in order. Names are non-empty, unique within a group and contain no '.'
    /// (build groups with `Params.group` or `Params.ofList`, which check this).
    | Group of (string * Params) list

    /// A table of the tensors (path, shape, dtype) with the totals.
    override p.ToString() =
        let rec rows prefix p =
            match p with
            | Leaf(t: Tensor) -> [ (if prefix = "" then "<root>" else prefix), t ]
            | Group children ->
                children
                |> List.collect (fun (name, child) ->
                    rows (if prefix = "" then name else prefix + "." + name) child)

        let rows = rows "" p
        let total = rows |> List.sumBy (fun (_, t) -> t.NumElements)

        let plural n (word: string) =
            if n = 1 then $"{n} {word}" else $"{n} {word}s"

        let tensorCount = plural rows.Length "tensor"
        let elementCount = plural total "element"
        let header = $"Params: {tensorCount}, {elementCount}"

        if rows.IsEmpty then
            header
        else
            let shapeOf (t: Tensor) = "[" + String.Join("; ", t.Shape) + "]"
            let width = rows |> List.map (fst >> String.length) |> List.max
            let shapeWidth = rows |> List.map (snd >> shapeOf >> String.length) |> List.max

            rows
            |> List.map (fun (path, t) ->
                $"  {path.PadRight width}  {(shapeOf t).PadRight shapeWidth}  {t.Dtype}")
            |> fun lines -> String.Join("\n", header :: lines)

/// Functions on parameter trees: construction, lookup by path, maps and folds, one-vector views.
[<RequireQualifiedAccess>]
module Params =
    /// The tree with no tensors.
    let empty = Group []

    /// A tree holding one tensor.
    let leaf (t: Tensor) = Leaf t

    let private join (prefix: string) (name: string) =
        if prefix = "" then name else prefix + "." + name

    let private checkName (op: string) (name: string) =
        if String.IsNullOrEmpty name || name.Contains '.' then
            Errors.fail
                op
                $"the name '{name}' is not allowed"
                "Names are non-empty and contain no '.' (dots separate the levels of a path)."

    /// A group of named subtrees, in order; names must be unique, non-empty and free of '.'.
    let group (children: (string * Params) seq) : Params =
        let children = List.ofSeq children
        let seen = HashSet<string>()

        for name, _ in children do
            checkName "Params.group" name

            if not (seen.Add name) then
                Errors.fail
                    "Params.group"
                    $"the name '{name}' appears twice"
                    "Give every child of a group its own name."

        Group children

    /// The (path, tensor) pairs in order; the path of a root leaf is "".
    let toList (p: Params) : (string * Tensor) list =
        let rec walk prefix p acc =
            match p with
            | Leaf t -> (prefix, t) :: acc
            | Group children ->
                List.foldBack (fun (name, child) acc -> walk (join prefix name) child acc) children acc

        walk "" p []

    /// The tensors in order.
    let tensors (p: Params) : Tensor list =
        let rec walk p acc =
            match p with
            | Leaf t -> t :: acc
            | Group children -> List.foldBack (fun (_, child) acc -> walk child acc) children acc

        walk p []

    /// The dotted paths of the tensors, in order.
    let paths (p: Params) : string list = toList p |> List.map fst

    /// Applies `f` to every tensor, keeping the structure.
    let rec map (f: Tensor -> Tensor) (p: Params) : Params =
        match p with
        | Leaf t -> Leaf(f t)
        | Group children -> Group(children |> List.map (fun (name, child) -> name, map f child))

    /// Applies `f path tensor` to every tensor, keeping the structure.
    let mapi (f: string -> Tensor -> Tensor) (p: Params) : Params =
        let rec walk prefix p =
            match p with
            | Leaf t -> Leaf(f prefix t)
            | Group children ->
                Group(children |> List.map (fun (name, child) -> name, walk (join prefix name) child))

        walk "" p

    let private mismatch (op: string) (path: string) (what: string) =
        let at = if path = "" then "the root" else $"'{path}'"

        Errors.fail
            op
            $"the trees differ at {at}: {what}"
            "Both trees must have the same names in the same order (e.g. params and their gradients)."

    let private names (children: (string * Params) list) =
        "[" + String.Join("; ", children |> List.map fst) + "]"

    /// Combines the tensors at the same paths of trees of the same structure.
    let map2 (f: Tensor -> Tensor -> Tensor) (p: Params) (q: Params) : Params =
        let rec walk prefix p q =
            match p, q with
            | Leaf a, Leaf b -> Leaf(f a b)
            | Group xs, Group ys when
                List.length xs = List.length ys
                && List.forall2 (fun (a, _) (b, _) -> a = b) xs ys
                ->
                Group(List.map2 (fun (name, x) (_, y) -> name, walk (join prefix name) x y) xs ys)
            | Group xs, Group ys -> mismatch "Params.map2" prefix $"names {names xs} vs {names ys}"
            | Leaf _, Group _ -> mismatch "Params.map2" prefix "a tensor vs a group"
            | Group _, Leaf _ -> mismatch "Params.map2" prefix "a group vs a tensor"

        walk "" p q

    /// Combines the tensors at the same paths of three trees of the same structure.
    let map3 (f: Tensor -> Tensor -> Tensor -> Tensor) (p: Params) (q: Params) (r: Params) : Params =
        let qs = tensors (map2 (fun _ b -> b) p q) |> Array.ofList
        let rs = tensors (map2 (fun _ c -> c) p r) |> Array.ofList
        let mutable i = -1

        p
        |> map (fun a ->
            i <- i + 1
            f a qs[i] rs[i])

    /// Folds `f` over the tensors in order.
    let fold (f: 'S -> Tensor -> 'S) (state: 'S) (p: Params) : 'S = tensors p |> List.fold f state

    /// The total number of elements (scalar parameters) of all tensors.
    let count (p: Params) : int = fold (fun n t -> n + t.NumElements) 0 p

    /// True when both trees have the same names in the same order and tensors of the same shapes.
    let rec sameStructure (p: Params) (q: Params) : bool =
        match p, q with
        | Leaf a, Leaf b -> a.Shape = b.Shape
        | Group xs, Group ys ->
            List.length xs = List.length ys
            && List.forall2 (fun (a, x) (b, y) -> a = b && sameStructure x y) xs ys
        | _ -> false

    /// A tree of the same structure as `like` holding `tensors` in order.
    let withTensors (like: Params) (tensors: Tensor seq) : Params =
        let ts = Array.ofSeq tensors
        let n = fold (fun n _ -> n + 1) 0 like

        if ts.Length <> n then
            Errors.fail
                "Params.withTensors"
                $"the tree holds {n} tensors but {ts.Length} were given"
                "Pass one tensor per leaf, in the order of Params.tensors."

        let mutable i = -1

        like
        |> map (fun _ ->
            i <- i + 1
            ts[i])

    /// The subtree at a dotted path, if there is one ("" is the root).
    let tryFind (path: string) (p: Params) : Params option =
        if path = "" then
            Some p
        else
            (Some p, path.Split '.')
            ||> Array.fold (fun node name ->
                match node with
                | Some(Group children) -> children |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd
                | _ -> None)

    let private available (p: Params) =
        let all = paths p
        let shown = all |> List.truncate 10 |> String.concat ", "
        if all.Length > 10 then shown + ", ..." else shown

    /// The subtree at a dotted path; a clear error listing the paths there are if it is missing.
    let find (path: string) (p: Params) : Params =
        match tryFind path p with
        | Some sub -> sub
        | None ->
            Errors.fail "Params.find" $"there is no '{path}' in the tree" $"Available tensors: {available p}."

    /// The tensor at a dotted path (e.g. "encoder.0.weight").
    let get (path: string) (p: Params) : Tensor =
        match find path p with
        | Leaf t -> t
        | Group _ ->
            Errors.fail
                "Params.get"
                $"'{path}' is a group, not a tensor"
                "Use Params.find for a subtree, or a longer path."

    /// The tree with the subtree at a dotted path replaced by `value` (the path must exist).
    let set (path: string) (value: Params) (p: Params) : Params =
        find path p |> ignore

        let rec walk (names: string list) (node: Params) =
            match names, node with
            | [], _ -> value
            | name :: rest, Group children ->
                Group(children |> List.map (fun (n, c) -> if n = name then n, walk rest c else n, c))
            | _ :: _, Leaf _ -> node

        walk (if path = "" then [] else List.ofArray (path.Split '.')) p

    /// A tree from (dotted path, tensor) pairs, e.g. [ "encoder.0.weight", w; "head.bias", b ]; groups keep
    /// the order in which their names first appear.
    let ofList (pairs: (string * Tensor) seq) : Params =
        let rec build (prefix: string) (entries: (string list * Tensor) list) =
            match entries with
            | [ ([], t) ] -> Leaf t
            | _ when entries |> List.exists (fst >> List.isEmpty) ->
                Errors.fail
                    "Params.ofList"
                    $"the path '{prefix}' appears twice or is both a tensor and a group"
                    "Give every tensor its own path."
            | _ ->
                entries
                |> List.groupBy (fst >> List.head)
                |> List.map (fun (name, items) ->
                    name, build (join prefix name) (items |> List.map (fun (names, t) -> List.tail names, t)))
                |> Group

        pairs
        |> List.ofSeq
        |> List.map (fun (path, t) ->
            let names = path.Split '.' |> List.ofArray
            names |> List.iter (checkName "Params.ofList")
            names, t)
        |> build ""

    /// Keeps the tensors for which `keep path tensor` holds (groups left empty are dropped).
    let filter (keep: string -> Tensor -> bool) (p: Params) : Params =
        let rec walk prefix p =
            match p with
            | Leaf t -> if keep prefix t then Some p else None
            | Group children ->
                let kept =
                    children
                    |> List.choose (fun (name, child) ->
                        walk (join prefix name) child |> Option.map (fun c -> name, c))

                if kept.IsEmpty && not children.IsEmpty then
                    None
                else
                    Some(Group kept)

        walk "" p |> Option.defaultValue empty

    /// `full` with the tensors at the paths present in `part` replaced by those of `part` (e.g. the result
    /// of working on a `filter`ed tree).
    let merge (full: Params) (part: Params) : Params =
        let replacements = Dictionary<string, Tensor>()

        for path, t in toList part do
            replacements[path] <- t

        full
        |> mapi (fun path t ->
            match replacements.TryGetValue path with
            | true, r -> r
            | _ -> t)

    let private constantLike (value: float) (t: Tensor) =
        Tensor(Value.ofRaw (TorchSharp.torch.full_like (Value.raw t.Value, Define.scalar value)))

    /// Zeros of the shapes, dtypes and devices of the tensors (constants: no derivative).
    let zerosLike (p: Params) : Params = map (constantLike 0.0) p

    /// Ones of the shapes, dtypes and devices of the tensors (constants: no derivative).
    let onesLike (p: Params) : Params = map (constantLike 1.0) p

    /// `value` in every element, with the shapes, dtypes and devices of the tensors.
    let fullLike (value: float) (p: Params) : Params = map (constantLike value) p

    /// Σ p·q over all elements of two trees of the same structure (a scalar tensor).
    let dot (p: Params) (q: Params) : Tensor =
        match tensors (map2 (fun a b -> Tensor.sum (a * b)) p q) with
        | [] -> Tensor.scalar 0.0
        | first :: rest -> List.fold (+) first rest

    /// The global L2 norm √(Σ p²) over all elements (a scalar tensor).
    let norm (p: Params) : Tensor = Tensor.sqrt (dot p p)

    /// All elements in one vector, leaf after leaf in order, each in row-major order (differentiable;
    /// every tensor must have the same dtype).
    let flatten (p: Params) : Tensor =
        match tensors p with
        | [] -> Tensor.zeros [ 0 ]
        | (first :: _) as ts ->
            for path, t in toList p do
                if t.Dtype <> first.Dtype then
                    Errors.fail
                        "Params.flatten"
                        $"'{path}' has dtype {t.Dtype} but the first tensor has {first.Dtype}"
                        "Flatten trees of one dtype (convert the tensors first)."

            Tensor.cat (ts |> List.map (fun t -> Tensor.reshape (t, [ -1 ])))

    /// The tree of `like`'s structure and shapes holding the elements of the vector `v` (the inverse of
    /// `flatten`; differentiable).
    let unflatten (like: Params) (v: Tensor) : Params =
        let n = count like

        if v.Shape <> [| n |] then
            Errors.fail
                "Params.unflatten"
                $"the vector has shape {Errors.shapeText (Value.shape v.Value)} but the tree has {n} elements"
                $"Pass a vector of shape [{n}] (e.g. from Params.flatten)."

        let mutable start = 0

        like
        |> map (fun t ->
            let size = t.NumElements
            let part = Tensor.narrow (v, 0, start, size)
            start <- start + size
            Tensor.reshape (part, t.Shape))

/// Operators and members of `Params`.
type Params with
    /// The subtree at a dotted path.
    member p.Item
        with get (path: string) = Params.find path p

    /// The tensor at a dotted path.
    member p.Get(path: string) : Tensor = Params.get path p

    /// The total number of elements.
    member p.Count = Params.count p

    /// The tensors in order.
    member p.Tensors = Params.tensors p

    /// Sum, tensor by tensor.
    static member (+)(p: Params, q: Params) = Params.map2 (+) p q
    /// Difference, tensor by tensor.
    static member (-)(p: Params, q: Params) = Params.map2 (-) p q
    /// Elementwise product, tensor by tensor.
    static member (*)(p: Params, q: Params) = Params.map2 (*) p q
    /// Elementwise quotient, tensor by tensor.
    static member (/)(p: Params, q: Params) = Params.map2 (/) p q
    /// Every tensor times a number.
    static member (*)(a: float, p: Params) = Params.map (fun t -> a * t) p
    /// Every tensor times a number.
    static member (*)(p: Params, a: float) = Params.map (fun t -> t * a) p
    /// Every tensor times a (scalar or broadcastable) tensor.
    static member (*)(a: Tensor, p: Params) = Params.map (fun t -> a * t) p
    /// Every tensor times a (scalar or broadcastable) tensor.
    static member (*)(p: Params, a: Tensor) = Params.map (fun t -> t * a) p
    /// Every tensor divided by a number.
    static member (/)(p: Params, a: float) = Params.map (fun t -> t / a) p
    /// Every tensor divided by a (scalar or broadcastable) tensor.
    static member (/)(p: Params, a: Tensor) = Params.map (fun t -> t / a) p
    /// A number added to every element.
    static member (+)(p: Params, a: float) = Params.map (fun t -> t + a) p
    /// Every tensor negated.
    static member (~-)(p: Params) = Params.map (fun t -> -t) p
