#!/usr/bin/env bash
# What --admin (metrics kept for every request) costs: the release cgi-server without and with
# --admin, on a static 1 KiB file and on a C hello CGI, with wrk over keep-alive connections on
# 127.0.0.1. The two servers run side by side and are measured in alternating rounds, so a
# busy machine slows both alike; the table gives the median req/s of each and the ratio.
# Then, free of noise: the instructions the server spends per static request (valgrind
# --tool=callgrind), without and with --admin.
# Usage: Benchmarks/admin-overhead.sh [SECONDS_PER_ROUND] [ROUNDS]   (default 5 and 6)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${2:-6}"
out=Benchmarks/out/admin-overhead
rm -rf "$out"
mkdir -p "$out/site/htdocs" "$out/site/cgi-bin"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

head -c 1024 /dev/urandom | base64 -w 0 | head -c 1024 >"$out/site/htdocs/1k.txt"
cat >"$out/hello.c" <<'C'
#include <stdio.h>
int main(void) {
    fputs("Content-Type: text/plain\r\n\r\nHello, world!\n", stdout);
    return 0;
}
C
gcc -O2 -o "$out/site/cgi-bin/hello" "$out/hello.c"

swift build -c release --product cgi-server >&2
server_bin="$(swift build -c release --show-bin-path)/cgi-server"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done' EXIT

start() {  # start NAME [OPTIONS…]: sets $url to the server's base URL (no subshell: $pids must keep its pid)
    local name=$1
    shift
    "$server_bin" "$out/site" --port 0 --allow-root-scripts --max-scripts 64 "$@" >"$out/$name.log" 2>&1 &
    pids+=($!)
    url=""
    for _ in $(seq 100); do
        url=$(grep -o '^listening on http://127.0.0.1:[0-9]*' "$out/$name.log" | sed 's/^listening on //' || true)
        [ -n "$url" ] && return
        sleep 0.1
    done
    cat "$out/$name.log" >&2
    exit 1
}
start plain
plain=$url
start admin --admin 127.0.0.1:0
admin=$url
admin_url=$(grep -o '^admin listening on http://127.0.0.1:[0-9]*' "$out/admin.log" | sed 's/^admin listening on //')

measure() {  # measure URL: req/s of one wrk round
    wrk -t 1 -c 16 -d "${seconds}s" "$1" | awk '/^Requests\/sec:/ { print $2 }'
}
declare -A results
for round in $(seq "$rounds"); do
    for target in static cgi; do
        path=$([ "$target" = static ] && echo /1k.txt || echo /cgi-bin/hello)
        # Alternate which server goes first.
        if [ $((round % 2)) = 1 ]; then order="plain admin"; else order="admin plain"; fi
        for server in $order; do
            base=$([ "$server" = plain ] && echo "$plain" || echo "$admin")
            results[$target-$server]+="$(measure "$base$path") "
        done
    done
    echo "round $round done" >&2
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo
echo "cgi-server release build, wrk -t1 -c16, ${rounds} alternating rounds of ${seconds} s, median req/s"
printf '%-22s %14s %14s %10s\n' "request" "without admin" "with --admin" "ratio"
for target in static cgi; do
    a=$(echo "${results[$target-plain]}" | median)
    b=$(echo "${results[$target-admin]}" | median)
    printf '%-22s %14.0f %14.0f %10.3f\n' "$([ "$target" = static ] && echo "static 1 KiB" || echo "C hello CGI")" "$a" "$b" \
        "$(python3 -c "print($b / $a)")"
done
curl -s "$admin_url/metrics" | grep '^cgi_server_requests_total' >"$out/admin-metrics.txt"
echo "(the --admin server counted: $(awk '{ s += $2 } END { print s }' "$out/admin-metrics.txt") requests)"

# Instructions per static request, under callgrind: 2000 requests on keep-alive connections
# after 200 to warm up, counted from the start of the measured requests (callgrind_control -z).
# Valgrind 3.19 cannot read the toolchain's DWARF 5: it runs a copy without debug sections.
if command -v valgrind >/dev/null && command -v callgrind_control >/dev/null; then
    strip --strip-debug -o "$out/cgi-server-stripped" "$server_bin"
    for server in plain admin; do
        options=$([ "$server" = admin ] && echo "--admin 127.0.0.1:0" || true)
        valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$server" "$out/cgi-server-stripped" "$out/site" --port 0 \
            --allow-root-scripts --threads 1 $options >"$out/callgrind-$server.log" 2>&1 &
        pid=$!
        for _ in $(seq 600); do
            url=$(grep -o '^listening on http://127.0.0.1:[0-9]*' "$out/callgrind-$server.log" | sed 's/^listening on //' || true)
            [ -n "$url" ] && break
            sleep 0.1
        done
        python3 - "$url" 200 <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port)
for _ in range(int(sys.argv[2])):
    c.request("GET", "/1k.txt"); r = c.getresponse(); r.read()
PY
        callgrind_control -z "$pid" >/dev/null
        python3 - "$url" 2000 <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); c = http.client.HTTPConnection(u.hostname, u.port)
for _ in range(int(sys.argv[2])):
    c.request("GET", "/1k.txt"); r = c.getresponse(); r.read()
PY
        callgrind_control -d "$pid" >/dev/null
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        total=$(cat "$out"/callgrind."$server".* 2>/dev/null | awk '/^summary:/ { s += $2 } END { print s }')
        echo "$server $total" >>"$out/callgrind.txt"
    done
    a=$(awk '$1 == "plain" { print $2 }' "$out/callgrind.txt")
    b=$(awk '$1 == "admin" { print $2 }' "$out/callgrind.txt")
    echo
    echo "callgrind, server instructions per static request (2000 requests, one event loop)"
    printf '%-22s %14s %14s %10s\n' "request" "without admin" "with --admin" "ratio"
    printf '%-22s %14.0f %14.0f %10.3f\n' "static 1 KiB" "$(python3 -c "print($a / 2000)")" "$(python3 -c "print($b / 2000)")" \
        "$(python3 -c "print($b / $a)")"
fi
