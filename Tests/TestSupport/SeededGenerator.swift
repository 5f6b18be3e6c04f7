/// A deterministic random number generator (SplitMix64), so a failing property test fails
/// the same way every run.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    /// A generator that yields the same numbers for the same `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next number (SplitMix64).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Random bytes, up to `maxCount` of them.
    public mutating func bytes(maxCount: Int) -> [UInt8] {
        (0..<Int.random(in: 0...maxCount, using: &self)).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// A random string built from `alphabet`, up to `maxCount` characters.
    public mutating func string(from alphabet: [Character], maxCount: Int) -> String {
        String((0..<Int.random(in: 0...maxCount, using: &self)).map { _ in alphabet.randomElement(using: &self)! })
    }
}
