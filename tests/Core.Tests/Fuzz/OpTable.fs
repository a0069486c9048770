/// The fuzzed tensor ops: one descriptor per public static member of Tensor (TensorApi/*Members.fs and the
/// operators in Tensor.fs). Each descriptor names the op, the names its error messages may use, how to
/// generate its arguments and the shape a successful call must return. Adding an op is one line for the
/// common patterns (`unary`, `scalarOp`, `binary`, `reduction`, `alongDim`).
module Functional.Tests.Fuzz.OpTable

open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests.Fuzz.FuzzGen
open Functional.Tests.Fuzz.FuzzCase
open Functional.Tests.Fuzz.Oracle

// ---- patterns -----------------------------------------------------------------------------------

/// An elementwise op of one tensor of any dtype and shape: the result has its shape.
let unary name names (f: Tensor -> Tensor) =
    spec
        name
        (name :: names)
        (gen {
            let! x = tensor
            return case [ x ] () (fun t -> box (f t[0])) (ShapeIfOk x.Shape)
        })

/// An elementwise op of one tensor and another argument drawn from `arg`.
let unaryWith name names (arg: Gen<'A>) (f: Tensor -> 'A -> Tensor) =
    spec
        name
        (name :: names)
        (gen {
            let! x = tensor
            let! a = arg
            return case [ x ] a (fun t -> box (f t[0] a)) (ShapeIfOk x.Shape)
        })

/// An elementwise op of a tensor and a number (float or int), in either order.
let scalarOp name names (f: Tensor -> float -> Tensor) = unaryWith name names floatArg f

/// An elementwise op of two tensors with broadcasting (mostly of one dtype, sometimes mixed).
let binary name names (f: Tensor -> Tensor -> Tensor) =
    spec
        name
        (name :: names)
        (gen {
            let! sa, sb = broadcastPair
            let! da = dtype
            let! db = Gen.frequency [ 3, Gen.constant da; 1, dtype ]
            let! a = tensorOf da sa
            let! b = tensorOf db sb

            // With float operands the only possible mistake is the shapes, which the message must show.
            let expect =
                match broadcastExpect sa sb with
                | FailsNaming _ when not (da.IsFloatingPoint && db.IsFloatingPoint) -> Fails
                | e -> e

            return case [ a; b ] () (fun t -> box (f t[0] t[1])) expect
        })

/// A reduction over all elements or along an optional dimension, with keepDim.
let reduction name names (f: Tensor -> int option -> bool -> Tensor) =
    spec
        name
        (name :: names)
        (gen {
            let! x = tensor
            let! d = optDimFor x.Rank
            let! k = Gen.elements [ false; true ]
            return case [ x ] (d, k) (fun t -> box (f t[0] d k)) (reduced x.Shape d k)
        })

/// An op along one dimension that keeps the shape.
let alongDim name names (f: Tensor -> int -> Tensor) =
    spec
        name
        (name :: names)
        (gen {
            let! x = tensor
            let! d = dimFor x.Rank
            return case [ x ] d (fun t -> box (f t[0] d)) (Oracle.alongDim x.Shape d)
        })

let private ints (xs: int list) = Array.ofList xs

// ---- elementwise, activations, comparisons -------------------------------------------------------

