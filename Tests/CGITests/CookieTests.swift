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
            let header =
                Bool.random(using: &generator)
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

    @Test(arguments: ["", "a b", "a;b", "n(", "é", "a\r\nSet-Cookie: x"])
    func refusesBadNames(name: String) {
        #expect(errorKind { _ = try SetCookie(name: name, value: "v").headerValue() } == "invalid_cookie")
    }

    @Test(arguments: [
        ("a b", "a%20b"), ("a;b", "a%3Bb"), ("a,b", "a%2Cb"), ("a\\b", "a%5Cb"), ("\"a-b\"", "%22a-b%22"),
        ("a\r\nSet-Cookie: x=1", "a%0D%0ASet-Cookie:%20x=1"), ("100%", "100%25"), ("été", "%C3%A9t%C3%A9"),
        ("a3fW-_.~!#$&'()*+/:<=>?@[]^`{|}", "a3fW-_.~!#$&'()*+/:<=>?@[]^`{|}"),
    ])
    func encodesValuesInsteadOfRefusingThem(value: String, encoded: String) throws {
        #expect(try SetCookie(name: "n", value: value).headerValue() == "n=" + encoded)
        let request = try Request(environment: ["HTTP_COOKIE": "other=1; n=\(encoded)"], input: -1)
        #expect(request.cookie("n") == value)
        #expect(request.cookies.last?.rawValue == encoded)
    }

    /// Random text through Set-Cookie and back: what the browser stores is decoded to the
    /// same text here and by Python's `urllib.parse.unquote` (JavaScript's
    /// `decodeURIComponent` reads it the same way).
    @Test func randomValuesRoundTripAndMatchPython() throws {
        var generator = SeededGenerator(seed: 6265_2)
        let alphabet: [Character] = Array("ab %41;,\"\\=+é€😀\t") + ["\u{0}", "\r\n"]
        var values: [String] = []
        var encoded: [String] = []
        for _ in 0..<300 {
            let value = generator.string(from: alphabet, maxCount: 20)
            let header = try SetCookie(name: "n", value: value).headerValue()
            let raw = String(header.dropFirst(2))
            let parsed = Cookie.parse(header: "n=" + raw)
            #expect(parsed.count == 1 && parsed.first?.value == value, "value \(value.debugDescription)")
            values.append(value)
            encoded.append(raw)
        }
        let script = "import json, sys, urllib.parse\nprint(json.dumps([urllib.parse.unquote(v) for v in json.load(sys.stdin)]))"
        #expect(try runPython(script, input: encoded) as? [String] == values)
    }

    @Test func deletesACookieOnTheSamePathAndDomain() throws {
        let header = try SetCookie.deleting(name: "flash", path: "/app", domain: "example.com").headerValue()
        #expect(header == "flash=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(
            try SetCookie.deleting(name: "flash").headerValue()
                == "flash=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
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
