import Glibc

/// glibc functions that Swift's Glibc module hides behind `_GNU_SOURCE`, looked up at run time.
///
/// All four exist in every glibc this package supports (2.34 and later).
enum GNUExtensions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias Prlimit = @convention(c) (pid_t, Int32, UnsafePointer<rlimit>?, UnsafeMutablePointer<rlimit>?) -> Int32

    /// `pipe2(2)`: a pipe whose ends are created with the given flags (`O_CLOEXEC`).
    static let pipe2: Pipe2 = function("pipe2")
    /// `posix_spawn_file_actions_addchdir_np(3)`: the child changes directory before `exec`.
    static let addChdir: AddChdir = function("posix_spawn_file_actions_addchdir_np")
    /// `posix_spawn_file_actions_addclosefrom_np(3)`: the child closes every descriptor from N up.
    static let addClosefrom: AddClosefrom = function("posix_spawn_file_actions_addclosefrom_np")
    /// `prlimit(2)`: sets a resource limit of another process.
    static let prlimit: Prlimit = function("prlimit")

    private static func function<F>(_ name: String) -> F {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("glibc lacks \(name); swift-cgi needs glibc 2.34 or later")
        }
        return unsafeBitCast(symbol, to: F.self)
    }
}
