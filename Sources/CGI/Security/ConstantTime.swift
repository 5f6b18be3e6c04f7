/// Comparison whose duration does not depend on where two secrets differ, so that an attacker
/// timing the answers cannot guess a token or a MAC byte by byte (Python's
/// `hmac.compare_digest`).
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes. Every byte is looked at whatever the
    /// answer; only the lengths may leak, which for tokens and MACs of a fixed size is public.
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }

    /// Whether the UTF-8 bytes of two strings are the same, compared as the byte form does.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
