import Foundation
import Glibc
import TestSupport
import Testing

@testable import CGIGateway

/// The folder of fixture scripts shared by the test targets.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

/// Copies a fixture script into `folder` under `name` with `mode`.
@discardableResult
func installFixture(_ fixture: String, in folder: String, as name: String? = nil, mode: mode_t = 0o755) throws -> String {
    let target = folder + "/" + (name ?? fixture)
    try FileManager.default.copyItem(atPath: fixtures + "/" + fixture, toPath: target)
    #expect(chmod(target, mode) == 0)
    return target
}

/// Reads a descriptor to end of file (blocking) and closes it.
func readToEnd(_ fd: Int32) -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count <= 0 { break }
        result += buffer[..<count]
    }
    close(fd)
    return result
}

/// Reads a descriptor up to and including the first newline (blocking), without closing it.
func readLine(_ fd: Int32) -> String {
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
    return String(decoding: bytes, as: UTF8.self)
}
