import Testing

@testable import CGIGateway

@Suite struct TrustedProxiesTests {
    static let loopback = try! TrustedProxies(parsing: ["127.0.0.0/8", "::1"])
    static let chain = try! TrustedProxies(parsing: ["10.0.0.0/8", "fd00::/8"])

    static func origin(
        _ proxies: TrustedProxies, peer: String, _ headers: [(String, String)]
    ) -> ForwardedOrigin? {
        proxies.origin(peer: peer, headers: headers.map { (name: $0.0, value: $0.1) })
    }

    // MARK: Blocks

    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"), ("127.0.0.1", "127.0.0.1/32"), ("0.0.0.0/0", "0.0.0.0/0"),
        ("::1", "::1/128"), ("2001:DB8::/32", "2001:db8::/32"), ("::/0", "::/0"), ("192.168.1.128/25", "192.168.1.128/25"),
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
    ])
    func blocksParseToTheirCanonicalForm(text: String, canonical: String) throws {
        #expect(try AddressRange(parsing: text).description == canonical)
    }

    @Test(arguments: [
        ("", AddressRangeError.notAnAddress("")),
        ("localhost", .notAnAddress("localhost")),
        ("10.0.0/8", .notAnAddress("10.0.0/8")),
        ("[::1]", .notAnAddress("[::1]")),
        ("10.0.0.0/33", .badPrefixLength("10.0.0.0/33", maximum: 32)),
        ("::/129", .badPrefixLength("::/129", maximum: 128)),
        ("10.0.0.0/", .badPrefixLength("10.0.0.0/", maximum: 32)),
        ("10.0.0.0/+8", .badPrefixLength("10.0.0.0/+8", maximum: 32)),
        ("10.0.0.0/-1", .badPrefixLength("10.0.0.0/-1", maximum: 32)),
        ("10.0.0.0/8/8", .badPrefixLength("10.0.0.0/8/8", maximum: 32)),
        ("::ffff:10.0.0.0/8", .badPrefixLength("::ffff:10.0.0.0/8", maximum: 128)),
        ("127.0.0.1\u{0}", .notAnAddress("127.0.0.1\u{0}")),
        ("10.1.2.3/8", .hostBitsSet("10.1.2.3/8")),
        ("2001:db8::1/32", .hostBitsSet("2001:db8::1/32")),
    ])
    func malformedBlocksAreRejectedWithTheirReason(text: String, error: AddressRangeError) {
        #expect(throws: error) { try AddressRange(parsing: text) }
        #expect(error.description.hasPrefix(text + ":"))
    }

    @Test func membershipFollowsThePrefixBitByBit() throws {
        let block = try AddressRange(parsing: "192.168.1.128/25")
        #expect(block.contains(IPAddress("192.168.1.128")!))
        #expect(block.contains(IPAddress("192.168.1.255")!))
        #expect(!block.contains(IPAddress("192.168.1.127")!))
        #expect(!block.contains(IPAddress("192.168.0.200")!))
        let v6 = try AddressRange(parsing: "2001:db8:8000::/33")
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db8:7fff::1")!))
    }

    @Test func familiesNeverMatchEachOtherButMappedAddressesAreIPv4() throws {
        #expect(!(try AddressRange(parsing: "::/0")).contains(IPAddress("127.0.0.1")!))
        #expect(!(try AddressRange(parsing: "0.0.0.0/0")).contains(IPAddress("::1")!))
        #expect((try AddressRange(parsing: "127.0.0.0/8")).contains(IPAddress("::ffff:127.0.0.1")!))
        #expect(IPAddress("::ffff:127.0.0.1")?.description == "127.0.0.1")
    }

    // MARK: The rule

    @Test func untrustedPeersChangeNothing() {
        let headers = [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Port", "443")]
        #expect(Self.origin(Self.loopback, peer: "192.0.2.1", headers) == nil)
        #expect(Self.origin(TrustedProxies(), peer: "127.0.0.1", headers) == nil)
        #expect(Self.origin(Self.loopback, peer: "-", headers) == nil)
    }

    @Test func aTrustedPeerWithoutForwardingHeadersSaysNothing() {
        #expect(Self.origin(Self.loopback, peer: "127.0.0.1", [("Host", "example.com")]) == nil)
    }

    @Test func oneProxyGivesTheClientAddressAndScheme() {
        let origin = Self.origin(
            Self.loopback, peer: "127.0.0.1", [("X-Forwarded-For", "203.0.113.9"), ("X-Forwarded-Proto", "https")])
        #expect(origin == ForwardedOrigin(clientAddress: "203.0.113.9", isHTTPS: true, serverPort: 443))
    }

    @Test func theRightMostUntrustedAddressIsTheClient() {
        // The client claims 1.2.3.4; the outer proxy 10.0.0.1 appended the real client, 198.51.100.7.
        let origin = Self.origin(
            Self.chain, peer: "10.0.0.2", [("X-Forwarded-For", "1.2.3.4, 198.51.100.7"), ("X-Forwarded-For", "10.0.0.1")])
        #expect(origin?.clientAddress == "198.51.100.7")
        #expect(origin?.isHTTPS == nil)
        #expect(origin?.serverPort == nil)
    }

    @Test func anAllTrustedChainEndsAtItsLeftMostAddress() {
        let origin = Self.origin(Self.chain, peer: "10.0.0.2", [("X-Forwarded-For", "fd00::5,10.9.9.9")])
        #expect(origin?.clientAddress == "fd00::5")
    }

    @Test(arguments: [
        ("garbage, 198.51.100.7", "198.51.100.7"),
        ("198.51.100.7, garbage", "10.0.0.2"),
        ("198.51.100.7, 10.0.0.1:8080", "10.0.0.2"),
        ("198.51.100.7,, 10.0.0.1", "10.0.0.1"),
        ("", "10.0.0.2"),
        ("198.51.100.7\u{0}", "10.0.0.2"),
    ])
    func aMalformedElementEndsTheWalk(header: String, client: String) {
        #expect(Self.origin(Self.chain, peer: "10.0.0.2", [("X-Forwarded-For", header)])?.clientAddress == client)
    }

    @Test func addressesComeOutCanonical() {
        let origin = Self.origin(Self.loopback, peer: "::1", [("X-Forwarded-For", "2001:DB8:0:0::0:1")])
        #expect(origin?.clientAddress == "2001:db8::1")
        let mapped = Self.origin(Self.loopback, peer: "::ffff:127.0.0.1", [("X-Forwarded-For", "192.0.2.1")])
        #expect(mapped?.clientAddress == "192.0.2.1")
    }

    @Test(
        arguments: [
            ("HTTPS", nil, true, 443), ("http", nil, false, 80), ("https", "8443", true, 8443), ("http, https", nil, true, 443),
            ("https", "0", true, 443), ("https", "65536", true, 443), ("https", "+443", true, 443),
            ("gopher", nil, nil, nil), ("gopher", "8080", nil, 8080),
        ] as [(String, String?, Bool?, Int?)])
    func schemeAndPort(proto: String, port: String?, isHTTPS: Bool?, serverPort: Int?) {
        var headers = [("X-Forwarded-Proto", proto)]
        if let port { headers.append(("X-Forwarded-Port", port)) }
        let origin = Self.origin(Self.loopback, peer: "127.0.0.1", headers)
        #expect(origin?.isHTTPS == isHTTPS)
        #expect(origin?.serverPort == serverPort)
        if origin != nil { #expect(origin?.clientAddress == "127.0.0.1") }
    }

    @Test func headerNamesAreCaseInsensitive() {
        let origin = Self.origin(
            Self.loopback, peer: "127.0.0.1", [("x-forwarded-for", "192.0.2.1"), ("X-FORWARDED-PROTO", "https")])
        #expect(origin == ForwardedOrigin(clientAddress: "192.0.2.1", isHTTPS: true, serverPort: 443))
    }
}
