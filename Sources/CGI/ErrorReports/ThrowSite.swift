@_implementationOnly import CThrowSites

/// Where an error was thrown, as the Swift runtime's throw hooks recorded it (`CThrowSites`):
/// the return addresses above the hook, innermost first (the runtime's entry or the
/// compiler's typed-throw thunk, then the function that threw, then its callers).
///
/// An untyped `throw` hands the hook the error's box, the same box a `catch` sees, so the
/// lookup compares boxes. A typed `throw` (`throws(E)`) hands it the unboxed value: a catch
/// of `any Error` sees a new box, so the lookup compares the type and the value's first bytes.
/// Only the last 16 throws of the process are kept; an error thrown earlier is not found.
struct ThrowSite {
    /// The return addresses, innermost first.
    var addresses: [UInt]

    /// How many recent throws are searched (the size of the hook's ring).
    private static let searched = 16

    /// Starts recording throws, unless a debugger or another library set the hooks first.
    /// Cheap enough for every run: two compare-and-swaps.
    static func startRecording() {
        cthrowsites_install()
    }

    /// The most recent recorded throw of `error`, or nil when none is known.
    static func find(for error: any Error) -> ThrowSite? {
        var sites = [cthrowsites_site](repeating: cthrowsites_site(), count: searched)
        let count = Int(cthrowsites_recent(&sites, Int32(searched)))
        // `as any Error` keeps the existential (the box) from being opened into the value.
        let box = unsafeBitCast(error as any Error, to: UnsafeRawPointer.self)
        let type = unsafeBitCast(type(of: error) as Any.Type, to: UnsafeRawPointer.self)
        let bytes = valueBytes(error)
        for var site in sites.prefix(count) {
            let matches =
                site.typed == 0
                ? site.key == box
                : site.key == type && withUnsafeBytes(of: &site.value) { $0.prefix(site.value_size).elementsEqual(bytes) }
            guard matches else { continue }
            let frames = withUnsafeBytes(of: &site.frames) { Array($0.bindMemory(to: UInt.self)) }
            return ThrowSite(addresses: Array(frames.prefix(Int(site.frame_count))))
        }
        return nil
    }

    /// The innermost position in a source file among the addresses, with the source lines
    /// around it, from the line tables; nil when they tell nothing (no `-g`, no symbolizer).
    func source(contextLines: Int) -> CrashSource? {
        // Every address is a return address: look up the call instruction before it.
        guard let positions = LineTables.positions(of: addresses.map { $0 &- 1 }, images: ImageMap.current()) else {
            return nil
        }
        let source = CrashSource(positions: positions, contextLines: contextLines)
        return source.position == nil ? nil : source
    }
}

/// The first bytes of the value in an error's box, as a typed throw's hook copied them.
private func valueBytes<E: Error>(_ error: E) -> [UInt8] {
    withUnsafeBytes(of: error) { Array($0.prefix(24)) }
}
