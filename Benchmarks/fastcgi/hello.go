// Go's net/http/fcgi hello for Benchmarks/fastcgi.sh: listens on the unix socket given as its
// argument; "/echo" answers the request body, anything else "Hello, world!".
package main

import (
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
)

func main() {
	os.Remove(os.Args[1])
	listener, err := net.Listen("unix", os.Args[1])
	if err != nil {
		panic(err)
	}
	os.Chmod(os.Args[1], 0666)
	fcgi.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if r.URL.Query().Has("echo") {
			io.Copy(w, r.Body)
			return
		}
		io.WriteString(w, "Hello, world!\n")
	}))
}
