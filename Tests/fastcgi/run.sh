#!/usr/bin/env bash
# FastCGI through real fronts on loopback: nginx (upstream keepalive, fastcgi_keep_conn) and
# Apache httpd (mod_proxy_fcgi, enablereuse) in front of `cgi fastcgi`, and lighttpd (mod_fastcgi
# with bin-path) spawning the application itself. For each front: GET, a POST form, a 100 MiB
# upload (size and SHA-256 checked), streamed output that arrives before the application ends,
# an error (500) and a rejected request (413). Then faults: a worker killed with SIGKILL under
# wrk (the manager restarts it; the failed requests are counted and printed), and each worker's
# RSS and descriptors over 100,000 requests.
#
# Two rounds: the application is first Tests/Fixtures/fastcgi/worker.c on Debian's libfcgi (it
# follows the manager's conventions: FCGI_MAX_REQUESTS, SIGTERM, FCGI_STATUS_FD), then
# Tests/fastcgi/app.swift in the CGI library's FastCGI mode (`cgi fastcgi` compiles it; lighttpd
# runs it as built by `cgi build`). With the Swift application, nginx keeps up to 32 connections
# to 2 workers under wrk -c32, and every request must be answered.
#
# Usage: Tests/fastcgi/run.sh   (from the package root; builds `cgi` if needed, installs the
# Debian packages it lacks). Exits non-zero when a check fails; stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Tests/shell/common.sh

need=()
for pair in nginx:nginx apache2:apache2 lighttpd:lighttpd wrk:wrk curl:curl cc:gcc; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
[ -f /usr/include/fcgiapp.h ] || need+=(libfcgi-dev)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bin=$(swift build --show-bin-path)
[ -x "$bin/cgi" ] || swift build --product cgi >/dev/null
run=$(mktemp -d /tmp/fastcgi-run.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    # Apache may run under unshare, which does not pass signals on: stop it through its pid file.
    [ -s "$run/apache2.pid" ] && kill "$(cat "$run/apache2.pid")" 2>/dev/null || true
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$run"
}
trap cleanup EXIT

cc -O2 -Wall -o "$run/worker" Tests/Fixtures/fastcgi/worker.c -lfcgi
head -c $((100 * 1024 * 1024)) /dev/urandom > "$run/upload.bin"
upload_sha=$(sha256sum < "$run/upload.bin" | cut -d' ' -f1)

# Fills in a config from Tests/fastcgi/conf (APP: the program lighttpd starts).
config() { sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$2|g" -e "s|@APP@|${3:-}|g" "Tests/fastcgi/conf/$1" > "$run/$1"; }

# Starts `cgi fastcgi` with ARGS and PROGRAM in the background and waits for its "listening on" line.
start_manager() {
    "$bin/cgi" fastcgi --listen "unix:$run/app.sock" --socket-mode 0666 --swift-cache "$run/cache" "$@" \
        > "$run/manager.out" 2> "$run/manager.err" &
    manager=$!
    pids+=("$manager")
    for _ in $(seq 600); do
        grep -q "^listening on unix:$run/app.sock$" "$run/manager.out" && return 0
        sleep 0.1
    done
    fail "cgi fastcgi did not say it was listening"; cat "$run/manager.err"; return 1
}

# The six checks through one front at http://127.0.0.1:PORT/app.
check_front() {
    local name=$1 base="http://127.0.0.1:$2/app" body status
    body=$(curl -sS "$base" || true)
    [ "$body" = "Hello, world!" ] && pass "$name GET" || fail "$name GET: $body"

    body=$(curl -sS -d 'name=Ada&city=Paris' "$base?echo" || true)
    [ "$body" = "name=Ada&city=Paris" ] && pass "$name POST form" || fail "$name POST form: $body"

    curl -sS --data-binary "@$run/upload.bin" -H 'Content-Type: application/octet-stream' "$base?echo" -o "$run/echoed.bin" || true
    local size sha
    size=$(stat -c %s "$run/echoed.bin" 2>/dev/null || echo 0)
    sha=$(sha256sum < "$run/echoed.bin" | cut -d' ' -f1)
    [ "$size" = $((100 * 1024 * 1024)) ] && [ "$sha" = "$upload_sha" ] \
        && pass "$name 100 MiB upload (size and SHA-256)" || fail "$name 100 MiB upload: $size bytes, $sha"

    rm -f "$run/release" "$run/stream.out"
    curl -sSN "$base?stream=$run/release" -o "$run/stream.out" &
    local reader=$!
    local seen=no
    for _ in $(seq 100); do
        grep -q '^first$' "$run/stream.out" 2>/dev/null && { seen=yes; break; }
        sleep 0.1
    done
    if [ $seen = yes ] && ! grep -q '^last$' "$run/stream.out"; then
        touch "$run/release"; wait $reader
        grep -q '^last$' "$run/stream.out" && pass "$name streamed output arrives before the end" \
            || fail "$name stream: no last part"
    else
        touch "$run/release"; wait $reader || true
        fail "$name stream: the first part did not arrive before the end"
    fi

    status=$(curl -sS -o /dev/null -w '%{http_code}' "$base?fail" || true)
    [ "$status" = 500 ] && pass "$name error (500)" || fail "$name error: status $status"

    # worker.c answers ?reject with a 413; the CGI library rejects a multipart body without a boundary with a 400.
    status=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: multipart/form-data' -d x "$base?reject" || true)
    case $status in 400|413) pass "$name rejected request ($status)" ;; *) fail "$name rejected: status $status" ;; esac
}

