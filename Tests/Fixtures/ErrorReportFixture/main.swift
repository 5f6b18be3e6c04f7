// A CGI script that fails on purpose, in the way its `mode` query parameter names, so the
// tests can check the error reports and crash handling of `CGI.run`.
import CGI
import Glibc

/// The error this script throws.
struct LookupError: Error, CustomStringConvertible {
    var key: String
    var description: String { "no record for <\(key)>" }
}

/// Fails with a located error a few frames down, so the backtrace has names to show.
func lookUpRecord(_ key: String) throws -> String {
    throw ReportableError(LookupError(key: key))
}

/// Recurses until the stack runs out.
func recurse(_ depth: Int) -> Int {
    depth < Int.max ? recurse(depth + 1) + 1 : 0
}

/// Traps (or crashes otherwise) the way `mode` names.
func crash(_ mode: String) -> Never {
    switch mode {
    case "abort":
        abort()
    case "overflow":
        print(recurse(0))
    case "unwrap":
        let missing: Int? = mode.count > 100 ? 1 : nil
        print(missing!)
    case "index":
        let items = [1, 2, 3]
        print(items[mode.count])
    case "precondition":
        precondition(mode.isEmpty, "the mode must be empty")
    default:
        break
    }
    fatalError("the script gave up on \(mode)")
}

// mode=print prints before, during and after the response, which must reach standard error only.
let printing = getenv("QUERY_STRING").map { String(cString: $0) } == "mode=print"
if printing { print("printed before CGI.run") }

CGI.run { (request: Request, writer: ResponseWriter) in
    let mode = request.form["mode"] ?? ""
    switch mode {
    case "print":
        print("printed in the handler")
        try writer.write("<p>first</p>\n")
        try writer.flush()
        print("printed while the body streams")
        log("logged", 42)
        try writer.write("<p>second</p>\n")
    case "ok":
        try writer.write("<p>fine</p>\n")
    case "throw":
        throw LookupError(key: "plain")
    case "throw-located":
        _ = try lookUpRecord(request.form["record"] ?? "nothing")
    case "half-throw":
        try writer.write("<p>first half</p>\n")
        try writer.flush()
        throw LookupError(key: "half")
    case "half-trap":
        try writer.write("<p>first half</p>\n")
        try writer.flush()
        crash("fatal")
    case "diagnostics":
        let page = CGI.diagnostics(request)
        try writer.write(page.body)
    default:
        crash(mode)
    }
}

if printing { print("printed after CGI.run") }
