// `ServerConfiguration.admin` is an `AdminAddress`, which lives in CGIAdmin (shared with
// `cgi fastcgi --admin`): an embedder's `import CGIServer` brings it too.
@_exported import CGIAdmin
