import Testing

@testable import CGIGateway

@Suite struct RequestPathTests {
    @Test(
        arguments: [
            ("/", [], false),
            ("/a/b", ["a", "b"], false),
            ("/a/b/", ["a", "b"], true),
            ("/a//b", ["a", "b"], false),
            ("/a/./b/.", ["a", "b"], true),
            ("/a/../b", ["b"], false),
            ("/a/b/..", ["a"], true),
            ("/a/%2e%2E/b", ["b"], false),
            ("/a%20b/c%3Bd", ["a b", "c;d"], false),
            ("/a%2Fb", ["a/b"], false),
            ("/%252e%252e", ["%2e%2e"], false),
            ("/caf%C3%A9", ["café"], false),
        ] as [(String, [String], Bool)])
    func decodesAndNormalizes(path: String, segments: [String], trailingSlash: Bool) throws {
        let decoded = try RequestPath(percentEncoded: path)
        #expect(decoded.segments == segments)
        #expect(decoded.hasTrailingSlash == trailingSlash)
    }

    @Test(arguments: [
        "", "a/b", "cgi-bin/x", "/..", "/a/../..", "/%2e%2e/etc", "/a%00b", "/a%0ab", "/a%0D", "/a%7f", "/a\tb",
        "/%", "/%4", "/%zz", "/%e9",
    ])
    func rejects(path: String) {
        #expect(throws: ScriptResolverError.self) { try RequestPath(percentEncoded: path) }
        #expect((try? RequestPath(percentEncoded: path)) == nil)
    }

    @Test func rejectionsAreBadRequests() {
        #expect(throws: ScriptResolverError.badRequest("the path contains %00")) { try RequestPath(percentEncoded: "/a%00") }
        #expect(throws: ScriptResolverError.badRequest("the path climbs above the root")) {
            try RequestPath(percentEncoded: "/cgi-bin/../../x")
        }
    }
}
