import CGICore

/// A block of IP addresses in CIDR notation (RFC 4632 §3.1 for IPv4, RFC 4291 §2.3 for IPv6):
/// `10.0.0.0/8`, `2001:db8::/32`, or a single address (`127.0.0.1`, `::1`) for its own block.
public struct AddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The first address of the block (the bits after the prefix are zero).
    public let network: IPAddress
    /// How many leading bits every address of the block shares with ``network``.
    public let prefixLength: Int

    /// Parses `ADDRESS/LENGTH` or `ADDRESS`.
    ///
    /// Host bits set after the prefix (`10.1.2.3/8`) are an error rather than silently cleared:
    /// such a line usually means a mistyped length.
    public init(parsing text: String) throws(AddressRangeError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { throw .notAnAddress(text) }
        // An IPv4-mapped block (`::ffff:10.0.0.0/104`) counts its prefix in IPv6 bits: 96 of them
        // are the mapping, the rest the IPv4 prefix.
        let mappedBits = address.isIPv4 && parts[0].contains(":") ? 96 : 0
        let maximum = address.bytes.count * 8 + mappedBits
        var length = address.bytes.count * 8
        if parts.count == 2 {
            guard parts[1].utf8.allSatisfy(HTTPSyntax.isDigit), let parsed = Int(parts[1]),
                (mappedBits...maximum).contains(parsed)
            else {
                throw .badPrefixLength(text, maximum: maximum)
            }
            length = parsed - mappedBits
        }
        guard Self.masked(address.bytes, to: length) == address.bytes else { throw .hostBitsSet(text) }
        network = address
        prefixLength = length
    }

    /// Whether `address` lies in this block. IPv4 and IPv6 blocks never contain each other's
    /// addresses (an IPv4-mapped address counts as IPv4, see ``IPAddress``).
    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == network.bytes.count && Self.masked(address.bytes, to: prefixLength) == network.bytes
    }

    /// `network/prefixLength`, canonical: `10.0.0.0/8`, `2001:db8::/32`.
    public var description: String { "\(network)/\(prefixLength)" }

    /// `bytes` with every bit after the first `length` cleared.
    private static func masked(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(max(length - index * 8, 0), 8)
            return kept == 8 ? byte : byte & ~(0xFF >> kept)
        }
    }
}
