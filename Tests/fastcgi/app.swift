// The application Tests/fastcgi/run.sh puts behind the fronts in the CGI library's FastCGI mode
// (`cgi fastcgi` compiles it through the cache). It answers the same queries as
// Tests/Fixtures/fastcgi/worker.c:
//   (none)       Hello, world!
//   echo         the request body (a form's fields, as sent)
//   stream=FILE  "first", flushed; then waits (up to 20 s) for FILE to exist; then "last"
//   fail         throws: a 500 and an error report
// A request the library rejects (a multipart body without a boundary) is a 400.
import CGI
import Glibc

struct RequestedFailure: Error, CustomStringConvertible {
    let description = "the request asked to fail"
}

CGI.run { request, writer in
    try writer.setHeader("Content-Type", "text/plain; charset=utf-8")
    let query = request.queryString
    if query == "echo", let body = request.body {
        try writer.setHeader("Content-Type", "application/octet-stream")
        try writer.write(body.readAll())
    } else if query == "echo" {
        // A form body is parsed by the library: its fields, as they were sent.
        let fields = request.form.names.filter { $0 != "echo" }
        try writer.write(fields.map { "\($0)=\(request.form[$0] ?? "")" }.joined(separator: "&"))
    } else if query.hasPrefix("stream=") {
        let release = String(query.dropFirst("stream=".count))
        try writer.write("first\n")
        try writer.flush()
        for _ in 0..<2000 where access(release, F_OK) != 0 { usleep(10_000) }
        try writer.write("last\n")
    } else if query == "fail" {
        throw RequestedFailure()
    } else {
        try writer.write("Hello, world!\n")
    }
}
