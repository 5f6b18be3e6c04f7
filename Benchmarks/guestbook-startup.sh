#!/usr/bin/env bash
# Start-up cost of the guestbook as a CGI script on SQLite: each BINARY answers GET / (the
# entries page, 20 entries of a shared data folder) as one CGI process, RUNS times round-robin
# (so that load from elsewhere hits every binary alike), with the median wall time and CPU time
# (user + system) of one run and its minor page faults; then once under callgrind (instructions,
# which a busy machine does not change) where valgrind can run the binary. Compare a build before
# and after a change, e.g. a new dependency (the commit before built in a `git worktree`):
#   Benchmarks/guestbook-startup.sh 300 /tmp/before/.build/release/guestbook .build/release/guestbook
# Usage: Benchmarks/guestbook-startup.sh RUNS BINARY...
set -euo pipefail
cd "$(dirname "$0")/.."
runs=$1; shift
data=$(mktemp -d /tmp/guestbook-startup.XXXXXX)
trap 'rm -rf "$data"' EXIT
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

python3 - "$runs" "$data" "$@" <<'PYTHON'
import os, resource, statistics, sys, time
runs, data, binaries = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
environment = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/cgi-bin/guestbook",
               "PATH_INFO": "/", "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1", "GUESTBOOK_DATA": data,
               "GUESTBOOK_SECRET": "benchmark-secret-benchmark-secret-0123456789"}
null = os.open(os.devnull, os.O_RDWR)
samples = {binary: ([], [], []) for binary in binaries}
for _ in range(runs + 5):
    for binary in binaries:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        pid = os.posix_spawn(binary, [binary], environment,
                             file_actions=[(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1)])
        _, status = os.waitpid(pid, 0)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert status == 0, f"{binary} exited with {status}"
        walls, cpus, faults = samples[binary]
        walls.append(wall * 1000)
        cpus.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        faults.append(after.ru_minflt - before.ru_minflt)
print(f"{runs} runs each, round-robin (the first 5 of each dropped as warm-up)")
print("| binary | wall median (ms) | wall p25-p75 | CPU median (ms) | minor faults | size (bytes) |")
print("|---|---|---|---|---|---|")
for binary, (walls, cpus, faults) in samples.items():
    walls, cpus, faults = walls[5:], cpus[5:], faults[5:]
    q = statistics.quantiles(walls, n=4)
    print(f"| {binary} | {statistics.median(walls):.2f} | {q[0]:.2f}-{q[2]:.2f} | {statistics.median(cpus):.2f} "
          f"| {statistics.median(faults):.0f} | {os.path.getsize(binary)} |")
PYTHON

if command -v valgrind >/dev/null; then
    # Also for a run that ends at once (an unknown command, before any request is read): what
    # loading the binary costs. valgrind 3.19 can fail on a binary that starts threads.
    echo
    echo "| binary | instructions: GET / (callgrind) | instructions: exit at once |"
    echo "|---|---|---|"
    for binary in "$@"; do
        # Without debug information, which valgrind 3.19 cannot read in DWARF 5 (never loaded at run time).
        strip --strip-debug -o "$data/stripped" "$binary"
        request=$("${cgi_env[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$data/stripped" 2>&1 >/dev/null |
            sed -n 's/.*Collected : //p' || true)
        exit=$("${cgi_env[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$data/stripped" no-such-command \
            2>&1 >/dev/null | sed -n 's/.*Collected : //p' || true)
        echo "| $binary | ${request:-valgrind failed} | ${exit:-valgrind failed} |"
    done
fi
