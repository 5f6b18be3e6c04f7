import Foundation
import TestSupport
import Testing

/// `--trusted-proxy`: curl on 127.0.0.1 plays the proxy, trusted or not.
@Suite("Trusted proxies")
struct TrustedProxyTests {
    static let forwarding = [
        "-H", "X-Forwarded-For: 198.51.100.1, 203.0.113.9", "-H", "X-Forwarded-Proto: https", "-H", "X-Forwarded-Port: 8443",
    ]

    @Test func aTrustedPeerSetsTheClientAddressSchemeAndPort() throws {
        let site = try TestSite()
        let logPath = site.root.appending(path: "access.log").path
        let server = try TestServer(site: site, options: ["--trusted-proxy", "127.0.0.0/8", "--access-log", logPath])
        let env = try curl(Self.forwarding + [server.url("/cgi-bin/probe.cgi")]).environment
        #expect(env["REMOTE_ADDR"] == "203.0.113.9")
        #expect(env["REMOTE_HOST"] == "203.0.113.9")
        #expect(env["HTTPS"] == "on")
        #expect(env["REQUEST_SCHEME"] == "https")
        #expect(env["SERVER_PORT"] == "8443")
        #expect(env["HTTP_X_FORWARDED_FOR"] == nil, "honoured forwarding headers are not passed on")
        #expect(env["HTTP_X_FORWARDED_PROTO"] == nil)
        #expect(env["HTTP_X_FORWARDED_PORT"] == nil)
        var log = ""
        #expect(
            eventually {
                log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                return !log.isEmpty
            })
        #expect(log.hasPrefix("203.0.113.9 - - ["), "the access log names the forwarded client: \(log)")
    }

    @Test func withoutForwardPortTheSchemeGivesTheDefaultPort() throws {
        let server = try TestServer(options: ["--trusted-proxy", "::1", "--trusted-proxy", "127.0.0.1"])
        let env = try curl(["-H", "X-Forwarded-Proto: https", server.url("/cgi-bin/probe.cgi")]).environment
        #expect(env["REMOTE_ADDR"] == "127.0.0.1")
        #expect(env["HTTPS"] == "on")
        #expect(env["SERVER_PORT"] == "443")
    }

    @Test func anUntrustedPeerChangesNothing() throws {
        let server = try TestServer(options: ["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "fd00::/8"])
        let env = try curl(Self.forwarding + [server.url("/cgi-bin/probe.cgi")]).environment
        #expect(env["REMOTE_ADDR"] == "127.0.0.1")
        #expect(env["HTTPS"] == nil)
        #expect(env["REQUEST_SCHEME"] == "http")
        #expect(env["SERVER_PORT"] == String(server.port))
        #expect(env["HTTP_X_FORWARDED_FOR"] == "198.51.100.1, 203.0.113.9", "an untrusted sender's headers are plain headers")
        #expect(env["HTTP_X_FORWARDED_PROTO"] == "https")
    }

    @Test func withoutTheOptionNothingIsTrusted() throws {
        let server = try TestServer()
        let env = try curl(Self.forwarding + [server.url("/cgi-bin/probe.cgi")]).environment
        #expect(env["REMOTE_ADDR"] == "127.0.0.1")
        #expect(env["HTTPS"] == nil)
    }

    @Test(arguments: ["localhost", "10.0.0.0/33", "10.1.2.3/8"])
    func aMalformedBlockStopsTheServerWithTheReason(block: String) throws {
        let site = try TestSite()
        let server = try runProcess(
            TestServer.binary.path, [site.root.path, "--port", "0", "--trusted-proxy", block], within: 60)
        #expect(server.termination != .exited(0))
        #expect(server.errors.contains("--trusted-proxy \(block):"), "\(server.errors)")
    }
}
