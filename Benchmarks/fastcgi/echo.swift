// The 1 MiB POST echo of Benchmarks/fastcgi.sh as a Swift script: answers the request body.
import CGI

CGI.run { request in
    Response(contentType: "application/octet-stream", bytes: try request.body?.readAll() ?? [])
}