let private elementwise =
    [
        floatOnly (unary "exp" [] Tensor.exp)
        floatOnly (unary "log" [] Tensor.log)
        floatOnly (unary "log1p" [] Tensor.log1p)
        floatOnly (unary "expm1" [] Tensor.expm1)
        floatOnly (unary "tanh" [] Tensor.tanh)
        floatOnly (unary "sigmoid" [] Tensor.sigmoid)
        floatOnly (unary "sin" [] Tensor.sin)
        floatOnly (unary "cos" [] Tensor.cos)
        floatOnly (unary "sqrt" [] Tensor.sqrt)
        unary "relu" [] Tensor.relu
        unary "abs" [] Tensor.abs
        unary "sign" [] Tensor.sign
        unary "floor" [] Tensor.floor
        unary "ceil" [] Tensor.ceil
        unary "round" [] Tensor.round
        floatOnly (unary "tan" [] Tensor.tan)
        floatOnly (unary "asin" [] Tensor.asin)
        floatOnly (unary "acos" [] Tensor.acos)
        floatOnly (unary "atan" [] Tensor.atan)
        floatOnly (unary "sinh" [] Tensor.sinh)
        floatOnly (unary "cosh" [] Tensor.cosh)
        floatOnly (unary "erf" [] Tensor.erf)
        floatOnly (unary "gelu" [] Tensor.gelu)
        unary "neg" [] (fun x -> -x)
        unary "identity" [] (fun x -> +x)
        unary "isFinite" [] Tensor.isFinite
        floatOnly
        <| unaryWith "leakyRelu" [] floatArg (fun x s -> Tensor.leakyRelu (x, s))
        floatOnly <| unaryWith "elu" [] floatArg (fun x a -> Tensor.elu (x, a))
        floatOnly
        <| unaryWith "softplus" [] (Gen.zip floatArg floatArg) (fun x (b, t) -> Tensor.softplus (x, b, t))
        unaryWith "clamp" [] (Gen.zip (Gen.optionOf floatArg) (Gen.optionOf floatArg)) (fun x (lo, hi) ->
            Tensor.clamp (x, ?min = lo, ?max = hi))
        scalarOp "add" [] (fun x c -> x + c)
        scalarOp "add" [ "neg" ] (fun x c -> c + x)
        scalarOp "add" [ "neg" ] (fun x c -> x - c)
        scalarOp "add" [ "neg" ] (fun x c -> c - x)
        scalarOp "mul" [] (fun x c -> x * c)
        scalarOp "mul" [] (fun x c -> c * x)
        scalarOp "mul" [] (fun x c -> x / c)
        scalarOp "pow" [ "mul" ] (fun x c -> c / x)
        scalarOp "pow" [] (fun x c -> x ** c)
        scalarOp "pow" [ "exp"; "mul" ] (fun x c -> Tensor.Pow(c, x))
        unaryWith "add" [] sizeArg (fun x c -> x + c)
        unaryWith "add" [] sizeArg (fun x c -> c + x)
        unaryWith "add" [] sizeArg (fun x c -> x - c)
        unaryWith "add" [ "neg" ] sizeArg (fun x c -> c - x)
        unaryWith "mul" [] sizeArg (fun x c -> x * c)
        unaryWith "mul" [] sizeArg (fun x c -> c * x)
        unaryWith "mul" [] sizeArg (fun x c -> x / c)
        unaryWith "pow" [ "mul" ] sizeArg (fun x c -> c / x)
        unaryWith "pow" [] sizeArg (fun x c -> x ** c)
        binary "add" [] (+)
        binary "sub" [ "neg" ] (-)
        binary "mul" [] (*)
        binary "div" [] (/)
        binary "pow" [ "log" ] (fun a b -> a ** b)
        binary "maximum" [] (fun a b -> Tensor.maximum (a, b))
        binary "minimum" [] (fun a b -> Tensor.minimum (a, b))
        binary "atan2" [] (fun a b -> Tensor.atan2 (a, b))
        binary "eq" [] (fun a b -> Tensor.eq (a, b))
        binary "ne" [] (fun a b -> Tensor.ne (a, b))
        binary "lt" [] (fun a b -> Tensor.lt (a, b))
        binary "le" [] (fun a b -> Tensor.le (a, b))
        binary "gt" [] (fun a b -> Tensor.gt (a, b))
        binary "ge" [] (fun a b -> Tensor.ge (a, b))
        scalarOp "eq" [] (fun x c -> Tensor.eq (x, c))
        scalarOp "ne" [] (fun x c -> Tensor.ne (x, c))
        scalarOp "lt" [] (fun x c -> Tensor.lt (x, c))
        scalarOp "le" [] (fun x c -> Tensor.le (x, c))
        scalarOp "gt" [] (fun x c -> Tensor.gt (x, c))
        scalarOp "ge" [] (fun x c -> Tensor.ge (x, c))
        spec
            "where"
            [ "where" ]
            (gen {
                let! sa, sb = broadcastPair
                let! sc, _ = broadcastPair
                let! cd = Gen.frequency [ 5, Gen.constant Bool; 1, dtype ]
                let! c = tensorOf cd (if cd = Bool then sa else sc)
                let! a = tensorOfShape sa
                let! b = tensorOfShape sb

                let expect =
                    match broadcast c.Shape sa |> Option.bind (broadcast sb) with
                    | Some s when cd = Bool -> ShapeIfOk s
                    | _ -> Anything

                return case [ c; a; b ] () (fun t -> box (Tensor.where (t[0], t[1], t[2]))) expect
            })
    ]

// ---- reductions ----------------------------------------------------------------------------------

let private reductions =
    [
        reduction "sum" [] (fun x d k -> Tensor.sum (x, ?dim = d, keepDim = k))
        reduction "mean" [ "sum"; "mul" ] (fun x d k -> Tensor.mean (x, ?dim = d, keepDim = k))
        floatOnly (reduction "variance" [] (fun x d k -> Tensor.variance (x, ?dim = d, keepDim = k)))
        floatOnly (
            reduction "variance" [] (fun x d k ->
                Tensor.variance (x, ?dim = d, keepDim = k, unbiased = false))
        )
        floatOnly (reduction "std" [ "variance" ] (fun x d k -> Tensor.std (x, ?dim = d, keepDim = k)))
        floatOnly (reduction "logsumexp" [] (fun x d k -> Tensor.logsumexp (x, ?dim = d, keepDim = k)))
        reduction "prod" [] (fun x d k -> Tensor.prod (x, ?dim = d, keepDim = k))
        reduction "max" [] (fun x d k -> Tensor.max (x, ?dim = d, keepDim = k))
        reduction "min" [] (fun x d k -> Tensor.min (x, ?dim = d, keepDim = k))
        reduction "argmax" [] (fun x d k -> Tensor.argmax (x, ?dim = d, keepDim = k))
        reduction "argmin" [] (fun x d k -> Tensor.argmin (x, ?dim = d, keepDim = k))
        floatOnly (alongDim "softmax" [] (fun x d -> Tensor.softmax (x, d)))
        floatOnly (alongDim "logSoftmax" [] (fun x d -> Tensor.logSoftmax (x, d)))
    ]

