import CGICore

/// The reverse proxies whose `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Port`
/// headers the server believes (`--trusted-proxy`), and the rule that reads them.
///
/// These headers are a de facto standard (RFC 7239 §1 describes them and standardizes
/// `Forwarded` in their place; nginx, Apache and Caddy send the `X-Forwarded-*` form). Anyone
/// can send them, so they mean something only when the connection's peer is a proxy the
/// operator configured:
/// - The peer is not trusted (or none is configured): nothing changes, and the headers reach
///   scripts as any other header (`HTTP_X_FORWARDED_FOR`, …).
/// - The peer is trusted: `X-Forwarded-For` (all its fields joined in order, each element
///   appended by one proxy) is read from the right. Trusted addresses are skipped, since each
///   of them is a proxy that passed the request on; the first untrusted one is the client. If
///   every address is trusted, the left-most is the client. An element that is not an IP
///   address ends the walk: the client is then the last address read before it (a proxy we
///   trust appended everything to its right, nothing to its left can be believed).
/// - The right-most element of `X-Forwarded-Proto` (`http` or `https`, any case) gives the
///   scheme; anything else leaves the scheme alone. The right-most `X-Forwarded-Port` (1–65535)
///   gives the port; without it a forwarded scheme implies its default port (80, 443).
/// - The headers the rule read are not passed to scripts: their meaning is in `REMOTE_ADDR`,
///   `HTTPS`, `REQUEST_SCHEME` and `SERVER_PORT`, so scripts never see two answers to one question.
public struct TrustedProxies: Sendable, Equatable {
    /// The trusted blocks.
    public var ranges: [AddressRange]

    /// The request headers the rule reads (lower case).
    public static let headerNames: Set<String> = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-port"]

    /// Trusts the given blocks (none: no proxy is trusted).
    public init(_ ranges: [AddressRange] = []) {
        self.ranges = ranges
    }

    /// Trusts the blocks written in `texts` (`--trusted-proxy` values).
    public init(parsing texts: [String]) throws(AddressRangeError) {
        var ranges: [AddressRange] = []
        for text in texts { ranges.append(try AddressRange(parsing: text)) }
        self.init(ranges)
    }

    /// Whether `address` is in a trusted block.
    public func trusts(_ address: IPAddress) -> Bool {
        ranges.contains { $0.contains(address) }
    }

    /// What the request's forwarding headers say, or `nil` when they must be ignored (the peer
    /// is not trusted) or say nothing (the peer sent none).
    ///
    /// - Parameters:
    ///   - peer: the address of the connection's other end.
    ///   - headers: the request's header fields in arrival order.
    public func origin(peer: String, headers: some Sequence<(name: String, value: String)>) -> ForwardedOrigin? {
        guard !ranges.isEmpty, let peerAddress = IPAddress(peer), trusts(peerAddress) else { return nil }
        func elements(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name }
                .flatMap { $0.value.split(separator: ",", omittingEmptySubsequences: false) }
                .map { $0.trimmingWhitespace() }
        }
        let forwardedFor = elements("x-forwarded-for")
        let proto = elements("x-forwarded-proto").last.flatMap(Self.isHTTPS)
        let port = elements("x-forwarded-port").last.flatMap(Self.port)
        guard !forwardedFor.isEmpty || proto != nil || port != nil else { return nil }
        return ForwardedOrigin(
            clientAddress: client(peer: peerAddress, forwardedFor: forwardedFor).description, isHTTPS: proto,
            serverPort: port ?? proto.map { $0 ? 443 : 80 })
    }

    /// The right-most untrusted address of the chain `forwardedFor` + `peer`.
    private func client(peer: IPAddress, forwardedFor: [String]) -> IPAddress {
        var client = peer
        for element in forwardedFor.reversed() {
            guard trusts(client), let address = IPAddress(element) else { break }
            client = address
        }
        return client
    }

    private static func isHTTPS(_ scheme: String) -> Bool? {
        switch scheme.lowercased() {
        case "https": true
        case "http": false
        default: nil
        }
    }

    private static func port(_ text: String) -> Int? {
        guard text.utf8.allSatisfy(HTTPSyntax.isDigit), let port = Int(text),
            (1...65535).contains(port)
        else { return nil }
        return port
    }
}
