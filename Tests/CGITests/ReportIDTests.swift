import Glibc
import TestSupport
import Testing

@testable import CGI

@Suite struct ReportIDTests {
    /// What the C library's `gmtime_r` and `strftime` make of the same instant.
    func expected(time: Int, process: Int, random: UInt32) -> String {
        var seconds = time_t(time)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y%m%d-%H%M%S", &parts)
        let stamp = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let hex = String(random & 0xFF_FFFF, radix: 16)
        return "\(stamp)-\(process)-\(String(repeating: "0", count: 6 - hex.count))\(hex)"
    }

    @Test(arguments: [
        (0, 1, UInt32(0)), (951_782_400, 42, 0xABCDEF), (1_764_077_291, 4821, 0x9F3A6C),  // 2000-02-29, 2025-11-25
        (4_102_444_799, 4_194_304, 0xFFFF_FFFF), (-1, 7, 1),  // 2099-12-31 23:59:59, 1969-12-31 23:59:59
    ])
    func matchesTheCLibrary(time: Int, process: Int, random: UInt32) {
        #expect(
            ReportID(time: time, process: process, random: random).description
                == expected(
                    time: time, process: process, random: random))
    }

    @Test func matchesTheCLibraryAtRandomInstants() {
        var generator = SeededGenerator(seed: 1970)
        for _ in 0..<5000 {
            let time = Int.random(in: -2_208_988_800...7_258_118_400, using: &generator)  // 1900 to 2200
            let process = Int.random(in: 1...4_194_304, using: &generator)
            let random = UInt32.random(in: 0...UInt32.max, using: &generator)
            let id = ReportID(time: time, process: process, random: random).description
            #expect(id == expected(time: time, process: process, random: random), "at \(time)")
        }
    }

    @Test func madeNowNamesThisProcessAndToday() {
        let before = Int(time(nil))
        let id = ReportID.make().description
        let after = Int(time(nil))
        let parts = id.split(separator: "-")
        #expect(parts.count == 4)
        #expect(parts[2] == "\(getpid())")
        #expect(parts[3].count == 6 && parts[3].allSatisfy(\.isHexDigit))
        let stamps = [before, after].map { expected(time: $0, process: 0, random: 0).prefix(15) }
        #expect(stamps.contains(id.prefix(15)))
    }

    @Test(arguments: ["4f3a9c1e-c12-3", "YzQ1@x_-9", String(repeating: "a", count: 64)])
    func theServersUniqueIDIsTheReference(id: String) {
        #expect(ReportID.make(environment: ["UNIQUE_ID": id]).description == id)
    }

    @Test(arguments: ["", "../etc/passwd", "a b", "a.txt", "-rf", String(repeating: "a", count: 65), "é"])
    func anUnusableUniqueIDGetsAReferenceOfItsOwn(id: String) {
        let made = ReportID.make(environment: ["UNIQUE_ID": id]).description
        #expect(made != id)
        #expect(made.split(separator: "-")[2] == "\(getpid())")
    }
}
