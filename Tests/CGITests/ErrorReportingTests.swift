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

    @Test func redactsSecretsInQueriesCookiesAndVariables() {
        let reporting = ErrorReporting()
        #expect(
            reporting.redacting(query: "a=1&pass%77ord=x&b&api+token=y")
                == "a=1&pass%77ord=(hidden)&b&api+token=(hidden)")
        #expect(reporting.redacting(variable: "REQUEST_URI", value: "/x?token=1&q=2") == "/x?token=(hidden)&q=2")
        #expect(reporting.redacting(variable: "REQUEST_URI", value: "/x") == "/x")
        #expect(reporting.redacting(variable: "HTTP_COOKIE", value: "a=1; theme=dark") == "a=(hidden); theme=(hidden)")
        #expect(reporting.redacting(variable: "HTTP_AUTHORIZATION", value: "Basic eDp5") == "(hidden)")
        #expect(reporting.redacting(variable: "PATH_INFO", value: "/secret-page") == "/secret-page")
    }
}
