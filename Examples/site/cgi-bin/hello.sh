#!/bin/sh
# Any executable is a CGI script: this one is a shell script.
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
printf 'Hello from the shell! You asked for %s.\n' "${QUERY_STRING:-nothing}"
