import Glibc

/// Memory for a signal handler, mapped in one piece before any signal can arrive and handed
/// out front to back.
///
/// An anonymous mapping costs nothing until it is written: each page is faulted in on its
/// first write. So the large blocks only a crash fills (the scratch buffer, the alternate
/// signal stack) cost a script's start-up nothing, and the small blocks written in advance
/// share a page or two, where separate heap allocations would each touch a page of their own.
/// The memory stays until ``release()``: a handler may need it until the process ends, or
/// until what it prepared is replaced.
struct SignalSafeMemory {
    private var next: UnsafeMutableRawPointer
    private var remaining: Int
    private let base: UnsafeMutableRawPointer
    private let byteCount: Int
    private let isMapped: Bool

    /// The alignment of every block handed out.
    static let alignment = 16

    /// Maps room for blocks of the given sizes (each rounded up to ``alignment``, the whole
    /// to pages, which a later ``canHold(blocks:)`` may use).
    init(blocks sizes: [Int]) {
        let page = max(sysconf(Int32(_SC_PAGESIZE)), Self.alignment)
        let byteCount = (Self.total(sizes) + page - 1) / page * page
        let mapped = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        isMapped = mapped != nil && mapped != UnsafeMutableRawPointer(bitPattern: -1)
        base = isMapped ? mapped! : .allocate(byteCount: byteCount, alignment: Self.alignment)
        next = base
        remaining = byteCount
        self.byteCount = byteCount
    }

    /// Gives the memory back; nothing taken from it may be used afterwards.
    func release() {
        if isMapped {
            munmap(base, byteCount)
        } else {
            base.deallocate()
        }
    }

    /// Whether blocks of these sizes fit in this memory once ``reset()``.
    func canHold(blocks sizes: [Int]) -> Bool { Self.total(sizes) <= byteCount }

    /// Hands the memory out again from the front, for a preparation that replaces the one it
    /// held: nothing taken from it before may be used afterwards.
    mutating func reset() {
        next = base
        remaining = byteCount
    }

    /// The next `byteCount` bytes. Asking for more than was mapped is a programming error.
    mutating func take(_ byteCount: Int) -> UnsafeMutableRawPointer {
        let size = Self.rounded(byteCount)
        precondition(size <= remaining, "SignalSafeMemory: more taken than was mapped")
        defer {
            next += size
            remaining -= size
        }
        return next
    }

    /// A buffer of `capacity` bytes taken from this memory.
    mutating func buffer(capacity: Int) -> SignalSafeBuffer {
        SignalSafeBuffer(storage: take(capacity).assumingMemoryBound(to: UInt8.self), capacity: capacity)
    }

    /// A buffer holding exactly `text`.
    mutating func buffer(holding text: String) -> SignalSafeBuffer {
        var buffer = buffer(capacity: text.utf8.count)
        buffer.append(text)
        return buffer
    }

    private static func total(_ sizes: [Int]) -> Int { sizes.reduce(0) { $0 + rounded($1) } }

    private static func rounded(_ byteCount: Int) -> Int {
        (byteCount + alignment - 1) / alignment * alignment
    }
}
