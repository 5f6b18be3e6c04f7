/// The entry points of a CGI script: `CGI.run` answers the request, `CGI.diagnostics`
/// describes it.
///
/// ```swift
/// import CGI
///
/// CGI.run { request in
///     let name = request.form["name"] ?? "world"
///     return Response(body: "<p>Hello, \(HTML.escape(name))!</p>")
/// }
/// ```
///
/// `run` reads the request (a request the library rejects gets a 400 or 413 answer, as HTML or
/// JSON: ``RejectionFormat``), calls the handler (a 4xx ``CGIError`` it throws, such as a body
/// over the limit, is answered the same way), sends the response, and turns a thrown error
/// or a crash into an error report as ``ErrorReporting`` says: by default the visitor sees a 500 page with a reference, the
/// server's error log gets a summary, and `CGI_DEBUG=1` shows the whole report.
///
/// A handler either returns a ``Response`` or, to send the response in pieces, takes a
/// ``ResponseWriter`` as its second argument. Handlers may be `async`. The response goes
/// out on a descriptor of its own: `print` (and anything else written to standard output)
/// lands in the server's error log, as does ``log(_:separator:)``, and can never corrupt
/// the response.
///
/// The same program serves FastCGI when it is started as a FastCGI application: with a
/// listening socket on descriptor 0 (the FastCGI launch, as lighttpd's `bin-path` and
/// `cgi fastcgi` do) or with systemd's `LISTEN_FDS`. `run` then answers request after
/// request, each built from the request's PARAMS and STDIN exactly as a CGI request is from
/// the environment and standard input, and returns when the listening socket closes, after
/// SIGTERM (once the request under way is answered) or after the `FCGI_MAX_REQUESTS` requests
/// a process manager allows. An asynchronous handler runs in a task that an ABORT_REQUEST
/// from the web server cancels.
/// What the program does before `run` (opening a database, loading templates) happens once
/// per process. There too, `print` lands in the error log and never in a response.
///
/// This enum shares its name with the module, so in a script `CGI` means the enum: write the
/// library's types unqualified (`Request`, not `CGI.Request`).
public enum CGI {
    /// Answers the request with the ``Response`` the handler returns.
    /// - Parameters:
    ///   - reporting: how failures are reported; nil reads the options from the environment
    ///     (``ErrorReporting/fromEnvironment(_:)``).
    ///   - options: how the form is parsed, and its limits.
    ///   - rejections: the format of the answer to a rejected request (see ``RejectionFormat``).
    ///   - handler: builds the response.
    public static func run(
        reporting: ErrorReporting? = nil, options: FormOptions = FormOptions(), rejections: RejectionFormat = .byAccept,
        _ handler: (Request) throws -> Response
    ) {
        for channel in ScriptChannels(rejections: rejections) {
            var script = HandlerRun(reporting: reporting, rejections: rejections, channel: channel)
            defer { script.end() }
            guard let request = script.readRequest(options: options) else { continue }
            do {
                script.finish(script.makeWriter(try handler(request)))
            } catch {
                script.fail(error, writer: nil)
            }
        }
    }

    /// Answers the request through a ``ResponseWriter``, which sends the head and then the
    /// body in pieces as the handler writes and flushes them.
    /// - Parameters:
    ///   - reporting: how failures are reported; nil reads the options from the environment.
    ///   - options: how the form is parsed, and its limits.
    ///   - rejections: the format of the answer to a rejected request (see ``RejectionFormat``).
    ///   - handler: writes the response.
    public static func run(
        reporting: ErrorReporting? = nil, options: FormOptions = FormOptions(), rejections: RejectionFormat = .byAccept,
        _ handler: (Request, ResponseWriter) throws -> Void
    ) {
        for channel in ScriptChannels(rejections: rejections) {
            var script = HandlerRun(reporting: reporting, rejections: rejections, channel: channel)
            defer { script.end() }
            guard let request = script.readRequest(options: options) else { continue }
            let writer = script.makeWriter()
            do {
                try handler(request, writer)
                script.finish(writer)
            } catch {
                script.fail(error, writer: writer)
            }
        }
    }

    /// Answers the request with the ``Response`` an asynchronous handler returns.
    ///
    /// The asynchronous entry points are compiled into the script that calls them, not into
    /// the library: they are the library's only use of the Swift concurrency runtime, which
    /// brings libdispatch and its start-up work, so a script with a synchronous handler links
    /// neither and starts faster.
    ///
    /// `run` stays on the caller's actor (the main actor, for top-level code), where the
    /// handler's task starts at once, and the handler is `nonisolated(nonsending)`: it runs
    /// there too, so a request makes no hop to the concurrency runtime's pool and back (a
    /// resident guestbook page: about a fifth less CPU per request).
    /// - Parameters:
    ///   - reporting: how failures are reported; nil reads the options from the environment.
    ///   - options: how the form is parsed, and its limits.
    ///   - rejections: the format of the answer to a rejected request (see ``RejectionFormat``).
    ///   - isolation: the actor `run` and the handler run on; the caller's, unless given.
    ///   - handler: builds the response, on the caller's actor.
    @_alwaysEmitIntoClient
    public static func run(
        reporting: ErrorReporting? = nil, options: FormOptions = FormOptions(), rejections: RejectionFormat = .byAccept,
        isolation: isolated (any Actor)? = #isolation,
        _ handler: nonisolated(nonsending) (Request) async throws -> Response
    ) async {
        for channel in ScriptChannels(rejections: rejections) {
            var script = HandlerRun(reporting: reporting, rejections: rejections, channel: channel)
            defer { script.end() }
            guard let request = script.readRequest(options: options) else { continue }
            do {
                script.finish(script.makeWriter(try await script.cancellableOnAbort(isolation: isolation) { try await handler(request) }))
            } catch {
                script.fail(error, writer: nil)
            }
        }
    }

    /// Answers the request through a ``ResponseWriter`` from an asynchronous handler.
    /// - Parameters:
    ///   - reporting: how failures are reported; nil reads the options from the environment.
    ///   - options: how the form is parsed, and its limits.
    ///   - rejections: the format of the answer to a rejected request (see ``RejectionFormat``).
    ///   - isolation: the actor `run` and the handler run on; the caller's, unless given.
    ///   - handler: writes the response, on the caller's actor.
    @_alwaysEmitIntoClient
    public static func run(
        reporting: ErrorReporting? = nil, options: FormOptions = FormOptions(), rejections: RejectionFormat = .byAccept,
        isolation: isolated (any Actor)? = #isolation,
        _ handler: nonisolated(nonsending) (Request, ResponseWriter) async throws -> Void
    ) async {
        for channel in ScriptChannels(rejections: rejections) {
            var script = HandlerRun(reporting: reporting, rejections: rejections, channel: channel)
            defer { script.end() }
            guard let request = script.readRequest(options: options) else { continue }
            let writer = script.makeWriter()
            do {
                try await script.cancellableOnAbort(isolation: isolation) { try await handler(request, writer) }
                script.finish(writer)
            } catch {
                script.fail(error, writer: writer)
            }
        }
    }
}
