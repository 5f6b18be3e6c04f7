import CGI

/// The admin page: every entry, with buttons to hide one from the public pages or show it
/// again. The password is checked against its stored hash (``PasswordHash``); a signed
/// `admin` cookie keeps the admin logged in for an hour.
struct Admin {
    let app: Guestbook

    /// How long a login lasts, in seconds.
    static let loginLifetime = 3600

    /// GET /admin, POST /admin/login, /admin/logout, /admin/hide/ID, /admin/show/ID.
    func respond(_ request: Request, path: [String], _ visit: inout Visit) async throws -> Response {
        let loggedIn = request.signedCookie("admin", signer: app.settings.signer) == "admin"
        switch (request.method, path.first, path.count) {
        case ("POST", "login", 1):
            guard let stored = app.settings.adminPasswordHash,
                try PasswordHash.verify(request.form["password"] ?? "", against: stored)
            else { return loginPage(visit, error: "That is not the admin password.", status: 403) }
            visit.set(app.settings.signer.cookie(name: "admin", value: "admin", maxAge: Self.loginLifetime))
            visit.flash("You are logged in as the admin.")
            return Response.redirect(to: visit.base + "/admin", status: 303)
        case ("POST", "logout", 1):
            visit.set(.deleting(name: "admin"))
            return app.redirectHome(&visit, flash: "You are logged out.")
        case ("POST", "hide", 2) where loggedIn, ("POST", "show", 2) where loggedIn:
            guard let id = Int64(path[1]) else { break }
            try await app.database.setHidden(id: id, path[0] == "hide")
            visit.flash(path[0] == "hide" ? "Entry \(id) is hidden." : "Entry \(id) is shown again.")
            return Response.redirect(to: visit.base + "/admin", status: 303)
        case ("GET", nil, _):
            return loggedIn ? try await entriesPage(request, &visit) : loginPage(visit, flash: visit.takeFlash())
        default:
            break
        }
        return loggedIn
            ? Page(title: "Not found", content: "<p>There is no such page.</p>", base: visit.base).response(status: 404)
            : loginPage(visit, error: "Please log in first.", status: 403)
    }

    private func loginPage(_ visit: Visit, error: String? = nil, flash: String? = nil, status: Int = 200) -> Response {
        let content: String
        if app.settings.adminPasswordHash == nil {
            content = """
                <p id="no-password">No admin password is set. On the server, run <code>guestbook set-admin-password</code>
                (it reads the password from standard input), or set <code>GUESTBOOK_ADMIN_PASSWORD_HASH</code>.</p>
                """
        } else {
            content = """
                \(error.map { "<p class=\"errors\" id=\"errors\">\(HTML.escape($0))</p>" } ?? "")
                <form method="post" action="\(HTML.escape(visit.base))/admin/login" id="login-form">
                \(Views.tokenField(app.csrf.token(for: visit.session)))
                <p><label>Password <input type="password" name="password" autocomplete="current-password"></label></p>
                <p><button type="submit">Log in</button></p>
                </form>
                """
        }
        return Page(title: "Admin", content: content, base: visit.base, flash: flash).response(status: status)
    }

    private func entriesPage(_ request: Request, _ visit: inout Visit) async throws -> Response {
        let page = max(1, Int(request.form["page"] ?? "") ?? 1)
        let (entries, hasMore) = try await app.database.page(page, includingHidden: true)
        let token = app.csrf.token(for: visit.session)
        let list = entries.map { entry in
            let id = entry.id ?? 0
            let control =
                entry.hidden
                ? Views.button("Show", action: "\(visit.base)/admin/show/\(id)", token: token)
                : Views.button("Hide", action: "\(visit.base)/admin/hide/\(id)", token: token)
            return Views.entry(entry, base: visit.base, controls: "<p class=\"controls\">\(control)</p>")
        }
        let content = """
            \(Views.button("Log out", action: visit.base + "/admin/logout", token: token))
            <section id="entries">\(list.joined(separator: "\n"))</section>
            \(Views.pagination(page: page, hasMore: hasMore, base: visit.base + "/admin"))
            """
        return Page(title: "Admin: all entries", content: content, base: visit.base, flash: visit.takeFlash()).response()
    }
}
