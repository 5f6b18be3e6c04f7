#!/usr/bin/env bash
# A .swift script served by cgi-server against a C program doing the same, in one run:
# the first request's compile time, then the latency of requests to the cached .swift
# hello and to the C hello, measured in alternating rounds over keep-alive connections.
# A third script answers with Request and Response alone (no CGI.run and its error
# reporting), to tell the cost of the compile cache from the cost of CGI.run's start-up.
# Usage: Benchmarks/swift-script.sh [REQUESTS_PER_ROUND] [ROUNDS]   (default 200 and 10)
set -euo pipefail
cd "$(dirname "$0")/.."
per_round="${1:-200}"
rounds="${2:-10}"
out=Benchmarks/out/swift-script
rm -rf "$out"
mkdir -p "$out/site/htdocs" "$out/site/cgi-bin" "$out/cache"

cp Examples/site/cgi-bin/hello.swift "$out/site/cgi-bin/hello.swift"
cat >"$out/site/cgi-bin/plain.swift" <<'SWIFT'
import CGI
let request = try Request()
try Response(contentType: "text/plain; charset=utf-8", body: "Hello, \(request.form["name"] ?? "world")!\n").write()
SWIFT
cat >"$out/hello.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    const char *query = getenv("QUERY_STRING");
    const char *name = query && strncmp(query, "name=", 5) == 0 ? query + 5 : "world";
    printf("Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello, %s!\n", name);
    return 0;
}
C
gcc -O2 -o "$out/site/cgi-bin/hello-c" "$out/hello.c"

swift build -c release --product cgi-server >&2
server_bin="$(swift build -c release --show-bin-path)/cgi-server"
"$server_bin" "$out/site" --port 0 --allow-root-scripts --swift-cache "$PWD/$out/cache" >"$out/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT
for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$out/server.log" | head -n 1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { cat "$out/server.log"; exit 1; }

python3 - "$url" "$per_round" "$rounds" <<'PY'
import http.client, statistics, sys, time, urllib.parse

base, per_round, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
host = urllib.parse.urlparse(base)
paths = {"C hello (gcc -O2)": "/cgi-bin/hello-c?name=bench", ".swift hello (cached)": "/cgi-bin/hello.swift?name=bench",
         ".swift without CGI.run": "/cgi-bin/plain.swift?name=bench"}

def get(connection, path):
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200 or b"Hello, bench!" not in body:
        sys.exit(f"{path}: unexpected answer {response.status} {body[:200]!r}")

connection = http.client.HTTPConnection(host.hostname, host.port)
start = time.perf_counter()
get(connection, paths[".swift hello (cached)"])
first = time.perf_counter() - start
start = time.perf_counter()
get(connection, paths[".swift hello (cached)"])
second = time.perf_counter() - start
print(f"first request to hello.swift (compiles it): {first * 1000:.0f} ms; second: {second * 1000:.1f} ms\n")

samples = {name: [] for name in paths}
get(connection, paths[".swift without CGI.run"])  # compiles it
for name, path in paths.items():  # warm-up
    for _ in range(20):
        get(connection, path)
for _ in range(rounds):
    for name, path in paths.items():
        for _ in range(per_round):
            start = time.perf_counter()
            get(connection, path)
            samples[name].append(time.perf_counter() - start)

c_median = statistics.median(samples["C hello (gcc -O2)"])
print(f"{rounds} alternating rounds of {per_round} sequential requests each, one keep-alive connection")
print(f"{'script':24} {'median ms':>10} {'p90 ms':>8} {'req/s':>7} {'vs C':>6}")
for name, values in samples.items():
    values.sort()
    median = statistics.median(values)
    p90 = values[int(len(values) * 0.9)]
    print(f"{name:24} {median * 1000:10.2f} {p90 * 1000:8.2f} {1 / statistics.mean(values):7.0f} {median / c_median:6.2f}")
PY
