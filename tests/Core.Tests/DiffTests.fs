module Functional.Tests.DiffTests

open System.Threading.Tasks
open Expecto
open FsCheck
open FsCheck.FSharp
open Functional
open Functional.Tests

let private s (v: float) = Tensor.scalar (v, Float64)

let private vec (xs: float list) =
    Tensor.create (Array.ofList xs, Float64)

let private close = TestUtil.expectClose

/// A smooth scalar primitive with a name, for random pipelines.
type Step =
    | Step of name: string * f: (Tensor -> Tensor)

    override st.ToString() =
        let (Step(n, _)) = st
        n

let private steps =
    [
        Step("sin", Tensor.sin)
        Step("cos", Tensor.cos)
        Step("tanh", Tensor.tanh)
        Step("sigmoid", Tensor.sigmoid)
        Step("exp(x/2)", (fun x -> Tensor.exp (x * 0.5)))
        Step("x^2/2", (fun x -> x * x * 0.5))
        Step("sqrt(x^2+1)", (fun x -> Tensor.sqrt (x * x + 1.0)))
        Step("log(x^2+1)", (fun x -> Tensor.log (x * x + 1.0)))
        Step("x*sin x", (fun x -> x * Tensor.sin x))
        Step("1/(1+x^2)", (fun x -> 1.0 / (1.0 + x * x)))
    ]

/// One differentiation level of a scalar function: forward (diff) or reverse (grad).
type Level =
    | Fwd
    | Rev

let private derive (level: Level) (f: Tensor -> Tensor) : Tensor -> Tensor =
    match level with
    | Fwd -> Diff.diff f
    | Rev -> Diff.grad f

/// The k-th derivative by nested central differences (error O(h²)).
let private finiteDerivative (k: int) (h: float) (f: float -> float) (x: float) =
    let binom n r =
        let mutable c = 1.0

        for i in 1..r do
            c <- c * float (n - r + i) / float i

        c

    [ 0..k ]
    |> List.sumBy (fun i ->
        (if i % 2 = 0 then 1.0 else -1.0)
        * binom k i
        * f (x + (float k / 2.0 - float i) * h))
    |> fun total -> total / (h ** float k)

let private pipelineProperty =
    let gen =
        gen {
            let! chain = Gen.listOfLength 3 (Gen.elements steps)
            let! depth = Gen.choose (2, 4)
            let! levels = Gen.listOfLength depth (Gen.elements [ Fwd; Rev ])
            let! x = Gen.choose (-100, 100) |> Gen.map (fun i -> float i / 100.0)
            return chain, levels, x
        }

    Prop.forAll (Arb.fromGen gen) (fun (chain, levels, x) ->
        let f (t: Tensor) =
            chain |> List.fold (fun acc (Step(_, g)) -> g acc) t

        let nested = levels |> List.fold (fun g level -> derive level g) f
        let ours = (nested (s x)).ToDouble()
        // The same order through pure forward and pure reverse nesting.
        let allFwd = (levels |> List.fold (fun g _ -> derive Fwd g) f) (s x)
        let allRev = (levels |> List.fold (fun g _ -> derive Rev g) f) (s x)
        let k = levels.Length
        let scalarF v = (f (s v)).ToDouble()

        let fd =
            if k <= 2 then
                finiteDerivative k 1e-3 scalarF x
            else // Richardson extrapolation: O(h⁴)
                (4.0 * finiteDerivative k 5e-3 scalarF x - finiteDerivative k 1e-2 scalarF x)
                / 3.0

        let agree a b tol = abs (a - b) <= tol * (1.0 + abs b)

        (agree ours (allFwd.ToDouble()) 1e-9
         && agree ours (allRev.ToDouble()) 1e-9
         && agree ours fd (if k <= 2 then 1e-5 else 2e-3))
        |> Prop.label
            $"chain {chain}, levels {levels}, x {x}: ours {ours}, fwd {allFwd.ToDouble()}, rev {allRev.ToDouble()}, fd {fd}")

/// A fixed FsCheck seed and case count, so these properties run the same cases every time.
let private fixedConfig (maxTest: int) =
    { FsCheckConfig.defaultConfig with
        maxTest = maxTest
        replay = Some(20251104UL, 0x9e3779b97f4a7c15UL, None)
    }

/// A fixed 3×3 matrix for the matmul step of tensor pipelines.
let private w3 =
    Tensor.create (array2D [ [ 0.6; -0.3; 0.2 ]; [ 0.1; 0.5; -0.4 ]; [ -0.2; 0.3; 0.7 ] ], Float64)

