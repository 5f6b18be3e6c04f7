import Foundation
import Testing

@Suite("Static files", .serialized)
struct StaticFileTests {
    let server: TestServer

    init() throws {
        server = try TestServer()
    }

    @Test func servesAFileWithTypeAndValidators() throws {
        let response = try curl([server.url("/hello.txt")])
        #expect(response.status == 200)
        #expect(response.text == "hello\n")
        #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(response.header("Content-Length") == "6")
        #expect(response.header("ETag")?.hasPrefix("\"") == true)
        #expect(response.header("Last-Modified")?.hasSuffix(" GMT") == true)
        #expect(response.header("Date") != nil)
    }

    @Test func headHasTheHeadersButNoBody() throws {
        let response = try curl(["-I", server.url("/hello.txt")])
        #expect(response.status == 200)
        #expect(response.header("Content-Length") == "6")
        #expect(response.body.isEmpty)
    }

    @Test func foldersRedirectToTheirSlashAndServeIndexHTML() throws {
        let redirect = try curl([server.url("/dir?x=1")])
        #expect(redirect.status == 301)
        #expect(redirect.header("Location") == "/dir/?x=1")
        let index = try curl([server.url("/dir/")])
        #expect(index.status == 200)
        #expect(index.text == "<h1>index</h1>\n")
        #expect(index.header("Content-Type") == "text/html; charset=utf-8")
    }

    @Test func foldersWithoutIndexAreNeverListed() throws {
        try server.site.file("htdocs/empty/secret.txt", "x")
        let response = try curl([server.url("/empty/")])
        #expect(response.status == 403)
        #expect(!response.text.contains("secret.txt"))
    }

    @Test func missingFilesAndOtherMethods() throws {
        #expect(try curl([server.url("/nope.txt")]).status == 404)
        let post = try curl(["-X", "POST", "-d", "a=1", server.url("/hello.txt")])
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET, HEAD")
    }

    @Test func conditionalRequestsGet304() throws {
        let first = try curl([server.url("/hello.txt")])
        let etag = try #require(first.header("ETag"))
        let lastModified = try #require(first.header("Last-Modified"))
        #expect(try curl(["-H", "If-None-Match: \(etag)", server.url("/hello.txt")]).status == 304)
        #expect(try curl(["-H", "If-None-Match: \"other\", \(etag)", server.url("/hello.txt")]).status == 304)
        #expect(try curl(["-H", "If-None-Match: \"other\"", server.url("/hello.txt")]).status == 200)
        #expect(try curl(["-H", "If-Modified-Since: \(lastModified)", server.url("/hello.txt")]).status == 304)
        #expect(try curl(["-H", "If-Modified-Since: Mon, 01 Jan 1990 00:00:00 GMT", server.url("/hello.txt")]).status == 200)
        // If-None-Match wins over If-Modified-Since.
        let both = try curl([
            "-H", "If-None-Match: \"other\"", "-H", "If-Modified-Since: \(lastModified)", server.url("/hello.txt"),
        ])
        #expect(both.status == 200)
    }

    @Test func rangesOpenEndedSuffixAndUnsatisfiable() throws {
        let data = try server.site.randomFile("htdocs/data.bin", count: 1000)
        let middle = try curl(["-r", "10-19", server.url("/data.bin")])
        #expect(middle.status == 206)
        #expect(middle.header("Content-Range") == "bytes 10-19/1000")
        #expect(middle.body == data[10..<20])
        let open = try curl(["-r", "990-", server.url("/data.bin")])
        #expect(open.body == data[990...])
        let suffix = try curl(["-r", "-5", server.url("/data.bin")])
        #expect(suffix.header("Content-Range") == "bytes 995-999/1000")
        #expect(suffix.body == data[995...])
        let beyond = try curl(["-r", "2000-", server.url("/data.bin")])
        #expect(beyond.status == 416)
        #expect(beyond.header("Content-Range") == "bytes */1000")
        let several = try curl(["-r", "0-1,5-6", server.url("/data.bin")])
        #expect(several.status == 200)
        #expect(several.body == data)
    }

    @Test func ifRangeSendsTheWholeFileWhenTheValidatorChanged() throws {
        let data = try server.site.randomFile("htdocs/data.bin", count: 100)
        let etag = try #require(try curl([server.url("/data.bin")]).header("ETag"))
        let matching = try curl(["-r", "0-9", "-H", "If-Range: \(etag)", server.url("/data.bin")])
        #expect(matching.status == 206)
        let stale = try curl(["-r", "0-9", "-H", "If-Range: \"stale\"", server.url("/data.bin")])
        #expect(stale.status == 200)
        #expect(stale.body == data)
    }

