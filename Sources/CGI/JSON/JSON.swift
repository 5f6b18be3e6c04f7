/// A JSON value (RFC 8259), without Foundation: what ``Request/json(maxBytes:limits:)`` reads
/// and ``Response/json(_:status:)`` sends.
///
/// ```swift
/// let input = try request.json()
/// guard let name = input["name"]?.string else { return .json(["error": "name is missing"], status: 422) }
/// return .json(["greeting": .string("Hello, \(name)!"), "count": 1])
/// ```
///
/// Numbers without a fraction or exponent that fit an `Int` are ``integer(_:)``; the others
/// are ``double(_:)``. Objects are dictionaries: a repeated key keeps its last value, as in
/// JavaScript and Python, and keys are written sorted, so output is deterministic. Keys and
/// strings compare as Swift strings do (canonical equivalence), so two keys that differ only
/// in Unicode normalization (`é` and `e` + U+0301) are one key.
public enum JSON: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number that fits an `Int`.
    case integer(Int)
    /// Any other number (a fraction, an exponent, or too large for an `Int`).
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object.
    case object([String: JSON])

    /// The member `key` of an object; nil for a missing key or a value that is not an object.
    public subscript(key: String) -> JSON? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSON? {
        if case .array(let elements) = self, elements.indices.contains(index) { elements[index] } else { nil }
    }

    /// The text of a string value, else nil.
    public var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    /// The value of a whole number, also of a ``double(_:)`` with no fraction that fits; else nil.
    public var int: Int? {
        switch self {
        case .integer(let number): number
        case .double(let number): Int(exactly: number)
        default: nil
        }
    }

    /// The value of any number, else nil.
    public var double: Double? {
        switch self {
        case .integer(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    /// The value of `true` or `false`, else nil.
    public var bool: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The elements of an array, else nil.
    public var array: [JSON]? {
        if case .array(let elements) = self { elements } else { nil }
    }

    /// The members of an object, else nil.
    public var object: [String: JSON]? {
        if case .object(let members) = self { members } else { nil }
    }
}

extension JSON: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A whole number.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A number with a fraction.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array.
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    /// An object; a repeated key keeps its last value.
    public init(dictionaryLiteral members: (String, JSON)...) {
        self = .object(Dictionary(members, uniquingKeysWith: { $1 }))
    }
}
