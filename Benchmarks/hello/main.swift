// The start-up benchmark's script: parse the request, answer with one line.
import CGI

let request = try Request()
try Response(contentType: "text/plain; charset=utf-8", body: "hello \(request.form["name"] ?? "world")\n").write()
