/// Linear algebra: dot, matmul (batched, broadcasting, 1-D operands as torch.matmul), outer, solve, inverse
/// and det. Singular matrices raise a clear error instead of returning NaN or Inf.
module internal Functional.Ops.LinearAlgebra

open TorchSharp
open Functional
open Functional.Ad
open Functional.Ops.Define
open Functional.Ops.Arithmetic

/// Swaps the last two dimensions.
let private mT (x: Value) = Shape.transpose -1 -2 x

/// Inner product of two vectors of the same length (a 0-dimensional result).
let rec dot (a: Value) (b: Value) : Value =
    let sa, sb = Value.shape a, Value.shape b

    if sa.Length <> 1 || sb.Length <> 1 || sa[0] <> sb[0] then
        Errors.fail
            "dot"
            $"shapes {Errors.shapeText sa} and {Errors.shapeText sb} are not two vectors of the same length"
            "dot takes 1-D tensors of equal length; use matmul for matrices."

    binary
        "dot"
        (fun x y -> x.dot y)
        (fun a b _ i t -> if i = 0 then dot t b else dot a t)
        (fun a b _ g i -> if i = 0 then mul g b else mul g a)
        a
        b

/// A raw product of two operands promoted to one dtype first: derivative rules can meet mixed float dtypes
/// (a cotangent promoted by a later op), and libtorch aborts the process on those.
let private inCommonDtype (product: Raw -> Raw -> Raw) (x: Raw) (y: Raw) : Raw =
    if x.dtype = y.dtype then
        product x y
    else
        let common = torch.promote_types (x.dtype, y.dtype)
        use x = x.to_type common
        use y = y.to_type common
        product x y

/// Matrix product of tensors of rank >= 2 with broadcasting batch dimensions: [.., n, k] x [.., k, m].
let rec private matmulBatched (a: Value) (b: Value) : Value =
    binary
        "matmul"
        (inCommonDtype (fun x y -> x.matmul y))
        (fun a b y i t ->
            broadcastTo (Value.shape y) (if i = 0 then matmulBatched t b else matmulBatched a t))
        (fun a b _ g i ->
            if i = 0 then
                sumToShape (Value.shape a) (matmulBatched g (mT b))
            else
                sumToShape (Value.shape b) (matmulBatched (mT a) g))
        a
        b

/// Matrix product as torch.matmul: batched with broadcasting batch dimensions ([.., n, k] x [.., k, m]);
/// a 1-D left operand is a row vector and a 1-D right operand a column vector (that dimension is then
/// dropped); two vectors give their dot product. No dtype checks (derivative rules may mix float dtypes).
let private product (a: Value) (b: Value) : Value =
    let sa, sb = Value.shape a, Value.shape b

    let incompatible () =
        Errors.fail
            "matmul"
            $"shapes {Errors.shapeText sa} and {Errors.shapeText sb} are not compatible"
            "matmul needs [.., n, k] and [.., k, m] (1-D operands count as a row or column vector) with broadcastable batch dimensions."

    if sa.Length = 0 || sb.Length = 0 then
        incompatible ()

    let k1 = sa[sa.Length - 1]
    let k2 = if sb.Length = 1 then sb[0] else sb[sb.Length - 2]

    if k1 <> k2 then
        incompatible ()

    match sa.Length, sb.Length with
    | 1, 1 -> dot a b
    | _ ->
        let batchA = if sa.Length > 2 then sa[.. sa.Length - 3] else [||]
        let batchB = if sb.Length > 2 then sb[.. sb.Length - 3] else [||]
        // Report the whole operand shapes and their batch parts.
        try
            broadcastShapes "matmul" batchA batchB |> ignore
        with :? System.ArgumentException ->
            Errors.fail
                "matmul"
                $"shapes {Errors.shapeText sa} and {Errors.shapeText sb} are not compatible: the batch dimensions {Errors.shapeText batchA} and {Errors.shapeText batchB} do not broadcast"
                "matmul needs [.., n, k] and [.., k, m] with broadcastable batch dimensions [..]."

        let a2 = if sa.Length = 1 then Shape.reshape [| 1L; k1 |] a else a
        let b2 = if sb.Length = 1 then Shape.reshape [| k2; 1L |] b else b
        let y = matmulBatched a2 b2
        let sy = Value.shape y

        if sa.Length = 1 then
            Shape.reshape (Array.removeAt (sy.Length - 2) sy) y
        elif sb.Length = 1 then
            Shape.reshape sy[.. sy.Length - 2] y
        else
            y

