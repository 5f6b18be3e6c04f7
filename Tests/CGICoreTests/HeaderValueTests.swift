import CGICore
import TestSupport
import Testing

@Suite struct HeaderValueTests {
    /// RFC 2231 / RFC 8187 extended parameters and continuations, decoded by `parameter(_:)`.
    @Test(arguments: [
        (#"form-data; name=x; filename*=UTF-8''%C3%A9t%C3%A9.txt"#, "filename", "été.txt"),
        (#"attachment; filename="plain.txt"; filename*=utf-8''%E2%9C%93.txt"#, "filename", "✓.txt"),
        (#"attachment; filename*=iso-8859-1'en'%E9.txt"#, "filename", "é.txt"),
        (#"attachment; filename*=''%41%42"#, "filename", "AB"),
        (#"attachment; FILENAME*=UTF-8''a%20b"#, "filename", "a b"),
        (#"message/external-body; url*0="ftp://"; url*1="cs.utk.edu/pub""#, "url", "ftp://cs.utk.edu/pub"),
        (
            #"x; title*0*=us-ascii'en'This%20is%20; title*1*=%2A%2A%2Afun%2A%2A%2A; title*2="isn't it!""#,
            "title", "This is ***fun***isn't it!"
        ),
        (#"x; name*1=b; name*0=a"#, "name", "ab"),
        (#"x; name*0=a; name*2=c"#, "name", "a"),
        (#"attachment; filename*=klingon''%41; filename=fallback"#, "filename", "fallback"),
        (#"attachment; filename*=UTF-8''%ZZ"#, "filename", "%ZZ"),
        ("text/plain; charset=UTF-8", "Charset", "UTF-8"),
    ])
    func decodesExtendedParameters(header: String, name: String, expected: String) {
        #expect(HeaderValue(parsing: header).parameter(name) == expected)
    }

    @Test func keepsRawExtendedParameters() {
        let header = HeaderValue(parsing: #"form-data; name="f"; filename*=UTF-8''%C3%A9.txt"#)
        #expect(header.parameters.map(\.name) == ["name", "filename*"])
        #expect(header.parameters[1].value == "UTF-8''%C3%A9.txt")
        #expect(header.parameter("missing") == nil)
    }

    @Test func randomBytesNeverCrash() {
        var generator = SeededGenerator(seed: 43910)
        let alphabet: [Character] = Array(#"ab=;"\*' %0123456789ABCDEFé"#) + ["\u{0}", "\t", "\r\n"]
        for _ in 0..<3000 {
            let header =
                Bool.random(using: &generator)
                ? generator.string(from: alphabet, maxCount: 60)
                : String(decoding: generator.bytes(maxCount: 60), as: UTF8.self)
            let parsed = HeaderValue(parsing: header)
            for parameter in parsed.parameters {
                _ = parsed.parameter(parameter.name)
                _ = parsed.parameter(parameter.name.split(separator: "*").first.map(String.init) ?? "")
            }
            // Bytes, not Characters: U+037E is canonically equivalent to ";" but is no separator.
            #expect(
                !parsed.value.utf8.contains(UInt8(ascii: ";")) || header.utf8.contains(UInt8(ascii: "\"")),
                "\(String(reflecting: header))")
        }
    }
}
