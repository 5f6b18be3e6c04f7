import Foundation
import Testing

@testable import CGI

/// What a multipart body parsed to, in a form tests compare: every field's name, kind, type,
/// filenames and bytes, or the error's kind.
enum MultipartOutcome: Equatable, Sendable, CustomStringConvertible {
    case fields([FieldSummary])
    case error(kind: String)

    var description: String {
        switch self {
        case .fields(let fields): "fields " + fields.map(\.description).joined(separator: ", ")
        case .error(let kind): "error \(kind)"
        }
    }
}

/// One field as tests compare it.
struct FieldSummary: Equatable, Sendable, CustomStringConvertible {
    var name: String?
    var isFile: Bool
    /// The sanitised filename (files only).
    var filename: String?
    /// The filename as sent (files only).
    var rawFilename: String?
    var contentType: String?
    /// The decoded text (text fields only).
    var text: String?
    /// The raw bytes (text fields) or the file's contents.
    var bytes: [UInt8]

    var description: String {
        let shownValue = text.map { $0.count > 40 ? String($0.prefix(40)) + "…" : $0 } ?? "\(bytes.count) bytes"
        return
            "\(name ?? "nil")\(isFile ? "[file \(rawFilename ?? "")]" : "")=\(shownValue.debugDescription) (\(contentType ?? "-"))"
    }

    init(
        name: String?, isFile: Bool, filename: String?, rawFilename: String?, contentType: String?, text: String?, bytes: [UInt8]
    ) {
        self.name = name
        self.isFile = isFile
        self.filename = filename
        self.rawFilename = rawFilename
        self.contentType = contentType
        self.text = text
        self.bytes = bytes
    }

    init(_ field: FormField) throws {
        name = field.name
        contentType = field.contentType
        switch field.value {
        case .text(let text, let bytes):
            isFile = false
            self.text = text
            self.bytes = bytes
        case .file(let file):
            isFile = true
            filename = file.filename
            rawFilename = file.rawFilename
            bytes = try file.bytes()
            #expect(bytes.count == file.size)
        }
    }

    /// A text field.
    static func text(_ name: String?, _ text: String, type: String = "text/plain") -> FieldSummary {
        FieldSummary(
            name: name, isFile: false, filename: nil, rawFilename: nil, contentType: type, text: text, bytes: Array(text.utf8))
    }
}

enum MultipartHarness {
    /// Parses `body` with the multipart reader, fed in the chunks `splits` cut it into
    /// (positions, ascending), as `MultipartFormReader.readFields(nextChunk:)` receives them.
    static func parse(
        _ body: [UInt8], contentType: String, options: FormOptions = FormOptions(), splits: [Int] = []
    ) -> MultipartOutcome {
        let reader = MultipartFormReader(contentType: HeaderValue(parsing: contentType), options: options)
        var cuts = (splits.filter { $0 < body.count } + [body.count])[...]
        var start = 0
        return outcome {
            try body.withUnsafeBytes { all in
                try reader.readFields {
                    guard let end = cuts.popFirst() else { return UnsafeRawBufferPointer(rebasing: all[0..<0]) }
                    defer { start = end }
                    return UnsafeRawBufferPointer(rebasing: all[start..<end])
                }
            }
        }
    }

    /// Parses `body` read from a pipe through ``BodyStream``, as a script reads stdin.
    static func parseFromPipe(
        _ body: [UInt8], contentType: String, contentLength: Int?, options: FormOptions = FormOptions()
    ) throws -> MultipartOutcome {
        let reader = MultipartFormReader(contentType: HeaderValue(parsing: contentType), options: options)
        return try withBodyPipe(body) { descriptor in
            outcome {
                let stream = try BodyStream(fileDescriptor: descriptor, contentLength: contentLength, limit: options.maxBodyBytes)
                return try reader.readFields(from: stream)
            }
        }
    }

    static func outcome(_ read: () throws -> [FormField]) -> MultipartOutcome {
        do {
            return .fields(try read().map(FieldSummary.init))
        } catch let error as CGIError {
            return .error(kind: error.kind)
        } catch {
            return .error(kind: "unexpected \(error)")
        }
    }

    /// The names in `directory`.
    static func contents(of directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory)
    }

    /// A multipart/form-data body from parts given as (header lines, data), CRLF line ends.
    static func body(boundary: String = "BOUND", _ parts: [(headers: [String], data: [UInt8])]) -> [UInt8] {
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(boundary)\r\n".utf8)
            for header in part.headers { body += Array("\(header)\r\n".utf8) }
            body += Array("\r\n".utf8) + part.data + Array("\r\n".utf8)
        }
        return body + Array("--\(boundary)--\r\n".utf8)
    }
}