/// `product` for users: the operands must have one numeric dtype, as in PyTorch (libtorch aborts the
/// process, rather than raising, on Bool or mixed-dtype matrix products).
let matmul (a: Value) (b: Value) : Value =
    Validate.requireNumeric "matmul" a
    Validate.requireSameDtype "matmul" a b
    product a b

/// v as a matrix with `columns` columns (all leading dimensions flattened into rows).
let private rows (v: Value) (columns: int64) : Value = Shape.reshape [| -1L; columns |] v

/// The adjoint of x Wᵀ for input i (0: x, 1: W) at output cotangent g: g W, or gᵀx over all leading dims
/// (contiguous in W's layout).
let private linearAdjoint (x: Value) (w: Value) (g: Value) (i: int) : Value =
    if i = 0 then
        product g w
    else
        let sw = Value.shape w
        matmulBatched (mT (rows g sw[0])) (rows x sw[1])

/// x Wᵀ for x: [.., in] and W: [out, in] (torch.nn.functional.linear without bias), as one primitive: its
/// weight adjoint gᵀx comes out contiguous in W's layout (x @ W.T would give a transposed view, and every
/// optimizer pass over it would read memory with a stride).
let rec linear (x: Value) (w: Value) : Value =
    binary
        "linear"
        (inCommonDtype (fun x w -> torch.nn.functional.linear (x, w)))
        (fun x w _ i t -> if i = 0 then linear t w else linear x t)
        (fun x w _ g i -> linearAdjoint x w g i)
        x
        w

/// x Wᵀ + b for x: [.., in], W: [out, in] and b: [out] (torch.nn.functional.linear with bias, one addmm): the
/// dense layer's forward in one kernel; the bias adjoint is g summed over every leading dimension.
let linearWithBias (x: Value) (w: Value) (b: Value) : Value =
    Value.apply
        {
            Name = "linear"
            Forward =
                guarded "linear" (fun r ->
                    if r[0].dtype = r[1].dtype && r[1].dtype = r[2].dtype then
                        torch.nn.functional.linear (r[0], r[1], r[2])
                    else
                        use y = inCommonDtype (fun x w -> torch.nn.functional.linear (x, w)) r[0] r[1]
                        y + r[2])
            Jvp =
                fun p y ts ->
                    sumTangents ts (fun i t ->
                        match i with
                        | 0 -> linear t p[1]
                        | 1 -> linear p[0] t
                        | _ -> broadcastTo (Value.shape y) t)
            Vjp =
                fun p _ g i ->
                    match i with
                    | 0
                    | 1 -> linearAdjoint p[0] p[1] g i
                    | _ ->
                        let outFeatures = (Value.shape p[2]).[0]
                        Reductions.sumDim 0 false (rows g outFeatures)
        }
        [| x; w; b |]

/// Outer product of two vectors: result[i, j] = a[i] b[j].
let rec outer (a: Value) (b: Value) : Value =
    let sa, sb = Value.shape a, Value.shape b

    if sa.Length <> 1 || sb.Length <> 1 then
        Errors.fail
            "outer"
            $"shapes {Errors.shapeText sa} and {Errors.shapeText sb} are not two vectors"
            "outer takes two 1-D tensors."

    binary
        "outer"
        (fun x y -> x.outer y)
        (fun a b _ i t -> if i = 0 then outer t b else outer a t)
        (fun a b _ g i -> if i = 0 then product g b else product (mT g) a)
        a
        b

/// Checks that `x` is a batch of square matrices [.., n, n].
let private requireSquare (op: string) (what: string) (x: Value) =
    let s = Value.shape x

    if s.Length < 2 || s[s.Length - 1] <> s[s.Length - 2] then
        Errors.fail
            op
            $"{what} has shape {Errors.shapeText s}, which is not a (batch of) square matrices"
            "Pass a tensor of shape [.., n, n]."

