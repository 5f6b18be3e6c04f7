// A CGI script for the toolkit tests: a small JSON API, a cookie and CSRF form, and file
// downloads, chosen by the `mode` query parameter. FIXTURE_REJECTIONS (`html` or `json`)
// fixes the format of rejections; without it they follow the request's Accept header.
import CGI
import Glibc

let signer = try Signer(key: Array("a fixture key, thirty-two bytes or more; never a real one".utf8))
let csrf = CSRFProtection(signer: signer)
let rejections: RejectionFormat =
    switch getenv("FIXTURE_REJECTIONS").map({ String(cString: $0) }) {
    case "html": .html
    case "json": .json
    default: .byAccept
    }

CGI.run(rejections: rejections) { request in
    switch request.form["mode"] ?? "" {
    case "echo":
        return .json(["received": try request.json(maxBytes: 64)])
    case "raw":
        let bytes = try request.body?.readAll(maxBytes: 16) ?? []
        return Response(contentType: "text/plain; charset=utf-8", body: "\(bytes.count) bytes\n")
    case "set-cookie":
        var response = Response(contentType: "text/plain; charset=utf-8", body: "set\n")
        try response.setCookie(SetCookie(name: "flash", value: request.form["value"] ?? ""))
        try response.setCookie(.deleting(name: "old"))
        return response
    case "read-cookie":
        return Response(contentType: "text/plain; charset=utf-8", body: request.cookie("flash") ?? "(none)")
    case "form":
        let session = request.signedCookie("session", signer: signer) ?? SecureRandom.token()
        if request.method == "POST", !csrf.verify(request, sessionID: session) {
            return Response(status: 403, contentType: "text/plain; charset=utf-8", body: "refused\n")
        }
        var response = Response(
            contentType: "text/plain; charset=utf-8",
            body: request.method == "POST" ? "accepted \(request.form["comment"] ?? "")\n" : csrf.token(for: session))
        try response.setCookie(signer.cookie(name: "session", value: session, maxAge: 3600))
        return response
    case "file":
        return try .file(at: request.form["path"] ?? "", for: request)
    default:
        return Response(status: 404, body: "<p>No such mode.</p>\n")
    }
}
