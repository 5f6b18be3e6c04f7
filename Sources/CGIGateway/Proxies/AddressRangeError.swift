/// Why a `--trusted-proxy` block cannot be used.
public enum AddressRangeError: Error, Equatable, CustomStringConvertible {
    /// The part before `/` is not an IPv4 or IPv6 address.
    case notAnAddress(String)
    /// The part after `/` is not a whole number from 0 to 32 (IPv4) or 128 (IPv6; 96 to 128 for
    /// an IPv4-mapped address).
    case badPrefixLength(String, maximum: Int)
    /// The address has bits set after the prefix, so the block is ambiguous (`10.1.2.3/8`).
    case hostBitsSet(String)

    /// A sentence for the person who wrote the block.
    public var description: String {
        switch self {
        case .notAnAddress(let text):
            "\(text): not an IP address or CIDR block (examples: 127.0.0.1, 10.0.0.0/8, ::1, fd00::/8)"
        case .badPrefixLength(let text, let maximum):
            "\(text): the prefix length after / must be a number up to \(maximum)"
        case .hostBitsSet(let text):
            "\(text): bits are set after the prefix; did you mean the block's first address (such as 10.0.0.0/8)?"
        }
    }
}
