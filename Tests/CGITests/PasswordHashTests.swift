import CGI
import TestSupport
import Testing

@Suite struct PasswordHashTests {
    /// PBKDF2-HMAC-SHA256 vectors: the RFC 6070 inputs (which that RFC gives for SHA-1) and
    /// RFC 7914 §11's two, with the keys Python's `hashlib.pbkdf2_hmac("sha256", …)` derives.
    @Test(arguments: [
        ("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        (
            "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
            "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"
        ),
        ("pass\0word", "sa\0lt", 4096, "89b69d0516f829893c696226650a8687"),
        (
            "passwd", "salt", 1,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        ),
        (
            "Password", "NaCl", 80000,
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
        ),
    ])
    func knownVectors(password: String, salt: String, iterations: Int, hex: String) {
        let expected = SecurityTests.hex(hex)
        let key = PBKDF2.deriveKey(
            password: Array(password.utf8), salt: Array(salt.utf8), iterations: iterations, length: expected.count)
        #expect(key == expected)
    }

    /// Random passwords, salts, counts and lengths (across block boundaries) against Python's hashlib.
    @Test func agreesWithPythonHashlib() throws {
        var generator = SeededGenerator(seed: 6070)
        var cases: [[String: Any]] = []
        for _ in 0..<40 {
            let password = (0..<Int.random(in: 0...90, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator)
            }
            let salt = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            cases.append([
                "password": password.map(Int.init), "salt": salt.map(Int.init),
                "iterations": Int.random(in: 1...300, using: &generator), "length": Int.random(in: 1...100, using: &generator),
            ])
        }
        let script = """
            import hashlib, json, sys
            cases = json.load(sys.stdin)
            print(json.dumps([list(hashlib.pbkdf2_hmac("sha256", bytes(c["password"]), bytes(c["salt"]),
                c["iterations"], c["length"])) for c in cases]))
            """
        let keys = try #require(try runPython(script, input: cases) as? [[Int]])
        #expect(keys.count == cases.count)
        for (given, key) in zip(cases, keys) {
            let derived = PBKDF2.deriveKey(
                password: (given["password"] as! [Int]).map(UInt8.init), salt: (given["salt"] as! [Int]).map(UInt8.init),
                iterations: given["iterations"] as! Int, length: given["length"] as! Int)
            #expect(derived.map(Int.init) == key)
        }
    }

    @Test func storedHashesVerifyOnlyTheirPassword() throws {
        let stored = PasswordHash.make("correct horse", iterations: 1000)
        #expect(stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(try PasswordHash.verify("correct horse", against: stored))
        #expect(try !PasswordHash.verify("correct horsE", against: stored))
        #expect(try !PasswordHash.verify("", against: stored))
        #expect(PasswordHash.make("correct horse", iterations: 1000) != stored, "a new salt each time")
        let salt = Array("0123456789abcdef".utf8)
        #expect(
            PasswordHash.make("pw", salt: salt, iterations: 1)
                == "pbkdf2-sha256$1$" + Base64URL.encode(salt) + "$"
                + Base64URL.encode(PBKDF2.deriveKey(password: Array("pw".utf8), salt: salt, iterations: 1)))
    }

    @Test func malformedStoredHashesThrow() {
        let good = PasswordHash.make("pw", iterations: 10)
        let parts = good.split(separator: "$").map(String.init)
        for stored in [
            "", "pw", good + "$x", "pbkdf2-sha1$10$" + parts[2] + "$" + parts[3], "pbkdf2-sha256$-1$" + parts[2] + "$" + parts[3],
            "pbkdf2-sha256$0$" + parts[2] + "$" + parts[3], "pbkdf2-sha256$10$" + parts[2] + "$",
            "pbkdf2-sha256$10$!!$" + parts[3],
        ] {
            #expect(throws: PasswordHashError.malformed) { try PasswordHash.verify("pw", against: stored) }
        }
    }
}
