// A FastCGI program for the tests with an asynchronous handler: `action=sleep` awaits for
// 30 seconds (saying so in the log first), anything else answers with the process id.
import CGI
import Glibc

await CGI.run { (request: Request) async throws -> Response in
    guard request.form["action"] == "sleep" else {
        return Response(contentType: "text/plain; charset=utf-8", body: "process \(getpid()) async\n")
    }
    log("sleeping")
    do {
        try await Task.sleep(for: .seconds(30))
    } catch is CancellationError {
        log("the handler's task was cancelled")
        throw CancellationError()
    }
    return Response(contentType: "text/plain; charset=utf-8", body: "slept\n")
}
