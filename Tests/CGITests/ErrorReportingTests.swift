import Testing

@testable import CGI

@Suite struct ErrorReportingTests {
    @Test func productionUnlessTheEnvironmentAsks() {
        #expect(ErrorReporting.fromEnvironment([:]) == .production)
        #expect(ErrorReporting.fromEnvironment(["CGI_DEBUG": "0"]).display == .none)
        #expect(ErrorReporting.fromEnvironment(["CGI_DEBUG": "1"]).display == .html)
        #expect(ErrorReporting.fromEnvironment(["CGI_DEBUG": "text"]).display == .text)
        #expect(ErrorReporting.fromEnvironment(["CGI_ERROR_LOG_DIR": "/var/log/x"]).logDirectory == "/var/log/x")
    }

    @Test func hidesNamesContainingASecretWord() {
        let reporting = ErrorReporting()
        #expect(reporting.hides("password"))
        #expect(reporting.hides("New_Password2"))
        #expect(reporting.hides("api_token"))
        #expect(!reporting.hides("name"))
        #expect(!ErrorReporting(hiddenNames: []).hides("password"))
        #expect(ErrorReporting(hiddenNames: ["pin"]).hides("PIN"))
    }
}