/// The size of dimension `d` of `x` if it is valid, else 2 (so index tensors are still drawn).
let private sizeAt (x: Tensor) (d: int) =
    if x.Rank > 0 && validDim x.Rank d then
        x.Shape[normDim x.Rank d]
    else
        2

// ---- shapes ----------------------------------------------------------------------------------------

let private shapes =
    [
        spec
            "reshape"
            [ "reshape" ]
            (gen {
                let! x = tensor
                let! target = reshapeTarget x.Shape

                return
                    case [ x ] target (fun t -> box (Tensor.reshape (t[0], target))) (reshaped x.Shape target)
            })
        spec
            "flatten"
            [ "flatten" ]
            (gen {
                let! x = tensor
                let! s = dimFor x.Rank
                let! e = dimFor x.Rank

                let expect =
                    if x.Rank = 0 then
                        ShapeIfOk [| 1 |]
                    elif
                        not (validDim x.Rank s && validDim x.Rank e)
                        || normDim x.Rank s > normDim x.Rank e
                    then
                        Fails
                    else
                        let s, e = normDim x.Rank s, normDim x.Rank e

                        ShapeIfOk(
                            Array.concat
                                [ x.Shape[.. s - 1]; [| Array.fold (*) 1 x.Shape[s..e] |]; x.Shape[e + 1 ..] ]
                        )

                return case [ x ] (s, e) (fun t -> box (Tensor.flatten (t[0], s, e))) expect
            })
        spec
            "squeeze"
            [ "squeeze" ]
            (gen {
                let! x = tensor
                let! d = optDimFor x.Rank

                let expect =
                    match d with
                    | None -> ShapeIfOk(x.Shape |> Array.filter ((<>) 1))
                    | Some _ when x.Rank = 0 -> Anything
                    | Some d when not (validDim x.Rank d) -> Fails
                    | Some d ->
                        let d = normDim x.Rank d
                        ShapeIfOk(if x.Shape[d] = 1 then Array.removeAt d x.Shape else x.Shape)

                return case [ x ] d (fun t -> box (Tensor.squeeze (t[0], ?dim = d))) expect
            })
        spec
            "unsqueeze"
            [ "unsqueeze" ]
            (gen {
                let! x = tensor
                let! d = dimFor (x.Rank + 1)

                let expect =
                    if validDim (x.Rank + 1) d then
                        ShapeIfOk(Array.insertAt (normDim (x.Rank + 1) d) 1 x.Shape)
                    else
                        Fails

                return case [ x ] d (fun t -> box (Tensor.unsqueeze (t[0], d))) expect
            })
        spec
            "transpose"
            [ "transpose" ]
            (gen {
                let! x = tensor
                let! a = dimFor x.Rank
                let! b = dimFor x.Rank

                let expect =
                    if x.Rank = 0 then
                        Anything
                    elif validDim x.Rank a && validDim x.Rank b then
                        let a, b = normDim x.Rank a, normDim x.Rank b
                        let s = Array.copy x.Shape
                        s[a] <- x.Shape[b]
                        s[b] <- x.Shape[a]
                        ShapeIfOk s
                    else
                        Fails

                return case [ x ] (a, b) (fun t -> box (Tensor.transpose (t[0], a, b))) expect
            })
        spec
            "transpose"
            [ "transpose" ]
            (gen {
                let! x = tensor

                let expect =
                    if x.Rank >= 2 then
                        ShapeIfOk(
                            Array.append x.Shape[.. x.Rank - 3] [| x.Shape[x.Rank - 1]; x.Shape[x.Rank - 2] |]
                        )
                    else
                        Anything

                return case [ x ] "x.T" (fun t -> box t[0].T) expect
            })
        spec
            "permute"
            [ "permute" ]
            (gen {
                let! x = tensor
                let! p = Gen.shuffle [| 0 .. x.Rank - 1 |]

                let! dims =
                    Gen.frequency
                        [
                            6, Gen.constant (List.ofArray p)
                            1, Gen.constant (List.ofArray p |> List.map (fun d -> d - x.Rank))
                            2, Gen.listOf (dimFor x.Rank)
                        ]

                let expect =
                    if dims = List.ofArray p then
                        ShapeIfOk(p |> Array.map (fun d -> x.Shape[d]))
                    else
                        Anything

                return case [ x ] dims (fun t -> box (Tensor.permute (t[0], dims))) expect
            })
        spec
            "expand"
            [ "expand"; "broadcastTo" ]
            (gen {
                let! x = tensor
                let! lead = Gen.listOf dimSize |> Gen.map (List.truncate 2)

                let! target =
                    Gen.frequency
                        [
                            5,
                            Gen.sequenceToList
                                [
                                    for n in x.Shape ->
                                        if n = 1 then
                                            Gen.elements [ 1; 3; 0; -1 ]
                                        else
                                            Gen.elements [ n; n; -1 ]
                                ]
                            2, sizes
                        ]

                let full = lead @ target
                return case [ x ] full (fun t -> box (Tensor.expand (t[0], full))) Anything
            })
        spec
            "broadcastTo"
            [ "expand"; "broadcastTo" ]
            (gen {
                let! x = tensor
                let! target = sizes
                return case [ x ] target (fun t -> box (Tensor.broadcastTo (t[0], target))) Anything
            })
        spec
            "flip"
            [ "flip" ]
            (gen {
                let! x = tensor
                let! dims = dimsFor x.Rank

                let expect =
                    if List.forall (validDim x.Rank) dims && x.Rank > 0 then
                        if (List.distinct (List.map (normDim x.Rank) dims)).Length = dims.Length then
                            ShapeIfOk x.Shape
                        else
                            Fails
                    else
                        Anything

                return case [ x ] dims (fun t -> box (Tensor.flip (t[0], dims))) expect
            })
        spec
            "repeat"
            [ "repeat" ]
            (gen {
                let! x = tensor
                let! extra = Gen.choose (-1, 2)
                let! reps = sizesOf (max 0 (x.Rank + extra))

                let expect =
                    if reps.Length < x.Rank || List.exists (fun r -> r < 0) reps then
                        Fails
                    else
                        let padded = Array.append (Array.create (reps.Length - x.Rank) 1) x.Shape
                        ShapeIfOk(Array.map2 (*) (ints reps) padded)

                return case [ x ] reps (fun t -> box (Tensor.repeat (t[0], reps))) expect
            })
        spec
            "stack"
            [ "stack" ]
            (gen {
                let! s = shape
                let! n = Gen.choose (0, 3)
                let! same = Gen.frequency [ 4, Gen.constant true; 1, Gen.constant false ]
                let! xs = Gen.listOfLength n (if same then tensorOfShape s else tensor)
                let! d = dimFor (s.Length + 1)

                let expect =
                    if n = 0 then
                        Fails
                    elif same && validDim (s.Length + 1) d then
                        ShapeIfOk(Array.insertAt (normDim (s.Length + 1) d) n s)
                    else
                        Anything

                return case xs d (fun t -> box (Tensor.stack (t, d))) expect
            })
        spec
            "cat"
            [ "cat" ]
            (gen {
                let! s = shapeOfRanks 1 4
                let! n = Gen.frequency [ 1, Gen.constant 0; 9, Gen.choose (1, 3) ]
                let! d = dimFor s.Length

                let! xs =
                    Gen.listOfLength
                        n
                        (gen {
                            let! k = dimSize
                            let! mangle = Gen.frequency [ 5, Gen.constant false; 1, Gen.constant true ]

                            let si =
                                if validDim s.Length d then
                                    s |> Array.mapi (fun i m -> if i = normDim s.Length d then k else m)
                                else
                                    s

                            return! if mangle then tensor else tensorOfShape si
                        })

                return case xs d (fun t -> box (Tensor.cat (t, d))) (if n = 0 then Fails else Anything)
            })
        spec
            "split"
            [ "split"; "narrow" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank
                let! pieces = partitionOf (sizeAt x d)
                return case [ x ] (pieces, d) (fun t -> box (Tensor.split (t[0], pieces, d))) Anything
            })
        spec
            "split"
            [ "split"; "narrow" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank
                let! size = sizeArg
                return case [ x ] (size, d) (fun t -> box (Tensor.split (t[0], size, d))) Anything
            })
        spec
            "chunk"
            [ "chunk"; "split"; "narrow" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank
                let! chunks = sizeArg
                return case [ x ] (chunks, d) (fun t -> box (Tensor.chunk (t[0], chunks, d))) Anything
            })
        spec
            "pad"
            [ "pad"; "narrow" ]
            (gen {
                let! x = tensor
                let! n = Gen.choose (0, 2 * x.Rank + 1)
                let! pads = sizesOf n
                let! value = floatArg
                return case [ x ] (pads, value) (fun t -> box (Tensor.pad (t[0], pads, value))) Anything
            })
        spec
            "select"
            [ "select" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank

                let! i =
                    Gen.frequency [ 4, Gen.choose (-3, 3); 1, Gen.elements [ System.Int32.MinValue; 100 ] ]

                let expect =
                    if x.Rank = 0 || not (validDim x.Rank d) then
                        Fails
                    else
                        let d = normDim x.Rank d
                        let n = x.Shape[d]

                        if i >= -n && i < n then
                            ShapeIfOk(Array.removeAt d x.Shape)
                        else
                            Fails

                return case [ x ] (d, i) (fun t -> box (Tensor.select (t[0], d, i))) expect
            })
        spec
            "narrow"
            [ "narrow" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank
                let n = sizeAt x d
                let! start = Gen.frequency [ 4, Gen.choose (0, n); 1, sizeArg ]
                let! length = Gen.frequency [ 4, Gen.choose (0, max 0 (n - start)); 1, sizeArg ]

                let expect =
                    if x.Rank = 0 || not (validDim x.Rank d) then
                        Fails
                    else
                        let d = normDim x.Rank d

                        if start >= 0 && length >= 0 && start + length <= x.Shape[d] then
                            ShapeIfOk(x.Shape |> Array.mapi (fun i n -> if i = d then length else n))
                        else
                            Fails

                return
                    case
                        [ x ]
                        (d, start, length)
                        (fun t -> box (Tensor.narrow (t[0], d, start, length)))
                        expect
            })
    ]

