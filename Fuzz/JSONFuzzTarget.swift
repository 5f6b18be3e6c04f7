// libFuzzer target for the JSON reader: any bytes must give a value or a JSONError, never a
// crash or a hang; and a value read must be written and read back to the same value.
import CGI

@_cdecl("LLVMFuzzerTestOneInput")
public func jsonFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSON(parsing: bytes, limits: JSONLimits(maxBytes: 1 << 16, maxDepth: 40)) else { return 0 }
    let written = value.encoded()
    guard let reread = try? JSON(parsing: written, limits: JSONLimits(maxBytes: 1 << 20, maxDepth: 40)), reread == value else {
        fatalError("the written form of a value does not read back to it: \(written)")
    }
    return 0
}