/// Fails if libtorch reported a singular matrix (`info` > 0) or finite inputs gave a non-finite result.
let private requireInvertible (op: string) (inputs: Raw list) (info: Raw) (result: Raw) =
    let allFinite (r: Raw) =
        use f = r.isfinite().all()
        f.item<bool>()

    use bad = info.gt(scalar 0.0).any()
    let a = inputs.Head

    if bad.item<bool>() || (List.forall allFinite inputs && not (allFinite result)) then
        Errors.fail
            op
            $"the matrix of shape {Errors.shapeText a.shape} is singular (or numerically singular)"
            "The matrix must be invertible; check for linearly dependent rows or columns, or regularize (e.g. add a small multiple of the identity)."

let rec private solveMatrix (a: Value) (b: Value) : Value =
    binary
        "solve"
        (fun a b ->
            // Give B at least A's rank so libtorch never reads [.., n] as a batch of vectors.
            let b =
                if b.shape.Length < a.shape.Length then
                    b.reshape (Array.append (Array.create (a.shape.Length - b.shape.Length) 1L) b.shape)
                else
                    b

            let struct (x, info) = torch.linalg.solve_ex (a, b, true, false)
            requireInvertible "solve" [ a; b ] info x
            x)
        (fun a _ y i t ->
            let dy =
                if i = 0 then
                    neg (solveMatrix a (product t y))
                else
                    solveMatrix a t

            broadcastTo (Value.shape y) dy)
        (fun a b y g i ->
            let gb = solveMatrix (mT a) g

            if i = 0 then
                sumToShape (Value.shape a) (neg (product gb (mT y)))
            else
                sumToShape (Value.shape b) gb)
        a
        b

/// Solves A X = B for X: A is [.., n, n]; B is [.., n, k] or a vector [n] (also [.., n] when that is
/// exactly A's shape without its last dimension), with broadcasting batch dimensions.
let solve (a: Value) (b: Value) : Value =
    requireSquare "solve" "A" a
    let sa, sb = Value.shape a, Value.shape b
    let n = sa[sa.Length - 1]

    let isVector =
        sb.Length = 1
        || (sb.Length = sa.Length - 1 && Array.forall2 (=) sb sa[.. sa.Length - 2])

    let rows =
        if isVector then
            sb[sb.Length - 1]
        else
            (if sb.Length >= 2 then sb[sb.Length - 2] else -1L)

    if sb.Length = 0 || rows <> n then
        Errors.fail
            "solve"
            $"B has shape {Errors.shapeText sb}, which does not fit A of shape {Errors.shapeText sa}"
            $"B must be [.., {n}, k] or a vector of length {n}."

    if isVector then
        let x = solveMatrix a (Shape.unsqueeze -1 b)
        Shape.squeeze (Some -1) x
    else
        broadcastShapes "solve" sa[.. sa.Length - 3] sb[.. sb.Length - 3] |> ignore
        solveMatrix a b

/// The inverse of a (batch of) square matrices; singular matrices raise an error.
let rec inverse (a: Value) : Value =
    requireSquare "inverse" "the input" a

    unary
        "inverse"
        (fun r ->
            // TorchSharp 0.107's linalg.inv_ex returns a Cholesky factor, so solve A Y = I instead.
            let n = r.shape[r.shape.Length - 1]
            use eye = torch.eye (n, n, r.dtype, r.device)
            let struct (y, info) = torch.linalg.solve_ex (r, eye.expand r.shape, true, false)
            requireInvertible "inverse" [ r ] info y
            y)
        (fun _ y t -> neg (product y (product t y)))
        (fun _ y g -> neg (product (mT y) (product g (mT y))))
        a

/// The determinant of a (batch of) square matrices; d det A = det A * tr(A⁻¹ dA), so derivatives need an
/// invertible A.
let det (a: Value) : Value =
    requireSquare "det" "the input" a
    let batch = (Value.shape a)[.. (Value.shape a).Length - 3]

    let asMatrices (v: Value) =
        Shape.reshape (Array.append batch [| 1L; 1L |]) v

    unary
        "det"
        (fun r -> torch.linalg.det r)
        (fun a y t ->
            mul y (Reductions.sumDim -1 false (Reductions.sumDim -1 false (mul (mT (inverse a)) t))))
        (fun a y g -> mul (asMatrices (mul g y)) (mT (inverse a)))
        a
