// A FastCGI program for the tests with an asynchronous handler, returning a `Response`, or
// writing through a `ResponseWriter` when FIXTURE_WRITER is set: `action=sleep` awaits for
// 30 seconds (saying so in the log first), `action=yield` suspends once and then answers, as
// anything else does at once, with the process id.
import CGI
import Glibc

/// The response body for `request` (on the main actor, as the top-level handlers are).
@MainActor func answer(_ request: Request) async throws -> String {
    if request.form["action"] == "yield" { await Task.yield() }
    guard request.form["action"] == "sleep" else {
        return "process \(getpid()) async\n"
    }
    log("sleeping")
    do {
        try await Task.sleep(for: .seconds(30))
    } catch is CancellationError {
        log("the handler's task was cancelled")
        throw CancellationError()
    }
    return "slept\n"
}

if getenv("FIXTURE_WRITER") != nil {
    await CGI.run { (request: Request, writer: ResponseWriter) async throws in
        try writer.setHeader("Content-Type", "text/plain; charset=utf-8")
        try writer.write(try await answer(request))
    }
} else {
    await CGI.run { (request: Request) async throws -> Response in
        Response(contentType: "text/plain; charset=utf-8", body: try await answer(request))
    }
}
