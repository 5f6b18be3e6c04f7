/// Writes one line to the server's error log: the items as `print` would show them,
/// separated by `separator`, and a newline.
///
/// ```swift
/// log("order", order.id, "saved")   // order 42 saved
/// ```
///
/// A CGI script's line goes to standard error, which the server copies to its error log. In
/// FastCGI mode, a line written while a request is being answered goes out as that request's
/// STDERR records, which the web server writes to its error log with the request; outside a
/// request (before `CGI.run`, or once the web server aborted the request) it goes to the
/// process's standard error. Under `CGI.run`, `print` also ends up in the error log and never
/// in the response; `log` writes at once (unbuffered), so its lines keep their order with the
/// library's own.
public func log(_ items: Any..., separator: String = " ") {
    let line = items.map { String(describing: $0) }.joined(separator: separator) + "\n"
    if let request = FastCGIRequest.current.withLock({ $0 }), request.writeStderr(line) { return }
    StandardError.write(line)
}