/// Smooth tensor primitives from [2; 3] to [2; 3] (Float64), for random tensor pipelines.
let private tensorSteps =
    [
        Step("sin", Tensor.sin)
        Step("tanh", Tensor.tanh)
        Step("exp(x/4)", (fun x -> Tensor.exp (x * 0.25)))
        Step("x^2/2", (fun x -> x * x * 0.5))
        Step("x W", (fun x -> Tensor.matmul (x, w3)))
        Step("x + sum(x, 1, keepDim)/2", (fun x -> x + 0.5 * Tensor.sum (x, 1, true)))
        Step("x * sum(x, 0)/3", (fun x -> x * Tensor.sum (x, 0) / 3.0))
        Step("transpose(reshape(x, [3; 2]))", (fun x -> Tensor.transpose (x.Reshape [ 3; 2 ], 0, 1)))
        Step("softmax(x, 1)", (fun x -> Tensor.softmax (x, 1)))
    ]

/// The directional derivative Dᵏ⟨w, f⟩(x)[v₁, …, vₖ], one level per direction in the given mode: the first
/// level is a JVP (forward) or a VJP with cotangent w (reverse) of f itself, the others a JVP or a grad of
/// the scalar function built so far.
let private directional (levels: Level list) (dirs: Tensor list) (w: Tensor) (f: Tensor -> Tensor) =
    let first (level, v: Tensor) : Tensor -> Tensor =
        match level with
        | Fwd -> fun x -> Tensor.sum (w * snd (Diff.jvp f x v))
        | Rev -> fun x -> Tensor.sum (v * (snd (Diff.vjp f x)) w)

    let next (g: Tensor -> Tensor) (level, v: Tensor) : Tensor -> Tensor =
        match level with
        | Fwd -> fun x -> snd (Diff.jvp g x v)
        | Rev -> fun x -> Tensor.sum (v * Diff.grad g x)

    let pairs = List.zip levels dirs
    List.fold next (first pairs.Head) pairs.Tail

/// Dᵏφ(x)[v₁, …, vₖ] by nested central differences: Σ over sign vectors s of (Π sᵢ) φ(x + h Σ sᵢvᵢ) / (2h)ᵏ.
let private mixedDifference (h: float) (phi: Tensor -> float) (x: Tensor) (dirs: Tensor list) =
    let k = dirs.Length

    [
        for bits in 0 .. (1 <<< k) - 1 ->
            let signs = [ for i in 0 .. k - 1 -> if (bits >>> i) &&& 1 = 1 then -1.0 else 1.0 ]

            let point =
                List.fold2 (fun (acc: Tensor) si (v: Tensor) -> acc + (si * h) * v) x signs dirs

            List.reduce (*) signs * phi point
    ]
    |> List.sum
    |> fun total -> total / ((2.0 * h) ** float k)

let private unitDirection (rng: Rng) =
    let v = Tensor.randn (rng, [ 2; 3 ], Float64)
    v / (Tensor.sqrt (Tensor.sum (v * v))).ToDouble()

let private tensorPipelineProperty =
    let gen =
        gen {
            let! length = Gen.choose (2, 4)
            let! chain = Gen.listOfLength length (Gen.elements tensorSteps)
            let! depth = Gen.choose (2, 4)
            let! levels = Gen.listOfLength depth (Gen.elements [ Fwd; Rev ])
            let! seed = Gen.choose (0, 100000)
            return chain, levels, seed
        }

    Prop.forAll (Arb.fromGen gen) (fun (chain, levels, seed) ->
        let keys = Rng.splitN 6 (Rng.seed seed)
        let x = 0.5 * Tensor.randn (keys[0], [ 2; 3 ], Float64)
        let w = Tensor.randn (keys[1], [ 2; 3 ], Float64)
        let dirs = levels |> List.mapi (fun i _ -> unitDirection keys[2 + i])

        let f (t: Tensor) =
            chain |> List.fold (fun acc (Step(_, g)) -> g acc) t

        let k = levels.Length

        let at (order: Level list) =
            (directional order dirs w f x).ToDouble()

        let ours = at levels
        let others = [ List.replicate k Fwd; List.replicate k Rev; List.rev levels ]
        let phi (t: Tensor) = (Tensor.sum (w * f t)).ToDouble()

        // Richardson extrapolation: O(h⁴).
        let fd =
            (4.0 * mixedDifference 5e-3 phi x dirs - mixedDifference 1e-2 phi x dirs) / 3.0

        let agree a b tol = abs (a - b) <= tol * (1.0 + abs b)
        let values = others |> List.map at

        (List.forall (fun v -> agree v ours 1e-9) values && agree ours fd 1e-5)
        |> Prop.label
            $"chain {chain}, levels {levels}, seed {seed}: ours {ours}, other orders {values}, fd {fd}")

