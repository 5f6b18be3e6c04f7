import TestSupport
import Testing

@testable import CGI

#if canImport(Glibc)
import Glibc
#endif

/// ``FormOptions/uploadHasher``: the digest computed while an upload is spooled equals the
/// digest of the bytes read back, in memory and on disk, wherever the input is split; and it
/// is the hasher's digest that ``UploadedFile/sha256()`` returns.
@Suite struct UploadHashTests {
    /// The test's scratch folder, removed when the test ends.
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "cgi-test")
    }

    static let threshold = 1024

    /// Random bytes, the same for the same `size`.
    static func contents(size: Int) -> [UInt8] {
        var random = SeededGenerator(seed: UInt64(size) &+ 77)
        return (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    /// Spools `contents` in pieces cut at `splits` (ascending positions) and finishes the upload.
    static func spool(
        _ contents: [UInt8], splits: [Int], hasher: (any UploadHasher.Type)? = SHA256.self, directory: String
    ) throws -> UploadedFile {
        var spool = UploadSpool(memoryThreshold: threshold, directory: directory, hasher: hasher)
        var start = 0
        try contents.withUnsafeBytes { all in
            for end in splits.filter({ $0 < all.count }) + [all.count] {
                try spool.append(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
        return try spool.finish(filename: "f.bin", contentType: "application/octet-stream")
    }

    /// The digest of the upload's bytes as read back, without the spooled one.
    static func rereadDigest(_ file: UploadedFile) throws -> SHA256.Digest {
        var hash = SHA256()
        try file.readChunks { hash.update($0) }
        return hash.finalize()
    }

    /// Split sets: none, every 1, 63 and 64 bytes (small sizes), random cuts, one cut just
    /// past the memory threshold, and pieces larger than the spool's writes.
    static func splitSets(size: Int) -> [[Int]] {
        var random = SeededGenerator(seed: UInt64(size) &* 31)
        var sets: [[Int]] = [[], [threshold + 1], [size / 2]]
        if size <= 5000 {
            sets += [1, 63, 64].map { Array(stride(from: $0, to: size, by: $0)) }
        } else {
            sets.append(Array(stride(from: 4099, to: size, by: 4099)))
            sets.append(Array(stride(from: UploadSpool.writeSize + 7, to: size, by: UploadSpool.writeSize + 7)))
        }
        for _ in 0..<4 where size > 2 {
            var cuts = Set<Int>()
            for _ in 0..<(1 + Int(random.next() % 60)) { cuts.insert(Int(random.next() % UInt64(size - 1)) + 1) }
            sets.append(cuts.sorted())
        }
        return sets
    }

    @Test(arguments: [0, 1, 63, 64, 65, 1023, 1024, 1025, 4096, 70_000, 1_000_003])
    func spooledDigestEqualsRereadDigest(size: Int) throws {
        let directory = try scratch.newFolder()
        let contents = Self.contents(size: size)
        let expected = SHA256.hash(contents)
        for splits in Self.splitSets(size: size) {
            let file = try Self.spool(contents, splits: splits, directory: directory)
            #expect((file.path == nil) == (size <= Self.threshold))
            #expect(try file.sha256() == expected, "size \(size) split at \(splits.prefix(6))")
            #expect(try Self.rereadDigest(file) == expected, "size \(size) split at \(splits.prefix(6))")
        }
    }

    /// The spooled digest is returned without touching the file: it survives the file's
    /// removal, while an upload spooled without the option must read the file and fails.
    @Test func spooledDigestDoesNotRereadTheFile() throws {
        let directory = try scratch.newFolder()
        let contents = Self.contents(size: 300_000)
        let hashed = try Self.spool(contents, splits: [5000, 100_000], directory: directory)
        let plain = try Self.spool(contents, splits: [5000, 100_000], hasher: nil, directory: directory)
        #expect(try plain.sha256() == SHA256.hash(contents))
        #expect(unlink(try #require(hashed.path)) == 0)
        #expect(unlink(try #require(plain.path)) == 0)
        #expect(try hashed.sha256() == SHA256.hash(contents))
        #expect(throws: CGIError.self) { try plain.sha256() }
    }

    /// A hasher of the program's own gets every byte of each upload, in order, and its digest
    /// is the one ``UploadedFile/sha256()`` returns: here a SHA-256 of the bytes reversed,
    /// which no other path computes.
    @Test(arguments: [0, 700, 300_000])
    func theOptionsHasherGetsEveryByteAndGivesTheDigest(size: Int) throws {
        let directory = try scratch.newFolder()
        let contents = Self.contents(size: size)
        let file = try Self.spool(contents, splits: [1, 500, 5000, 100_000], hasher: ReversedSHA256.self, directory: directory)
        #expect(try file.sha256() == SHA256.hash(contents.reversed()))
        #expect(try Self.rereadDigest(file) == SHA256.hash(contents))
    }

    @Test func hashesUploadsChoosesSHA256() {
        var options = FormOptions()
        #expect(options.uploadHasher == nil && !options.hashesUploads)
        options.hashesUploads = true
        #expect(options.uploadHasher == SHA256.self)
        #expect(options != FormOptions())
        options.uploadHasher = ReversedSHA256.self
        #expect(options.hashesUploads)
        #expect(
            options
                != {
                    var sha = FormOptions(); sha.hashesUploads = true; return sha
                }())
        options.hashesUploads = false
        #expect(options == FormOptions())
    }

    /// Through the multipart reader with ``FormOptions/hashesUploads``: every file of a body
    /// with a small and a large upload, fed in random chunks, carries its bytes' digest.
    @Test func multipartReaderHashesEveryUpload() throws {
        let directory = try scratch.newFolder()
        let small = Self.contents(size: 700)
        let large = Self.contents(size: 600_000)
        let body = MultipartHarness.body([
            (headers: [#"Content-Disposition: form-data; name="a"; filename="a""#], data: small),
            (headers: [#"Content-Disposition: form-data; name="t""#], data: Array("text".utf8)),
            (headers: [#"Content-Disposition: form-data; name="b"; filename="b""#], data: large),
        ])
        var options = FormOptions()
        options.memoryThreshold = Self.threshold
        options.temporaryDirectory = directory
        options.hashesUploads = true
        let reader = MultipartFormReader(
            contentType: HeaderValue(parsing: "multipart/form-data; boundary=BOUND"), options: options)
        var random = SeededGenerator(seed: 9)
        for _ in 0..<5 {
            var start = 0
            let fields = try body.withUnsafeBytes { all in
                try reader.readFields {
                    let end = min(all.count, start + 1 + Int(random.next() % 100_000))
                    defer { start = end }
                    return UnsafeRawBufferPointer(rebasing: all[start..<end])
                }
            }
            let files = fields.compactMap(\.file)
            #expect(files.count == 2)
            #expect(files.first?.path == nil && files.last?.path != nil)
            for (file, contents) in zip(files, [small, large]) {
                #expect(try file.sha256() == SHA256.hash(contents))
                #expect(try Self.rereadDigest(file) == SHA256.hash(contents))
            }
        }
    }
}

/// An upload hasher that hashes the upload's bytes in reverse order.
private struct ReversedSHA256: UploadHasher {
    private var bytes: [UInt8] = []

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        self.bytes.append(contentsOf: bytes)
    }

    consuming func finalize() -> SHA256.Digest {
        SHA256.hash(bytes.reversed())
    }
}
