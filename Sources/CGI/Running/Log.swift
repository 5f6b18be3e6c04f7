/// Writes one line to standard error, which a CGI server copies to its error log: the
/// items as `print` would show them, separated by `separator`, and a newline.
///
/// ```swift
/// log("order", order.id, "saved")   // order 42 saved
/// ```
///
/// Under `CGI.run`, `print` also ends up in the error log and never in the response; `log`
/// writes at once (unbuffered), so its lines keep their order with the library's own.
public func log(_ items: Any..., separator: String = " ") {
    StandardError.write(items.map { String(describing: $0) }.joined(separator: separator) + "\n")
}
