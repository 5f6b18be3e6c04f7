import Foundation

/// The folder the build put the test bundle in, beside the package's executables (`cgi`,
/// `cgi-server`) and the test fixtures.
public let productsDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
