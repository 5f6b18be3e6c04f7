import Foundation
import TestSupport
import Testing

@testable import CGICore

@Suite struct SHA256Tests {
    /// FIPS 180-4 / NIST example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func knownVectors(input: String, hex: String) {
        #expect(SHA256.hash(Array(input.utf8)).hexadecimal == hex)
        var portable = SHA256(portable: true)
        portable.update(Array(input.utf8))
        #expect(portable.finalize().hexadecimal == hex)
    }

    /// The SHA extensions are used where /proc/cpuinfo lists them (so the other tests cover them).
    @Test func usesTheSHAExtensionsWhereTheCPUHasThem() throws {
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? []
        let available = flags.contains("sha_ni") && flags.contains("ssse3") && flags.contains("sse4_1")
        #expect(SHA256.shaExtensionsAvailable == available)
        #expect(SHA256().usesSHAExtensions == available)
        #expect(!SHA256(portable: true).usesSHAExtensions)
    }

    /// The SHA extensions and the portable rounds agree on random data of every length up to
    /// a few blocks and some longer ones, fed in random pieces.
    @Test func portableAndSHAExtensionsAgree() {
        var random = SeededGenerator(seed: 4096)
        for length in Array(0...300) + [1000, 4095, 4096, 4097, 65_536, 100_003] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            var fast = SHA256()
            var portable = SHA256(portable: true)
            var rest = bytes[...]
            while !rest.isEmpty {
                let piece = rest.prefix(Int(random.next() % 300))
                piece.withUnsafeBytes { fast.update($0) }
                piece.withUnsafeBytes { portable.update($0) }
                rest = rest.dropFirst(piece.count)
            }
            #expect(fast.finalize() == portable.finalize(), "length \(length)")
        }
    }

    /// Random lengths around the 64-byte block edges, hashed in random pieces, against
    /// Python's hashlib.
    @Test func matchesPythonHashlibOnRandomData() throws {
        var random = SeededGenerator(seed: 256)
        let lengths = [1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 100_003]
        var inputs: [[UInt8]] = []
        for length in lengths { inputs.append((0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }) }
        let hexInputs = inputs.map { $0.map { String(format: "%02x", $0) }.joined() }
        let script =
            "import sys, json, hashlib\nprint(json.dumps([hashlib.sha256(bytes.fromhex(h)).hexdigest() for h in json.load(sys.stdin)]))"
        let expected = try #require(try runPython(script, input: hexInputs) as? [String])
        #expect(expected.count == inputs.count)
        for (bytes, hex) in zip(inputs, expected) {
            var hash = SHA256()
            var rest = bytes[...]
            while !rest.isEmpty {
                let piece = rest.prefix(Int(random.next() % 150))
                piece.withUnsafeBytes { hash.update($0) }
                rest = rest.dropFirst(piece.count)
            }
            #expect(hash.finalize().hexadecimal == hex, "length \(bytes.count)")
        }
    }
}