// ---- indexing ------------------------------------------------------------------------------------------

let private indexing =
    [
        spec
            "indexSelect"
            [ "indexSelect" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank
                let! s = Gen.frequency [ 5, shapeOfRank 1; 1, shapeOfRanks 0 2 ]
                let! idx = indicesFor (sizeAt x d) s

                let expect =
                    if x.Rank > 0 && validDim x.Rank d && s.Length = 1 then
                        ShapeIfOk(x.Shape |> Array.mapi (fun i n -> if i = normDim x.Rank d then s[0] else n))
                    else
                        Anything

                return case [ x; idx ] d (fun t -> box (Tensor.indexSelect (t[0], d, t[1]))) expect
            })
        spec
            "indexAdd"
            [ "indexAdd" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank
                let! s = Gen.frequency [ 5, shapeOfRank 1; 1, shapeOfRanks 0 2 ]
                let! idx = indicesFor (sizeAt x d) s

                let srcShape =
                    if x.Rank > 0 && validDim x.Rank d then
                        x.Shape
                        |> Array.mapi (fun i n -> if i = normDim x.Rank d then Array.fold (*) 1 s else n)
                    else
                        x.Shape

                let! src = Gen.frequency [ 5, tensorOfShape srcShape; 1, tensor ]

                return
                    case
                        [ x; idx; src ]
                        d
                        (fun t -> box (Tensor.indexAdd (t[0], d, t[1], t[2])))
                        (ShapeIfOk x.Shape)
            })
        spec
            "gather"
            [ "gather" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank

                let! s =
                    Gen.frequency
                        [
                            5,
                            Gen.sequenceToList [ for n in x.Shape -> Gen.choose (0, n) ]
                            |> Gen.map Array.ofList
                            1,
                            Gen.sequenceToList [ for n in x.Shape -> Gen.choose (0, n + 1) ]
                            |> Gen.map Array.ofList
                            1, shape
                        ]

                let! idx = indicesFor (sizeAt x d) s
                return case [ x; idx ] d (fun t -> box (Tensor.gather (t[0], d, t[1]))) (ShapeIfOk s)
            })
        spec
            "scatterAdd"
            [ "scatterAdd" ]
            (gen {
                let! x = tensor
                let! d = dimFor x.Rank

                let! s =
                    Gen.frequency
                        [
                            5,
                            Gen.sequenceToList [ for n in x.Shape -> Gen.choose (0, n) ]
                            |> Gen.map Array.ofList
                            1,
                            Gen.sequenceToList [ for n in x.Shape -> Gen.choose (0, n + 1) ]
                            |> Gen.map Array.ofList
                            1, shape
                        ]

                let! idx = indicesFor (sizeAt x d) s
                let! src = Gen.frequency [ 3, tensorOfShape x.Shape; 2, tensorOfShape s; 1, tensor ]

                return
                    case
                        [ x; idx; src ]
                        d
                        (fun t -> box (Tensor.scatterAdd (t[0], d, t[1], t[2])))
                        (ShapeIfOk x.Shape)
            })
        spec
            "index"
            [ "index" ]
            (gen {
                let! x = tensor
                let! s = shape
                let! idx = indicesFor (if x.Rank > 0 then x.Shape[0] else 2) s

                let expect =
                    if x.Rank = 0 then
                        Fails
                    else
                        ShapeIfOk(Array.append s x.Shape[1..])

                return case [ x; idx ] () (fun t -> box t[0].[t[1]]) expect
            })
        spec
            "item"
            [ "slice" ]
            (gen {
                let! x = tensor
                let! n = Gen.frequency [ 4, Gen.choose (1, max 1 x.Rank); 1, Gen.choose (1, 4) ]

                let index (size: int) =
                    Gen.frequency [ 5, Gen.choose (-size, size - 1); 1, Gen.elements [ size; -size - 1; 9 ] ]

                let! ix =
                    Gen.sequenceToList [ for k in 0 .. n - 1 -> index (if k < x.Rank then x.Shape[k] else 1) ]

                let get (t: Tensor) =
                    match ix with
                    | [ a ] -> t.[a]
                    | [ a; b ] -> t.[a, b]
                    | [ a; b; c ] -> t.[a, b, c]
                    | [ a; b; c; d ] -> t.[a, b, c, d]
                    | _ -> t

                let inRange =
                    n <= x.Rank
                    && List.forall2 (fun i s -> i >= -s && i < s) ix (List.ofArray x.Shape[.. n - 1])

                let expect = if inRange then ShapeIfOk x.Shape[n..] else Fails
                return case [ x ] ix (fun t -> box (get t[0])) expect
            })
        spec
            "getSlice"
            [ "slice" ]
            (gen {
                let! x = tensor

                let bound =
                    Gen.optionOf (Gen.frequency [ 5, Gen.choose (-2, 4); 1, Gen.elements [ -9; 9 ] ])

                let! s0 = bound
                let! e0 = bound
                let! s1 = bound
                let! e1 = bound
                let! i = Gen.choose (-2, 2)
                let! form = Gen.choose (0, 3)

                let slice (t: Tensor) =
                    match form with
                    | 0 -> t.GetSlice(s0, e0)
                    | 1 -> t.GetSlice(s0, e0, s1, e1)
                    | 2 -> t.GetSlice(i, s1, e1)
                    | _ -> t.GetSlice(s0, e0, i)

                return case [ x ] (form, s0, e0, s1, e1, i) (fun t -> box (slice t[0])) Anything
            })
    ]

