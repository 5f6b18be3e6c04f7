import Foundation
import TestSupport
import Testing

@Suite("TLS", .serialized)
struct TLSTests {
    @Test func httpsServesFilesAndTellsScripts() throws {
        let site = try TestSite()
        let certificate = site.root.appending(path: "cert.pem").path
        let key = site.root.appending(path: "key.pem").path
        let openssl = try runProcess(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj",
                "/CN=localhost",
            ])
        #expect(openssl.termination == .exited(0), "\(openssl.errors)")
        let data = try site.randomFile("htdocs/large.bin", count: 1 << 20)
        let server = try TestServer(site: site, options: ["--tls-cert", certificate, "--tls-key", key])
        let base = "https://127.0.0.1:\(server.port)"
        let env = try curl(["-k", base + "/cgi-bin/probe.cgi"]).environment
        #expect(env["HTTPS"] == "on")
        #expect(env["REQUEST_SCHEME"] == "https")
        #expect(try curl(["-k", base + "/large.bin"]).body == data)
        #expect(try curl(["-k", base + "/hello.txt"]).text == "hello\n")
    }
}

@Suite("Slow clients", .serialized)
struct SlowClientTests {
    @Test func slowBodyGets408AndTheScriptIsStopped() throws {
        let server = try TestServer(options: ["--request-timeout", "2", "--script-timeout", "30"])
        let connection = try RawConnection(port: server.port)
        connection.send("POST /cgi-bin/probe.cgi?echo=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
        let started = Date()
        let text = String(decoding: connection.readAll(idle: 30), as: UTF8.self)
        #expect(text.isEmpty || text.hasPrefix("HTTP/1.1 408"))
        // The timeout firing is the behaviour: the configured 2 s, well before the script's 30 s.
        #expect(Date().timeIntervalSince(started) < 15)
        let pids = server.site.recordedPids()
        #expect(eventually { pids.allSatisfy { ProcessSweep.isGone($0) } && server.children().isEmpty })
        #expect(try curl([server.url("/hello.txt")]).status == 200)
    }
}
