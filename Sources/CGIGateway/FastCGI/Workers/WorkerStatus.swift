/// What a worker reports on its status pipe (descriptor 3, named by `FCGI_STATUS_FD`): one byte
/// when it begins a request and one when it has sent the request's END_REQUEST. The manager
/// uses it for `--request-timeout` and to count requests for `--max-requests`; a worker that does
/// not report is still restarted, recycled by `FCGI_MAX_REQUESTS` and drained by SIGTERM.
package enum WorkerStatus: UInt8 {
    /// `B`: a request began.
    case began = 0x42
    /// `E`: the request ended.
    case ended = 0x45
}
