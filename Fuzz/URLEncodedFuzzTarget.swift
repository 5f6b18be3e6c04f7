// libFuzzer target for the urlencoded parser: any bytes, with every option combination the
// first byte picks, must parse or fail with a CGIError, never crash.
@testable import CGI

@_cdecl("LLVMFuzzerTestOneInput")
public func urlencodedFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    var options = FormOptions()
    options.keepBlankValues = data[0] & 1 != 0
    options.strictParsing = data[0] & 2 != 0
    options.separator = data[0] & 4 != 0 ? UInt8(ascii: ";") : UInt8(ascii: "&")
    options.encoding = data[0] & 8 != 0 ? .latin1 : .utf8
    options.maxFields = data[0] & 16 != 0 ? 3 : nil
    let input = UnsafeBufferPointer(start: data + 1, count: size - 1)
    _ = try? URLEncodedForm.parse(input, source: .body, options: options)
    return 0
}
