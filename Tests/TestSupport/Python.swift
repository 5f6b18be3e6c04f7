import Foundation

/// Runs a Python script in a real `python3` process: `input` goes in as JSON on stdin, and
/// the JSON the script prints comes back.
public func runPython(_ script: String, input: Any) throws -> Any {
    let result = try runProcess(
        "/usr/bin/python3", ["-W", "ignore", "-c", script], input: try JSONSerialization.data(withJSONObject: input))
    guard result.termination == .exited(0) else { throw PythonError(termination: result.termination, errors: result.errors) }
    return try JSONSerialization.jsonObject(with: result.standardOutput)
}

/// A Python script that failed.
public struct PythonError: Error, CustomStringConvertible {
    /// How python3 ended.
    public let termination: Termination
    /// What it wrote to standard error.
    public let errors: String

    public var description: String { "python3 ended with \(termination): \(errors)" }
}
