#!/usr/bin/env bash
# Resident scripts (`cgi-server --resident`) under load, black-box: Tests/fastcgi/app.swift in
# cgi-bin, compiled by the server and kept running as a pool of FastCGI workers. Checks:
#   - a 100 MiB upload echoed back whole (size and SHA-256), with Content-Length and chunked;
#   - a worker killed with SIGKILL under wrk: no failed GET;
#   - the script edited under wrk: no failed request, and the new text is served;
#   - 100,000 requests: none failed, the same workers, no growth of RSS or descriptors in the
#     server or in the workers.
#
# Usage: Tests/resident/run.sh   (from the package root; builds cgi-server if needed, installs
# wrk if missing). Exits non-zero when a check fails; stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Tests/shell/common.sh

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
swift build --product cgi-server >/dev/null
bin=$(swift build --show-bin-path)
run=$(mktemp -d /tmp/resident-run.XXXXXX)
pids=()
cleanup() { stop_all; rm -rf "$run"; }
trap cleanup EXIT

mkdir -p "$run/site/cgi-bin" "$run/site/htdocs"
cp Tests/fastcgi/app.swift "$run/site/cgi-bin/app.swift"
head -c $((100 * 1024 * 1024)) /dev/urandom > "$run/upload.bin"
upload_sha=$(sha256sum < "$run/upload.bin" | cut -d' ' -f1)
root=()
[ "$(id -u)" = 0 ] && root=(--allow-root-scripts)

"$bin/cgi-server" "$run/site" --port 0 --resident '*.swift' --workers 2 --swift-cache "$run/cache" \
    --max-body $((200 * 1024 * 1024)) "${root[@]}" > "$run/server.log" 2>&1 &
server=$!
pids+=("$server")
wait_line "$run/server.log" '^listening on http://127.0.0.1:[0-9]+' || { cat "$run/server.log"; exit 1; }
base=$(grep -o '^listening on http://127.0.0.1:[0-9]*' "$run/server.log" | sed 's/^listening on //')
url="$base/cgi-bin/app.swift"
# The first request compiles the script and starts a worker.
[ "$(curl -sS --max-time 300 "$url")" = "Hello, world!" ] && pass "GET" || fail "GET"
workers() { ps -o pid= --ppid "$server" | tr -d ' ' | sort; }

# The upload, echoed by the worker.
for framing in length chunked; do
    extra=()
    [ $framing = chunked ] && extra=(-H 'Transfer-Encoding: chunked')
    curl -sS --max-time 120 --data-binary "@$run/upload.bin" -H 'Content-Type: application/octet-stream' "${extra[@]}" \
        "$url?echo" -o "$run/echoed.bin" || true
    size=$(stat -c %s "$run/echoed.bin" 2>/dev/null || echo 0)
    sha=$(sha256sum < "$run/echoed.bin" | cut -d' ' -f1)
    [ "$size" = $((100 * 1024 * 1024)) ] && [ "$sha" = "$upload_sha" ] \
        && pass "100 MiB upload, $framing (size and SHA-256)" || fail "100 MiB upload, $framing: $size bytes, $sha"
    rm -f "$run/echoed.bin"
done

# A worker killed with SIGKILL under wrk: its request goes to another worker.
wrk_counts -t2 -c8 -d4s "$url" > "$run/load.out" &
loading=$!
sleep 1.5
victim=$(workers | head -1)
[ -n "$victim" ] && kill -9 "$victim"
wait $loading
read -r requests failed < "$run/load.out"
echo "kill -9 of worker $victim under wrk: $requests requests, $failed failed"
[ "$requests" -gt 0 ] && [ "$failed" = 0 ] && pass "a worker killed under wrk: no failed GET" \
    || fail "a worker killed under wrk: $failed of $requests failed"
! kill -0 "$victim" 2>/dev/null && pass "the killed worker was reaped" || fail "worker $victim still there"

# The script edited under wrk: the server compiles it anew while requests go on (wrk waits up
# to 120 s for an answer), a new generation of workers takes over, the old one drains.
wrk_counts -t2 -c8 -d8s --timeout 120s "$url" > "$run/load.out" &
loading=$!
sleep 1
sed -i 's/Hello, world!/Hello, edited!/' "$run/site/cgi-bin/app.swift"
wait $loading
read -r requests failed < "$run/load.out"
echo "the script edited under wrk: $requests requests, $failed failed"
[ "$requests" -gt 0 ] && [ "$failed" = 0 ] && pass "an edit under wrk: no failed request" \
    || fail "an edit under wrk: $failed of $requests failed"
[ "$(curl -sS --max-time 300 "$url")" = "Hello, edited!" ] && pass "the edited text is served" || fail "the old text is still served"

# 100,000 requests after a warm-up: the same workers, none failed, nothing grows.
wrk_counts -t2 -c8 -d3s "$url" > /dev/null
before_workers=$(workers)
declare -A before
for pid in $server $before_workers; do before[$pid]=$(process_state "$pid"); done
# In runs of 5 s (at most 60), so that the workers never wait long enough to be drained as idle.
requests=0 failed=0
for _ in $(seq 60); do
    read -r answered lost < <(wrk_counts -t2 -c8 -d5s "$url")
    requests=$((requests + answered)) failed=$((failed + lost))
    [ "$requests" -ge 100000 ] && break
done
echo "100,000 requests: $requests answered, $failed failed"
[ "$requests" -ge 100000 ] && [ "$failed" = 0 ] && pass "100,000 requests, none failed" \
    || fail "100,000 requests: $requests answered, $failed failed"
[ "$(workers)" = "$before_workers" ] && pass "the same workers served all of them" || fail "workers changed during the load"
# A connection kept between requests is one descriptor at each end, there or not depending on
# which event loop asked last: the server may hold one more per worker, a worker one more.
for pid in $server $before_workers; do
    read -r rss_before fds_before <<< "${before[$pid]}"
    read -r rss_after fds_after <<< "$(process_state "$pid")"
    name=worker kept=1
    [ "$pid" = "$server" ] && name=server kept=2
    echo "$name $pid: RSS $rss_before -> $rss_after KiB, descriptors $fds_before -> $fds_after"
    [ $((rss_after - rss_before)) -lt 4096 ] && [ "$fds_after" -le $((fds_before + kept)) ] \
        && pass "$name $pid: RSS and descriptors flat" || fail "$name $pid grew"
done

kill "$server"
wait_exit "$server" 30 && pass "SIGTERM: the server exited 0" || fail "the server did not exit 0 on SIGTERM"
for pid in $before_workers; do ! kill -0 "$pid" 2>/dev/null || fail "worker $pid outlived the server"; done

if [ $failures -gt 0 ]; then echo "$failures checks failed"; exit 1; fi
echo "all resident checks passed"
