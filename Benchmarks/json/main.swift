// The start-up benchmark's JSON script: parse the request and a small JSON document, answer
// with JSON, through the library's Foundation-free JSON.
import CGI

let request = try Request()
let settings = try JSON(parsing: #"{"greeting": "hello", "tags": ["a", "b"], "limit": 10}"#)
let greeting = settings["greeting"]?.string ?? "hi"
try Response.json(["message": .string("\(greeting) \(request.form["name"] ?? "world")"), "settings": settings]).write()
