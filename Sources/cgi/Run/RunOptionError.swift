import Glibc

/// A problem with `cgi run`'s options or script, found before the script runs (exit status 2).
enum RunOptionError: Error, Equatable, CustomStringConvertible {
    /// There is no file at the script path.
    case scriptNotFound(String)
    /// The script is a folder, device or other non-file.
    case notARegularFile(String)
    /// The script lacks execute permission.
    case notExecutable(String)
    /// A file named by `-d @file` or `-F name=@file` cannot be read.
    case unreadableFile(String, errno: Int32)
    /// `-H` was not `Name: value` with a token name and a value without control characters.
    case badHeader(String)
    /// `-F` was not `name=value` or `name=@file[;type=mime][;filename=name]`.
    case badFormField(String)
    /// `--env` was not `NAME=VALUE`.
    case badEnvironment(String)
    /// `--path-info` neither empty nor starting with `/`.
    case badPathInfo(String)
    /// `--timeout` was not a positive number of seconds.
    case badTimeout(Double)
    /// `-d` and `-F` were both given.
    case dataAndForm

    var description: String {
        switch self {
        case .scriptNotFound(let path): "no such script: \(path)"
        case .notARegularFile(let path): "not a script file: \(path)"
        case .notExecutable(let path): "script is not executable (chmod +x \(path)): \(path)"
        case .unreadableFile(let path, let code): "cannot read \(path): \(String(cString: strerror(code)))"
        case .badHeader(let text): "-H wants 'Name: value', got '\(text)'"
        case .badFormField(let text): "-F wants name=value or name=@file[;type=mime][;filename=name], got '\(text)'"
        case .badEnvironment(let text): "--env wants NAME=VALUE, got '\(text)'"
        case .badPathInfo(let text): "--path-info must be empty or start with /, got '\(text)'"
        case .badTimeout(let seconds): "--timeout must be a positive number of seconds, got \(seconds)"
        case .dataAndForm: "-d and -F cannot be combined: a body is either urlencoded or multipart"
        }
    }
}
