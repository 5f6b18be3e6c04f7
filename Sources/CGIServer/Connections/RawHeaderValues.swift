import CGICore
import CGIGateway
import NIOHTTP1

/// The header fields of one request head whose values hold bytes 0x80–0xFF (`obs-text`, allowed
/// in field values by RFC 9110 §5.5), with the values as sent.
///
/// NIO's decoder gives field values as Swift strings, where bytes that are not UTF-8 become
/// U+FFFD. ``RequestStreamNormalizer`` sees the bytes first: it sends one of these as a user
/// inbound event for each head it follows that has such a field, before the decoder parses the
/// head, so ``HTTPConnectionHandler`` receives them in the order of the heads.
struct RawHeaderValues: Sendable {
    /// The fields in arrival order: the name and the value's bytes without surrounding spaces and tabs.
    var fields: [(name: String, value: [UInt8])] = []

    /// Whether a head with these header fields has raw values recorded for it: some value is not ASCII.
    static func isExpected(for headers: HTTPHeaders) -> Bool {
        headers.contains { !$0.value.utf8.allSatisfy { $0 < 0x80 } }
    }

    /// `headers` (the decoded head these were recorded for, or what is left of it) as header
    /// fields, each with the bytes sent as its ``HeaderField/rawValue`` when they are not valid
    /// UTF-8: the next recorded field of its name whose bytes decode to the decoder's value.
    func headerFields(_ headers: HTTPHeaders) -> [HeaderField] {
        var next = fields[...]
        return headers.map { header in
            guard !header.value.utf8.allSatisfy({ $0 < 0x80 }),
                let position = next.firstIndex(where: { $0.name.lowercased() == header.name.lowercased() })
            else { return HeaderField(name: header.name, value: header.value) }
            let raw = next[position].value
            next = next[(position + 1)...]
            let differs =
                String(validating: raw, as: UTF8.self) == nil
                && String(decoding: raw, as: UTF8.self) == header.value.trimmingWhitespace()
            return HeaderField(name: header.name, value: header.value, rawValue: differs ? raw : nil)
        }
    }
}
