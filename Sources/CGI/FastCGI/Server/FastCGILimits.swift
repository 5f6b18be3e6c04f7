/// What one FastCGI process accepts, and what it tells the web server in GET_VALUES.
struct FastCGILimits {
    /// The most connections held open at once; more wait in the listen queue.
    var maxConnections = 256
    /// The most bytes of PARAMS one request may send (the meta-variables, headers included).
    var maxParamsBytes = 1 << 20

    /// The answers to GET_VALUES (FastCGI 1.0 §4.1): the connections held, one request at
    /// a time, no multiplexing.
    var values: [(name: String, value: String)] {
        [("FCGI_MAX_CONNS", "\(maxConnections)"), ("FCGI_MAX_REQS", "1"), ("FCGI_MPXS_CONNS", "0")]
    }
}
