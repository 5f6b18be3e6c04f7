import TestSupport
import Testing

@testable import CGI

/// ``UploadSpool`` writes its file in aligned blocks, gathering small pieces and passing whole
/// blocks of large ones straight through: whatever the memory threshold and however the input
/// is cut, the file holds exactly the bytes given, in order.
@Suite struct UploadSpoolTests {
    /// The test's scratch folder, removed when the test ends.
    let scratch: TemporaryDirectory

    init() throws {
        scratch = try TemporaryDirectory(prefix: "cgi-test")
    }

    static let block = UploadSpool.writeSize

    @Test(arguments: [0, 1000, block - 1, block, block + 1, 3 * block + 5])
    func fileHoldsTheBytesGivenWhateverThePieces(memoryThreshold: Int) throws {
        let directory = try scratch.newFolder()
        let size = 5 * Self.block + 321
        let contents = UploadHashTests.contents(size: size)
        for pieceSize in [1000, 4099, Self.block - 7, Self.block, Self.block + 3, 2 * Self.block, size] {
            var spool = UploadSpool(memoryThreshold: memoryThreshold, directory: directory)
            try contents.withUnsafeBytes { all in
                for start in stride(from: 0, to: size, by: pieceSize) {
                    try spool.append(UnsafeRawBufferPointer(rebasing: all[start..<min(start + pieceSize, size)]))
                }
            }
            let file = try spool.finish(filename: "f.bin", contentType: "application/octet-stream")
            #expect(file.path != nil)
            #expect(file.size == size)
            #expect(try file.bytes() == contents, "threshold \(memoryThreshold), pieces of \(pieceSize)")
        }
    }
}
