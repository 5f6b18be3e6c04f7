import CGI
import Testing

@Suite struct RequestConvenienceTests {
    @Test func mediaTypeIsLowerCasedWithParameters() throws {
        let request = try Request(environment: ["CONTENT_TYPE": " Application/JSON ; Charset=\"UTF-8\"; v=1"], input: -1)
        #expect(request.mediaType?.value == "application/json")
        #expect(request.mediaType?.parameter("charset") == "UTF-8")
        #expect(request.mediaType?.parameter("V") == "1")
        #expect(try Request(environment: [:], input: -1).mediaType == nil)
    }

    @Test(arguments: [
        ("/srv/site/cgi-bin/admin/users", "/cgi-bin/admin/users", "/srv/site"),
        ("/srv/site/cgi-bin/hello.swift", "/cgi-bin/hello", "/srv/site"),
        ("/usr/lib/cgi-bin/app", "/scripts/app", "/usr/lib/cgi-bin"),
        ("/app", "/app", "/"),
    ])
    func siteFolderIsWhereTheURLPathStarts(filename: String, scriptName: String, site: String) throws {
        let request = try Request(
            environment: ["SCRIPT_FILENAME": filename, "SCRIPT_NAME": scriptName, "DOCUMENT_ROOT": "/srv/site/htdocs"],
            input: -1)
        #expect(request.scriptFilename == filename)
        #expect(request.documentRoot == "/srv/site/htdocs")
        #expect(request.siteFolder == site)
    }

    @Test func noSiteFolderWithoutScriptFilename() throws {
        let request = try Request(environment: ["SCRIPT_NAME": "/cgi-bin/x"], input: -1)
        #expect(request.siteFolder == nil && request.scriptFilename == nil && request.documentRoot == nil)
    }
}
