import Foundation
import Glibc

/// Polls `condition` every 20 ms until it holds or `seconds` pass; whether it held.
///
/// For waiting on an event a test cannot be told about directly (a log line, a process's
/// exit). The deadline is generous: it only bounds how long a failing test takes.
public func eventually(within seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}