mkdir -p "$run/swift-app"
cp Tests/fastcgi/app.swift "$run/swift-app/"
"$bin/cgi" build "$run/swift-app" --output "$run/swift-built" --swift-cache "$run/cache" >/dev/null
nginx_port=$(free_port); config nginx.conf "$nginx_port"
apache_port=$(free_port); config apache2.conf "$apache_port"
lighttpd_port=$(free_port)

# One round: the manager runs MANAGED, lighttpd starts SPAWNED; the checks through each front.
round() {
    local label=$1 managed=$2 spawned=$3
    echo "== $label"
    start_manager --workers 2 "$managed"
    check_front "nginx ($label)" "$nginx_port"
    check_front "apache2 ($label)" "$apache_port"
    config lighttpd.conf "$lighttpd_port" "$spawned"
    lighttpd -D -f "$run/lighttpd.conf" & local lighttpd=$!
    pids+=($lighttpd)
    wait_port "$lighttpd_port" || fail "lighttpd did not start"
    check_front "lighttpd ($label)" "$lighttpd_port"
    kill $lighttpd; wait $lighttpd || true
    kill "$manager"; wait "$manager" || fail "cgi fastcgi did not exit 0 on SIGTERM"
    [ ! -e "$run/app.sock" ] && pass "SIGTERM: drained, exited 0, socket removed" || fail "socket left after SIGTERM"
}

nginx -c "$run/nginx.conf" & pids+=($!)
wait_port "$nginx_port" || fail "nginx did not start"
start_apache2 "$run/apache2.conf" & pids+=($!)
wait_port "$apache_port" || fail "apache2 did not start"
round libfcgi "$run/worker" "$run/worker"
round swift "$run/swift-app/app.swift" "$run/swift-built/app"

# Runs wrk with ARGS against nginx and prints "REQUESTS FAILED" (non-2xx answers and socket errors).
load() { wrk_counts "$@" "http://127.0.0.1:$nginx_port/app"; }

# nginx keeps up to 32 connections to 2 Swift workers: no worker may be held by an idle one.
start_manager --workers 2 "$run/swift-app/app.swift"
read -r requests failed < <(load -t2 -c32 -d3s)
echo "keepalive 32 in front of 2 workers: $requests requests, $failed failed"
[ "$requests" -gt 0 ] && [ "$failed" = 0 ] && pass "keepalive 32 / 2 workers: every request answered" \
    || fail "keepalive 32 / 2 workers: $failed of $requests failed"
kill "$manager"; wait "$manager" || fail "cgi fastcgi did not exit 0 on SIGTERM"

# A worker killed with SIGKILL under load through nginx: the manager starts another, and the
# requests that failed are counted. wrk keeps 4 connections to the 4 workers, so every worker is
# busy (a libfcgi worker stays with one kept connection: more connections than workers would wait).
kill_under_load() {
    local label=$1 program=$2
    start_manager --workers 4 "$program"
    load -t1 -c4 -d4s > "$run/load.out" &
    local running=$!
    sleep 1
    local victim
    victim=$(ps -o pid= --ppid "$manager" | head -1 | tr -d ' ')
    kill -9 "$victim"
    wait $running
    read -r requests failed < "$run/load.out"
    echo "kill -9 under wrk ($label): $requests requests, $failed failed"
    grep -q "worker $victim ended: killed by signal 9" "$run/manager.err" \
        && pass "$label: the killed worker was restarted" || fail "$label: no restart of worker $victim"
    local count
    count=$(ps -o pid= --ppid "$manager" | wc -l)
    [ "$count" = 4 ] && pass "$label: 4 workers again" || fail "$label: $count workers"
    [ "$failed" -le 2 ] && pass "$label: at most the killed worker's requests failed" || fail "$label: $failed failed requests"
    kill "$manager"; wait "$manager" || fail "cgi fastcgi did not exit 0 on SIGTERM"
}
kill_under_load libfcgi "$run/worker"
kill_under_load swift "$run/swift-app/app.swift"

# Each Swift worker's resident memory and descriptors over 100,000 requests through nginx
# (wrk -t2 stops each thread after 50,000 answers, or after 120 s).
start_manager --workers 2 "$run/swift-app/app.swift"
load -t2 -c8 -d2s > /dev/null
workers=$(ps -o pid= --ppid "$manager" | tr -d ' ' | sort)
declare -A before
for pid in $workers; do before[$pid]=$(process_state "$pid"); done
read -r requests failed < <(STOP_AFTER=50000 load -t2 -c8 -d120s -s Tests/shell/stop-after.lua)
echo "100,000 requests: $requests answered, $failed failed"
[ "$requests" -ge 100000 ] && [ "$failed" = 0 ] && pass "100,000 requests, none failed" \
    || fail "100,000 requests: $requests answered, $failed failed"
[ "$(ps -o pid= --ppid "$manager" | tr -d ' ' | sort)" = "$workers" ] \
    && pass "the same workers served all of them" || fail "workers changed during the load"
for pid in $workers; do
    read -r rss_before fds_before <<< "${before[$pid]}"
    read -r rss_after fds_after <<< "$(process_state "$pid")"
    echo "worker $pid: RSS $rss_before -> $rss_after KiB, descriptors $fds_before -> $fds_after"
    [ $((rss_after - rss_before)) -lt 2048 ] && [ "$fds_after" -le "$fds_before" ] \
        && pass "worker $pid: RSS and descriptors flat" || fail "worker $pid grew"
done
kill "$manager"; wait "$manager" || fail "cgi fastcgi did not exit 0 on SIGTERM"

if [ $failures -gt 0 ]; then echo "$failures checks failed"; exit 1; fi
echo "all FastCGI front checks passed"