/// A random smooth function Rⁿ → R: the sum of a chain of scalar steps applied to W x (W random n×n).
let private smoothScalarGen =
    gen {
        let! n = Gen.choose (1, 4)
        let! chain = Gen.listOfLength 2 (Gen.elements steps)
        let! seed = Gen.choose (0, 100000)
        return n, chain, seed
    }

let private hessianProperty =
    Prop.forAll (Arb.fromGen smoothScalarGen) (fun (n, chain, seed) ->
        let keys = Rng.splitN 2 (Rng.seed seed)
        let w = Tensor.randn (keys[0], [ n; n ], Float64) / sqrt (float n)
        let x = Tensor.randn (keys[1], [ n ], Float64)

        let f (x: Tensor) =
            let y = (Tensor.matmul (w, x.Reshape [ n; 1 ])).Reshape [ n ]
            Tensor.sum (chain |> List.fold (fun acc (Step(_, g)) -> g acc) y)

        let what = $"chain {chain}, n {n}, seed {seed}"
        let fwdRev = Diff.hessian f x
        close 1e-10 (Diff.jacrev (Diff.grad f) x) fwdRev $"rev-over-rev, {what}"
        close 1e-10 (Diff.jacrev (Diff.jacfwd f) x) fwdRev $"rev-over-fwd, {what}"
        close 1e-10 (Diff.jacfwd (Diff.jacfwd f) x) fwdRev $"fwd-over-fwd, {what}"
        close 1e-10 (Tensor.transpose (fwdRev, 0, 1)) fwdRev $"symmetric, {what}"
        let fAt (t: Tensor) = (f t).ToDouble()

        let second (h: float) i j =
            let e k =
                Tensor.create (Array.init n (fun l -> if l = k then h else 0.0), Float64)

            (fAt (x + e i + e j) - fAt (x + e i - e j) - fAt (x - e i + e j)
             + fAt (x - e i - e j))
            / (4.0 * h * h)

        // Richardson extrapolation of central second differences: O(h⁴).
        let fd =
            Array2D.init n n (fun i j -> (4.0 * second 1e-3 i j - second 2e-3 i j) / 3.0)

        close 1e-6 fwdRev (Tensor.create (fd, Float64)) $"finite differences, {what}")

/// A random smooth function from a tensor of rank 0-2 to one of shape [m] or [1; m]: a chain of scalar steps
/// applied to W x (W random m×n, n the number of input elements).
let private jacobianProperty =
    let gen =
        gen {
            let! rank = Gen.choose (0, 2)
            let! inShape = Gen.listOfLength rank (Gen.choose (1, 3))
            let! m = Gen.choose (1, 3)
            let! outShape = Gen.elements [ [ m ]; [ 1; m ] ]
            let! chain = Gen.listOfLength 2 (Gen.elements steps)
            let! seed = Gen.choose (0, 100000)
            return inShape, outShape, m, chain, seed
        }

    Prop.forAll (Arb.fromGen gen) (fun (inShape, outShape, m, chain, seed) ->
        let n = List.fold (*) 1 inShape
        let keys = Rng.splitN 2 (Rng.seed seed)
        let w = Tensor.randn (keys[0], [ m; n ], Float64)
        let x = Tensor.randn (keys[1], inShape, Float64)

        let f (x: Tensor) =
            let y = Tensor.matmul (w, x.Reshape [ n; 1 ])
            (chain |> List.fold (fun acc (Step(_, g)) -> g acc) y).Reshape outShape

        let what = $"chain {chain}, input {inShape}, output {outShape}, seed {seed}"
        let rev = Diff.jacrev f x
        Expect.sequenceEqual rev.Shape (outShape @ inShape) $"Jacobian shape, {what}"
        close 1e-10 (Diff.jacfwd f x) rev $"jacfwd = jacrev, {what}"
        close 1e-10 (Diff.jacobian f x) rev $"jacobian = jacrev, {what}"
        let h = 1e-6
        let flat = x.Reshape [ n ]

        let column j =
            let e = Tensor.create (Array.init n (fun i -> if i = j then h else 0.0), Float64)

            ((f ((flat + e).Reshape inShape) - f ((flat - e).Reshape inShape)) / (2.0 * h)).ToArray<float>()

        let columns = Array.init n column
        let fd = Array2D.init m n (fun i j -> columns[j][i])
        close 1e-7 (rev.Reshape [ m; n ]) (Tensor.create (fd, Float64)) $"finite differences, {what}")

