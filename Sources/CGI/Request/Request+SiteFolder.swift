extension Request {
    /// The folder of the site the script belongs to: the script's folder
    /// (``scriptFilename``) with the trailing folders that the URL path (``scriptName``) also
    /// names taken off. For `/srv/site/cgi-bin/admin/users` run as `/cgi-bin/admin/users`,
    /// that is `/srv/site`, the folder `cgi-server` was given, which holds `htdocs` and
    /// `cgi-bin`: the place for data files that must not be served. Nil without
    /// SCRIPT_FILENAME.
    public var siteFolder: String? {
        guard let scriptFilename, scriptFilename.hasPrefix("/") else { return nil }
        var folders = scriptFilename.split(separator: "/").dropLast()
        var urlFolders = scriptName.split(separator: "/").dropLast()
        while let folder = folders.last, folder == urlFolders.last {
            folders.removeLast()
            urlFolders.removeLast()
        }
        return "/" + folders.joined(separator: "/")
    }
}
