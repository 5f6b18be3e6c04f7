import CGI
import Foundation
import TestSupport
import Testing

/// What a script can learn about an upload before storing it: its first bytes, its real
/// type, a safe name.
@Suite struct UploadInspectionTests {
    @Test(arguments: [
        (".htaccess", "htaccess"), ("..", "upload"), ("", "upload"), (".", "upload"), ("...", "upload"),
        ("../../etc/passwd", "passwd"), ("C:\\dir\\a.txt", "a.txt"), ("a b?.png", "a_b_.png"),
        ("-rf.txt", "rf.txt"), ("été 2024.jpg", "été_2024.jpg"), ("a\u{0}b", "a_b"), ("x\u{202E}gpj.exe", "x_gpj.exe"),
        (".png", "png"), ("___", "upload"),
    ])
    func storageNamesAreNeverHiddenEmptyOrPaths(filename: String, expected: String) {
        #expect(UploadedFile(rawFilename: filename, contentType: "text/plain", bytes: []).storageName == expected)
    }

    @Test func randomFilenamesGiveSafeStorageNames() {
        var generator = SeededGenerator(seed: 7578)
        let alphabet: [Character] = Array("./\\-_ a.é😀\t:") + ["\u{0}", "\u{202E}"]
        for _ in 0..<3000 {
            let filename = generator.string(from: alphabet, maxCount: 150)
            let name = UploadedFile(rawFilename: filename, contentType: "text/plain", bytes: []).storageName
            #expect(!name.isEmpty && name != "." && name != ".." && !name.hasPrefix(".") && !name.hasPrefix("-"))
            #expect(!name.contains("/") && !name.contains("\\") && !name.utf8.contains(0) && name.utf8.count <= 100)
        }
        let long = String(repeating: "x", count: 300) + ".jpeg"
        #expect(
            UploadedFile(rawFilename: long, contentType: "", bytes: []).storageName == String(repeating: "x", count: 95) + ".jpeg"
        )
    }

    @Test func readsTheFirstBytesInMemoryAndOnDisk() throws {
        let bytes = (0..<200).map { UInt8($0) }
        let memory = UploadedFile(rawFilename: "a", contentType: "", bytes: bytes)
        #expect(try memory.firstBytes(3) == [0, 1, 2])
        #expect(try memory.firstBytes(500) == bytes)
        #expect(try memory.firstBytes(0) == [])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)").path
        defer { unlink(path) }
        try memory.save(to: path)
        try memory.move(to: path)
        #expect(try memory.firstBytes(150) == Array(bytes.prefix(150)))
    }

    /// Real files written by Python's zipfile, gzip and zlib (a PNG) and literal headers for
    /// the others; a text file and a PNG renamed to .jpg are judged by their bytes.
    @Test func sniffsTypesByMagicBytes() throws {
        let script = """
            import gzip, io, json, struct, sys, zipfile, zlib
            def png():
                def chunk(kind, data):
                    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
                return (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
                        + chunk(b"IDAT", zlib.compress(b"\\x00\\x00")) + chunk(b"IEND", b""))
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w") as z: z.writestr("a.txt", "hello")
            files = {"png": png(), "zip": archive.getvalue(), "gzip": gzip.compress(b"hello"),
                     "gif": b"GIF89a\\x01\\x00\\x01\\x00\\x00\\x00\\x00;", "jpeg": b"\\xff\\xd8\\xff\\xe0\\x00\\x10JFIF\\x00",
                     "webp": b"RIFF\\x1a\\x00\\x00\\x00WEBPVP8L", "pdf": b"%PDF-1.7\\n%\\xe2\\xe3",
                     "text": b"hello, world", "short": b"\\x89P"}
            print(json.dumps({name: list(data) for name, data in files.items()}))
            """
        let files = try #require(try runPython(script, input: [String]()) as? [String: [Int]])
        let expected: [String: String?] = [
            "png": "image/png", "zip": "application/zip", "gzip": "application/gzip", "gif": "image/gif",
            "jpeg": "image/jpeg", "webp": "image/webp", "pdf": "application/pdf", "text": nil, "short": nil,
        ]
        for (name, bytes) in files {
            let upload = UploadedFile(rawFilename: "claimed.jpg", contentType: "image/jpeg", bytes: bytes.map { UInt8($0) })
            #expect(try upload.sniffedMediaType() == expected[name] ?? nil, "\(name)")
        }
    }
}