[<Tests>]
let tests =
    testList
        "Diff"
        [
            test "perturbation confusion (Siskind & Pearlmutter): d/dx [x * d/dy (x + y)] = 1" {
                let inner (x: Tensor) = Diff.diff (fun y -> x + y) (s 1.0)
                let d = Diff.diff (fun x -> x * inner x) (s 1.0)
                TestUtil.expectScalar 1e-12 d 1.0 "forward over forward"
                let r = Diff.grad (fun x -> x * Diff.grad (fun y -> x * y) (s 1.0)) (s 1.0)
                TestUtil.expectScalar 1e-12 r 2.0 "reverse over reverse: d/dx [x * x] = 2"
                let m = Diff.grad (fun x -> x * Diff.diff (fun y -> x + y) (s 1.0)) (s 1.0)
                TestUtil.expectScalar 1e-12 m 1.0 "reverse over forward"
                let fr = Diff.diff (fun x -> x * Diff.grad (fun y -> x + y) (s 1.0)) (s 1.0)
                TestUtil.expectScalar 1e-12 fr 1.0 "forward over reverse"
            }

            test
                "perturbation confusion with a closure over the outer variable: d/dx [d/dy (x y)] at any y = 1" {
                let d = Diff.diff (fun x -> Diff.diff (fun y -> x * y) (s 3.0)) (s 2.0)
                TestUtil.expectScalar 1e-12 d 1.0 "mixed partial"
            }

            test "Hessians agree: forward-over-reverse = reverse-over-reverse = reverse-over-forward" {
                let f (x: Tensor) =
                    Tensor.sum (Tensor.sin x * x * x)
                    + Tensor.sum (x * x) * Tensor.sum (Tensor.exp x)

                let x = vec [ 0.2; -0.4; 0.9 ]
                let fwdRev = Diff.hessian f x
                let revRev = Diff.jacrev (Diff.grad f) x
                let revFwd = Diff.jacrev (fun x -> Diff.jacfwd f x) x
                close 1e-10 revRev fwdRev "rev-rev"
                close 1e-10 revFwd fwdRev "rev-fwd"
                close 1e-10 fwdRev (Tensor.transpose (fwdRev, 0, 1)) "symmetric"
            }

            test "jacfwd = jacrev = jacobian, and the Jacobian of W v is W" {
                let w = Tensor.randn (Rng.seed 3, [ 3; 4 ], Float64)

                let mv (v: Tensor) =
                    (Tensor.matmul (w, v.Reshape [ 4; 1 ])).Reshape [ 3 ]

                let f (v: Tensor) = Tensor.tanh (mv v)
                let v = Tensor.randn (Rng.seed 4, [ 4 ], Float64)
                close 1e-12 (Diff.jacfwd f v) (Diff.jacrev f v) "jacfwd vs jacrev"
                close 1e-12 (Diff.jacobian f v) (Diff.jacrev f v) "jacobian"
                close 1e-12 (Diff.jacobian mv v) w "linear map"
            }

            test "diffn of sin and exp" {
                TestUtil.expectScalar 1e-12 (Diff.diffn 3 Tensor.sin (s 0.0)) -1.0 "sin'''(0)"

                TestUtil.expectScalar
                    1e-9
                    (Diff.diffn 4 (fun x -> Tensor.exp (2.0 * x)) (s 0.0))
                    16.0
                    "(e^2x)''''"
            }

            test "jvp, vjp, hvp, laplacian, divergence and curl have known values" {
                let x = vec [ 1.0; 2.0; 3.0 ]
                let y, jv = Diff.jvp (fun x -> x * x) x (vec [ 1.0; 0.0; 1.0 ])
                close 1e-12 y (vec [ 1.0; 4.0; 9.0 ]) "jvp value"
                close 1e-12 jv (vec [ 2.0; 0.0; 6.0 ]) "jvp tangent"
                let _, pullback = Diff.vjp (fun x -> x * x) x
                close 1e-12 (pullback (vec [ 1.0; 1.0; 2.0 ])) (vec [ 2.0; 4.0; 12.0 ]) "vjp"

                close
                    1e-12
                    (Diff.hvp (fun x -> Tensor.sum (x * x * x)) x (vec [ 1.0; 0.0; 0.0 ]))
                    (vec [ 6.0; 0.0; 0.0 ])
                    "hvp"

                TestUtil.expectScalar
                    1e-10
                    (Diff.laplacian (fun x -> Tensor.sum (x * x * x)) x)
                    36.0
                    "laplacian"

                TestUtil.expectScalar 1e-10 (Diff.divergence (fun x -> x * x) x) 12.0 "divergence"

                let field (p: Tensor) =
                    Tensor.stack
                        [
                            -(Tensor.select (p, 0, 1))
                            Tensor.select (p, 0, 0)
                            Tensor.scalar (0.0, Float64)
                        ]

                close 1e-12 (Diff.curl field x) (vec [ 0.0; 0.0; 2.0 ]) "curl of a rotation"
            }

            test "customJvp and customVjp rules are used and nest" {
                let calls = ref 0

                let softClip =
                    Diff.customVjp Tensor.tanh (fun x _ u ->
                        calls.Value <- calls.Value + 1
                        u * (1.0 - Tensor.tanh x * Tensor.tanh x))

                let g = Diff.grad (fun x -> Tensor.sum (softClip x)) (vec [ 0.5 ])
                Expect.isGreaterThan calls.Value 0 "the user rule ran"
                close 1e-12 g (vec [ 1.0 - tanh 0.5 * tanh 0.5 ]) "first derivative"
                let h = Diff.hessian (fun x -> Tensor.sum (softClip x)) (vec [ 0.5 ])
                let t = tanh 0.5

                close
                    1e-10
                    h
                    (Tensor.create ([| [| -2.0 * t * (1.0 - t * t) |] |], Float64))
                    "second derivative through the rule"
            }

            test "stopGradient blocks derivatives at every level" {
                let g = Diff.grad (fun x -> Tensor.sum (x * Diff.stopGradient x)) (vec [ 3.0 ])
                close 1e-12 g (vec [ 3.0 ]) "d/dx [x * c] = c"
            }

            test "grad of a non-scalar function says so and shows the shape" {
                TestUtil.throwsInvalid [ "Diff.grad"; "scalar"; "[3]" ] (fun () ->
                    Diff.grad (fun x -> x * 2.0) (vec [ 1.0; 2.0; 3.0 ]))
            }

            test "jvp with a direction of the wrong shape names both shapes" {
                TestUtil.throwsArgument [ "Diff.jvp"; "[2]"; "[3]" ] (fun () ->
                    Diff.jvp Tensor.sin (vec [ 1.0; 2.0; 3.0 ]) (vec [ 1.0; 2.0 ]))
            }

            test "differentiating an integer tensor is refused" {
                TestUtil.throwsArgument [ "Diff.grad"; "Int64" ] (fun () ->
                    Diff.grad Tensor.sum (Tensor.create ([| 1L; 2L |], Int64)))
            }

            test "NaN input flows through as NaN, it is not silently replaced" {
                let g = Diff.grad (fun x -> Tensor.sum (x * x)) (vec [ nan; 1.0 ])
                let a = g.ToArray<float>()
                Expect.isTrue (System.Double.IsNaN a[0]) "NaN gradient where the input is NaN"
                Expect.equal a[1] 2.0 "other elements are unaffected"
            }

            test "an empty tensor has an empty gradient" {
                let g = Diff.grad (fun x -> Tensor.sum (x * x)) (Tensor.zeros ([ 0 ], Float64))
                Expect.sequenceEqual g.Shape [| 0 |] "shape [0]"
            }

            test "two threads differentiating at once get correct results" {
                let work (a: float) =
                    Task.Run(fun () ->
                        [
                            for i in 1..200 ->
                                let x = vec [ a; float i / 100.0 ]
                                let g = Diff.grad (fun x -> Tensor.sum (x * x * x)) x
                                let h = Diff.hvp (fun x -> Tensor.sum (x * x * x)) x (vec [ 1.0; 1.0 ])
                                let ga = g.ToArray<float>()
                                let ha = h.ToArray<float>()

                                abs (ga[0] - 3.0 * a * a) < 1e-9
                                && abs (ha[1] - 6.0 * float i / 100.0) < 1e-9
                        ]
                        |> List.forall id)

                let results = Task.WhenAll([| work 0.5; work -1.5; work 2.0 |]).Result
                Expect.allEqual results true "every thread's results are right"
            }

            testProperty "random nesting pipelines agree with each other and with nested finite differences"
            <| pipelineProperty

            testPropertyWithConfig
                (fixedConfig 100)
                "random tensor pipelines (matmul, sum along a dim, reshape/transpose, softmax) nested 2-4 levels in random modes agree with each other and with nested finite differences"
            <| tensorPipelineProperty

            testPropertyWithConfig
                (fixedConfig 40)
                "Hessians of random functions: forward-over-reverse = reverse-over-reverse = reverse-over-forward = forward-over-forward = finite differences"
            <| hessianProperty

            testPropertyWithConfig
                (fixedConfig 100)
                "jacfwd = jacrev = jacobian = finite differences for random functions and shapes"
            <| jacobianProperty
        ]
