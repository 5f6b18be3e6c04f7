// Implementation-only, not `internal import`: without library evolution a client of CGI
// (a compiled .swift script, -I Modules only) must otherwise find CSHA256's module map too
// ("missing required module"). Safe here because no C type appears in a stored property or
// anything else a client lays out; the compiler warns about it all the same.
@_implementationOnly import CSHA256

/// SHA-256 (FIPS 180-4), incremental, without Foundation: upload checksums for scripts and
/// `cgi parse`. On an x86 CPU with the SHA extensions the blocks go through them (CSHA256,
/// several times faster); elsewhere through the portable rounds below.
///
/// ```swift
/// var hash = SHA256()
/// try upload.readChunks { hash.update($0) }
/// print(hash.finalize().hexadecimal)
/// ```
public struct SHA256: Sendable {
    /// A finished hash: 32 bytes.
    public struct Digest: Sendable, Equatable, CustomStringConvertible {
        /// The 32 bytes of the digest.
        public let bytes: [UInt8]

        /// The digest as 64 lower-case hexadecimal digits.
        public var hexadecimal: String {
            let digits = Array("0123456789abcdef".utf8)
            var text: [UInt8] = []
            text.reserveCapacity(64)
            for byte in bytes {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 15)])
            }
            return String(decoding: text, as: UTF8.self)
        }

        /// Same as ``hexadecimal``.
        public var description: String { hexadecimal }
    }

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes of an incomplete block waiting for more input.
    private var partial: [UInt8] = []
    private var totalBytes: UInt64 = 0
    /// Whether blocks go through the SHA extensions (`CSHA256`) rather than the portable rounds.
    let usesSHAExtensions: Bool

    /// Whether this CPU has the SHA extensions; asked once, on first use.
    static let shaExtensionsAvailable = csha256_shani_available() != 0

    /// Creates a hash of no bytes yet.
    public init() {
        usesSHAExtensions = Self.shaExtensionsAvailable
    }

    /// Creates a hash of no bytes yet that uses the portable rounds even where the SHA
    /// extensions are available (tests compare the two).
    init(portable: Bool) {
        usesSHAExtensions = !portable && Self.shaExtensionsAvailable
    }

    /// The digest of `bytes` in one call.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Digest {
        var hash = SHA256()
        hash.update(Array(bytes))
        return hash.finalize()
    }

    /// Adds `bytes` to the hashed input.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds `bytes` to the hashed input.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        totalBytes &+= UInt64(bytes.count)
        var input = bytes[...]
        if !partial.isEmpty {
            let taken = min(64 - partial.count, input.count)
            partial.append(contentsOf: input.prefix(taken))
            input = input.dropFirst(taken)
            if partial.count < 64 { return }
            partial.withUnsafeBytes { compress(blocksAt: $0.baseAddress!, count: 1) }
            partial.removeAll(keepingCapacity: true)
        }
        let wholeBlocks = input.count / 64
        if wholeBlocks > 0 {
            compress(blocksAt: bytes.baseAddress! + input.startIndex, count: wholeBlocks)
        }
        partial.append(contentsOf: input.dropFirst(wholeBlocks * 64))
    }

    /// Pads the input (FIPS 180-4 §5.1.1) and returns the digest.
    public consuming func finalize() -> Digest {
        var digest = [UInt8](repeating: 0, count: 32)
        digest.withUnsafeMutableBytes { finish(appending: UnsafeRawBufferPointer(start: nil, count: 0), into: $0) }
        return Digest(bytes: digest)
    }

    /// Adds `message`, pads (FIPS 180-4 §5.1.1), and writes the 32-byte digest to `digest`,
    /// without allocating when the pending input and `message` are short (HMAC's inner and
    /// outer hashes in PBKDF2, thousands of times per password). The hash is used up.
    package mutating func finish(appending message: UnsafeRawBufferPointer, into digest: UnsafeMutableRawBufferPointer) {
        precondition(digest.count >= 32, "a SHA-256 digest needs 32 bytes")
        let length = partial.count + message.count
        totalBytes &+= UInt64(message.count)
        let bitLength = totalBytes &* 8
        let padded = (length + 9 + 63) / 64 * 64
        withUnsafeTemporaryAllocation(byteCount: padded, alignment: 8) { tail in
            tail.initializeMemory(as: UInt8.self, repeating: 0)
            partial.withUnsafeBytes { tail.copyMemory(from: $0) }
            if !message.isEmpty { UnsafeMutableRawBufferPointer(rebasing: tail[partial.count...]).copyMemory(from: message) }
            tail[length] = 0x80
            for index in 0..<8 {
                tail[padded - 1 - index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(index * 8))
            }
            compress(blocksAt: UnsafeRawPointer(tail.baseAddress!), count: padded / 64)
        }
        withUnsafeBytes(of: state) { words in
            for index in 0..<8 {
                digest.storeBytes(
                    of: words.load(fromByteOffset: index * 4, as: UInt32.self).bigEndian, toByteOffset: index * 4,
                    as: UInt32.self)
            }
        }
    }

    /// The SHA-256 compression function (FIPS 180-4 §6.2.2) over `count` 64-byte blocks.
    private mutating func compress(blocksAt start: UnsafeRawPointer, count: Int) {
        if usesSHAExtensions {
            withUnsafeMutableBytes(of: &state) { words in
                Self.roundConstants.withUnsafeBufferPointer { constants in
                    csha256_blocks_shani(
                        words.baseAddress!.assumingMemoryBound(to: UInt32.self), start, count, constants.baseAddress!)
                }
            }
        } else {
            compressPortably(blocksAt: start, count: count)
        }
    }

    /// ``compress(blocksAt:count:)`` in Swift alone.
    private mutating func compressPortably(blocksAt start: UnsafeRawPointer, count: Int) {
        Self.roundConstants.withUnsafeBufferPointer { constants in
            let k = constants.baseAddress!
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { buffer in
                let w = buffer.baseAddress!
                var (h0, h1, h2, h3, h4, h5, h6, h7) = state
                for block in 0..<count {
                    let base = start + block &* 64
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: base.loadUnaligned(fromByteOffset: t &* 4, as: UInt32.self))
                    }
                    for t in 16..<64 {
                        let w15 = w[t &- 15]
                        let w2 = w[t &- 2]
                        let s0 = w15.rotatedRight(7) ^ w15.rotatedRight(18) ^ (w15 >> 3)
                        let s1 = w2.rotatedRight(17) ^ w2.rotatedRight(19) ^ (w2 >> 10)
                        w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                    }
                    var (a, b, c, d, e, f, g, h) = (h0, h1, h2, h3, h4, h5, h6, h7)
                    var t = 0
                    while t < 64 {
                        Self.round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                        Self.round(h, a, b, &c, d, e, f, &g, k[t &+ 1] &+ w[t &+ 1])
                        Self.round(g, h, a, &b, c, d, e, &f, k[t &+ 2] &+ w[t &+ 2])
                        Self.round(f, g, h, &a, b, c, d, &e, k[t &+ 3] &+ w[t &+ 3])
                        Self.round(e, f, g, &h, a, b, c, &d, k[t &+ 4] &+ w[t &+ 4])
                        Self.round(d, e, f, &g, h, a, b, &c, k[t &+ 5] &+ w[t &+ 5])
                        Self.round(c, d, e, &f, g, h, a, &b, k[t &+ 6] &+ w[t &+ 6])
                        Self.round(b, c, d, &e, f, g, h, &a, k[t &+ 7] &+ w[t &+ 7])
                        t &+= 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                }
                state = (h0, h1, h2, h3, h4, h5, h6, h7)
            }
        }
    }

    /// One round (FIPS 180-4 §6.2.2 step 3) with the variables renamed instead of shifted:
    /// adds T1 to `d` and T1 + T2 to `h`, which become the new `e` and `a`.
    @inline(__always)
    private static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
        _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32
    ) {
        let t1 = h &+ (e.rotatedRight(6) ^ e.rotatedRight(11) ^ e.rotatedRight(25)) &+ ((e & f) ^ (~e & g)) &+ kw
        let t2 = (a.rotatedRight(2) ^ a.rotatedRight(13) ^ a.rotatedRight(22)) &+ ((a & b) ^ (a & c) ^ (b & c))
        d &+= t1
        h = t1 &+ t2
    }

    /// The first 32 bits of the fractional parts of the cube roots of the first 64 primes
    /// (FIPS 180-4 §4.2.2); the only copy: the SHA-NI path is handed it too.
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

extension UInt32 {
    /// The value rotated right by `count` bits.
    @inline(__always)
    fileprivate func rotatedRight(_ count: UInt32) -> UInt32 {
        (self >> count) | (self << (32 - count))
    }
}
