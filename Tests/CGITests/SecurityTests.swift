import CGI
import TestSupport
import Testing

@Suite struct SecurityTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// RFC 4231 §4.2–4.8 (test case 5 is a truncated MAC, not part of HMAC-SHA256 itself).
    @Test(arguments: [
        (
            "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            "4a656665", Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            String(repeating: "aa", count: 20), [UInt8](repeating: 0xdd, count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        (
            "0102030405060708090a0b0c0d0e0f10111213141516171819", [UInt8](repeating: 0xcd, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        (
            String(repeating: "aa", count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        (
            String(repeating: "aa", count: 131),
            Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ])
    func hmacMatchesRFC4231(key: String, message: [UInt8], expected: String) {
        #expect(HMACSHA256.code(for: message, key: Self.hex(key)).hexadecimal == expected)
    }

    /// Random keys (around the 64-byte block size) and messages against Python's `hmac`, and
    /// the same bytes in base64url against Python's `base64.urlsafe_b64encode`.
    @Test func hmacAndBase64URLMatchPython() throws {
        var generator = SeededGenerator(seed: 2104)
        let cases = (0..<200).map { _ in
            (key: generator.bytes(maxCount: 140), message: generator.bytes(maxCount: 300))
        }
        let script = """
            import base64, hmac, json, sys
            cases = json.load(sys.stdin)
            print(json.dumps([[hmac.new(bytes(k), bytes(m), "sha256").hexdigest(),
                               base64.urlsafe_b64encode(bytes(m)).decode().rstrip("=")] for k, m in cases]))
            """
        let answers = try #require(
            try runPython(script, input: cases.map { [$0.key.map(Int.init), $0.message.map(Int.init)] }) as? [[String]])
        for (item, answer) in zip(cases, answers) {
            #expect(HMACSHA256.code(for: item.message, key: item.key).hexadecimal == answer[0])
            #expect(Base64URL.encode(item.message) == answer[1])
            #expect(Base64URL.decode(answer[1]) == item.message)
        }
    }

    @Test(arguments: ["a", "ab=", "a+b", "a/b", "A B", "AB=="]) func base64URLRefusesOtherText(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func base64URLHasOneEncodingPerValue() {
        // "AB" and "AA" would both decode to 0x00 if the unused low bits were ignored.
        #expect(Base64URL.decode("AA") == [0])
        #expect(Base64URL.decode("AB") == nil)
    }

    @Test func constantTimeComparison() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals("token", "token"))
        #expect(!ConstantTime.equals("token", "tokem"))
    }

    @Test func randomTokensAreURLSafeAndDistinct() {
        let tokens = (0..<1000).map { _ in SecureRandom.token() }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.utf8.count == 43 && Base64URL.decode($0)?.count == 32 })
        // Every bit position takes both values somewhere among the first bytes.
        let bytes = (0..<64).flatMap { _ in SecureRandom.bytes(count: 5) }
        #expect(bytes.count == 320)
        #expect((0..<8).allSatisfy { bit in bytes.contains { $0 & (1 << bit) != 0 } && bytes.contains { $0 & (1 << bit) == 0 } })
    }
}
