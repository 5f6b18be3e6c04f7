import Glibc

/// Readable names for mangled Swift symbols, from the Swift runtime's own demangler.
enum SwiftDemangler {
    /// The demangled form of `symbol`, or `symbol` itself when it is not a Swift name
    /// (C functions, C++ names).
    static func demangle(_ symbol: String) -> String {
        symbol.withCString { name in
            guard let demangled = swift_demangle(name, UInt(strlen(name)), nil, nil, 0) else { return symbol }
            defer { free(demangled) }
            return String(cString: demangled)
        }
    }
}

/// The Swift runtime's demangler (exported by libswiftCore, also in static executables).
/// Returns a `malloc`ed string, or nil when the name is not a Swift symbol.
@_silgen_name("swift_demangle")
private func swift_demangle(
    _ mangledName: UnsafePointer<CChar>?, _ mangledNameLength: UInt, _ outputBuffer: UnsafeMutablePointer<CChar>?,
    _ outputBufferSize: UnsafeMutablePointer<UInt>?, _ flags: UInt32
) -> UnsafeMutablePointer<CChar>?
