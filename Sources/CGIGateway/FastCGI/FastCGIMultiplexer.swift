import CGICore

/// The connection-level side of a FastCGI connection that carries several requests at once
/// (FCGI_MPXS_CONNS=1, FastCGI 1.0 §3.3, §4.1), without I/O: it allocates request ids and routes
/// the records that arrive to the request they belong to.
///
/// A host allocates an id per request with ``allocate()`` (nil when ``capacity`` requests are
/// live), makes a ``FastCGIClientExchange`` with it, feeds what it reads to ``receive(_:)`` and
/// takes events with ``next()``: each ``Event/record(_:)`` goes to the exchange of its request id
/// (``FastCGIClientExchange/receive(record:)``). When a request's END_REQUEST arrived (or it was
/// given up with the connection), ``release(_:)`` frees its id.
///
/// Ids start at 1 (0 is for management records) and go round, so that an id just freed is not
/// the next one handed out; an id is never handed out while its request is live. A record for
/// an id that is not live, or bytes that are not records, break the protocol: ``next()`` says
/// ``Event/failed(_:)`` once and the connection is unfit for any request on it.
package struct FastCGIMultiplexer: Sendable {
    /// What arrived on the connection.
    package enum Event: Sendable, Equatable {
        /// A record for the live request ``FastCGIRecord/requestID``.
        case record(FastCGIRecord)
        /// GET_VALUES_RESULT (§4.1): the variables the application knows, by name.
        case values([String: String])
        /// A protocol violation: every request on the connection fails with it.
        case failed(FastCGIApplicationError)
    }

    /// How many requests share one connection when the application names no smaller limit.
    package static let defaultCapacity = 16

    /// The most requests live at once on the connection.
    package let capacity: Int
    private var decoder = FastCGIRecordDecoder()
    private var live: Set<UInt16> = []
    private var lastID: UInt16 = 0
    private var broken = false

    /// A multiplexer for a connection carrying at most `capacity` requests at once (kept within
    /// 1...``defaultCapacity``).
    package init(capacity: Int = Self.defaultCapacity) {
        self.capacity = min(max(capacity, 1), Self.defaultCapacity)
    }

    /// How many requests a connection to an application that answered GET_VALUES with `values`
    /// may carry: nil unless FCGI_MPXS_CONNS is 1; FCGI_MAX_REQS when it is a positive number
    /// below ``defaultCapacity``, else ``defaultCapacity``.
    package static func capacity(answering values: [String: String]) -> Int? {
        guard values["FCGI_MPXS_CONNS"].flatMap({ Int($0) }) == 1 else { return nil }
        guard let limit = values["FCGI_MAX_REQS"].flatMap({ Int($0) }), limit > 0 else { return defaultCapacity }
        return min(limit, defaultCapacity)
    }

    /// How many requests are live.
    package var liveCount: Int { live.count }

    /// Whether another request can start on the connection.
    package var hasRoom: Bool { !broken && live.count < capacity }

    /// Whether the connection broke the protocol.
    package var isBroken: Bool { broken }

    /// Whether `id` belongs to a live request.
    package func isLive(_ id: UInt16) -> Bool { live.contains(id) }

    /// An id for a new request, live until ``release(_:)``; nil when the connection has no room.
    package mutating func allocate() -> UInt16? {
        guard hasRoom else { return nil }
        var id = lastID
        repeat {
            id = id == .max ? 1 : id + 1
        } while live.contains(id)
        lastID = id
        live.insert(id)
        return id
    }

    /// Frees the id of a request that ended: a record for it now breaks the protocol.
    package mutating func release(_ id: UInt16) {
        live.remove(id)
    }

    /// Adds bytes read from the connection, however they are split.
    package mutating func receive(_ bytes: UnsafeRawBufferPointer) {
        if !broken { decoder.append(bytes) }
    }

    /// Adds bytes read from the connection.
    package mutating func receive(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { receive($0) }
    }

    /// The next event about the bytes received so far; nil until more arrive or once the
    /// connection is broken.
    package mutating func next() -> Event? {
        while !broken {
            let record: FastCGIRecord
            do {
                guard let decoded = try decoder.next() else { return nil }
                record = decoded
            } catch {
                return fail(error.description)
            }
            if record.isManagement {
                // UNKNOWN_TYPE, or an answer that cannot be read: nothing to do.
                guard let values = FastCGIClientExchange.values(in: record) else { continue }
                return .values(values)
            }
            guard live.contains(record.requestID) else {
                return fail("a record for request \(record.requestID), which is not live on the connection")
            }
            return .record(record)
        }
        return nil
    }

    /// Why the requests still live fail when the connection closes (or broke).
    package var closingError: FastCGIApplicationError {
        decoder.hasPartialRecord ? .protocolViolation("the connection ended in the middle of a record") : .connectionClosed
    }

    private mutating func fail(_ detail: String) -> Event {
        broken = true
        return .failed(.protocolViolation(detail))
    }
}
