// A script's `import CGI` brings the shared pieces too (`HTML`, `SHA256`, `HTTPStatus`, …):
// they live in CGICore so that the gateway and the server can use them without the script API.
@_exported import CGICore
