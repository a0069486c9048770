/// The reverse sweep: one pass over a topologically sorted tape, with per-call adjoint tables
/// (nothing stored in the graph, nothing to zero, safe to run on several threads at once).
module internal Functional.Ad.Sweep

open System.Collections.Generic

let private byReference = HashIdentity.Reference<Node>

/// Nodes reachable from `root` through inputs of tag `tag`, each after all the nodes it depends on.
let private topologicalOrder (tag: int) (root: Node) : List<Node> =
    let order = List<Node>()
    let visited = HashSet<Node>(byReference)
    let stack = Stack<struct (Node * int)>()
    stack.Push(struct (root, 0))
    visited.Add root |> ignore

    while stack.Count > 0 do
        let struct (node, next) = stack.Pop()
        let inputs = node.Inputs
        let mutable i = next
        let mutable descended = false

        while not descended && i < inputs.Length do
            match inputs[i] with
            | Rev(_, child, t) when t = tag && visited.Add child ->
                stack.Push(struct (node, i + 1))
                stack.Push(struct (child, 0))
                descended <- true
            | _ -> i <- i + 1

        if not descended then
            order.Add node

    order

/// Cotangents of the `leaves` (reverse-mode inputs of tag `tag`) of `output`, seeded with `seed`;
/// ValueNone for a leaf the output does not depend on.
let backward (tag: int) (output: Value) (seed: Value) (leaves: Node[]) : Value voption[] =
    match output with
    | Rev(_, root, t) when t = tag ->
        let order = topologicalOrder tag root
        let adjoints = Dictionary<Node, Value>(byReference)
        let isLeaf = HashSet<Node>(leaves, byReference)
        adjoints[root] <- seed

        for k in order.Count - 1 .. -1 .. 0 do
            let node = order[k]

            match node.Op with
            | ValueSome op ->
                match adjoints.TryGetValue node with
                | true, g ->
                    if not (isLeaf.Contains node) then
                        adjoints.Remove node |> ignore

                    for i in 0 .. node.Inputs.Length - 1 do
                        match node.Inputs[i] with
                        | Rev(_, child, t) when t = tag ->
                            let part = op.Vjp node.Primals node.Output g i

                            adjoints[child] <-
                                match adjoints.TryGetValue child with
                                | true, acc -> Value.add acc part
                                | _ -> part
                        | _ -> ()
                | _ -> ()
            | ValueNone -> ()

        leaves
        |> Array.map (fun l ->
            match adjoints.TryGetValue l with
            | true, g -> ValueSome g
            | _ -> ValueNone)
    | _ -> Array.create leaves.Length ValueNone
