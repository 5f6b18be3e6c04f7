import CGI
import Foundation

/// Posting an entry, and its author editing or deleting it within ``Entry/editWindow``.
///
/// The author is recognised by a signed cookie `authored` listing the ids of the entries this
/// browser posted last (at most ``maxAuthoredEntries``, so the cookie stays small however many
/// are posted); it expires with the edit window, which is checked again against the entry's time.
struct Posting {
    let app: Guestbook

    /// The largest image accepted, in bytes; a larger upload is refused with 413 before the
    /// handler runs (``FormOptions/maxFileBytes``).
    static let maxImageBytes = 2 << 20
    /// The most entry ids the `authored` cookie keeps.
    static let maxAuthoredEntries = 20

    /// The image types accepted, by their first bytes.
    static let imageTypes: Set = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    /// POST /post: validates, stores, and redirects to the main page; or shows the form again,
    /// refilled, with what is wrong (422).
    func create(_ request: Request, _ visit: inout Visit) async throws -> Response {
        var state = Self.validate(request)
        var image: (hash: String, type: String)?
        if let file = request.form.file("image"), file.size > 0 || !file.filename.isEmpty {
            do {
                image = try Images(app: app).store(file)
            } catch let refusal as Images.Refusal {
                state.errors.append(refusal.message)
            }
        }
        guard state.errors.isEmpty else { return try await app.index(request, &visit, form: state, status: 422) }
        let entry = Entry(
            name: state.name, message: state.message, image: image?.hash, imageType: image?.type,
            createdAt: Signer.now(), hidden: false)
        let id = try await app.database.insert(entry)
        remember(authoredIDs(request) + [id], &visit)
        return app.redirectHome(&visit, flash: "Thank you, \(state.name)! Your entry is posted; you can edit it for 10 minutes.")
    }

    /// GET or POST /edit/ID: the edit form, or the change saved.
    func edit(_ request: Request, id text: String, _ visit: inout Visit) async throws -> Response {
        guard let entry = try await ownEntry(text, request: request) else { return notYours(visit) }
        if request.method == "GET" {
            let state = Views.FormState(name: entry.name, message: entry.message)
            let form = Views.form(
                state, action: "\(visit.base)/edit/\(entry.id ?? 0)", token: app.csrf.token(for: visit.session), editing: true)
            return Page(title: "Edit your entry", content: form, base: visit.base).response()
        }
        let state = Self.validate(request)
        guard state.errors.isEmpty else {
            let form = Views.form(
                state, action: "\(visit.base)/edit/\(entry.id ?? 0)", token: app.csrf.token(for: visit.session), editing: true)
            return Page(title: "Edit your entry", content: form, base: visit.base).response(status: 422)
        }
        try await app.database.update(id: entry.id ?? 0, name: state.name, message: state.message, updatedAt: Signer.now())
        return app.redirectHome(&visit, flash: "Your entry is changed.")
    }

    /// POST /delete/ID.
    func delete(_ request: Request, id text: String, _ visit: inout Visit) async throws -> Response {
        guard let entry = try await ownEntry(text, request: request) else { return notYours(visit) }
        try await app.database.delete(id: entry.id ?? 0)
        remember(authoredIDs(request).filter { $0 != entry.id }, &visit)
        return app.redirectHome(&visit, flash: "Your entry is deleted.")
    }

    /// Edit and delete buttons when `request` comes from the entry's author, in time.
    func authorControls(_ entry: Entry, request: Request, visit: Visit) -> String {
        guard isAuthor(of: entry, request: request), let id = entry.id else { return "" }
        return """
            <p class="controls"><a href="\(HTML.escape(visit.base))/edit/\(id)">Edit</a>
            \(Views.button("Delete", action: "\(visit.base)/delete/\(id)", token: app.csrf.token(for: visit.session)))</p>
            """
    }

    private func isAuthor(of entry: Entry, request: Request) -> Bool {
        guard let id = entry.id else { return false }
        return authoredIDs(request).contains(id) && Signer.now() < entry.createdAt + Entry.editWindow
    }

    /// The ids in the request's `authored` cookie (none when it is missing, forged or expired).
    private func authoredIDs(_ request: Request) -> [Int64] {
        (request.signedCookie("authored", signer: app.settings.signer) ?? "").split(separator: ",").compactMap { Int64($0) }
    }

    /// Sets the `authored` cookie to the last ``maxAuthoredEntries`` of `ids`, for the edit window.
    private func remember(_ ids: [Int64], _ visit: inout Visit) {
        let kept = ids.suffix(Self.maxAuthoredEntries).map(String.init).joined(separator: ",")
        visit.set(app.settings.signer.cookie(name: "authored", value: kept, maxAge: Entry.editWindow))
    }

    private func ownEntry(_ text: String, request: Request) async throws -> Entry? {
        guard let id = Int64(text), let entry = try await app.database.entry(id: id),
            isAuthor(of: entry, request: request)
        else { return nil }
        return entry
    }

    private func notYours(_ visit: Visit) -> Response {
        Page(
            title: "Not yours to change",
            content: "<p id=\"refused\">Only its author can change an entry, for 10 minutes after posting it.</p>",
            base: visit.base
        ).response(status: 403)
    }

    /// The name and message of the form, and what is wrong with them.
    static func validate(_ request: Request) -> Views.FormState {
        var state = Views.FormState(name: (request.form["name"] ?? "").trimmed, message: (request.form["message"] ?? "").trimmed)
        if state.name.isEmpty { state.errors.append("Please give your name.") }
        if state.name.count > Entry.maxNameLength {
            state.errors.append("The name is longer than \(Entry.maxNameLength) characters.")
        }
        if state.message.isEmpty { state.errors.append("Please write a message.") }
        if state.message.count > Entry.maxMessageLength {
            state.errors.append("The message is longer than \(Entry.maxMessageLength) characters.")
        }
        return state
    }
}
