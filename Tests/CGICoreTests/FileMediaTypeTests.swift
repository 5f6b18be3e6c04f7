import CGICore
import Testing

@Suite struct FileMediaTypeTests {
    @Test(arguments: [
        ("a.PNG", "image/png"), ("/srv/x/report.pdf", "application/pdf"), ("index.html", "text/html; charset=utf-8"),
        (".png", "application/octet-stream"), ("README", "application/octet-stream"),
        ("dir.png/file", "application/octet-stream"),
    ])
    func mediaTypesByExtension(name: String, type: String) {
        #expect(FileMediaType.forFileName(name) == type)
    }
}
