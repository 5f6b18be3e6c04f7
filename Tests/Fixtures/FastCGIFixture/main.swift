// A program for the FastCGI tests: started with a listening socket on descriptor 0 it serves
// FastCGI, otherwise it answers one CGI request. What it does depends on the query's
// `action` (throw, trap, print, stream, sleep with `seconds`, log, authorize, mode: whether
// `CGI.isResident`); by default it
// lists the form (text fields as `name=value`, files as `name: filename size sha256`) after
// a line that counts the requests this process served.
import CGI
import Glibc

struct Failure: Error, CustomStringConvertible {
    var description: String { "the fixture failed on purpose" }
}

/// Sleeps `seconds` whatever signals arrive meanwhile (a handler busy for a while).
func sleepThrough(seconds: Int) {
    var asked = timespec(tv_sec: seconds, tv_nsec: 0)
    var remaining = timespec()
    while nanosleep(&asked, &remaining) != 0 && errno == EINTR { asked = remaining }
}

// Top-level code runs once per process, before the first request.
let startedProcess = getpid()
var served = 0
log("fixture process", startedProcess, "started")

CGI.run { (request: Request, writer: ResponseWriter) in
    served += 1
    try writer.setHeader("Content-Type", "text/plain; charset=utf-8")
    switch request.form["action"] {
    case "throw":
        throw Failure()
    case "trap":
        fatalError("the fixture traps on purpose")
    case "print":
        print("a stray print from the handler")
        try writer.write("printed\n")
    case "stream":
        // The first chunk goes out before the body is read; the rest once it has ended.
        try writer.write("first chunk (process \(startedProcess))\n")
        try writer.flush()
        let body = try request.body?.readAll() ?? []
        try writer.write("second chunk after \(body.count) bytes\n")
    case "sleep":
        sleepThrough(seconds: Int(request.form["seconds"] ?? "") ?? 1)
        try writer.write("slept\n")
    case "log":
        log("a line from the handler of request", served)
        try writer.write("logged\n")
    case "mode":
        try writer.write(CGI.isResident ? "resident\n" : "one request\n")
    case "authorize":
        let allowed = request.environment["REMOTE_USER"] == "ann"
        try writer.setStatus(allowed ? 200 : 403)
        if allowed { try writer.setHeader("Variable-User-Level", "admin") }
    default:
        try writer.write("process \(startedProcess) request \(served)\n")
        for field in request.form.fields {
            switch field.value {
            case .text(let text, _):
                try writer.write("\(field.name ?? "")=\(text)\n")
            case .file(let file):
                try writer.write("\(field.name ?? ""): \(file.filename) \(file.size) \(try file.sha256())\n")
            }
        }
    }
}
