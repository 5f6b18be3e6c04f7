// A CGI script for the upload tests and benchmark: reads the request with the CGI library
// and prints one line per field. UPLOAD_MAX_BYTES raises the body, file and disk limits
// (for benchmarks past the 1 GiB defaults). With UPLOAD_MOVE_DIR, each upload is moved
// there (as `0`, `1`, …); with UPLOAD_EXIT_EARLY, the script exits while still holding its
// uploads, leaving their temporary files to the library's exit handler.
import CGI

#if canImport(Glibc)
import Glibc
#endif

var options = FormOptions()
if let limit = getenv("UPLOAD_MAX_BYTES").flatMap({ Int(String(cString: $0)) }) {
    options.maxBodyBytes = limit
    options.maxFileBytes = limit
    options.maxDiskBytes = limit
}
let request: Request
do {
    request = try Request(options: options)
} catch let error as CGIError {
    print("error \(error.kind)")
    exit(2)
}
let moveDirectory = getenv("UPLOAD_MOVE_DIR").map { String(cString: $0) }
for (index, field) in request.form.fields.enumerated() {
    if let file = field.file {
        print("file \(field.name ?? "-") \(file.filename) \(file.size) \(file.path ?? "memory")")
        if let moveDirectory { try file.move(to: "\(moveDirectory)/\(index)") }
    } else {
        print("text \(field.name ?? "-") \(field.text ?? "")")
    }
}
if getenv("UPLOAD_EXIT_EARLY") != nil { exit(0) }
