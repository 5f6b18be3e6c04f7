// Several values under one name: every ticked box arrives as its own `topping` field.
import CGI

let toppings = ["cheese", "mushrooms", "olives", "peppers", "pineapple"]

CGI.run { request in
    let chosen = request.form.values("topping")
    let boxes = toppings.map { topping in
        let checked = chosen.contains(topping) ? " checked" : ""
        return "<label><input type=\"checkbox\" name=\"topping\" value=\"\(topping)\"\(checked)> \(topping)</label><br>"
    }
    let summary =
        chosen.isEmpty
        ? "<p>Nothing chosen yet.</p>"
        : "<p id=\"result\">You chose \(chosen.count): \(chosen.map(HTML.escape).joined(separator: ", ")).</p>"
    return Response(
        body: """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><link rel="stylesheet" href="/style.css"><title>Toppings</title></head>
            <body>
            <h1>Toppings</h1>
            <form>
            \(boxes.joined(separator: "\n"))
            <p><button type="submit">Order</button></p>
            </form>
            \(summary)
            <p><a href="/">All examples</a></p>
            </body>
            </html>
            """)
}
