import Glibc

/// A backtrace a signal handler can take: it follows the chain of saved frame pointers from
/// the registers the signal interrupted, as the Swift runtime's own backtracer does by
/// default (Swift code keeps frame pointers on Linux).
///
/// It calls neither the unwinder (whose first use allocates, and in a statically linked
/// executable sorts every unwind entry, which costs milliseconds) nor any other function
/// that is not async-signal-safe. A frame pointer may be garbage where the interrupted code
/// does not keep one, so memory is read through a pipe: `write(2)` copies from an address
/// that is not mapped by failing with EFAULT, where a plain load would fault again.
struct FramePointerBacktrace {
    /// The pipe memory is read through: write end, read end.
    private let probe: (write: Int32, read: Int32)

    /// Opens the pipe; nil when no descriptors are left.
    init?() {
        // A tuple (two contiguous Int32, as C's `int[2]` imports), not an [Int32]: the array
        // type's metadata would cost every CGI.run start-up, where the handler is installed.
        var ends: (read: Int32, write: Int32) = (-1, -1)
        let opened = withUnsafeMutableBytes(of: &ends) { pipe($0.baseAddress!.assumingMemoryBound(to: Int32.self)) }
        guard opened == 0 else { return nil }
        func configure(_ end: Int32) {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        configure(ends.read)
        configure(ends.write)
        probe = (ends.write, ends.read)
    }

    /// Stores the interrupted instruction's address and then the return addresses of the
    /// calls active at the signal into `frames`; returns how many it stored.
    /// - Parameter context: the handler's third argument, a `ucontext_t`.
    func capture(context: UnsafeMutableRawPointer?, into frames: UnsafeMutablePointer<UInt>, capacity: Int) -> Int {
        guard let context, capacity > 0 else { return 0 }
        let registers = Self.registers(context.assumingMemoryBound(to: ucontext_t.self))
        frames[0] = registers.instruction
        var count = 1
        var frame = registers.frame
        // Each frame record holds the caller's frame pointer and the return address; the
        // stack grows down, so callers' records lie at higher addresses.
        while count < capacity, frame != 0, frame % 8 == 0, let record = load(frame) {
            guard record.returnAddress != 0 else { break }
            frames[count] = record.returnAddress
            count += 1
            guard record.callerFrame > frame, record.callerFrame - frame < 1 << 24 else { break }
            frame = record.callerFrame
        }
        return count
    }

    /// Reads the frame record at `address` (two words), or nil when it is not readable.
    private func load(_ address: UInt) -> (callerFrame: UInt, returnAddress: UInt)? {
        guard let source = UnsafeRawPointer(bitPattern: address) else { return nil }
        var words: (UInt, UInt) = (0, 0)
        let size = MemoryLayout<(UInt, UInt)>.size
        guard Glibc.write(probe.write, source, size) == size else { return nil }
        guard withUnsafeMutableBytes(of: &words, { Glibc.read(probe.read, $0.baseAddress, size) }) == size else {
            return nil
        }
        return words
    }

    /// The interrupted instruction and frame pointer, from the machine context.
    private static func registers(_ context: UnsafeMutablePointer<ucontext_t>) -> (instruction: UInt, frame: UInt) {
        #if arch(x86_64)
        // gregs indices of glibc's REG_RIP (16) and REG_RBP (10).
        return withUnsafeBytes(of: &context.pointee.uc_mcontext.gregs) {
            ($0.load(fromByteOffset: 16 * 8, as: UInt.self), $0.load(fromByteOffset: 10 * 8, as: UInt.self))
        }
        #elseif arch(arm64)
        // x29 is the frame pointer.
        let frame = withUnsafeBytes(of: &context.pointee.uc_mcontext.regs) {
            $0.load(fromByteOffset: 29 * 8, as: UInt.self)
        }
        return (UInt(context.pointee.uc_mcontext.pc), frame)
        #else
        return (0, 0)
        #endif
    }
}
