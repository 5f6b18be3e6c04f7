/// The files mapped into this process as code (the executable and its shared libraries),
/// read from `/proc/self/maps`.
struct ImageMap {
    /// One loaded file.
    struct Image: Equatable {
        /// The file's absolute path.
        var path: String
        /// Where the start of the file (offset 0) is mapped.
        var base: UInt
        /// The address ranges that hold the file's executable code.
        var code: [Range<UInt>]

        /// Whether `address` lies in this image's code.
        func contains(_ address: UInt) -> Bool {
            code.contains { $0.contains(address) }
        }
    }

    /// The loaded images in address order.
    var images: [Image]

    /// The image whose code contains `address`, or nil.
    func image(containing address: UInt) -> Image? {
        images.first { $0.contains(address) }
    }

    /// Reads this process's mappings; empty where `/proc` is not available.
    static func current() -> ImageMap {
        ImageMap(parsing: String(decoding: (try? WholeFile.read("/proc/self/maps")) ?? [], as: UTF8.self))
    }

    /// Parses the text of a `/proc/PID/maps` file:
    /// `start-end perms offset dev inode path`, addresses and offset in hex.
    init(parsing maps: String) {
        var images: [Image] = []
        for line in maps.split(separator: "\n") {
            let columns = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            let path = String(columns.count == 6 ? columns[5].drop { $0 == " " } : "")
            guard path.hasPrefix("/") else { continue }
            let bounds = columns[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                let offset = UInt(columns[2], radix: 16)
            else { continue }
            var index = images.lastIndex { $0.path == path }
            if index == nil || offset == 0 {
                images.append(Image(path: path, base: start - offset, code: []))
                index = images.count - 1
            }
            if columns[1].contains("x") { images[index!].code.append(start..<end) }
        }
        self.images = images.filter { !$0.code.isEmpty }
    }
}
