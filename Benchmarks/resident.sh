#!/usr/bin/env bash
# Examples/site's hello.swift through cgi-server, as CGI (a process per request) and resident
# (`--resident '*.swift'`, a FastCGI worker pool the server runs), in one run, taking turns:
# `wrk -t2 -c8 -d5s` against each, ROUNDS times. Prints req/s and p99 per round and the ratio
# resident/CGI (the goal: 8x).
#
# Usage: Benchmarks/resident.sh [WORKERS] [ROUNDS]   (default 4 workers, 2 rounds; builds
#        release unless BUILD=debug; installs wrk if missing)
set -euo pipefail
WORKERS=${1:-4}
ROUNDS=${2:-2}
BUILD=${BUILD:-release}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
cd "$ROOT"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build -c "$BUILD" --product cgi-server >/dev/null
# The CGI library the server compiles hello.swift against, beside the server.
swift build -c "$BUILD" --target CGI >/dev/null
bin=$ROOT/.build/$BUILD

run=$(mktemp -d /tmp/resident-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$run"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

mkdir -p "$run/site/cgi-bin" "$run/site/htdocs"
cp Examples/site/cgi-bin/hello.swift "$run/site/cgi-bin/"
root=()
[ "$(id -u)" = 0 ] && root=(--allow-root-scripts)
declare -A port
for mode in cgi resident; do
    port[$mode]=$(free_port)
    extra=()
    [ $mode = resident ] && extra=(--resident '*.swift' --workers "$WORKERS")
    env -i PATH=/usr/bin:/bin "$bin/cgi-server" "$run/site" --port "${port[$mode]}" --swift-cache "$run/cache" \
        --swiftc "$(command -v swiftc)" \
        "${root[@]}" "${extra[@]}" > "$run/$mode.out" 2>&1 & pids+=($!)
done
for mode in cgi resident; do
    for _ in $(seq 300); do grep -q listening "$run/$mode.out" && break; sleep 0.1; done
    # Compiles the script (once, shared cache) and starts the first worker.
    curl -fsS -m 120 "http://127.0.0.1:${port[$mode]}/cgi-bin/hello.swift?name=bench" >/dev/null
done

printf '%-6s %-9s %10s %9s\n' round mode 'req/s' p99
declare -A total
for round in $(seq "$ROUNDS"); do
    for mode in cgi resident; do
        out=$(wrk -t2 -c8 -d5s --latency "http://127.0.0.1:${port[$mode]}/cgi-bin/hello.swift?name=bench")
        rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
        p99=$(awk '/ 99%/ {print $2}' <<< "$out")
        errors=$(awk '/Non-2xx|Socket errors/' <<< "$out")
        [ -z "$errors" ] || echo "warning: $mode: $errors" >&2
        printf '%-6s %-9s %10s %9s\n' "$round" "$mode" "$rps" "$p99"
        total[$mode]=$(awk -v a="${total[$mode]:-0}" -v b="$rps" 'BEGIN {print a + b}')
    done
done
awk -v r="${total[resident]}" -v c="${total[cgi]}" 'BEGIN {printf "resident / CGI: %.1fx (goal: 8x)\n", r / c}'
