/// An error that remembers where it was thrown: the source location and the call stack.
///
/// Swift errors carry no stack trace; a report about a plain error can only say which type
/// and message reached `CGI.run`. Wrap an error where it arises to get the file, line,
/// source excerpt and backtrace into the report:
///
/// ```swift
/// guard let id = Int(request.form["id"] ?? "") else {
///     throw ReportableError(LookupError.badID)
/// }
/// ```
public struct ReportableError: Error, CustomStringConvertible {
    /// The error being reported.
    public let underlying: any Error
    /// The file that threw it, as `#fileID` spells it (`Module/File.swift`).
    public let fileID: String
    /// The file's path when it was compiled (`#filePath`), used to show the source lines.
    public let filePath: String
    /// The line that threw it.
    public let line: Int
    /// The function that threw it.
    public let function: String
    /// The call stack where the wrapper was created.
    let backtrace: Backtrace

    /// Wraps `error`, recording the caller's location and call stack (which takes a few
    /// milliseconds the first time in a statically linked script: wrap errors that end the
    /// request, not ones the script catches as a matter of course).
    public init(
        _ error: any Error, fileID: String = #fileID, filePath: String = #filePath, line: Int = #line,
        function: String = #function
    ) {
        underlying = error
        self.fileID = fileID
        self.filePath = filePath
        self.line = line
        self.function = function
        backtrace = Backtrace.capture(skipping: 1)
    }

    /// The underlying error's description.
    public var description: String {
        String(describing: underlying)
    }
}