// ---- linear algebra --------------------------------------------------------------------------------

/// torch.matmul's result shape, if the shapes are compatible.
let private matmulShape (a: int[]) (b: int[]) =
    let compatible =
        a.Length > 0
        && b.Length > 0
        && a[a.Length - 1] = (if b.Length = 1 then b[0] else b[b.Length - 2])

    if not compatible then
        Fails
    else
        match a.Length, b.Length with
        | 1, 1 -> ShapeIfOk [||]
        | 1, _ -> ShapeIfOk(Array.append b[.. b.Length - 3] [| b[b.Length - 1] |])
        | _, 1 -> ShapeIfOk a[.. a.Length - 2]
        | _ ->
            match broadcast a[.. a.Length - 3] b[.. b.Length - 3] with
            | Some batch -> ShapeIfOk(Array.append batch [| a[a.Length - 2]; b[b.Length - 1] |])
            | None -> Fails

let private matrixShapes =
    gen {
        let! n = dimSize
        let! k = dimSize
        let! m = dimSize
        let! k2 = Gen.frequency [ 5, Gen.constant k; 1, dimSize ]
        let! batchA = shapeOfRanks 0 2
        let! batchB = Gen.frequency [ 3, Gen.constant batchA; 1, shapeOfRanks 0 2 ]

        let! la =
            Gen.frequency [ 1, Gen.constant 0; 2, Gen.constant 1; 4, Gen.constant 2; 2, Gen.constant 3 ]

        let! lb =
            Gen.frequency [ 1, Gen.constant 0; 2, Gen.constant 1; 4, Gen.constant 2; 2, Gen.constant 3 ]

        let shapeA =
            match la with
            | 0 -> [||]
            | 1 -> [| k |]
            | 2 -> [| n; k |]
            | _ -> Array.append batchA [| n; k |]

        let shapeB =
            match lb with
            | 0 -> [||]
            | 1 -> [| k2 |]
            | 2 -> [| k2; m |]
            | _ -> Array.append batchB [| k2; m |]

        return shapeA, shapeB
    }

