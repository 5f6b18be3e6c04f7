import Glibc

/// Function names from the symbol table of a 64-bit ELF file: `.symtab` when the file has
/// one (it also names internal and private functions), otherwise `.dynsym`.
///
/// The file is mapped read-only for the lookup and unmapped afterwards.
enum ELFSymbolTable {
    /// A function symbol, its address as loaded in this process.
    struct Symbol: Equatable {
        /// The symbol's (usually mangled) name.
        var name: String
        /// Where the function starts in memory.
        var address: UInt
    }

    /// For each address, the function of `image` that contains it, or nil.
    static func symbols(containing addresses: [UInt], in image: ImageMap.Image) -> [Symbol?] {
        let none = [Symbol?](repeating: nil, count: addresses.count)
        let descriptor = open(image.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return none }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 64 else { return none }
        let size = Int(status.st_size)
        guard let mapping = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapping != MAP_FAILED else {
            return none
        }
        defer { munmap(mapping, size) }
        let file = UnsafeRawBufferPointer(start: mapping, count: size)
        return lookUp(addresses, in: file, loadBase: image.base) ?? none
    }

    /// Looks the addresses up in an ELF file's bytes; nil when the bytes are not a 64-bit
    /// little-endian ELF file with a symbol table.
    static func lookUp(_ addresses: [UInt], in file: UnsafeRawBufferPointer, loadBase: UInt) -> [Symbol?]? {
        func read<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T? {
            guard offset >= 0, offset + MemoryLayout<T>.size <= file.count else { return nil }
            return T(littleEndian: file.loadUnaligned(fromByteOffset: offset, as: T.self))
        }
        // e_ident: "\x7fELF", class 2 (64-bit), data 1 (little-endian).
        guard file.count > 64, file[0] == 0x7F, file[1] == 0x45, file[2] == 0x4C, file[3] == 0x46, file[4] == 2,
            file[5] == 1, let type = read(16, as: UInt16.self), let sectionTable = read(40, as: UInt64.self),
            let sectionCount = read(60, as: UInt16.self)
        else { return nil }
        // Shared objects and position-independent executables (ET_DYN) are loaded at a bias.
        let bias: UInt = type == 3 ? loadBase : 0

        struct Section { var type: UInt32, offset: Int, size: Int, link: Int, entrySize: Int }
        func section(_ index: Int) -> Section? {
            let header = Int(sectionTable) + index * 64
            guard let type = read(header + 4, as: UInt32.self), let offset = read(header + 24, as: UInt64.self),
                let size = read(header + 32, as: UInt64.self), let link = read(header + 40, as: UInt32.self),
                let entrySize = read(header + 56, as: UInt64.self)
            else { return nil }
            return Section(type: type, offset: Int(offset), size: Int(size), link: Int(link), entrySize: Int(entrySize))
        }
        let sections = (0..<Int(sectionCount)).compactMap(section)
        // SHT_SYMTAB (2), else SHT_DYNSYM (11).
        guard let table = sections.first(where: { $0.type == 2 }) ?? sections.first(where: { $0.type == 11 }),
            table.entrySize >= 24, let strings = section(table.link)
        else { return nil }

        var found = [(symbol: Int, start: UInt)?](repeating: nil, count: addresses.count)
        for entry in stride(from: table.offset, to: table.offset + table.size, by: table.entrySize) {
            // STT_FUNC (2) in the low nibble of st_info; st_shndx 0 means undefined.
            guard let info = read(entry + 4, as: UInt8.self), info & 0xF == 2,
                let sectionIndex = read(entry + 6, as: UInt16.self), sectionIndex != 0,
                let value = read(entry + 8, as: UInt64.self), let size = read(entry + 16, as: UInt64.self)
            else { continue }
            let start = UInt(value) &+ bias
            // A symbol without a size covers one address.
            let end = start &+ max(UInt(size), 1)
            for (index, address) in addresses.enumerated() where start <= address && address < end {
                if found[index] == nil || found[index]!.start < start { found[index] = (entry, start) }
            }
        }
        return found.map { match in
            guard let match, let nameOffset = read(match.symbol, as: UInt32.self) else { return nil }
            let name = strings.offset + Int(nameOffset)
            guard name < min(strings.offset + strings.size, file.count) else { return nil }
            let end = file[name..<min(strings.offset + strings.size, file.count)].firstIndex(of: 0) ?? name
            return Symbol(name: String(decoding: file[name..<end], as: UTF8.self), address: match.start)
        }
    }
}
