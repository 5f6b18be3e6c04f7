// libFuzzer target for header parsing: a part's header block and header values with
// parameters (RFC 2231 continuations and charsets included) must never crash.
@testable import CGI

@_cdecl("LLVMFuzzerTestOneInput")
public func headerValueFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let headers = try? MultipartHeaders(parsing: bytes, encoding: .utf8)
    let text = String(decoding: bytes, as: UTF8.self)
    for value in [text] + (headers?.fields.map(\.value) ?? []) {
        let header = HeaderValue(parsing: value)
        for name in ["name", "filename", "boundary", "charset"] { _ = header.parameter(name) }
    }
    return 0
}
