// A tiny JSON API: GET describes it, POST {"name": "Ada"} answers {"greeting": "Hello, Ada!"}.
// Whatever the library refuses (a body that is not JSON, too large, or of another type) comes
// back as a JSON error too, with its status (400, 413, 415). htdocs/api.html calls it with fetch.
import CGI

CGI.run(rejections: .json) { request in
    switch request.method {
    case "GET", "HEAD":
        return .json([
            "name": "greeting API",
            "usage": #"POST {"name": "…"} as application/json"#,
            "answers": #"{"greeting": "Hello, …!"}"#,
        ])
    case "POST":
        let input = try request.json(maxBytes: 4 << 10)
        guard let name = input["name"]?.string, !name.allSatisfy(\.isWhitespace) else {
            return .json(["error": #"the body needs a "name": a string that is not blank"#], status: 422)
        }
        return .json(["greeting": .string("Hello, \(name)!")])
    default:
        var response = Response.json(["error": .string("\(request.method) is not supported: use GET or POST")], status: 405)
        response.headers["Allow"] = "GET, HEAD, POST"
        return response
    }
}