/// A batch of square matrices (sometimes not square): values may be singular, NaN or huge.
let private squareMatrices =
    gen {
        let! n = dimSize
        let! batch = shapeOfRanks 0 2
        let! square = Gen.frequency [ 6, Gen.constant true; 1, Gen.constant false ]
        let! other = dimSize
        let! d = Gen.frequency [ 5, floatDtype; 1, dtype ]

        let! s =
            Gen.frequency
                [
                    6, Gen.constant (Array.append batch [| n; (if square then n else other) |])
                    1, shape
                ]

        let! a = tensorOf d s
        let! wellConditioned = Gen.elements [ false; true ]

        return
            (if
                 wellConditioned
                 && a.Dtype.IsFloatingPoint
                 && s.Length >= 2
                 && s[s.Length - 1] = s[s.Length - 2]
             then
                 a * 0.01
                 + Tensor
                     .eye(s[s.Length - 1], dtype = a.Dtype)
                     .Reshape(
                         Array.append (Array.create (s.Length - 2) 1) [| s[s.Length - 1]; s[s.Length - 1] |]
                     )
             else
                 a)
    }

let private linearAlgebra =
    [
        spec
            "matmul"
            [ "matmul"; "dot" ]
            (gen {
                let! sa, sb = matrixShapes
                let! d = dtype
                let! d2 = Gen.frequency [ 4, Gen.constant d; 1, dtype ]
                let! a = tensorOf d sa
                let! b = tensorOf d2 sb

                let expect =
                    match matmulShape sa sb with
                    | Fails when d = d2 && d <> Bool -> FailsNaming [ shapeText sa; shapeText sb ]
                    | e -> e

                return case [ a; b ] () (fun t -> box (Tensor.matmul (t[0], t[1]))) expect
            })
        spec
            "dot"
            [ "dot" ]
            (gen {
                let! n = dimSize
                let! m = Gen.frequency [ 4, Gen.constant n; 1, dimSize ]
                let! sa = Gen.frequency [ 5, Gen.constant [| n |]; 1, shape ]
                let! a = tensorOfShape sa
                let! b = tensorOfShape [| m |]

                let expect =
                    if sa = [| m |] then
                        ShapeIfOk [||]
                    else
                        FailsNaming [ shapeText sa; shapeText [| m |] ]

                return case [ a; b ] () (fun t -> box (Tensor.dot (t[0], t[1]))) expect
            })
        spec
            "outer"
            [ "outer" ]
            (gen {
                let! sa = Gen.frequency [ 5, shapeOfRank 1; 1, shape ]
                let! sb = Gen.frequency [ 5, shapeOfRank 1; 1, shape ]
                let! a = tensorOfShape sa
                let! b = tensorOfShape sb

                let expect =
                    if sa.Length = 1 && sb.Length = 1 then
                        ShapeIfOk [| sa[0]; sb[0] |]
                    else
                        FailsNaming [ shapeText sa; shapeText sb ]

                return case [ a; b ] () (fun t -> box (Tensor.outer (t[0], t[1]))) expect
            })
        spec
            "solve"
            [ "solve" ]
            (gen {
                let! a = squareMatrices
                let n = if a.Rank >= 1 then a.Shape[a.Rank - 1] else 1
                let! k = dimSize

                let! sb =
                    Gen.frequency [ 3, Gen.constant [| n |]; 3, Gen.constant [| n; k |]; 1, shape ]

                let! b = Gen.frequency [ 4, tensorOf a.Dtype sb; 1, tensorOfShape sb ]
                return case [ a; b ] () (fun t -> box (Tensor.solve (t[0], t[1]))) Anything
            })
        spec
            "inverse"
            [ "inverse" ]
            (gen {
                let! a = squareMatrices
                return case [ a ] () (fun t -> box (Tensor.inverse t[0])) (ShapeIfOk a.Shape)
            })
        spec
            "det"
            [ "det"; "inverse" ]
            (gen {
                let! a = squareMatrices

                let expect =
                    if a.Rank >= 2 then
                        ShapeIfOk a.Shape[.. a.Rank - 3]
                    else
                        Fails

                return case [ a ] () (fun t -> box (Tensor.det t[0])) expect
            })
    ]

