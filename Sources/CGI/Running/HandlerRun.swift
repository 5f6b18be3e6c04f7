/// One run of the handler a script gives `CGI.run`: the request read once, the response sent
/// through a ``ResponseWriter`` the ``CrashHandler`` watches, and every failure reported as
/// ``ErrorReporting`` asks.
///
/// Usable from inlinable code: the asynchronous `CGI.run` entry points are compiled into
/// the scripts that call them (see ``CGI``).
@usableFromInline
struct HandlerRun {
    /// The reference any report of this run gets: the server's `UNIQUE_ID` when it sent one.
    let id: ReportID
    /// Where the request comes from and the response goes.
    let channel: ScriptChannel
    /// The request's meta-variables.
    let environment: [String: String]
    /// How failures are reported.
    let reporting: ErrorReporting
    /// The format of the answer to a rejected request.
    let rejections: RejectionFormat
    /// What a report says about the request; the form is added once it was parsed.
    private(set) var summary: RequestSummary

    /// Starts a run on `channel`: settles the reporting options (from the environment when
    /// nil) and installs the crash handler, and in development the throw hooks (``ThrowSite``).
    @usableFromInline
    init(reporting: ErrorReporting?, rejections: RejectionFormat = .byAccept, channel: ScriptChannel = .cgi) {
        self.channel = channel
        environment = channel.environment
        id = ReportID.make(environment: environment)
        self.rejections = rejections
        self.reporting = reporting ?? .fromEnvironment(channel.reportingEnvironment(environment))
        summary = RequestSummary(environment: environment, reporting: self.reporting)
        CrashHandler.install(id: id, reporting: self.reporting, request: summary, fastCGI: channel.crashTarget)
        if self.reporting.display != .none { ThrowSite.startRecording() }
    }

    /// Reads the request. A request the library rejects gets its 400 or 413 answer (and a line
    /// in the error log); other failures are reported. Returns nil when there is nothing more
    /// to do.
    @usableFromInline
    mutating func readRequest(options: FormOptions) -> Request? {
        do {
            let request = try Request(environment: environment, body: channel.body, options: options)
            summary.add(request.form, reporting: reporting)
            CrashHandler.update(request: summary)
            return request
        } catch let error as CGIError where error.httpStatus < 500 {
            reject(error)
            return nil
        } catch {
            fail(error, writer: nil)
            return nil
        }
    }

    /// A writer for the response, watched by the crash handler.
    @usableFromInline
    func makeWriter(_ response: Response = Response()) -> ResponseWriter {
        let writer = ResponseWriter(response, output: channel.output)
        CrashHandler.watch(writer)
        return writer
    }

    /// Sends what is still buffered in `writer` and ends the run (a FastCGI request with the
    /// same write); a failure to send is reported.
    @usableFromInline
    func finish(_ writer: ResponseWriter) {
        do {
            try writer.finish()
            CrashHandler.finish()
        } catch {
            fail(error, writer: writer)
        }
    }

    /// Answers a rejected request (a ``CGIError`` with a 4xx status) in the format
    /// ``rejections`` chooses, with a line in the error log.
    private func reject(_ error: CGIError) {
        channel.log("CGI request rejected (\(error.httpStatus)): \(error.description)\n")
        try? channel.output.write(rejections.answer(to: error, environment: environment))
        CrashHandler.finish()
    }

    /// Reports `error`: a report file, a line in the error log, and for the browser a 500
    /// page when nothing was sent yet, or else (in development) a marker after what was sent.
    /// A 4xx ``CGIError`` (such as ``CGIError/bodyTooLarge(limit:)`` from reading the body)
    /// thrown before the head went out is a rejection of the request instead.
    @usableFromInline
    func fail(_ error: any Error, writer: ResponseWriter?) {
        if channel.isAborted {
            // The web server no longer wants an answer, so a failure from here on is no error.
            CrashHandler.finish()
            return
        }
        let started = writer?.isHeadSent ?? false
        if let rejection = error as? CGIError, rejection.httpStatus < 500, !started {
            reject(rejection)
            return
        }
        let report = ErrorReport(
            error: error, id: id, request: summary, responseStarted: started, reporting: reporting)
        var logLine = report.summary
        if let folder = reporting.logDirectory {
            do {
                logLine += "; report in " + (try ReportFile.write(report.text, id: id, in: folder))
            } catch {
                logLine += "; \(error)"
            }
        }
        channel.log(logLine + "\n")

        let details =
            switch reporting.display {
            case .none: ""
            case .html: report.html
            case .text: report.text
            }
        if let writer, started {
            // What the script produced still goes out; the head cannot change any more.
            try? writer.flush()
            send(ScriptErrorPage.marker(id: id, display: reporting.display).with(details: details))
        } else {
            send(ScriptErrorPage.serverError(id: id, display: reporting.display).with(details: details))
        }
        CrashHandler.finish()
    }

    /// Ends the run: a FastCGI request gets its END_REQUEST.
    @usableFromInline
    func end() {
        channel.end()
    }

    /// Writes text to the response as it is (a failure to write is past reporting).
    private func send(_ text: String) {
        try? channel.output.write(Array(text.utf8))
    }
}
