// The start-up benchmark's JSON script done with FoundationEssentials' JSONDecoder and
// JSONEncoder instead, to weigh what Foundation's JSON costs at start-up.
import CGI
import FoundationEssentials

struct Settings: Codable {
    var greeting: String
    var tags: [String]
    var limit: Int
}

struct Answer: Codable {
    var message: String
    var settings: Settings
}

let request = try Request()
let settings = try JSONDecoder().decode(
    Settings.self, from: Data(#"{"greeting": "hello", "tags": ["a", "b"], "limit": 10}"#.utf8))
let body = try JSONEncoder().encode(
    Answer(message: "\(settings.greeting) \(request.form["name"] ?? "world")", settings: settings))
try Response(contentType: "application/json", bytes: Array(body)).write()
