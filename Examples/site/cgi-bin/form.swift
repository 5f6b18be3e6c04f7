// A form with two required fields: until both are filled in, the form comes back with
// what was typed so far and says which fields are missing.
import CGI

func page(_ title: String, _ content: String) -> Response {
    Response(
        body: """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><link rel="stylesheet" href="/style.css"><title>\(title)</title></head>
            <body>
            <h1>\(title)</h1>
            \(content)
            <p><a href="/">All examples</a></p>
            </body>
            </html>
            """)
}

func form(name: String, address: String) -> String {
    """
    <form method="post">
    <p><label>Name <input name="name" value="\(HTML.escape(name))"></label></p>
    <p><label>Address <textarea name="address" rows="3">\(HTML.escape(address))</textarea></label></p>
    <p><button type="submit">Send</button></p>
    </form>
    """
}

CGI.run { request in
    let name = request.form["name"] ?? ""
    let address = request.form["address"] ?? ""
    guard request.method == "POST" else {
        return page("Name and address", form(name: name, address: address))
    }
    let missing = [("name", name), ("address", address)]
        .filter { $0.1.allSatisfy(\.isWhitespace) }
        .map(\.0)
    if missing.isEmpty {
        return page(
            "Thank you",
            """
            <p id="result">Thank you, \(HTML.escape(name)). We will write to you at:</p>
            <pre>\(HTML.escape(address))</pre>
            """)
    }
    return page(
        "Name and address",
        """
        <p id="result"><strong>Please fill in your \(missing.joined(separator: " and ")).</strong></p>
        \(form(name: name, address: address))
        """)
}
