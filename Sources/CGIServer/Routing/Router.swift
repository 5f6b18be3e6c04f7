import CGIGateway
import NIOHTTP1

/// Picks the responder for each request: scripts under the script prefix (resident ones through
/// their worker pool), files that a
/// ``FastCGIPass`` names to their FastCGI application, static files for everything else. It also turns a script's local redirect (RFC 3875 §6.2.2) into the new
/// request the server serves in its place.
struct Router {
    let server: ServerContext

    /// The responder that answers `request`, writing to `response`.
    func responder(for request: RoutedRequest, response: ClientResponse) -> any Responder {
        guard server.scriptResolver.claims(request.target.path) else {
            if let (location, address) = fastCGIFile(request.target) {
                return FastCGIResponder(
                    server: server, request: request, location: location, upstream: .application(address), response: response)
            }
            return ReplyResponder(
                response: response, reply: server.staticFiles.respond(to: request.info.head, target: request.target))
        }
        do {
            let location = try server.scriptResolver.resolve(request.target.path)
            if let pools = server.residentPools, pools.isResident(location) {
                let source = ResidentWorkerSource(
                    pool: pools.pool(for: location), location: location, compiler: server.swiftCompiler)
                return FastCGIResponder(
                    server: server, request: request, location: location, upstream: .resident(source), response: response)
            }
            return CGIResponder(server: server, request: request, location: location, response: response)
        } catch {
            server.errorLog.info("\(error.description)", metadata: ["request": "\(request.info.id)"])
            return ReplyResponder(
                response: response, reply: StatusPage.response(HTTPResponseStatus(statusCode: error.httpStatus)), kind: .cgi)
        }
    }

    /// The file a ``FastCGIPass`` sends to its application, and where: an existing regular file under
    /// the document root whose name ends with the pass's suffix (`SCRIPT_FILENAME` its absolute
    /// path, `SCRIPT_NAME` the decoded URL path, no `PATH_INFO`, as nginx's `fastcgi_pass` with
    /// `fastcgi_params` does).
    private func fastCGIFile(_ target: RequestTarget) -> (ScriptLocation, FastCGIAddress)? {
        let passes = server.configuration.fastCGIPasses
        guard !passes.isEmpty, !target.path.hasTrailingSlash, let name = target.path.segments.last,
            let pass = passes.first(where: { $0.matches(name) }),
            let path = server.staticFiles.documentRoot.regularFilePath(segments: target.path.segments)
        else { return nil }
        return (ScriptLocation(scriptPath: path, scriptName: "/" + target.path.segments.joined(separator: "/")), pass.address)
    }

    /// The request a script's `Location: /path?query` stands for: a GET (a HEAD for a HEAD) of
    /// that target without a body, counted as one more redirect.
    func redirect(_ request: RoutedRequest, to location: String) throws(ScriptResolverError) -> RoutedRequest {
        var head = request.info.head
        head.method = head.method == .HEAD ? .HEAD : .GET
        head.uri = location
        for name in ["Content-Length", "Transfer-Encoding", "Content-Type", "Expect"] {
            head.headers.remove(name: name)
        }
        var info = request.info
        info.head = head
        return RoutedRequest(info: info, target: try RequestTarget(location), redirects: request.redirects + 1)
    }
}

/// A request on its way to a responder: what the server knows of it, its checked target, and
/// how many local redirects led to it.
struct RoutedRequest {
    var info: RequestInfo
    var target: RequestTarget
    var redirects: Int
}
