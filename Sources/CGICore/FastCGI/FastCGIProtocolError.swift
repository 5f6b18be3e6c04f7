/// Bytes on a FastCGI connection that break the protocol. The connection that sent them is
/// closed; the process goes on serving its other connections.
package enum FastCGIProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A record header with a version other than 1 (often not FastCGI at all).
    case unsupportedVersion(UInt8)
    /// A record whose content does not have the layout its type requires.
    case malformedRecord(String)
    /// Name-value pairs that end in the middle of a length, name or value.
    case truncatedNameValuePair
    /// The connection ended in the middle of a record.
    case truncatedRecord

    /// A sentence for the error log.
    package var description: String {
        switch self {
        case .unsupportedVersion(let version):
            "a record has FastCGI version \(version), not 1 (is the peer speaking FastCGI?)"
        case .malformedRecord(let detail):
            "malformed record: \(detail)"
        case .truncatedNameValuePair:
            "the name-value pairs end in the middle of a pair"
        case .truncatedRecord:
            "the connection ended in the middle of a record"
        }
    }
}
