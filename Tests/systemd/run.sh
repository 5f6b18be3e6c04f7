#!/usr/bin/env bash
# systemd socket activation (LISTEN_FDS) with Debian's systemd-socket-activate, which binds the
# address, passes the socket as descriptor 3 and starts the program on the first connection,
# as a .socket unit does. The commands are the ExecStart= lines of docs/systemd/*.service, with
# the install paths (/usr/local/bin, /srv/site, /srv/app/app) pointing into this checkout:
# - cgi-server: a shell script, the access log naming a trusted proxy's client, 40 requests
#   at once, SIGTERM → exit 0;
# - cgi fastcgi behind nginx: GET and a POST form, the "listening on" line, SIGHUP, SIGTERM → exit 0;
# - `cgi fastcgi` without --listen and without (or with another process's) LISTEN_FDS refuses to start.
# Every wait is bounded; every process started is stopped.
#
# Usage: Tests/systemd/run.sh   (from the package root; builds what it needs, installs systemd
# and nginx if missing). Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Tests/shell/common.sh

need=()
for pair in systemd-socket-activate:systemd nginx:nginx curl:curl; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bin=$(swift build --show-bin-path)
for product in cgi cgi-server; do [ -x "$bin/$product" ] || swift build --product $product >/dev/null; done
run=$(mktemp -d /tmp/systemd-run.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() { stop_all; rm -rf "$run"; }
trap cleanup EXIT

# ExecStart= of a unit, with the install paths replaced: prints one word per line.
exec_start() {
    unit_value "docs/systemd/$1" ExecStart | sed -e "s|/usr/local/bin/|$bin/|" -e "s|/srv/site|$PWD/Examples/site|" \
        -e "s|/srv/app/app|$run/app/app|" | tr ' ' '\n'
}

# The address of ListenStream= in a socket unit, with its port replaced by PORT.
listen_address() { unit_value "docs/systemd/$1" ListenStream | sed "s/:[0-9]*$/:$2/"; }

echo "== cgi-server"
port=$(free_port)
mapfile -t command < <(exec_start cgi-server.service)
# As root, the unit's User= is not there to drop privileges: the test allows root scripts.
timeout 120 systemd-socket-activate -l "$(listen_address cgi-server.socket "$port")" \
    "${command[@]}" --allow-root-scripts > "$run/server.out" 2> "$run/server.err" &
server=$!
pids+=($server)
wait_listen "$port" || fail "systemd-socket-activate did not listen on $port"
body=$(curl -sS --max-time 30 "http://127.0.0.1:$port/cgi-bin/hello.sh?activated" || true)
[ "$body" = "Hello from the shell! You asked for activated." ] && pass "cgi-server: a script on the passed socket" \
    || { fail "cgi-server: $body"; cat "$run/server.err"; }
wait_line "$run/server.out" "^listening on http://127\.0\.0\.1:$port/\$" 10 && pass "cgi-server: says where it listens" \
    || fail "cgi-server: no listening line: $(head -3 "$run/server.out")"
curl -sS --max-time 30 -o /dev/null -H 'X-Forwarded-For: 203.0.113.9' "http://127.0.0.1:$port/cgi-bin/hello.sh" || true
wait_line "$run/server.out" '^203\.0\.113\.9 - - \[' 10 && pass "cgi-server: --trusted-proxy from the unit applies" \
    || fail "cgi-server: access log: $(tail -2 "$run/server.out")"
ok=$(seq 40 | xargs -P 20 -I{} curl -s --max-time 30 -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$port/cgi-bin/hello.sh?{}" \
    | grep -c '^200$' || true)
[ "$ok" = 40 ] && pass "cgi-server: 40 requests at once, all 200" || fail "cgi-server: $ok of 40 requests answered 200"
kill -TERM $server
status=0; wait_exit $server 30 || status=$?
[ $status = 0 ] && pass "cgi-server: SIGTERM → exit 0" || fail "cgi-server: exit status $status after SIGTERM"

echo "== cgi fastcgi behind nginx"
mkdir -p "$run/app-source"
cp Tests/fastcgi/app.swift "$run/app-source/"
"$bin/cgi" build "$run/app-source" --output "$run/app" --swift-cache "$run/cache" >/dev/null
app_port=$(free_port)
nginx_port=$(free_port)
sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$nginx_port|g" -e "s|@APP_PORT@|$app_port|g" Tests/systemd/nginx.conf > "$run/nginx.conf"
nginx -c "$run/nginx.conf" & pids+=($!)
mapfile -t command < <(exec_start cgi-fastcgi.service)
timeout 120 systemd-socket-activate -l "$(listen_address cgi-fastcgi.socket "$app_port")" "${command[@]}" \
    > "$run/manager.out" 2> "$run/manager.err" &
manager=$!
pids+=($manager)
wait_listen "$app_port" || fail "systemd-socket-activate did not listen on $app_port"
wait_port "$nginx_port" "http://127.0.0.1:$nginx_port/" || fail "nginx did not start"
body=$(curl -sS --max-time 60 "http://127.0.0.1:$nginx_port/app" || true)
[ "$body" = "Hello, world!" ] && pass "cgi fastcgi: GET through nginx" || { fail "cgi fastcgi GET: $body"; cat "$run/manager.err"; }
body=$(curl -sS --max-time 30 -d 'name=Ada&city=Paris' "http://127.0.0.1:$nginx_port/app?echo" || true)
[ "$body" = "name=Ada&city=Paris" ] && pass "cgi fastcgi: POST form through nginx" || fail "cgi fastcgi POST: $body"
wait_line "$run/manager.out" "^listening on fastcgi://127\.0\.0\.1:$app_port\$" 10 \
    && pass "cgi fastcgi: says where it listens" || fail "cgi fastcgi: $(cat "$run/manager.out")"
kill -HUP $manager
sleep 1
body=$(curl -sS --max-time 30 "http://127.0.0.1:$nginx_port/app" || true)
[ "$body" = "Hello, world!" ] && pass "cgi fastcgi: serves on after SIGHUP" || fail "cgi fastcgi after SIGHUP: $body"
kill -TERM $manager
status=0; wait_exit $manager 40 || status=$?
[ $status = 0 ] && pass "cgi fastcgi: SIGTERM → exit 0" || fail "cgi fastcgi: exit status $status after SIGTERM"

echo "== cgi fastcgi without a socket"
status=0
env -u LISTEN_FDS timeout 30 "$bin/cgi" fastcgi "$run/app/app" > /dev/null 2> "$run/none.err" || status=$?
[ $status != 0 ] && grep -q -- "--listen is needed" "$run/none.err" && pass "no --listen, no LISTEN_FDS: refused" \
    || fail "no --listen: status $status, $(cat "$run/none.err")"
status=0
LISTEN_FDS=1 LISTEN_PID=1 timeout 30 "$bin/cgi" fastcgi "$run/app/app" > /dev/null 2> "$run/other.err" || status=$?
[ $status != 0 ] && grep -q -- "--listen is needed" "$run/other.err" && pass "LISTEN_PID of another process: refused" \
    || fail "LISTEN_PID of another process: status $status, $(cat "$run/other.err")"

if [ $failures -gt 0 ]; then echo "$failures checks failed"; exit 1; fi
echo "all socket activation checks passed"
