/// Where one run of a handler gets its request and sends its response: the process's
/// environment and standard streams (a CGI script), or one request of a FastCGI connection.
@usableFromInline
enum ScriptChannel {
    /// The environment, standard input, standard output and standard error.
    case cgi
    /// A FastCGI request: PARAMS, STDIN, STDOUT and STDERR.
    case fastCGI(FastCGIRequest)

    /// The request's meta-variables.
    var environment: [String: String] {
        switch self {
        case .cgi: ProcessEnvironment.current()
        case .fastCGI(let request): request.params
        }
    }

    /// The variables that choose how failures are reported.
    func reportingEnvironment(_ environment: [String: String]) -> [String: String] {
        switch self {
        case .cgi: environment
        case .fastCGI(let request): request.reportingEnvironment
        }
    }

    /// Where the body is read from.
    var body: BodyInput {
        switch self {
        case .cgi: .fileDescriptor(0)
        case .fastCGI(let request): .fastCGI(request)
        }
    }

    /// Where the response goes: for a CGI script, the response's own descriptor
    /// (``ResponseDescriptor``).
    var output: ResponseOutput {
        switch self {
        case .cgi: .fileDescriptor(ResponseDescriptor.current)
        case .fastCGI(let request): .fastCGI(request)
        }
    }

    /// Writes a line for the server's error log.
    func log(_ text: String) {
        switch self {
        case .cgi: StandardError.write(text)
        case .fastCGI(let request): request.writeStderr(text)
        }
    }

    /// Whether the web server no longer wants the response (FastCGI's ABORT_REQUEST).
    var isAborted: Bool {
        switch self {
        case .cgi: false
        case .fastCGI(let request): request.isAborted
        }
    }

    /// Where a crash sends its 500 page: nil for standard output.
    var crashTarget: (socket: Int32, requestID: UInt16)? {
        switch self {
        case .cgi: nil
        case .fastCGI(let request): request.crashTarget
        }
    }

    /// Ends the request (a FastCGI request's END_REQUEST).
    func end() {
        if case .fastCGI(let request) = self { request.end() }
    }
}

/// The requests a process answers: one CGI request, or, when the process was started as a
/// FastCGI application (``FastCGILaunch``), every request its connections bring until the
/// listening socket closes.
@usableFromInline
struct ScriptChannels: Sequence, IteratorProtocol {
    private var server: FastCGIServer?
    private var servedCGI = false

    /// Finds out how the process was started, and keeps `print` out of the responses: a CGI
    /// script's response gets a descriptor of its own (``ResponseDescriptor``), while a
    /// FastCGI application's responses go out on its connections
    /// (``FastCGILaunch/prepareProcess()``). Either way standard output leads to the error log.
    /// `rejections` is the format of the answer to a FastCGI request refused before it
    /// reaches the handler (PARAMS over the limit).
    @usableFromInline
    init(rejections: RejectionFormat) {
        if let listener = FastCGILaunch.listeningSocket {
            FastCGILaunch.prepareProcess()
            server = FastCGIServer(listener: listener, rejections: rejections)
        } else {
            ResponseDescriptor.separateFromStandardOutput()
        }
    }

    /// The next request to answer.
    @usableFromInline
    mutating func next() -> ScriptChannel? {
        if let server { return server.nextRequest().map { .fastCGI($0) } }
        if servedCGI { return nil }
        servedCGI = true
        return .cgi
    }
}
