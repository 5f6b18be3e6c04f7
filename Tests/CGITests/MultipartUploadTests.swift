import Foundation
import TestSupport
import Testing

@testable import CGI

/// Uploads: memory or temporary file by size, reading, moving, saving, and clean-up.
@Suite struct MultipartUploadTests {
    /// The test's scratch folder, removed when the test ends.
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "cgi-test")
    }

    /// Parses one file part of `size` bytes and returns the upload (and its contents).
    static func upload(size: Int, threshold: Int = 1024, directory: String) throws -> (UploadedFile, [UInt8]) {
        var random = SeededGenerator(seed: UInt64(size))
        let contents = (0..<size).map { _ in UInt8.random(in: 0...255, using: &random) }
        var options = FormOptions()
        options.memoryThreshold = threshold
        options.temporaryDirectory = directory
        let body = MultipartHarness.body([
            (
                headers: [
                    "Content-Disposition: form-data; name=\"f\"; filename=\"d/x.bin\"", "Content-Type: application/octet-stream",
                ], data: contents
            )
        ])
        let reader = MultipartFormReader(
            contentType: HeaderValue(parsing: "multipart/form-data; boundary=BOUND"), options: options)
        let fields = try body.withUnsafeBytes { all in
            var done = false
            return try reader.readFields {
                defer { done = true }
                return done ? UnsafeRawBufferPointer(rebasing: all[0..<0]) : all
            }
        }
        let file = try #require(fields.first?.file)
        return (file, contents)
    }

    @Test(arguments: [0, 1, 1024, 1025, 200_000])
    func storedInMemoryUpToTheThresholdThenOnDisk(size: Int) throws {
        let directory = try scratch.newFolder()
        let (file, contents) = try Self.upload(size: size, directory: directory)
        #expect(file.size == size)
        #expect(file.filename == "x.bin")
        #expect(file.rawFilename == "d/x.bin")
        #expect(file.contentType == "application/octet-stream")
        #expect(try file.bytes() == contents)
        #expect(try file.sha256() == SHA256.hash(contents))
        if size <= 1024 {
            #expect(file.path == nil)
        } else {
            let path = try #require(file.path)
            #expect(path.hasPrefix(directory + "/cgi-upload-"))
            var info = stat()
            #expect(stat(path, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
            #expect(Int(info.st_size) == size)
        }
    }

    @Test func readsInChunksOfTheRequestedSize() throws {
        let directory = try scratch.newFolder()
        let (file, contents) = try Self.upload(size: 10_000, directory: directory)
        var sizes: [Int] = []
        var read: [UInt8] = []
        try file.readChunks(size: 4096) {
            sizes.append($0.count); read += $0
        }
        #expect(sizes == [4096, 4096, 1808])
        #expect(read == contents)
    }

    @Test func temporaryFileIsDeletedWithTheUpload() throws {
        let directory = try scratch.newFolder()
        var path: String?
        do {
            let (file, _) = try Self.upload(size: 5000, directory: directory)
            path = file.path
            #expect(try MultipartHarness.contents(of: directory).count == 1)
        }
        #expect(path != nil)
        #expect(try MultipartHarness.contents(of: directory).isEmpty)
    }

    @Test(arguments: [100, 5000])
    func moveRenamesAndStopsDeletion(size: Int) throws {
        let directory = try scratch.newFolder()
        let target = try scratch.newFolder()
        let destination = target + "/saved.bin"
        do {
            let (file, contents) = try Self.upload(size: size, directory: directory)
            try file.move(to: destination)
            #expect(file.path == destination)
            #expect(try file.bytes() == contents)
            #expect(try MultipartHarness.contents(of: directory).isEmpty)
        }
        #expect(FileManager.default.contents(atPath: destination)?.count == size)
    }

    @Test func moveAcrossFileSystemsCopies() throws {
        // /dev/shm is a tmpfs; rename(2) from it to /tmp fails with EXDEV where /tmp is another
        // file system, and the move falls back to copying.
        let directory = try scratch.newFolder()
        let shm = try TemporaryDirectory(prefix: "cgi-test", in: "/dev/shm")
        defer { withExtendedLifetime(shm) {} }
        let source = shm.path
        let (file, contents) = try Self.upload(size: 5000, directory: source)
        try file.move(to: directory + "/moved.bin")
        #expect(FileManager.default.contents(atPath: directory + "/moved.bin").map(Array.init) == contents)
        #expect(try MultipartHarness.contents(of: source).isEmpty)
    }

    @Test(arguments: [100, 5000])
    func saveCopiesAndKeepsTheUpload(size: Int) throws {
        let directory = try scratch.newFolder()
        let target = try scratch.newFolder()
        let destination = target + "/copy.bin"
        let (file, contents) = try Self.upload(size: size, directory: directory)
        try file.save(to: destination)
        #expect(FileManager.default.contents(atPath: destination).map(Array.init) == contents)
        #expect(try file.bytes() == contents)
        #expect(file.path == (size > 1024 ? file.path : nil))
    }

    @Test(arguments: [
        ("a.txt", "a.txt"), ("C:\\Users\\me\\a.txt", "a.txt"), ("../../etc/passwd", "passwd"), ("/abs/b", "b"),
        ("dir/", ""), ("..", ""), (".", ""), ("", ""), ("\\\\server\\share\\c.doc", "c.doc"), ("naïve é.txt", "naïve é.txt"),
    ])
    func filenameIsTheLastPathComponent(raw: String, expected: String) {
        #expect(UploadedFile.baseName(of: raw) == expected)
    }
}
