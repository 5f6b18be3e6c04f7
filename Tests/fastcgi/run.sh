#!/usr/bin/env bash
# FastCGI through real fronts on loopback: nginx (upstream keepalive, fastcgi_keep_conn) and
# Apache httpd (mod_proxy_fcgi, enablereuse) in front of `cgi fastcgi`, and lighttpd (mod_fastcgi
# with bin-path) spawning the application itself. For each front: GET, a POST form, a 100 MiB
# upload (size and SHA-256 checked), streamed output that arrives before the application ends,
# an error (500) and a rejected request (413). Then faults: a worker killed with SIGKILL under
# wrk (the manager restarts it; the failed requests are counted and printed).
#
# The application is Tests/Fixtures/fastcgi/worker.c on Debian's libfcgi, which follows the
# manager's conventions (FCGI_MAX_REQUESTS, SIGTERM, FCGI_STATUS_FD).
#
# Usage: Tests/fastcgi/run.sh   (from the package root; builds `cgi` if needed, installs the
# Debian packages it lacks). Exits non-zero when a check fails; stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/../.."

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
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

cc -O2 -Wall -o "$run/worker" Tests/Fixtures/fastcgi/worker.c -lfcgi
head -c $((100 * 1024 * 1024)) /dev/urandom > "$run/upload.bin"
upload_sha=$(sha256sum < "$run/upload.bin" | cut -d' ' -f1)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Fills in a config from Tests/fastcgi/conf.
config() { sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$2|g" -e "s|@APP@|$run/worker|g" "Tests/fastcgi/conf/$1" > "$run/$1"; }

# Waits (up to 10 s) until something answers on the port.
wait_port() {
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
        sleep 0.1
    done
    return 1
}

# Starts `cgi fastcgi` with ARGS in the background and waits for its "listening on" line.
start_manager() {
    "$bin/cgi" fastcgi --listen "unix:$run/app.sock" --socket-mode 0666 "$@" "$run/worker" \
        > "$run/manager.out" 2> "$run/manager.err" &
    manager=$!
    pids+=("$manager")
    for _ in $(seq 100); do
        grep -q "^listening on unix:$run/app.sock$" "$run/manager.out" && return 0
        sleep 0.1
    done
    fail "cgi fastcgi did not say it was listening"; cat "$run/manager.err"; return 1
}

# Apache's children switch to www-data. Where the root folder is closed to other users (mode
# 0700), they could not even load a library, so Apache then runs in a private mount namespace
# whose root is a tmpfs with /usr, /etc, /var, /tmp, /dev, /proc and /run bound in.
start_apache2() {
    local command=(apache2 -f "$run/apache2.conf" -DFOREGROUND)
    if [ $(( 0$(stat -c %a /) & 1 )) = 1 ]; then exec "${command[@]}"; fi
    exec unshare --mount --fork --kill-child=SIGTERM bash -c '
        root=$1; shift
        mkdir -p "$root" && mount --make-rprivate / && mount -t tmpfs -o mode=755 tmpfs "$root" || exit 1
        for folder in usr etc var tmp dev proc run; do mkdir -p "$root/$folder"; mount --rbind "/$folder" "$root/$folder"; done
        for link in lib lib64 bin sbin; do ln -s "usr/$link" "$root/$link"; done
        exec chroot "$root" "$@"' apache2-root "$run/apache2-root" "${command[@]}"
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

    status=$(curl -sS -o /dev/null -w '%{http_code}' "$base?reject" || true)
    [ "$status" = 413 ] && pass "$name rejected request (413)" || fail "$name rejected: status $status"
}

start_manager --workers 2

port=$(free_port); config nginx.conf "$port"
nginx -c "$run/nginx.conf" & pids+=($!)
wait_port "$port" || fail "nginx did not start"
check_front nginx "$port"

port=$(free_port); config apache2.conf "$port"
start_apache2 & pids+=($!)
wait_port "$port" || fail "apache2 did not start"
check_front apache2 "$port"

port=$(free_port); config lighttpd.conf "$port"
lighttpd -D -f "$run/lighttpd.conf" & pids+=($!)
wait_port "$port" || fail "lighttpd did not start"
check_front lighttpd "$port"

# A worker killed with SIGKILL under load through nginx: the manager starts another, and the
# requests that failed are counted. wrk keeps 4 connections to the 4 workers, so every worker is
# busy (a libfcgi worker stays with one kept connection: more connections than workers would wait).
kill "$manager"; wait "$manager" || fail "cgi fastcgi did not exit 0 on SIGTERM"
[ ! -e "$run/app.sock" ] && pass "SIGTERM: drained, exited 0, socket removed" || fail "socket left after SIGTERM"
start_manager --workers 4
nginx_port=$(grep -o 'listen 127.0.0.1:[0-9]*' "$run/nginx.conf" | cut -d: -f2)
wrk -t1 -c4 -d4s "http://127.0.0.1:$nginx_port/app" > "$run/wrk.out" &
load=$!
sleep 1
victim=$(ps -o pid= --ppid "$manager" | head -1 | tr -d ' ')
kill -9 "$victim"
wait $load
requests=$(awk '/requests in/ {print $1}' "$run/wrk.out")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$run/wrk.out"); non2xx=${non2xx:-0}
errors=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' "$run/wrk.out"); errors=${errors:-0}
echo "kill -9 under wrk: $requests requests, $non2xx non-2xx, $errors socket errors"
grep -q "worker $victim ended: killed by signal 9" "$run/manager.err" \
    && pass "the killed worker was restarted" || fail "no restart of worker $victim"
[ "$(ps -o pid= --ppid "$manager" | wc -l)" = 4 ] && pass "4 workers again" || fail "workers: $(ps -o pid= --ppid "$manager" | wc -l)"
[ $((non2xx + errors)) -le 2 ] && pass "at most the killed worker's requests failed" || fail "$((non2xx + errors)) failed requests"

if [ $failures -gt 0 ]; then echo "$failures checks failed"; exit 1; fi
echo "all FastCGI front checks passed"
