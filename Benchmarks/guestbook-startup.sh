#!/usr/bin/env bash
# Start-up cost of the guestbook as a CGI script on SQLite: each BINARY answers GET / (the
# entries page, 20 entries of a shared data folder) as one CGI process, RUNS times with
# hyperfine (no shell in between), and once under callgrind (instructions, which a busy machine
# does not change). Compare a build before and after a change, e.g. a new dependency.
# Usage: Benchmarks/guestbook-startup.sh RUNS BINARY...   (needs hyperfine; valgrind if present)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$1; shift
data=$(mktemp -d /tmp/guestbook-startup.XXXXXX)
trap 'rm -rf "$data"' EXIT
export -n DATABASE_URL
cgi_env=(env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/guestbook PATH_INFO=/
    SERVER_NAME=localhost SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 QUERY_STRING= REMOTE_ADDR=127.0.0.1
    GUESTBOOK_DATA="$data" GUESTBOOK_SECRET=benchmark-secret-benchmark-secret-0123456789)

# The first binary creates the database; 20 entries fill the first page.
"${cgi_env[@]}" "$1" > /dev/null
python3 - "$data/guestbook.sqlite" <<'PYTHON'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.executemany("INSERT INTO entry (name, message, createdAt, hidden) VALUES (?, ?, 1767225600, 0)",
                   [(f"visitor {n}", f"message number {n} " * 8) for n in range(20)])
PYTHON
for binary in "$@"; do
    "${cgi_env[@]}" "$binary" | grep -q 'visitor 19' || { echo "$binary does not show the entries"; exit 1; }
done

arguments=()
for binary in "$@"; do arguments+=(--command-name "$binary" "${cgi_env[*]} $binary"); done
hyperfine -N --warmup 10 --runs "$runs" --export-markdown /dev/stdout "${arguments[@]}" 2>/dev/null | grep '^|' || true

if command -v valgrind >/dev/null; then
    echo
    echo "| binary | instructions (callgrind) | size (bytes) |"
    echo "|---|---|---|"
    for binary in "$@"; do
        # Without debug information, which valgrind 3.19 cannot read in DWARF 5 (never loaded at run time).
        strip --strip-debug -o "$data/stripped" "$binary"
        count=$("${cgi_env[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$data/stripped" 2>&1 >/dev/null |
            sed -n 's/.*Collected : //p')
        echo "| $binary | $count | $(stat -c %s "$binary") |"
    done
fi
