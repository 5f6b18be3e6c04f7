/// The rules of one script exchange (RFC 3875 §6): how a script's output becomes an HTTP
/// response. It does no I/O: a host tells it what happened (output arrived, output ended,
/// the script was silent too long, the client went away) and does what it answers.
///
/// `cgi-server`'s CGI responder and `cgi run` both drive it, so the two always agree on
/// statuses, redirects, which responses carry a body and which failures are 500, 502 or 504.
///
/// ```swift
/// var exchange = ScriptExchange(method: "GET")
/// switch exchange.outputReceived(chunk) {
/// case .sendHead(let head, let bodyStart): …   // send head, then chunk[bodyStart...] if not nil
/// case .sendBody: …                            // forward the whole chunk
/// …
/// }
/// ```
public struct ScriptExchange: Sendable {
    /// Local redirects followed for one request before it fails with 500.
    public static let maxRedirects = 10

    /// What the host does next.
    public enum Action: Sendable, Equatable {
        /// Nothing yet: wait for more output.
        case wait
        /// Send the response head. When `bodyStart` is not nil, the bytes of the current chunk
        /// from that offset on are the first bytes of the body. A response without a body (to
        /// HEAD, or a 204 or 304) never has a `bodyStart`: the rest of the output is dropped.
        case sendHead(ResponseHead, bodyStart: Int?)
        /// Send the whole current chunk as body.
        case sendBody
        /// Write the whole current chunk to the client unframed (a non-parsed-header script).
        case sendRaw
        /// Drop the current chunk.
        case discard
        /// The response is complete: end it. An `unframed` response (a non-parsed-header
        /// script's) has no end of its own, so the connection closes after it.
        case finish(unframed: Bool)
        /// The output ended but the script has not exited yet: tell ``processExited(_:)`` how it
        /// ended once it has, or that it is still running after a short wait, before the
        /// response is ended.
        case awaitExit
        /// Send the client redirect page the server makes for `head` (its status, its headers and
        /// `Location`). The script's output is read and dropped until it ends.
        case sendRedirectPage(ResponseHead)
        /// Answer with an error page and stop the script.
        case fail(ScriptFailure)
        /// Serve this path (and query) as a new request with no body, and stop the script.
        case followLocalRedirect(String)
        /// The response was begun and cannot be completed: break the connection, log the reason,
        /// and stop the script.
        case abort(String)
        /// Stop the script; the client needs nothing more.
        case stopScript
    }

    private enum State: Sendable {
        /// Reading the response head.
        case head(ResponseHeadParser)
        /// Passing the body on; `remaining` counts down the script's `Content-Length`.
        case body(remaining: Int?)
        /// The body is complete; whether the response is depends on how the script ends.
        case awaitingExit
        /// Dropping the rest of the output of a response that has no body, or whose page the
        /// server made itself, until the output ends.
        case discarding(pageSent: Bool)
        /// Passing everything on unchecked (non-parsed header).
        case raw
        /// The exchange is over.
        case done
    }

    private let answersHEAD: Bool
    private let redirects: Int
    private var state: State

    /// Starts an exchange for a request made with `method`.
    /// - Parameters:
    ///   - method: the request method; a `HEAD` response gets no body.
    ///   - isNonParsedHeader: whether the script writes its whole response itself (`nph-*`).
    ///   - redirects: how many local redirects led to this request.
    ///   - limits: bounds on the response head.
    public init(
        method: String, isNonParsedHeader: Bool = false, redirects: Int = 0, limits: ResponseHeadParser.Limits = .init()
    ) {
        answersHEAD = method == "HEAD"
        self.redirects = redirects
        state = isNonParsedHeader ? .raw : .head(ResponseHeadParser(limits: limits))
    }

    /// Whether the script's response head is still being read (nothing was sent to the client).
    public var isReadingHead: Bool {
        if case .head = state { true } else { false }
    }

    /// The script wrote `chunk` to its standard output.
    public mutating func outputReceived(_ chunk: UnsafeRawBufferPointer) -> Action {
        switch state {
        case .head(var parser):
            let progress: ResponseHeadParser.Progress
            do {
                progress = try parser.feed(chunk)
            } catch {
                return fail(.invalidResponse(error))
            }
            guard case .complete(let head, let bodyStart) = progress else {
                state = .head(parser)
                return .wait
            }
            return respond(with: head, bodyStart: bodyStart, chunkCount: chunk.count)
        case .body(let remaining?):
            guard chunk.count <= remaining else {
                state = .done
                return .abort("script wrote more than the \(remaining) bytes left of its Content-Length")
            }
            state = .body(remaining: remaining - chunk.count)
            return .sendBody
        case .body(nil):
            return .sendBody
        case .raw:
            return .sendRaw
        case .discarding, .awaitingExit, .done:
            return .discard
        }
    }

