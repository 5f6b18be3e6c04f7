extension CGI {
    /// Whether this process answers many requests (it was started as a FastCGI application:
    /// `cgi fastcgi`, a resident script of `cgi-server`, lighttpd's `bin-path`, systemd) rather
    /// than one (a CGI script).
    ///
    /// Set-up done before `CGI.run` is paid once per process either way; this tells a script whether it is worth more: a pool of database connections when
    /// resident, one connection when the process ends after a single request.
    ///
    /// ```swift
    /// let database = CGI.isResident ? try DatabasePool(path: path) : try DatabaseQueue(path: path)
    /// ```
    public static var isResident: Bool {
        FastCGILaunch.listeningSocket != nil
    }
}
