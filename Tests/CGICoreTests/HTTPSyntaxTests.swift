import Testing

@testable import CGICore

@Suite struct HTTPSyntaxTests {
    @Test(arguments: [
        ("Content-Type", true), ("x", true), ("X_Under", true), ("!#$%&'*+-.^_`|~09azAZ", true),
        ("", false), ("Bad Name", false), ("X:", false), ("X(a)", false), ("Ünï", false), ("X\u{0}", false), ("X\t", false),
    ])
    func recognizesTokens(text: String, isToken: Bool) {
        #expect(HTTPSyntax.isToken(text) == isToken)
    }

    @Test(arguments: [
        ("text/plain; charset=utf-8", true), ("", true), ("a\tb", true), ("café", true),
        ("a\rb", false), ("a\nb", false), ("a\u{0}b", false), ("\u{7f}", false), ("\u{1b}[31m", false),
    ])
    func recognizesFieldValues(text: String, isValue: Bool) {
        #expect(HTTPSyntax.isFieldValue(text) == isValue)
    }
}
