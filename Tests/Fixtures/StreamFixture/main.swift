// A CGI script for the streaming test: sends the head and a first chunk, then waits for
// standard input to close before it sends a second chunk and ends.
import CGI
import Glibc

let writer = ResponseWriter(Response(contentType: "text/plain; charset=utf-8"))
try writer.write("first chunk\n")
try writer.flush()
var byte: UInt8 = 0
while read(0, &byte, 1) > 0 {}
try writer.write("second chunk\n")
try writer.flush()
