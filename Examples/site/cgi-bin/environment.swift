// The diagnostics page: the environment, the form, uploads and the working directory.
import CGI

CGI.run { request in CGI.diagnostics(request) }
