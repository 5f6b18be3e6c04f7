import CGI

/// The application: its settings and store, and the route each request takes.
struct Guestbook {
    let settings: Settings
    let database: any Store
    let csrf: CSRFProtection

    init(settings: Settings, database: any Store) {
        self.settings = settings
        self.database = database
        csrf = CSRFProtection(signer: settings.signer)
    }

    /// Answers `request`. Every POST must carry a CSRF token for the visitor's session (403
    /// otherwise). A database that fails gets its own page (``DatabaseFailure``), its details logged.
    func respond(to request: Request) async throws -> Response {
        var visit = Visit(request: request, signer: settings.signer)
        do {
            return try await route(request, &visit)
        } catch let failure as DatabaseFailure {
            log("guestbook: \(failure)")
            return try visit.finish(failure.response(base: visit.base))
        }
    }

    private func route(_ request: Request, _ visit: inout Visit) async throws -> Response {
        let path = request.pathInfo.split(separator: "/").map(String.init)
        if request.method == "POST", !csrf.verify(request, sessionID: visit.session) {
            return try visit.finish(
                Page(
                    title: "Form refused",
                    content: """
                        <p id="refused"><strong>This form was not sent from the guestbook's page, or it expired.</strong>
                        Nothing was saved. <a href="\(HTML.escape(visit.base))/">Reload the guestbook</a> and try again.</p>
                        """, base: visit.base
                ).response(status: 403))
        }
        let response: Response
        switch (request.method, path.first, path.count) {
        case ("GET", nil, _), ("HEAD", nil, _): response = try await index(request, &visit)
        case ("POST", "post", 1): response = try await Posting(app: self).create(request, &visit)
        case ("GET", "edit", 2), ("POST", "edit", 2): response = try await Posting(app: self).edit(request, id: path[1], &visit)
        case ("POST", "delete", 2): response = try await Posting(app: self).delete(request, id: path[1], &visit)
        case ("GET", "image", 2), ("HEAD", "image", 2): response = try await Images(app: self).serve(request, name: path[1])
        case ("GET", "feed.atom", 1): response = try await Feeds(app: self).atom(request)
        case ("GET", "api", 2) where path[1] == "entries": response = try await Feeds(app: self).json(request)
        case (_, "admin", _): response = try await Admin(app: self).respond(request, path: Array(path.dropFirst()), &visit)
        default:
            response = Page(title: "Not found", content: "<p>There is no such page.</p>", base: visit.base).response(status: 404)
        }
        return try visit.finish(response)
    }

    /// The entries, newest first, one page at a time, with the post form.
    func index(_ request: Request, _ visit: inout Visit, form: Views.FormState = .init(), status: Int = 200) async throws -> Response {
        let page = max(1, Int(request.form["page"] ?? "") ?? 1)
        let (entries, hasMore) = try await database.page(page)
        let list = entries.map { entry in
            Views.entry(
                entry, base: visit.base, controls: Posting(app: self).authorControls(entry, request: request, visit: visit))
        }
        let content = """
            \(Views.form(form, action: visit.base + "/post", token: csrf.token(for: visit.session)))
            <section id="entries">
            \(list.isEmpty ? "<p>No entries yet.</p>" : list.joined(separator: "\n"))
            </section>
            \(Views.pagination(page: page, hasMore: hasMore, base: visit.base))
            """
        return Page(title: "Guestbook", content: content, base: visit.base, flash: visit.takeFlash()).response(status: status)
    }

    /// A 303 to the main page, with `flash` shown there once (POST-redirect-GET).
    func redirectHome(_ visit: inout Visit, flash: String) -> Response {
        visit.flash(flash)
        return Response.redirect(to: visit.base + "/", status: 303)
    }
}
