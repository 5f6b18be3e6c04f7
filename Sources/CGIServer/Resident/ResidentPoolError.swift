import CGIGateway

/// Why a resident pool handed out no worker.
enum ResidentPoolError: Error, CustomStringConvertible {
    /// No worker could be started (the program fails to start; after failures, the pool waits
    /// before trying again).
    case cannotStart(script: String, ScriptSpawnError)
    /// The private socket for a new worker could not be made.
    case socket(script: String, ListeningSocketError)
    /// Workers die straight after starting: the pool waits before starting another.
    case backingOff(script: String, Duration)
    /// The server is stopping.
    case stopping

    var description: String {
        switch self {
        case .cannotStart(let script, let error): "\(script): cannot start a resident worker: \(error)"
        case .socket(let script, let error): "\(script): cannot make a resident worker's socket: \(error)"
        case .backingOff(let script, let wait):
            "\(script): resident workers die straight after starting; next start in \(wait)"
        case .stopping: "the server is stopping"
        }
    }
}
