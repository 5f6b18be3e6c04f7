import CGI
import Foundation
import Testing

@Suite struct SignerTests {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)
    static let signer = try! Signer(key: key)

    @Test func signsAndVerifies() throws {
        let signed = Self.signer.sign("alice; admin=no", purpose: "user", expiresIn: 60, now: 1000)
        #expect(try Self.signer.verify(signed, purpose: "user", now: 1059) == "alice; admin=no")
        #expect(signed.split(separator: ".").count == 3)
    }

    @Test func refusesTamperingOtherKeysAndPurposesAndExpiry() throws {
        let signed = Self.signer.sign("alice", purpose: "user", expiresIn: 60, now: 1000)
        let parts = signed.split(separator: ".").map(String.init)
        let forged = Base64URL.encode(Array("admin".utf8)) + "." + parts[1] + "." + parts[2]
        let extended = parts[0] + ".99999999999." + parts[2]
        #expect(throws: SignatureError.badSignature) { try Self.signer.verify(forged, purpose: "user", now: 1000) }
        #expect(throws: SignatureError.badSignature) { try Self.signer.verify(extended, purpose: "user", now: 1000) }
        #expect(throws: SignatureError.badSignature) { try Self.signer.verify(signed, purpose: "cookie user", now: 1000) }
        let other = try Signer(key: Array("another key of thirty-two bytes!!".utf8))
        #expect(throws: SignatureError.badSignature) { try other.verify(signed, purpose: "user", now: 1000) }
        #expect(throws: SignatureError.expired(at: 1060)) { try Self.signer.verify(signed, purpose: "user", now: 1060) }
        for malformed in ["", "a.b", "a.1.c.d", "YQ.-1.xx", "YQ.1e3.xx", "Y Q.1.xx", signed + "="] {
            #expect(throws: SignatureError.malformed) { try Self.signer.verify(malformed, purpose: "user", now: 0) }
        }
        // Flipping any one character of the signed value breaks it.
        for index in signed.indices {
            var changed = signed
            changed.replaceSubrange(index...index, with: signed[index] == "A" ? "B" : "A")
            #expect((try? Self.signer.verify(changed, purpose: "user", now: 1000)) == nil)
        }
    }

    @Test func refusesShortKeys() {
        #expect(throws: SignatureError.keyTooShort(length: 31)) { try Signer(key: [UInt8](repeating: 1, count: 31)) }
    }

    @Test func signedCookiesRoundTripThroughARequest() throws {
        let cookie = Self.signer.cookie(name: "session", value: "user 42", maxAge: 3600, now: 5000)
        let header = try cookie.headerValue()
        #expect(header.hasSuffix("; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax"))
        let pair = String(header.prefix { $0 != ";" })
        let request = try Request(environment: ["HTTP_COOKIE": "session=forged; " + pair], input: -1)
        #expect(request.signedCookie("session", signer: Self.signer, now: 5001) == "user 42")
        #expect(request.signedCookie("session", signer: Self.signer, now: 8600) == nil)
        // The value signed for one cookie is refused under another name.
        let renamed = try Request(environment: ["HTTP_COOKIE": pair.replacingFirst("session", with: "admin")], input: -1)
        #expect(renamed.signedCookie("admin", signer: Self.signer, now: 5001) == nil)
    }

    @Test func csrfTokensAreBoundToTheSessionAndExpire() {
        let csrf = CSRFProtection(signer: Self.signer, lifetime: 600)
        let token = csrf.token(for: "session-a", now: 100)
        #expect(csrf.isValid(token, for: "session-a", now: 699))
        #expect(!csrf.isValid(token, for: "session-b", now: 100))
        #expect(!csrf.isValid(token, for: "session-a", now: 700))
        #expect(!csrf.isValid(nil, for: "session-a", now: 100))
        #expect(csrf.token(for: "session-a", now: 100) != token)
    }
}

extension String {
    /// The string with its first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
