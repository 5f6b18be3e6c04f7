// A CGI script with an asynchronous handler that throws or traps as its `mode` query
// parameter says.
import CGI

/// The error this script throws.
struct AsyncFailure: Error {}

/// Gives up after a suspension point.
func giveUp() async -> Never {
    await Task.yield()
    fatalError("asynchronous trap")
}

/// Fails with a plain error after a suspension point, from a nested function.
func loadOrder() async throws -> Response {
    await Task.yield()
    throw AsyncFailure()
}

await CGI.run { (request: Request) async throws -> Response in
    await Task.yield()
    switch request.form["mode"] {
    case "throw": throw ReportableError(AsyncFailure())
    case "throw-plain": return try await loadOrder()
    case "fatal": await giveUp()
    default: return Response(body: "<p>fine</p>\n")
    }
}
