import Glibc

/// Turns a crash of the script (a Swift runtime trap such as `fatalError`, a force-unwrapped
/// nil, an index out of range or a failed precondition, and also memory errors) into a
/// 500 response and a report file, the way ``ErrorReporting`` asks for thrown errors.
///
/// Swift traps stop the process with SIGILL (x86-64 `ud2`) or SIGTRAP (arm64 `brk`); the
/// runtime's own fatal errors call `abort` (SIGABRT). The handler runs on an alternate
/// stack (so a stack overflow is caught too) and does only async-signal-safe work first,
/// from memory prepared in advance:
/// 1. the response: while the head is unsent, a 500 page (with the runtime's "Fatal error"
///    message and raw frame addresses when the display is on); once the head was sent, only
///    a visible marker in development, and nothing in production;
/// 2. the report file, created with `openat` in the report folder opened in advance: the
///    request summary, the signal, the fatal error message and the raw frame addresses
///    (from the saved frame pointers, ``FramePointerBacktrace``);
/// 3. one line on standard error.
/// Then, on a best-effort basis (this allocates, so an `alarm` bounds it), it appends the
/// symbolicated, demangled backtrace to the report file and, when the display is on, to the
/// page, which it then closes. When the script was compiled with line tables (`-g`, as
/// `.swift` scripts are) and a symbolizer is at hand (``LineTables``), this part also gives
/// each frame's file and line, the source lines around the crash, and the message of a
/// runtime check that trapped in optimized code ("Index out of range"). When the browser
/// gets no details, the response is closed before this step, so that a production request
/// does not wait for it. Finally it restores the handler
/// that was installed before (the Swift runtime's backtracer, which then prints its own
/// report to standard error, or the default action) and lets the signal take its course,
/// so the process still ends by the signal and the server sees a crash.
enum CrashHandler {
    /// The signals handled.
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE]

    /// Everything the handler needs, prepared before the script's code runs.
    private struct Prepared {
        /// The head and opening of the 500 page, up to where the details go.
        var pageOpening: SignalSafeBuffer
        /// The end of the 500 page.
        var pageClosing: SignalSafeBuffer
        /// The opening of the marker appended to a response already under way.
        var markerOpening: SignalSafeBuffer
        /// The end of the marker.
        var markerClosing: SignalSafeBuffer
        /// Whether the browser gets the details, and whether they are HTML.
        var display: ErrorReporting.Display
        /// The heading of the report file: reference and program.
        var reportHeading: SignalSafeBuffer
        /// The start of the report file: the heading and the request.
        var reportOpening: SignalSafeBuffer
        /// The report folder, opened in advance, or -1.
        var logDirectory: Int32
        /// The report folder's path, which a later preparation with the same folder keeps open.
        var logDirectoryPath: String?
        /// The report file's name, NUL-terminated.
        var reportName: SignalSafeBuffer
        /// The start of the line on standard error.
        var logLineOpening: SignalSafeBuffer
        /// The end of the line on standard error (where the report is).
        var logLineClosing: SignalSafeBuffer
        /// Room for what the handler composes.
        var scratch: SignalSafeBuffer
        /// Room for the frame addresses.
        var frames: UnsafeMutablePointer<UInt>
        /// Takes the backtrace.
        var backtrace: FramePointerBacktrace?
        /// The actions that were installed before, by signal number.
        var previous: UnsafeMutablePointer<sigaction>
        /// The writer sending the response (unretained; ``watch(_:)`` keeps it current), whose
        /// ``ResponseWriter/isHeadSent`` says whether the head went out.
        var writer: UnsafeMutableRawPointer? = nil
        /// Whether the response is finished (or started outside a watched writer).
        var responseFinished = false
        /// How many source lines to show on either side of the crash.
        var contextLines = 0
        /// The socket of the FastCGI request being answered, or -1 for standard output.
        var fastCGISocket: Int32 = -1
        /// The FastCGI request's id.
        var fastCGIRequestID: UInt16 = 0
        /// The memory of this preparation's texts, when it replaced an earlier one (the first
        /// also holds the blocks every preparation shares, and stays).
        var replacedMemory: SignalSafeMemory? = nil
    }

    nonisolated(unsafe) private static var prepared: UnsafeMutablePointer<Prepared>?
    /// The memory of the preparation replaced last, which the next replacement reuses: a
    /// FastCGI process prepares every request in one of two mappings, in turn.
    nonisolated(unsafe) private static var spareMemory: SignalSafeMemory?
    private static let frameCapacity = 128
    private static let reportCapacity = 32 << 10
    private static let scratchCapacity = 64 << 10
    private static let alternateStackSize = 256 << 10

    /// Prepares the response and report for report `id` and installs the handlers (once per
    /// process; a later call replaces what is prepared, as a FastCGI process does for each
    /// request). With `fastCGI`, the page goes to that socket as the request's STDOUT.
    static func install(
        id: ReportID, reporting: ErrorReporting, request: RequestSummary,
        fastCGI: (socket: Int32, requestID: UInt16)? = nil
    ) {
        let installed = prepared
        var directory: Int32 = -1
        let keepsDirectory = installed.map { $0.pointee.logDirectoryPath == reporting.logDirectory } ?? false
        if keepsDirectory {
            directory = installed!.pointee.logDirectory
        } else if let folder = reporting.logDirectory {
            directory = open(folder, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
            if directory < 0 {
                StandardError.write("CGI: cannot open the error report folder \(folder) (errno \(errno))\n")
            }
        }
        // HTML details go in a <pre> block, so the handler only escapes <>&"'.
        let pre = reporting.display == .html ? ("<pre class=\"cgi-crash\">", "</pre>\n") : ("", "")
        let page = ScriptErrorPage.serverError(id: id, display: reporting.display)
        let marker = ScriptErrorPage.marker(id: id, display: reporting.display)
        let name = ReportFile.name(for: id)
        let place = directory >= 0 ? "; report in \(reporting.logDirectory!)/\(name)" : ""
        let texts = [
            page.opening + pre.0, pre.1 + page.closing, marker.opening + pre.0, pre.1 + marker.closing,
            "Crash report \(id)\n\(ErrorReport.programDescription())\n\n", name + "\0", "CGI crash \(id): ",
            place + "\n",
        ]
        // The texts first and together, so that what is written now shares as few pages as
        // possible; the blocks only a crash writes come last.
        let handlerBlocks =
            installed == nil
            ? [
                scratchCapacity, frameCapacity * MemoryLayout<UInt>.stride, Int(NSIG) * MemoryLayout<sigaction>.stride,
                alternateStackSize,
            ] : []
        let blocks = texts.map(\.utf8.count) + [reportCapacity] + handlerBlocks
        var memory: SignalSafeMemory
        if var spare = spareMemory, spare.canHold(blocks: blocks) {
            spare.reset()
            memory = spare
        } else {
            spareMemory?.release()
            memory = SignalSafeMemory(blocks: blocks)
        }
        spareMemory = nil
        let buffers = texts.map { memory.buffer(holding: $0) }
        let reportOpening = memory.buffer(capacity: reportCapacity)
        var state = Prepared(
            pageOpening: buffers[0], pageClosing: buffers[1], markerOpening: buffers[2], markerClosing: buffers[3],
            display: reporting.display, reportHeading: buffers[4], reportOpening: reportOpening,
            logDirectory: directory, reportName: buffers[5], logLineOpening: buffers[6], logLineClosing: buffers[7],
            scratch: installed?.pointee.scratch ?? memory.buffer(capacity: scratchCapacity),
            frames: installed?.pointee.frames
                ?? memory.take(frameCapacity * MemoryLayout<UInt>.stride).bindMemory(to: UInt.self, capacity: frameCapacity),
            backtrace: installed?.pointee.backtrace ?? FramePointerBacktrace(),
            previous: installed?.pointee.previous
                ?? memory.take(Int(NSIG) * MemoryLayout<sigaction>.stride).bindMemory(
                    to: sigaction.self, capacity: Int(NSIG)))
        state.logDirectoryPath = reporting.logDirectory
        state.fastCGISocket = fastCGI?.socket ?? -1
        state.fastCGIRequestID = fastCGI?.requestID ?? 0
        state.contextLines = reporting.contextLines
        if installed != nil { state.replacedMemory = memory }
        // Replacing the pointer is one store: a signal sees the old state or the new one.
        let replacement = UnsafeMutablePointer<Prepared>.allocate(capacity: 1)
        replacement.initialize(to: state)
        prepared = replacement
        update(request: request)
        if let installed {
            if installed.pointee.logDirectory >= 0 && !keepsDirectory { close(installed.pointee.logDirectory) }
            spareMemory = installed.pointee.replacedMemory
            installed.deinitialize(count: 1)
            installed.deallocate()
            return
        }

        var stack = stack_t()
        stack.ss_sp = memory.take(alternateStackSize)
        stack.ss_size = alternateStackSize
        sigaltstack(&stack, nil)
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, context in
            CrashHandler.handle(signal, info, context)
        }
        action.sa_flags = SA_SIGINFO | SA_ONSTACK
        sigemptyset(&action.sa_mask)
        for signal in signals { sigaction(signal, &action, state.previous + Int(signal)) }
    }

    /// Replaces the request summary in the prepared report (once the form is parsed).
    static func update(request: RequestSummary) {
        guard let state = prepared else { return }
        state.pointee.reportOpening.clear()
        state.pointee.reportOpening.append(state.pointee.reportHeading)
        state.pointee.reportOpening.append("Request:\n")
        request.write(to: &state.pointee.reportOpening)
        state.pointee.reportOpening.append("\n")
    }

    /// Follows `writer`: once its head is sent, a crash can only append a marker. The caller
    /// keeps the writer alive until ``finish()``.
    static func watch(_ writer: ResponseWriter) {
        prepared?.pointee.writer = Unmanaged.passUnretained(writer).toOpaque()
    }

    /// Records that the response is complete: a later crash only leaves a report (and, in
    /// development, a marker).
    static func finish() {
        prepared?.pointee.responseFinished = true
        prepared?.pointee.writer = nil
    }

    /// Whether part of the response has gone out. Reading the writer's flag is a plain load
    /// of a stored property.
    private static func responseStarted(_ state: UnsafeMutablePointer<Prepared>) -> Bool {
        if state.pointee.responseFinished { return true }
        guard let writer = state.pointee.writer else { return false }
        return Unmanaged<ResponseWriter>.fromOpaque(writer).takeUnretainedValue().isHeadSent
    }

    /// The signal handler.
    private static func handle(
        _ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?
    ) {
        guard let state = prepared else { return reraise(signal, info) }
        let message = swift_getFatalErrorMessageBuffer().pointee
        let frameCount =
            state.pointee.backtrace?.capture(context: context, into: state.pointee.frames, capacity: frameCapacity) ?? 0

        // 1. The browser. With the display on, the page is closed after step 4, which adds
        // the functions' names.
        let display = state.pointee.display
        let started = responseStarted(state)
        let browser = !started || display != .none
        if browser {
            state.pointee.scratch.clear()
            state.pointee.scratch.append(started ? state.pointee.markerOpening : state.pointee.pageOpening)
            if display != .none {
                appendDetails(signal, message, frameCount, escapingHTML: display == .html, to: &state.pointee.scratch)
            } else {
                state.pointee.scratch.append(state.pointee.pageClosing)
            }
            sendToBrowser(state.pointee.scratch, state)
        }

        // 2. The report file.
        var report: Int32 = -1
        if state.pointee.logDirectory >= 0 {
            report = state.pointee.reportName.withCString {
                openat(state.pointee.logDirectory, $0, ReportFile.openFlags, ReportFile.mode)
            }
        }
        if report >= 0 {
            state.pointee.scratch.clear()
            state.pointee.scratch.append(state.pointee.reportOpening)
            if started { state.pointee.scratch.append("Part of the response had already been sent.\n") }
            appendDetails(signal, message, frameCount, escapingHTML: false, to: &state.pointee.scratch)
            state.pointee.scratch.write(to: report)
        }

        // 3. The server's error log.
        state.pointee.scratch.clear()
        state.pointee.scratch.append(state.pointee.logLineOpening)
        state.pointee.scratch.append(signalDescription(signal))
        if report >= 0 {
            state.pointee.scratch.append(state.pointee.logLineClosing)
        } else {
            state.pointee.scratch.append("\n")
        }
        state.pointee.scratch.write(to: 2)

        // 4. Best effort: names for the frames. This allocates, which is unsafe if the crash
        // happened inside the allocator; the alarm ends a process stuck here.
        let pageOpen = browser && display != .none
        if !pageOpen { endResponse(state) }
        if report >= 0 || pageOpen {
            alarm(10)
            let names = symbolicatedBacktrace(frameCount, contextLines: state.pointee.contextLines)
            if report >= 0 {
                try? FileDescriptorOutput.write(Array(names.utf8), to: report)
                close(report)
            }
            if pageOpen {
                var shown = display == .html ? HTML.escape(names) : names
                shown.withUTF8 { bytes in
                    let names = UnsafeRawBufferPointer(bytes)
                    if state.pointee.fastCGISocket >= 0 {
                        FastCGICrashOutput.writeStdout(
                            names, socket: state.pointee.fastCGISocket, requestID: state.pointee.fastCGIRequestID)
                    } else {
                        try? FileDescriptorOutput.write(Array(names), to: ResponseDescriptor.current)
                    }
                }
                sendToBrowser(started ? state.pointee.markerClosing : state.pointee.pageClosing, state)
            }
            alarm(0)
        }
        if pageOpen { endResponse(state) }
        reraise(signal, info)
    }

    /// Sends `buffer` to the browser: the response's descriptor (``ResponseDescriptor``), or
    /// the FastCGI request's STDOUT.
    private static func sendToBrowser(_ buffer: SignalSafeBuffer, _ state: UnsafeMutablePointer<Prepared>) {
        if state.pointee.fastCGISocket >= 0 {
            buffer.withUnsafeBytes {
                FastCGICrashOutput.writeStdout(
                    $0, socket: state.pointee.fastCGISocket, requestID: state.pointee.fastCGIRequestID)
            }
        } else {
            buffer.write(to: ResponseDescriptor.current)
        }
    }

    /// Ends the response, so that the web server need not wait for the rest of the handler:
    /// closes the response's descriptor, or ends the FastCGI request (END_REQUEST).
    private static func endResponse(_ state: UnsafeMutablePointer<Prepared>) {
        if state.pointee.fastCGISocket >= 0 {
            FastCGICrashOutput.endRequest(socket: state.pointee.fastCGISocket, requestID: state.pointee.fastCGIRequestID)
        } else {
            close(ResponseDescriptor.current)
        }
    }

    /// The backtrace with its functions' names and, where line tables tell, their source
    /// positions, as text. Not async-signal-safe: it also asks the unwinder, which follows C
    /// functions that keep no frame pointer (such as `abort`), and uses its frames from the
    /// interrupted instruction on when it found that one.
    private static func symbolicatedBacktrace(_ frameCount: Int, contextLines: Int) -> String {
        var addresses = (0..<frameCount).map { prepared!.pointee.frames[$0] }
        let unwound = Backtrace.capture().addresses
        if let interrupted = addresses.first, let start = unwound.firstIndex(of: interrupted) {
            addresses = Array(unwound[start...])
        }
        let frames = Backtrace(addresses: addresses).symbolicated()
        // A return address points after the call; look up the call instruction itself.
        let lookups = addresses.enumerated().map { $0 == 0 ? $1 : $1 &- 1 }
        let positions = LineTables.positions(of: lookups, images: ImageMap.current()) ?? []
        var text = CrashSource(positions: positions, contextLines: contextLines).text + "\nBacktrace, symbolicated:\n"
        for (index, frame) in frames.enumerated() {
            text += "\(index)  \(frame)\n"
            for position in index < positions.count ? positions[index] : [] where position.isInSource {
                text += "      at \(position.file):\(position.line) in \(SwiftDemangler.demangle(position.function))\n"
            }
        }
        return text
    }

    /// Appends the signal, the fatal error message and the raw frame addresses.
    private static func appendDetails(
        _ signal: Int32, _ message: UnsafePointer<CChar>?, _ frameCount: Int, escapingHTML: Bool,
        to buffer: inout SignalSafeBuffer
    ) {
        buffer.append("The script crashed: ")
        buffer.append(signalDescription(signal))
        buffer.append(".\n")
        if let message {
            buffer.append(cString: message, escapingHTML: escapingHTML)
        } else {
            buffer.append("The Swift runtime printed no message (optimized code traps without one; ")
            buffer.append("line tables name the failed check below).\n")
        }
        buffer.append("\nBacktrace (return addresses):\n")
        for index in 0..<min(frameCount, frameCapacity) {
            buffer.append(decimal: index)
            buffer.append("  ")
            buffer.append(address: prepared!.pointee.frames[index])
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    /// Restores the action installed before and lets the signal take its course: a fault
    /// repeats when the handler returns; a signal sent with `kill` or `raise` is sent again.
    private static func reraise(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?) {
        if let state = prepared {
            sigaction(signal, state.pointee.previous + Int(signal), nil)
        } else {
            Glibc.signal(signal, SIG_DFL)
        }
        // si_code <= 0: sent by a process (SI_USER, SI_TKILL, SI_QUEUE), not by the CPU.
        if info == nil || info!.pointee.si_code <= 0 { raise(signal) }
    }

    /// What a signal means, as static text.
    private static func signalDescription(_ signal: Int32) -> StaticString {
        switch signal {
        case SIGILL: "SIGILL (a Swift runtime trap: fatal error, failed precondition or check)"
        case SIGTRAP: "SIGTRAP (a Swift runtime trap: fatal error, failed precondition or check)"
        case SIGABRT: "SIGABRT (abort: a fatal error of the Swift runtime or a C library)"
        case SIGSEGV: "SIGSEGV (invalid memory access or stack overflow)"
        case SIGBUS: "SIGBUS (invalid memory access)"
        case SIGFPE: "SIGFPE (arithmetic error)"
        default: "a fatal signal"
        }
    }
}

/// The Swift runtime's copy of the last "Fatal error: …" message it printed (Linux and
/// other platforms without CrashReporter), or nil before any.
@_silgen_name("swift_getFatalErrorMessageBuffer")
private func swift_getFatalErrorMessageBuffer() -> UnsafeMutablePointer<UnsafePointer<CChar>?>
