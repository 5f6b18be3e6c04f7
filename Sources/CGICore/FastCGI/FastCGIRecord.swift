/// One FastCGI record (FastCGI 1.0 §3.3): a type, a request id and up to 65,535 bytes of
/// content. On the wire an 8-byte header comes first (version 1, type, request id, content
/// length, padding length, a reserved byte) and padding follows the content.
package struct FastCGIRecord: Equatable, Sendable {
    /// The record types of FastCGI 1.0 §8.
    package enum Kind: UInt8, Sendable {
        /// Starts a request (web server → application).
        case beginRequest = 1
        /// Cancels a request (web server → application).
        case abortRequest = 2
        /// Ends a request (application → web server).
        case endRequest = 3
        /// The request's CGI meta-variables, as name-value pairs.
        case params = 4
        /// The request body.
        case stdin = 5
        /// The response.
        case stdout = 6
        /// Messages for the web server's error log.
        case stderr = 7
        /// The filter role's file data.
        case data = 8
        /// A management query for the application's limits.
        case getValues = 9
        /// The answer to ``getValues``.
        case getValuesResult = 10
        /// The answer to a management record of a type the application does not know.
        case unknownType = 11
    }

    /// The protocol version every record carries.
    package static let version: UInt8 = 1
    /// The size of a record's header.
    package static let headerLength = 8
    /// The most content one record carries.
    package static let maxContentLength = 65_535

    /// The record's type as it arrived: unknown types are kept, so that they can be named in
    /// an UNKNOWN_TYPE answer.
    package var type: UInt8
    /// The request the record belongs to; 0 for management records.
    package var requestID: UInt16
    /// The content, without padding.
    package var content: [UInt8]

    /// Creates a record of a known type.
    package init(_ kind: Kind, requestID: UInt16, content: [UInt8] = []) {
        self.init(type: kind.rawValue, requestID: requestID, content: content)
    }

    /// Creates a record of any type.
    package init(type: UInt8, requestID: UInt16, content: [UInt8]) {
        self.type = type
        self.requestID = requestID
        self.content = content
    }

    /// The type, when it is one FastCGI 1.0 defines.
    package var kind: Kind? { Kind(rawValue: type) }

    /// Whether this is a management record (request id 0, FastCGI 1.0 §3.3).
    package var isManagement: Bool { requestID == 0 }
}
