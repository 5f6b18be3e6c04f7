// Two ways a script fails: `?kind=throw` throws an error, `?kind=trap` stops the process
// with a runtime trap. Both become an error report: a page with a reference for the
// visitor and the details in the server's log, or the whole report with `cgi-server --dev`.
import CGI

struct ShippingError: Error, CustomStringConvertible {
    let description: String
}

CGI.run { request in
    if request.form["kind"] == "trap" {
        let quantity = Int(request.form["quantity"] ?? "many")!  // nil: the process traps
        return Response(body: "<p>\(quantity) ordered</p>")
    }
    throw ShippingError(description: "order 42 cannot be shipped: the address is missing")
}
