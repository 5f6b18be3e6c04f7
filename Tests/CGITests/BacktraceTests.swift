import Testing

@testable import CGI

@Suite struct BacktraceTests {
    @inline(never)
    func captureHere() -> Backtrace {
        Backtrace.capture()
    }

    @Test func namesTheCallingFunctionDemangled() {
        let frames = captureHere().symbolicated()
        #expect(frames.count > 2)
        #expect(frames[0].function?.contains("BacktraceTests.captureHere() -> CGI.Backtrace") == true)
        #expect(frames[1].function?.contains("BacktraceTests.namesTheCallingFunctionDemangled()") == true)
        #expect(frames[0].image?.hasPrefix("/") == true)
    }

    @Test func symbolTableRejectsWhatIsNotELF() {
        let bytes = [UInt8](repeating: 0x41, count: 256)
        let symbols = bytes.withUnsafeBytes { ELFSymbolTable.lookUp([0x1000], in: $0, loadBase: 0) }
        #expect(symbols == nil)
    }

    @Test func imageMapParsesCodeMappings() {
        let maps = """
            5600-5700 r--p 00000000 08:01 12 /srv/app
            5700-5800 r-xp 00001000 08:01 12 /srv/app
            7f00-7f10 rw-p 00000000 00:00 0 [heap]
            """
        let images = ImageMap(parsing: maps).images
        #expect(images == [ImageMap.Image(path: "/srv/app", base: 0x5600, code: [0x5700..<0x5800])])
        #expect(ImageMap(parsing: maps).image(containing: 0x5750)?.path == "/srv/app")
        #expect(ImageMap(parsing: maps).image(containing: 0x5650) == nil)
    }

    @Test func demanglesSwiftNamesAndKeepsOthers() {
        #expect(SwiftDemangler.demangle("$s4main3FooV4deepyyF") == "main.Foo.deep() -> ()")
        #expect(SwiftDemangler.demangle("memcpy") == "memcpy")
    }
}
