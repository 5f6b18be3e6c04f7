import CGI
import TestSupport
import Testing

@Suite struct CookieTests {
    @Test(arguments: [
        ("a=1; b=2", [("a", "1"), ("b", "2")]),
        ("a=1;b=2;a=3", [("a", "1"), ("b", "2"), ("a", "3")]),
        ("  sid = \"abc\" ;; junk; =x; c=", [("sid", "abc"), ("c", "")]),
        ("t=a=b", [("t", "a=b")]),
        ("g=a\u{037E}b; h=1", [("g", "a\u{037E}b"), ("h", "1")]),
        ("", []),
    ])
    func parsesLeniently(header: String, expected: [(String, String)]) {
        let cookies = Cookie.parse(header: header)
        #expect(cookies.map(\.name) == expected.map(\.0))
        #expect(cookies.map(\.value) == expected.map(\.1))
    }

    @Test func randomHeadersNeverCrash() {
        var generator = SeededGenerator(seed: 6265)
        let alphabet: [Character] = Array("ab=;\" \t,é\\") + ["\u{0}", "\r\n"]
        for _ in 0..<3000 {
            let header = Bool.random(using: &generator)
                ? generator.string(from: alphabet, maxCount: 40)
                : String(decoding: generator.bytes(maxCount: 40), as: UTF8.self)
            for cookie in Cookie.parse(header: header) {
                #expect(!cookie.name.isEmpty && !cookie.name.utf8.contains(UInt8(ascii: ";")))
                #expect(!cookie.value.utf8.contains(UInt8(ascii: ";")))
            }
        }
    }

    @Test func setCookieWithEveryAttribute() throws {
        var cookie = SetCookie(name: "sid", value: "a3fWa")
        cookie.path = "/app"
        cookie.domain = "example.com"
        cookie.maxAge = 3600
        cookie.expires = 784_111_777
        cookie.secure = true
        cookie.httpOnly = true
        cookie.sameSite = .strict
        #expect(
            try cookie.headerValue()
                == "sid=a3fWa; Path=/app; Domain=example.com; Max-Age=3600; Expires=Sun, 06 Nov 1994 08:49:37 GMT; Secure; HttpOnly; SameSite=Strict"
        )
    }

    @Test(arguments: [
        ("", "v"), ("a b", "v"), ("a;b", "v"), ("n(", "v"), ("é", "v"),
        ("n", "a b"), ("n", "a;b"), ("n", "a,b"), ("n", "a\\b"), ("n", "\"a"), ("n", "a\r\nSet-Cookie: x=1"),
    ])
    func refusesBadNamesAndValues(name: String, value: String) {
        #expect(errorKind { _ = try SetCookie(name: name, value: value).headerValue() } == "invalid_cookie")
    }

    @Test func acceptsQuotedValue() throws {
        #expect(try SetCookie(name: "n", value: "\"a-b\"").headerValue() == "n=\"a-b\"")
    }

    @Test func refusesBadAttributes() {
        var cookie = SetCookie(name: "n", value: "v")
        cookie.path = "/a;HttpOnly"
        #expect(errorKind { _ = try cookie.headerValue() } == "invalid_cookie")
        cookie.path = "/"
        cookie.sameSite = SetCookie.SameSite.none
        #expect(errorKind { _ = try cookie.headerValue() } == "invalid_cookie")
        cookie.secure = true
        #expect(errorKind { _ = try cookie.headerValue() } == nil)
    }
}
