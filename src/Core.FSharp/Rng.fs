namespace Functional

/// An explicit, immutable random-number key (in the style of JAX's PRNG keys): the same key always
/// gives the same numbers; `split` derives independent keys instead of mutating a global state.
[<Struct; CustomEquality; NoComparison>]
type Rng =
    private
        {
            key: uint64
        }

    /// The 64-bit key (for saving in checkpoints).
    member r.Key = r.key

    /// Recreates a key saved with `Key`.
    static member ofKey(key: uint64) = { key = key }

    override r.Equals(o) =
        match o with
        | :? Rng as q -> q.key = r.key
        | _ -> false

    override r.GetHashCode() = r.key.GetHashCode()
    override r.ToString() = $"Rng(0x{r.key:x16})"

/// Pure randomness: seed, split, and fold data into keys.
module Rng =
    /// SplitMix64's finalizer: a bijective 64-bit mix.
    let private mix (z: uint64) =
        let z = (z ^^^ (z >>> 30)) * 0xbf58476d1ce4e5b9UL
        let z = (z ^^^ (z >>> 27)) * 0x94d049bb133111ebUL
        z ^^^ (z >>> 31)

    /// A key from an integer seed.
    let seed (n: int) : Rng =
        Rng.ofKey (mix (uint64 (int64 n) + 0x9e3779b97f4a7c15UL))

    /// Derives a new key from a key and a number (e.g. a step or layer index).
    let fold (data: int) (rng: Rng) : Rng =
        Rng.ofKey (mix (rng.Key ^^^ mix (uint64 (int64 data) + 0x632be59bd9b4e019UL)))

    /// Two independent keys from one.
    let split (rng: Rng) : Rng * Rng = fold 0 rng, fold 1 rng

    /// `n` independent keys from one.
    let splitN (n: int) (rng: Rng) : Rng[] = Array.init n (fun i -> fold i rng)

    /// The seed for a libtorch generator (63 bits, non-negative).
    let internal generatorSeed (rng: Rng) : int64 = int64 (mix rng.Key >>> 1)
