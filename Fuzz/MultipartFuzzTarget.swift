// libFuzzer target for the multipart reader. The input is a multipart/form-data body with
// boundary "BOUND"; its first byte picks a chunk size. The body is parsed whole and in
// chunks: both must give the same fields or the same error, and nothing may crash or hang.
@testable import CGI

/// Small limits so that every limit is reachable from short inputs.
let fuzzOptions: FormOptions = {
    var options = FormOptions()
    options.maxParts = 20
    options.maxPartHeaderBytes = 512
    options.maxTextBytes = 2048
    options.maxFileBytes = 4096
    options.maxDiskBytes = 6000
    options.memoryThreshold = 512
    return options
}()

/// A comparable picture of a parse: field names, kinds and bytes, or the error.
func describe(_ body: UnsafeRawBufferPointer, chunkSize: Int) -> String {
    let reader = MultipartFormReader(
        contentType: HeaderValue(parsing: "multipart/form-data; boundary=BOUND"), options: fuzzOptions)
    var offset = 0
    do {
        let fields = try reader.readFields {
            let end = min(offset + chunkSize, body.count)
            defer { offset = end }
            return UnsafeRawBufferPointer(rebasing: body[offset..<end])
        }
        return fields.map { field -> String in
            switch field.value {
            case .text(let text, let bytes): "\(field.name ?? "nil") text \(text) \(bytes)"
            case .file(let file): "\(field.name ?? "nil") file \(file.rawFilename) \((try? file.bytes()) ?? [])"
            }
        }.joined(separator: "\n")
    } catch {
        return "error \(error)"
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func multipartFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let chunkSize = Int(data[0] % 16) + 1
    let body = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let whole = describe(body, chunkSize: max(body.count, 1))
    let chunked = describe(body, chunkSize: chunkSize)
    if whole != chunked {
        fatalError("chunked parse differs:\n\(whole)\n---\n\(chunked)")
    }
    return 0
}
