// A contact form protected against cross-site request forgery, with POST-redirect-GET:
// - a signed `session` cookie identifies the visitor (a random id the browser cannot change);
// - the form carries a CSRF token bound to that session, so a POST from another site, or
//   without the token, gets 403;
// - a good POST redirects (303) to this page with a signed `flash` cookie, shown once and then
//   deleted, so reloading the page neither sends the form again nor repeats the message.
//
// The signing key is CGI_EXAMPLE_SECRET (32 characters or more; with cgi-server,
// `--set-env CGI_EXAMPLE_SECRET=…`). Without it the key is kept in private/contact.key in the
// site folder, beside htdocs and cgi-bin, which the server does not serve. A key made anew
// for each request would not do: every CGI request is a new process, so no token or cookie
// signed by one request could be checked by the next.
import CGI
import Glibc

func page(_ title: String, _ content: String, status: Int = 200) -> Response {
    Response(
        status: status,
        body: """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><link rel="stylesheet" href="/style.css"><title>\(title)</title></head>
            <body>
            <h1>\(title)</h1>
            \(content)
            <p><a href="/">All examples</a></p>
            </body>
            </html>
            """)
}

/// The signing key: the environment's, or the one in the site's key file (made on first use).
func signingKey(siteFolder: String?) -> (key: [UInt8], source: String)? {
    if let secret = getenv("CGI_EXAMPLE_SECRET") {
        return (Array(String(cString: secret).utf8), "CGI_EXAMPLE_SECRET")
    }
    guard let siteFolder else { return nil }
    mkdir(siteFolder + "/private", 0o700)
    let path = siteFolder + "/private/contact.key"
    let created = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    if created >= 0 {
        let key = Array(SecureRandom.token().utf8)
        let written = write(created, key, key.count)
        close(created)
        return written == key.count ? (key, "private/contact.key") : nil
    }
    let file = open(path, O_RDONLY | O_CLOEXEC)
    guard file >= 0 else { return nil }
    defer { close(file) }
    var key = [UInt8](repeating: 0, count: 256)
    let count = read(file, &key, key.count)
    return count > 0 ? (Array(key[..<count]), "private/contact.key") : nil
}

func form(token: String) -> String {
    """
    <form method="post">
    <input type="hidden" name="\(CSRFProtection.fieldName)" value="\(HTML.escape(token))">
    <p><label>Message <textarea name="message" rows="3" required></textarea></label></p>
    <p><button type="submit">Send</button></p>
    </form>
    """
}

CGI.run { request in
    guard let found = signingKey(siteFolder: request.siteFolder), let signer = try? Signer(key: found.key) else {
        return page(
            "Contact",
            """
            <p id="result">This example needs a signing key of \(Signer.minimumKeyLength) bytes or more: set
            CGI_EXAMPLE_SECRET (<code>cgi-server --set-env CGI_EXAMPLE_SECRET=…</code>), or let the script
            write <code>private/contact.key</code> in the site folder.</p>
            """, status: 503)
    }
    let csrf = CSRFProtection(signer: signer)
    let session = request.signedCookie("session", signer: signer) ?? SecureRandom.token()

    if request.method == "POST" {
        guard csrf.verify(request, sessionID: session) else {
            return page(
                "Form refused",
                """
                <p id="result"><strong>403: this form was not sent from this site's page, or it expired.</strong>
                Nothing was sent. <a href="contact.swift">Reload the form</a> and send it again.</p>
                """, status: 403)
        }
        let message = request.form["message"] ?? ""
        let flash =
            message.allSatisfy(\.isWhitespace)
            ? "Your message was empty, so nothing was sent."
            : "Thank you! Your message of \(message.count) characters was sent."
        // CGI (RFC 3875 §6.3.2) needs an absolute path or URL here, not a relative one.
        var response = Response.redirect(to: request.scriptName, status: 303)
        try response.setCookie(signer.cookie(name: "flash", value: flash, maxAge: 60))
        return response
    }

    var notice = ""
    if let flash = request.signedCookie("flash", signer: signer) {
        notice = "<p id=\"result\">\(HTML.escape(flash))</p>"
    }
    var response = page(
        "Contact",
        """
        \(notice)
        \(form(token: csrf.token(for: session)))
        <p>The session and flash cookies are signed with the key from \(found.source).</p>
        """)
    try response.setCookie(signer.cookie(name: "session", value: session, maxAge: 86_400))
    if request.cookie("flash") != nil {
        try response.setCookie(.deleting(name: "flash"))
    }
    return response
}
