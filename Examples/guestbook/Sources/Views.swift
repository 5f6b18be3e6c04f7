import CGI

/// The HTML of entries and forms.
enum Views {
    /// What the post form holds: the values typed so far and what is wrong with them.
    struct FormState {
        var name = ""
        var message = ""
        var errors: [String] = []
    }

    /// An entry as an `<article>`, with edit and delete for its author, or hide/show for the admin.
    static func entry(_ entry: Entry, base: String, controls: String = "") -> String {
        let image =
            entry.image.map {
                "<p><img src=\"\(HTML.escape(base))/image/\($0)\" alt=\"image posted by \(HTML.escape(entry.name))\" width=\"240\"></p>"
            } ?? ""
        let edited = entry.updatedAt == nil ? "" : " (edited)"
        let hidden = entry.hidden ? " <strong>(hidden)</strong>" : ""
        return """
            <article class="entry" id="entry-\(entry.id ?? 0)">
            <h2>\(HTML.escape(entry.name))</h2>
            <p class="date">\(HTTPDate.format(entry.createdAt))\(edited)\(hidden)</p>
            <p class="message">\(HTML.escape(entry.message))</p>
            \(image)\(controls)
            </article>
            """
    }

    /// A form of one button that POSTs to `action` with the CSRF token.
    static func button(_ label: String, action: String, token: String) -> String {
        """
        <form method="post" action="\(HTML.escape(action))" class="inline">\(tokenField(token))\
        <button type="submit">\(HTML.escape(label))</button></form>
        """
    }

    /// The hidden CSRF field.
    static func tokenField(_ token: String) -> String {
        "<input type=\"hidden\" name=\"\(CSRFProtection.fieldName)\" value=\"\(HTML.escape(token))\">"
    }

    /// The post form (or, with `editing`, the edit form of that entry), refilled with `state`.
    static func form(_ state: FormState, action: String, token: String, editing: Bool = false) -> String {
        let errors =
            state.errors.isEmpty
            ? "" : "<ul class=\"errors\" id=\"errors\">" + state.errors.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
        let image =
            editing
            ? ""
            : """
            <p><label>Image (PNG, JPEG, GIF or WebP, up to \(Posting.maxImageBytes >> 20) MiB, optional)
            <input type="file" name="image" accept="image/png,image/jpeg,image/gif,image/webp"></label></p>
            """
        return """
            \(errors)
            <form method="post" action="\(HTML.escape(action))" enctype="multipart/form-data" id="post-form">
            \(tokenField(token))
            <p><label>Name <input name="name" maxlength="\(Entry.maxNameLength)" value="\(HTML.escape(state.name))"></label></p>
            <p><label>Message <textarea name="message" rows="4" cols="60">\(HTML.escape(state.message))</textarea></label></p>
            \(image)
            <p><button type="submit">\(editing ? "Save" : "Sign the guestbook")</button></p>
            </form>
            """
    }

    /// Links to the newer and older pages around `page`.
    static func pagination(page: Int, hasMore: Bool, base: String) -> String {
        var links: [String] = []
        if page > 1 { links.append("<a href=\"\(HTML.escape(base))/?page=\(page - 1)\" rel=\"prev\">Newer entries</a>") }
        if hasMore { links.append("<a href=\"\(HTML.escape(base))/?page=\(page + 1)\" rel=\"next\">Older entries</a>") }
        return links.isEmpty ? "" : "<p class=\"pages\">" + links.joined(separator: " · ") + "</p>"
    }
}