// ---- conversion --------------------------------------------------------------------------------------

let private conversion =
    [
        unaryWith "Tensor.toDtype" [] dtype (fun x d -> Tensor.toDtype (x, d))
        unaryWith "Tensor.toDevice" [ "CUDA"; "device" ] device (fun x d -> Tensor.toDevice (x, d))
    ]

// ---- convolution and pooling -----------------------------------------------------------------------

/// Arguments of a convolution over `nd` spatial dimensions; sometimes inconsistent.
type private ConvArgs =
    {
        X: int[]
        W: int[]
        Bias: int[] option
        Stride: int
        Padding: int
        OutputPadding: int
        Dilation: int
        Groups: int
    }

let private convArgs (nd: int) (transposed: bool) =
    gen {
        let! n = Gen.frequency [ 1, Gen.constant 0; 4, Gen.choose (1, 2) ]
        let! groups = Gen.frequency [ 6, Gen.constant 1; 2, Gen.constant 2; 1, windowArg ]
        let g = max groups 1
        let! cinPer = Gen.choose (1, 2)
        let! coutPer = Gen.choose (1, 2)
        let cin, cout = cinPer * g, coutPer * g

        let! kernel =
            Gen.listOfLength nd (Gen.frequency [ 8, Gen.choose (1, 3); 1, Gen.elements [ 0; 6 ] ])

        let! spatial =
            Gen.listOfLength nd (Gen.frequency [ 1, Gen.constant 0; 8, Gen.choose (1, 6) ])

        let! stride = windowArg
        let! padding = Gen.frequency [ 6, Gen.choose (0, 2); 1, Gen.constant -1 ]

        let! outputPadding =
            Gen.frequency [ 6, Gen.constant 0; 2, Gen.constant 1; 1, Gen.constant -1 ]

        let! dilation = windowArg

        let! bias =
            Gen.frequency
                [
                    2, Gen.constant None
                    2, Gen.constant (Some [| cout |])
                    1, Gen.map Some shape
                ]

        let w =
            if transposed then
                Array.append [| cin; coutPer |] (ints kernel)
            else
                Array.append [| cout; cinPer |] (ints kernel)

        let args =
            {
                X = Array.append [| n; cin |] (ints spatial)
                W = w
                Bias = bias
                Stride = stride
                Padding = padding
                OutputPadding = outputPadding
                Dilation = dilation
                Groups = groups
            }

        let! mangled =
            Gen.frequency
                [
                    6, Gen.constant args
                    1, Gen.map (fun s -> { args with X = s }) shape
                    1, Gen.map (fun s -> { args with W = s }) shape
                ]

        return mangled
    }

/// The expected output shape of a (transposed) convolution with consistent arguments.
let private convExpect (nd: int) (transposed: bool) (a: ConvArgs) =
    let consistent =
        a.X.Length = nd + 2
        && a.W.Length = nd + 2
        && a.Groups >= 1
        && a.Stride >= 1
        && a.Padding >= 0
        && a.Dilation >= 1
        && (match a.Bias with
            | None -> true
            | Some b -> b = [| (if transposed then a.W[1] * a.Groups else a.W[0]) |])
        && Array.forall (fun k -> k >= 1) a.W[2..]

    if not consistent then
        Anything
    else
        let outSize i =
            let s, k = a.X[i + 2], a.W[i + 2]

            if transposed then
                (s - 1) * a.Stride - 2 * a.Padding + a.Dilation * (k - 1) + a.OutputPadding + 1
            else
                windowOut s k a.Stride a.Padding a.Dilation

        let cout = if transposed then a.W[1] * a.Groups else a.W[0]
        ShapeIfOk(Array.append [| a.X[0]; cout |] (Array.init nd outSize))