    @Test func largeFilesArriveIntactAndRangesOfThem() throws {
        let data = try server.site.randomFile("htdocs/large.bin", count: 3 << 20)
        let whole = try curl([server.url("/large.bin")])
        #expect(whole.body == data)
        let tail = try curl(["-r", "1000000-", server.url("/large.bin")])
        #expect(tail.body == data[1_000_000...])
    }

    @Test func filesOfEverySizeArriveByteExactWithTheirHeaders() throws {
        // Up to 64 KiB a file goes out in one buffer with its head, beyond it with sendfile.
        for size in [0, 1, 1000, 65536, 65537, 1 << 20] {
            let data = try server.site.randomFile("htdocs/size-\(size).bin", count: size)
            let get = try curl([server.url("/size-\(size).bin")])
            #expect(get.status == 200)
            #expect(get.body == data, "\(size) bytes")
            #expect(get.header("Content-Length") == "\(size)")
            #expect(get.header("Content-Type") == "application/octet-stream")
            let head = try curl(["-I", server.url("/size-\(size).bin")])
            #expect(head.body.isEmpty)
            for name in ["Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges"] {
                #expect(head.header(name) == get.header(name), "\(name) for \(size) bytes")
            }
            guard size > 10 else { continue }
            let tail = try curl(["-r", "\(size - 10)-", server.url("/size-\(size).bin")])
            #expect(tail.status == 206)
            #expect(tail.body == data.suffix(10))
            #expect(tail.header("Content-Range") == "bytes \(size - 10)-\(size - 1)/\(size)")
        }
    }

    @Test func symbolicLinksThatStayInsideTheRootAreServed() throws {
        let manager = FileManager.default
        let htdocs = server.site.htdocs
        try manager.createSymbolicLink(
            atPath: htdocs.appending(path: "absolute.html").path, withDestinationPath: htdocs.appending(path: "hello.txt").path)
        try manager.createSymbolicLink(atPath: htdocs.appending(path: "relative.txt").path, withDestinationPath: "dir/index.html")
        try manager.createSymbolicLink(
            atPath: htdocs.appending(path: "folder").path, withDestinationPath: htdocs.appending(path: "dir").path)
        let absolute = try curl([server.url("/absolute.html")])
        #expect(absolute.status == 200)
        #expect(absolute.text == "hello\n")
        // The name in the request chooses the type, not the name the link leads to.
        #expect(absolute.header("Content-Type") == "text/html; charset=utf-8")
        let relative = try curl([server.url("/relative.txt")])
        #expect(relative.text == "<h1>index</h1>\n")
        #expect(relative.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(try curl([server.url("/folder/")]).text == "<h1>index</h1>\n")
        #expect(try curl([server.url("/folder/index.html")]).status == 200)
    }

    @Test func aScriptFolderInsideTheRootIsNeverServed() throws {
        let site = try TestSite()
        try site.file("htdocs/scripts/run.cgi", "#!/bin/sh\necho secret\n")
        let server = try TestServer(site: site, options: ["--cgi-bin", site.htdocs.appending(path: "scripts").path])
        #expect(try curl([server.url("/hello.txt")]).status == 200)
        let script = try curl([server.url("/scripts/run.cgi")])
        #expect(script.status == 404)
        #expect(!script.text.contains("secret"))
    }

    /// The decoded path climbs above the root (dot segments encoded or not), or holds a NUL:
    /// not a path at all, 400.
    @Test(arguments: ["/../etc/passwd", "/dir/../../etc/passwd", "/%2e%2e/etc/passwd", "/a%00b"])
    func pathAboveTheRootOrWithNULGets400(path: String) throws {
        let response = try curl(["--path-as-is", server.url(path)])
        #expect(response.status == 400, "\(path) gave \(response.status)")
        #expect(!response.text.contains("root:"))
    }

    /// An encoded slash is part of a name, never a separator: there is no file `dir/hello.txt` in htdocs, 404.
    @Test func encodedSlashIsPartOfANameSo404() throws {
        let response = try curl(["--path-as-is", server.url("/dir%2fhello.txt")])
        #expect(response.status == 404)
        #expect(!response.text.contains("hello"))
    }

    /// A link inside htdocs to a folder outside it is not followed (openat2 RESOLVE_BENEATH): 404.
    @Test func linkOutOfTheDocumentRootGets404() throws {
        try FileManager.default.createSymbolicLink(
            atPath: server.site.htdocs.appending(path: "etc").path, withDestinationPath: "/etc")
        let response = try curl([server.url("/etc/passwd")])
        #expect(response.status == 404)
        #expect(!response.text.contains("root:"))
    }

    @Test func scriptsAreNeverServedAsFiles() throws {
        try FileManager.default.createSymbolicLink(
            atPath: server.site.htdocs.appending(path: "scripts").path, withDestinationPath: server.site.cgiBin.path)
        let response = try curl([server.url("/scripts/probe.cgi")])
        #expect(response.status == 404)
        #expect(!response.text.contains("python"))
    }
}