    /// The script wrote `chunk` to its standard output.
    public mutating func outputReceived(_ chunk: some Collection<UInt8>) -> Action {
        if let action = chunk.withContiguousStorageIfAvailable({ outputReceived(UnsafeRawBufferPointer($0)) }) {
            return action
        }
        return Array(chunk).withUnsafeBytes { outputReceived($0) }
    }

    private mutating func respond(with head: ResponseHead, bodyStart: Int, chunkCount: Int) -> Action {
        switch head.kind {
        case .localRedirect(let target):
            guard redirects < Self.maxRedirects else { return fail(.tooManyRedirects(limit: Self.maxRedirects)) }
            state = .done
            return .followLocalRedirect(target)
        case .clientRedirect:
            state = .discarding(pageSent: true)
            return .sendRedirectPage(head)
        case .document, .clientRedirectWithDocument:
            // A HEAD response, 204 and 304 have no body (RFC 9110 §9.3.2, §15.3.5, §15.4.5).
            guard !answersHEAD && head.status != 204 && head.status != 304 else {
                state = .discarding(pageSent: false)
                return .sendHead(head, bodyStart: nil)
            }
            let bodyBytes = chunkCount - bodyStart
            if let length = head.contentLength, bodyBytes > length {
                return fail(.bodyLongerThanContentLength(length))
            }
            state = .body(remaining: head.contentLength.map { $0 - bodyBytes })
            return .sendHead(head, bodyStart: bodyBytes > 0 ? bodyStart : nil)
        }
    }

    /// The script closed its standard output (usually: it exited). `exitStatus` says how the
    /// script ended if it has already; a response with a body is complete only if the script
    /// exited with status 0, or is still running (it may have closed its output to finish the
    /// response early).
    public mutating func outputEnded(exitStatus: ExitStatus?) -> Action {
        switch state {
        case .head(let parser):
            return fail(.invalidResponse(parser.errorAtEndOfOutput))
        case .body(let remaining?) where remaining > 0:
            state = .done
            return .abort("script's output ended \(remaining) bytes short of its Content-Length")
        case .body:
            state = .awaitingExit
            return exitStatus.map { processExited($0) } ?? .awaitExit
        case .discarding(pageSent: false):
            state = .done
            return .finish(unframed: false)
        case .raw:
            state = .done
            return .finish(unframed: true)
        case .discarding(pageSent: true), .awaitingExit, .done:
            state = .done
            return .wait
        }
    }

    /// How the script ended, after ``Action/awaitExit``; nil when it is still running after the
    /// host's short wait. A script killed by a signal or exiting with another status than 0 after
    /// its response began leaves that response incomplete: the connection breaks.
    public mutating func processExited(_ status: ExitStatus?) -> Action {
        guard case .awaitingExit = state else { return .wait }
        state = .done
        guard let status, !status.isSuccess else { return .finish(unframed: false) }
        let ending = if case .signaled = status { "was \(status)" } else { "ended with \(status)" }
        return .abort("script \(ending) after its response began")
    }

    /// The script wrote nothing for the host's idle timeout. `scriptHasExited` says whether the
    /// script itself is gone (a background child of it may still hold its output open).
    public mutating func idleTimeout(scriptHasExited: Bool) -> Action {
        switch state {
        case .head:
            return fail(.timedOut)
        case .body(remaining: nil) where scriptHasExited, .discarding(pageSent: false) where scriptHasExited:
            state = .done
            return .finish(unframed: false)
        case .discarding(pageSent: true):
            // The client has its whole response; only the script is left to stop.
            state = .done
            return .stopScript
        case .body, .discarding, .raw:
            state = .done
            return .abort("script timed out while writing its response")
        case .awaitingExit:
            return processExited(nil)
        case .done:
            return .stopScript
        }
    }

    /// The script could not be started, compiled or given its input: the host answers with an
    /// error page, unless the response was begun already.
    public mutating func scriptFailed(_ failure: ScriptFailure) -> Action {
        guard isReadingHead else {
            state = .done
            return .abort(failure.logMessage)
        }
        return fail(failure)
    }

    /// The client closed the connection: nothing more is sent, and the script is stopped.
    public mutating func clientGone() -> Action {
        state = .done
        return .stopScript
    }

    private mutating func fail(_ failure: ScriptFailure) -> Action {
        state = .done
        return .fail(failure)
    }
}
