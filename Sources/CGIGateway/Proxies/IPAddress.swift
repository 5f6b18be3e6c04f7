import Glibc

/// An IPv4 or IPv6 address as its bytes: 4 for IPv4, 16 for IPv6.
///
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2), which a dual-stack
/// socket reports for an IPv4 peer, is kept as the IPv4 address it stands for, so that
/// `127.0.0.0/8` matches such a peer.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address in network byte order.
    public let bytes: [UInt8]

    /// Parses an address in the text forms of `inet_pton(3)`: dotted quad for IPv4, RFC 4291
    /// §2.2 for IPv6 (no brackets, no zone, no port). `nil` for anything else.
    public init?(_ text: String) {
        // inet_pton reads a C string: a NUL would end it early, so only the digits, letters
        // and separators of the two forms get that far.
        guard !text.isEmpty, text.utf8.count <= Int(INET6_ADDRSTRLEN), text.utf8.allSatisfy(Self.isAddressByte) else {
            return nil
        }
        if !text.contains(":") {
            var address = in_addr()
            guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
            bytes = withUnsafeBytes(of: &address) { Array($0) }
        } else {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            let all = withUnsafeBytes(of: &address) { Array($0) }
            bytes = all.prefix(10).allSatisfy { $0 == 0 } && all[10] == 0xFF && all[11] == 0xFF ? Array(all.suffix(4)) : all
        }
    }

    private static func isAddressByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"),
            UInt8(ascii: ":"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    /// Whether this is an IPv4 address (mapped ones included).
    public var isIPv4: Bool { bytes.count == 4 }

    /// The address in its canonical text form (`inet_ntop(3)`): `192.0.2.1`, `2001:db8::1`.
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        bytes.withUnsafeBytes { raw in
            _ = inet_ntop(isIPv4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count))
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
