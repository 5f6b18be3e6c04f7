/// Builds a short ASCII string of known maximum length in a single allocation, for the fields
/// written on every request (dates, entity tags).
enum ASCIIText {
    /// The string `build` appends, at most `capacity` bytes.
    static func make(capacity: Int, _ build: (inout ByteWriter) -> Void) -> String {
        String(unsafeUninitializedCapacity: capacity) { buffer in
            var writer = ByteWriter(buffer)
            build(&writer)
            return writer.count
        }
    }
}
