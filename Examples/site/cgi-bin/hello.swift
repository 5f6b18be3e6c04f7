// The smallest Swift CGI script: greets `?name=…` (or the world) in plain text.
import CGI

CGI.run { request in
    let name = request.form["name"] ?? "world"
    return Response(contentType: "text/plain; charset=utf-8", body: "Hello, \(name)!\n")
}
