import CGICore

/// The pieces an admin status report is written in as JSON (`/status?format=json`): objects
/// with members in the order given, arrays, numbers with `null` for none.
package enum StatusJSON {
    /// `{"name":value,…}`, each value already JSON.
    package static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { JSONString.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// `[item,…]`, each item already JSON.
    package static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    /// A number, or `null` for none or for a value JSON cannot hold (infinity, NaN).
    package static func number(_ value: Double?) -> String { value.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }

    /// An integer, or `null` for none.
    package static func integer<Value: BinaryInteger>(_ value: Value?) -> String { value.map { "\($0)" } ?? "null" }

    /// A string.
    package static func string(_ value: String) -> String { JSONString.quoted(value) }

    /// An object of counts, keys in order.
    package static func counts(_ values: [String: Int64]) -> String {
        object(values.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") })
    }
}
