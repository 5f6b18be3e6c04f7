/// The return addresses of the calls active at one moment, innermost first, and their
/// names once symbolicated.
///
/// Capturing walks the stack with glibc's `backtrace` (the unwinder, which also works in
/// statically linked executables, but whose first use there costs milliseconds: it is called
/// only once something failed); naming the frames reads the symbol tables of the loaded images
/// (``ImageMap``, ``ELFSymbolTable``) and demangles Swift names (``SwiftDemangler``).
struct Backtrace: Sendable {
    /// One frame: where it is, and what function it is in when that is known.
    struct Frame: Sendable, Equatable, CustomStringConvertible {
        /// The return address (or, for the innermost frame, the current instruction).
        var address: UInt
        /// The demangled name of the function, or nil when no symbol covers the address.
        var function: String?
        /// How far into the function the address lies.
        var offset: UInt
        /// The file the function was loaded from (the executable or a shared library).
        var image: String?

        /// `0x…  function + offset  (image file name)`, with `?` for what is unknown.
        var description: String {
            let hex = String(address, radix: 16)
            var text = "0x" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
            text += "  " + (function.map { "\($0) + \(offset)" } ?? "?")
            if let image { text += "  (\(image.split(separator: "/").last ?? "?"))" }
            return text
        }
    }

    /// The captured addresses, innermost first.
    var addresses: [UInt]

    /// The most frames ``capture(skipping:)`` records.
    static let maximumDepth = 128

    /// Records the current call stack.
    /// - Parameter skipping: frames to leave out above the caller (its own frame is
    ///   always left out).
    @inline(never)
    static func capture(skipping: Int = 0) -> Backtrace {
        let frames = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: maximumDepth)
        defer { frames.deallocate() }
        let count = Int(max(0, c_backtrace(frames, Int32(maximumDepth))))
        let addresses = (0..<count).map { UInt(bitPattern: frames[$0]) }
        return Backtrace(addresses: Array(addresses.dropFirst(1 + skipping)))
    }

    /// Names every frame as well as the images' symbol tables allow.
    func symbolicated() -> [Frame] {
        let images = ImageMap.current()
        // A return address points after the call; look up the call instruction itself.
        let lookups = addresses.enumerated().map { $0 == 0 ? $1 : $1 &- 1 }
        var frames = zip(addresses, lookups).map { address, lookup in
            Frame(address: address, function: nil, offset: 0, image: images.image(containing: lookup)?.path)
        }
        for image in images.images {
            let indices = lookups.indices.filter { image.contains(lookups[$0]) }
            guard !indices.isEmpty else { continue }
            let symbols = ELFSymbolTable.symbols(containing: indices.map { lookups[$0] }, in: image)
            for (index, symbol) in zip(indices, symbols) {
                guard let symbol else { continue }
                frames[index].function = SwiftDemangler.demangle(symbol.name)
                frames[index].offset = addresses[index] - symbol.address
            }
        }
        return frames
    }
}

/// glibc's `backtrace(3)` (execinfo.h is not part of the Glibc module).
@_silgen_name("backtrace")
func c_backtrace(_ buffer: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ size: Int32) -> Int32