let private conv (name: string) (nd: int) (transposed: bool) =
    spec
        name
        [ name ]
        (gen {
            let! a = convArgs nd transposed
            let! d = Gen.frequency [ 6, floatDtype; 1, dtype ]
            let! d2 = Gen.frequency [ 6, Gen.constant d; 1, dtype ]
            let! x = tensorOf d a.X
            let! w = tensorOf d2 a.W

            let! b =
                match a.Bias with
                | Some s -> tensorOf d2 s |> Gen.map Some
                | None -> Gen.constant None

            let inputs = [ x; w ] @ Option.toList b

            let apply (t: Tensor[]) =
                let bias = if t.Length > 2 then Some t[2] else None

                match nd, transposed with
                | 1, false ->
                    Tensor.conv1d (
                        t[0],
                        t[1],
                        ?bias = bias,
                        stride = a.Stride,
                        padding = a.Padding,
                        dilation = a.Dilation,
                        groups = a.Groups
                    )
                | 2, false ->
                    Tensor.conv2d (
                        t[0],
                        t[1],
                        ?bias = bias,
                        stride = a.Stride,
                        padding = a.Padding,
                        dilation = a.Dilation,
                        groups = a.Groups
                    )
                | 1, true ->
                    Tensor.convTranspose1d (
                        t[0],
                        t[1],
                        ?bias = bias,
                        stride = a.Stride,
                        padding = a.Padding,
                        outputPadding = a.OutputPadding,
                        dilation = a.Dilation,
                        groups = a.Groups
                    )
                | _ ->
                    Tensor.convTranspose2d (
                        t[0],
                        t[1],
                        ?bias = bias,
                        stride = a.Stride,
                        padding = a.Padding,
                        outputPadding = a.OutputPadding,
                        dilation = a.Dilation,
                        groups = a.Groups
                    )

            let expect = if d = d2 then convExpect nd transposed a else Anything
            return case inputs a (apply >> box) expect
        })

/// conv2d with the sequence forms of its parameters (sometimes of the wrong length, or with both forms).
let private conv2dSequences =
    spec
        "conv2d"
        [ "conv2d" ]
        (gen {
            let! a = convArgs 2 false
            let! x = tensorOf Float32 a.X
            let! w = tensorOf Float32 a.W

            let pair (g: Gen<int>) =
                Gen.frequency [ 5, Gen.listOfLength 2 g; 1, Gen.listOf g |> Gen.map (List.truncate 3) ]

            let! strides = pair windowArg
            let! paddings = pair (Gen.frequency [ 5, Gen.choose (0, 1); 1, sizeArg ])
            let! both = Gen.frequency [ 5, Gen.constant false; 1, Gen.constant true ]

            let apply (t: Tensor[]) =
                if both then
                    Tensor.conv2d (t[0], t[1], stride = 1, strides = strides)
                else
                    Tensor.conv2d (t[0], t[1], strides = strides, paddings = paddings)

            return case [ x; w ] (a, strides, paddings, both) (apply >> box) Anything
        })

let private pool (name: string) (nd: int) (isMax: bool) =
    spec
        name
        [ name ]
        (gen {
            let! n = Gen.frequency [ 1, Gen.constant 0; 4, Gen.choose (1, 2) ]
            let! c = Gen.frequency [ 1, Gen.constant 0; 6, Gen.choose (1, 2) ]

            let! spatial =
                Gen.listOfLength nd (Gen.frequency [ 1, Gen.constant 0; 8, Gen.choose (1, 6) ])

            let! s =
                Gen.frequency [ 6, Gen.constant (Array.append [| n; c |] (ints spatial)); 1, shape ]

            let! x = Gen.frequency [ 6, floatTensorOfShape s; 1, tensorOfShape s ]
            let! k = windowArg
            let! stride = Gen.optionOf windowArg

            let! padding =
                Gen.frequency [ 4, Gen.constant 0; 2, Gen.constant 1; 1, Gen.constant -1 ]

            let! dilation = windowArg
            let! ceilMode = Gen.elements [ false; true ]

            let apply (t: Tensor[]) =
                match nd, isMax with
                | 1, true ->
                    Tensor.maxPool1d (
                        t[0],
                        k,
                        ?stride = stride,
                        padding = padding,
                        dilation = dilation,
                        ceilMode = ceilMode
                    )
                | 2, true ->
                    Tensor.maxPool2d (
                        t[0],
                        kernelSize = k,
                        ?stride = stride,
                        padding = padding,
                        dilation = dilation,
                        ceilMode = ceilMode
                    )
                | 1, false ->
                    Tensor.avgPool1d (t[0], k, ?stride = stride, padding = padding, ceilMode = ceilMode)
                | _ ->
                    Tensor.avgPool2d (
                        t[0],
                        kernelSize = k,
                        ?stride = stride,
                        padding = padding,
                        ceilMode = ceilMode
                    )

            let dil = if isMax then dilation else 1
            let st = defaultArg stride k

            let expect =
                if
                    s.Length = nd + 2
                    && k >= 1
                    && st >= 1
                    && padding >= 0
                    && dil >= 1
                    && not ceilMode
                then
                    ShapeIfOk(
                        Array.append
                            [| s[0]; s[1] |]
                            (Array.init nd (fun i -> windowOut s[i + 2] k st padding dil))
                    )
                else
                    Anything

            return case [ x ] (k, stride, padding, dilation, ceilMode) (apply >> box) expect
        })

let private windows =
    [
        conv "conv1d" 1 false
        conv "conv2d" 2 false
        conv "convTranspose1d" 1 true
        conv "convTranspose2d" 2 true
        conv2dSequences
        pool "maxPool1d" 1 true
        pool "maxPool2d" 2 true
        pool "avgPool1d" 1 false
        pool "avgPool2d" 2 false
    ]

/// Every fuzzed tensor op.
let all =
    elementwise
    @ reductions
    @ shapes
    @ indexing
    @ linearAlgebra
    @ conversion
    @ windows
