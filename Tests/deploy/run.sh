#!/usr/bin/env bash
# The configurations of docs/deploy.md, run as documented (docs/deploy/*.conf are included by a
# test's main configuration of each server; only port 80 and cgi-server's 127.0.0.1:8080 become
# free ports on 127.0.0.1, and /srv/site, /srv/app and /run/lighttpd folders of the test):
# - the files quoted in docs/deploy.md are the files run here (Tests/deploy/check-docs.py);
# - nginx in front of cgi-server --trusted-proxy 127.0.0.1: the example site's hello.sh, the
#   client's address in cgi-server's access log, and a client's own X-Forwarded-For replaced;
# - nginx with an upstream of three `cgi fastcgi` backends on 127.0.0.2, .3 and .4:9000 serving
#   the example site's hello.swift: GET and POST, every backend answers; a rolling restart
#   (SIGHUP to each backend in turn) under wrk; one backend killed with SIGKILL (manager and
#   workers) under wrk; requests per second with 1, 2 and 3 backends (a table);
# - Caddy's reverse_proxy with transport fastcgi to the three backends, Apache mod_proxy_fcgi to
#   one, and lighttpd starting hello (built by `cgi build`) itself with bin-path: GET and POST;
# - the guestbook (release build) on the same three backends, sharing one PostgreSQL database (a
#   server of Debian's packages on 127.0.0.1, Tests/shell/postgres.sh) and one images folder,
#   each with its own data folder: 64 concurrent posters for GUESTBOOK_LOAD_SECONDS (default 10)
#   through nginx, every accepted post (303) in PostgreSQL exactly once (psql), POSTs accepted by
#   every backend (nginx's $upstream_addr); an image posted through one backend and served by
#   the others; PostgreSQL stopped (503 pages) and started again (answers again); then the
#   entries page under wrk: rolling restart, kill -9, a 1/2/3 table.
# Failed requests are printed; the rolling restarts and the kills must lose none (all are GETs),
# and no post may be lost, stored twice or answered 5xx. Every wrk runs for a fixed time and every
# wait is bounded.
#
# Usage: Tests/deploy/run.sh   (from the package root, as root; builds what it needs, installs
# nginx, apache2, lighttpd, caddy, wrk and postgresql if missing). Exits non-zero when a check
# fails; stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Tests/shell/common.sh
source Tests/shell/postgres.sh

need=()
for pair in nginx:nginx apache2:apache2 lighttpd:lighttpd caddy:caddy wrk:wrk curl:curl python3:python3; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bin=$(swift build --show-bin-path)
for product in cgi cgi-server; do [ -x "$bin/$product" ] || swift build --product $product >/dev/null; done
# The guestbook as Tests/guestbook/run.sh builds it (release: its password hashing is slow unoptimized).
swift build -c release --product guestbook >/dev/null
release=$(swift build -c release --show-bin-path)
run=$(mktemp -d /tmp/deploy-run.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() { stop_all; stop_postgres; rm -rf "$run"; }
trap cleanup EXIT
site=$PWD/Examples/site

python3 Tests/deploy/check-docs.py && pass "docs/deploy.md quotes the files tested" || fail "docs/deploy.md and docs/deploy/ differ"

# Starts nginx NAME with docs/deploy/FILE on port PORT (extra sed expressions after them).
start_nginx() {
    local name=$1 file=$2 port=$3; shift 3
    sed -e "s|listen 80;|listen 127.0.0.1:$port;|" "$@" "docs/deploy/$file" > "$run/$name.conf"
    sed -e "s|@RUN@|$run|g" -e "s|@NAME@|$name|g" Tests/deploy/nginx-main.conf > "$run/nginx-$name.conf"
    nginx -c "$run/nginx-$name.conf" & pids+=($!)
    nginx_pid=$!
}

# Runs wrk for SECONDS at URL and prints "REQUESTS FAILED" (non-2xx answers and socket errors).
load() {
    local seconds=$1 url=$2 out=$run/wrk-$RANDOM.out
    timeout $((seconds + 30)) wrk -t2 -c16 -d"${seconds}s" "$url" > "$out" || true
    local requests non2xx errors
    requests=$(awk '/requests in/ {print $1}' "$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$out")
    errors=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' "$out")
    echo "${requests:-0} $(( ${non2xx:-0} + ${errors:-0} ))"
}

# GET and POST of hello.swift through the front NAME at URL (waits up to 10 s for it to answer).
check_hello() {
    local name=$1 url=$2 body
    wait_port "" "$url" || fail "$name did not start"
    body=$(curl -sS --max-time 30 "$url?name=$name" || true)
    [ "$body" = "Hello, $name!" ] && pass "$name: GET" || fail "$name GET: $body"
    body=$(curl -sS --max-time 30 -d "name=$name+form" "$url" || true)
    [ "$body" = "Hello, $name form!" ] && pass "$name: POST form" || fail "$name POST: $body"
}

echo "== nginx → cgi-server --trusted-proxy"
server_port=$(free_port)
front=$(free_port)
"$bin/cgi-server" "$site" --port "$server_port" --trusted-proxy 127.0.0.1 --access-log - --allow-root-scripts \
    > "$run/server.out" 2> "$run/server.err" & pids+=($!)
wait_line "$run/server.out" '^listening on ' 30 || fail "cgi-server did not start: $(cat "$run/server.err")"
start_nginx proxy nginx-cgi-server.conf "$front" -e "s|127.0.0.1:8080|127.0.0.1:$server_port|"
wait_port "$front" || fail "nginx (proxy) did not start"
body=$(curl -sS --max-time 30 "http://127.0.0.1:$front/cgi-bin/hello.sh?deploy" || true)
[ "$body" = "Hello from the shell! You asked for deploy." ] && pass "nginx → cgi-server: hello.sh" || fail "hello.sh: $body"
curl -sS --max-time 30 -o /dev/null -H 'X-Forwarded-For: 198.51.100.66' "http://127.0.0.1:$front/cgi-bin/hello.sh?spoof" || true
wait_line "$run/server.out" 'hello\.sh\?spoof' 10 || true
line=$(grep 'hello\.sh?spoof' "$run/server.out" || true)
case $line in
    "127.0.0.1 - - ["*) pass "nginx → cgi-server: the access log has nginx's client, a client's X-Forwarded-For is replaced" ;;
    *) fail "access log line: $line" ;;
esac
status=$(curl -sS --max-time 30 -o /dev/null -w '%{http_code}' -d 'name=Ann&address=Main+Street' \
    "http://127.0.0.1:$front/cgi-bin/hello.sh" || true)
[ "$status" = 200 ] && pass "nginx → cgi-server: POST" || fail "POST: $status"

echo "== nginx → three cgi fastcgi backends"
# The backends' program: `cgi fastcgi` on ADDRESS:9000 (run in the background: exec makes its pid $!).
hello_backend() {
    exec "$bin/cgi" fastcgi --listen "$1:9000" --workers 2 --swift-cache "$run/cache" "$site/cgi-bin/hello.swift"
}
backend_program=hello_backend

# Starts backend_program on ADDRESS and waits (up to 120 s) until it listens.
start_backend() {
    local address=$1
    $backend_program "$address" > "$run/backend-$address.out" 2> "$run/backend-$address.err" &
    pids+=($!)
    backend[$address]=$!
    wait_line "$run/backend-$address.out" "^listening on fastcgi://$address:9000\$" 120 \
        || { fail "backend $address did not start"; cat "$run/backend-$address.err"; }
}

# Stops the three backends with SIGTERM; each must end with status 0 within 40 s.
stop_backends() {
    local address status
    for address in 127.0.0.2 127.0.0.3 127.0.0.4; do
        kill -TERM "${backend[$address]}" 2>/dev/null || true
        status=0; wait_exit "${backend[$address]}" 40 || status=$?
        [ $status = 0 ] || fail "backend $address: exit status $status after SIGTERM"
    done
}
declare -A backend
for address in 127.0.0.2 127.0.0.3 127.0.0.4; do start_backend $address; done
front=$(free_port)
start_nginx upstream nginx-fastcgi-upstream.conf "$front"
url="http://127.0.0.1:$front/hello"
check_hello nginx "$url"

# Every backend serves: nginx's access log names the backend of each of 30 requests.
answered=0
for number in $(seq 30); do
    [ "$(curl -sS --max-time 10 "$url?name=$number" || true)" = "Hello, $number!" ] && answered=$((answered + 1))
done
used=$(awk '{print $1}' "$run/nginx-upstream-access.log" | sort -u | tr '\n' ' ')
[ "$answered" = 30 ] && [ "$used" = "127.0.0.2:9000 127.0.0.3:9000 127.0.0.4:9000 " ] \
    && pass "nginx upstream: 30 requests answered, spread over the three backends" \
    || fail "nginx upstream: $answered of 30 answered, backends used: $used"

workers_of() { ps -o pid= --ppid "${backend[$1]}" | tr -d ' ' | sort | tr '\n' ' '; }

# SIGHUP to each backend in turn, 2.5 s apart, under wrk at URL for 10 s: no request may fail,
# and every old worker must be replaced. NAME labels the output.
check_rolling_restart() {
    local url=$1 name=$2 address pid after requests failed
    declare -A before
    for address in 127.0.0.2 127.0.0.3 127.0.0.4; do before[$address]=$(workers_of $address); done
    read -r requests failed < <(
        load 10 "$url" &
        sleep 1
        for address in 127.0.0.2 127.0.0.3 127.0.0.4; do kill -HUP "${backend[$address]}"; sleep 2.5; done
        wait
    )
    echo "$name: rolling restart (SIGHUP to each backend, 2.5 s apart) under wrk -c16 10 s: $requests requests, $failed failed"
    [ "$requests" -gt 0 ] && [ "$failed" = 0 ] && pass "$name: rolling restart, no failed request" \
        || fail "$name: rolling restart: $failed of $requests failed"
    for address in 127.0.0.2 127.0.0.3 127.0.0.4; do
        after=$(workers_of $address)
        for pid in ${before[$address]}; do
            [[ " $after" == *" $pid "* ]] && fail "backend $address: worker $pid survived its SIGHUP"
        done
        [ -n "$after" ] || fail "backend $address: no workers after SIGHUP"
    done
}

# Kills one backend (manager and workers, SIGKILL) under wrk at URL for 6 s: nginx must fail
# over with no failed request; the backend is then started again. NAME labels the output.
check_backend_killed() {
    local url=$1 name=$2 victim=127.0.0.3 requests failed
    read -r requests failed < <(
        load 6 "$url" &
        sleep 2
        workers=$(ps -o pid= --ppid "${backend[$victim]}" | tr -d ' ')
        kill -9 "${backend[$victim]}" $workers
        wait
    ) 2>/dev/null
    echo "$name: backend $victim killed (SIGKILL, manager and workers) under wrk -c16 6 s: $requests requests, $failed failed"
    [ "$requests" -gt 0 ] && [ "$failed" = 0 ] && pass "$name: kill -9 of a backend, nginx failed over, no failed GET" \
        || fail "$name: kill -9 of a backend: $failed of $requests failed"
    wait "${backend[$victim]}" 2>/dev/null || true
    start_backend $victim
}

# Requests per second at PATH through nginx with docs/deploy/FILE, with 1, 2 and 3 backends
# (the same file with the later server lines removed); any answer but 2xx fails. TITLE heads the table.
throughput_table() {
    local file=$1 path=$2 title=$3 count front out rate non2xx drop
    echo
    echo "$title through nginx, wrk -t2 -c16 5 s (one machine: the cost of a backend, not scaling)"
    printf '%-9s %10s %8s\n' backends "requests/s" failed
    for count in 1 2 3; do
        front=$(free_port)
        drop=()
        [ $count -lt 3 ] && drop+=(-e '/server 127.0.0.4:9000/d')
        [ $count -lt 2 ] && drop+=(-e '/server 127.0.0.3:9000/d')
        start_nginx "n$count" "$file" "$front" "${drop[@]}"
        wait_port "$front" "http://127.0.0.1:$front$path" || fail "nginx ($count backends) did not start"
        out=$run/throughput-$count.out
        timeout 40 wrk -t2 -c16 -d5s "http://127.0.0.1:$front$path" > "$out" || true
        rate=$(awk '/Requests\/sec/ {print $2}' "$out")
        non2xx=$(awk '/Non-2xx/ {print $NF}' "$out")
        printf '%-9s %10s %8s\n' $count "${rate:-0}" "${non2xx:-0}"
        [ "${non2xx:-0}" = 0 ] && [ -n "$rate" ] || fail "$title with $count backends: ${non2xx:-no} failed answers"
        kill "$nginx_pid" 2>/dev/null || true; wait_exit "$nginx_pid" 10 || true
    done
    echo
}

check_rolling_restart "$url" hello
check_backend_killed "$url" hello
kill "$nginx_pid" 2>/dev/null || true; wait_exit "$nginx_pid" 10 || true
throughput_table nginx-fastcgi-upstream.conf /hello hello.swift

echo "== Caddy → the three backends"
front=$(free_port)
# The site address :80 becomes a free port on 127.0.0.1 alone.
sed "s|^:80 {|:$front {\n\tbind 127.0.0.1|" docs/deploy/Caddyfile > "$run/Caddyfile"
sed "s|@RUN@|$run|g" Tests/deploy/caddy-main.Caddyfile > "$run/Caddyfile.main"
XDG_DATA_HOME=$run/caddy-data XDG_CONFIG_HOME=$run/caddy-config HOME=$run \
    caddy run --config "$run/Caddyfile.main" --adapter caddyfile > "$run/caddy.out" 2>&1 &
caddy=$!
pids+=($caddy)
check_hello Caddy "http://127.0.0.1:$front/hello"
kill $caddy 2>/dev/null || true; wait_exit $caddy 10 || true

echo "== Apache mod_proxy_fcgi → a backend"
front=$(free_port)
sed "s|<VirtualHost \*:80>|<VirtualHost *:$front>|" docs/deploy/apache2-proxy-fcgi.conf > "$run/apache2-site.conf"
sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$front|g" Tests/deploy/apache2-main.conf > "$run/apache2.conf"
start_apache2 "$run/apache2.conf" & pids+=($!)
check_hello Apache "http://127.0.0.1:$front/hello"
[ -s "$run/apache2.pid" ] && kill "$(cat "$run/apache2.pid")" 2>/dev/null || true

echo "== lighttpd bin-path"
mkdir -p "$run/app"
cp "$site/cgi-bin/hello.swift" "$run/app/"
"$bin/cgi" build "$run/app" --output "$run/app/bin" --swift-cache "$run/cache" >/dev/null || fail "cgi build"
front=$(free_port)
sed -e "s|/srv/app|$run/app|g" -e "s|/run/lighttpd|$run|" docs/deploy/lighttpd-bin-path.conf > "$run/lighttpd-site.conf"
sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$front|g" Tests/deploy/lighttpd-main.conf > "$run/lighttpd.conf"
lighttpd -D -f "$run/lighttpd.conf" & lighttpd=$!
pids+=($lighttpd)
check_hello lighttpd "http://127.0.0.1:$front/hello"
kill $lighttpd 2>/dev/null || true; wait_exit $lighttpd 10 || true

stop_backends

echo "== nginx → the guestbook on three backends, one PostgreSQL database"
start_postgres || fail "PostgreSQL did not start"
psql -X -Atc 'SELECT version()' | sed 's/^/server: /'
install -d "$run/cgi-bin" "$run/images"
install -m 755 "$release/guestbook" "$run/cgi-bin/guestbook"
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
# Each backend as on a machine of its own: its own data folder; the database, the signing key
# and the images folder (a shared mount on real machines) in common.
guestbook_backend() {
    exec "$bin/cgi" fastcgi --listen "$1:9000" --workers 2 --env "DATABASE_URL=$DATABASE_URL" \
        --env "GUESTBOOK_SECRET=$secret" --env "GUESTBOOK_DATA=$run/data-$1" --env "GUESTBOOK_IMAGES=$run/images" \
        "$run/cgi-bin/guestbook"
}
backend_program=guestbook_backend
for address in 127.0.0.2 127.0.0.3 127.0.0.4; do start_backend $address; done
front=$(free_port)
start_nginx guestbook nginx-guestbook-upstream.conf "$front"
url="http://127.0.0.1:$front/cgi-bin/guestbook"
wait_port "" "$url/" || fail "nginx (guestbook) did not start"

python3 Tests/guestbook/check.py load "$url" "$DATABASE_URL" "${GUESTBOOK_LOAD_SECONDS:-10}" 64 deploy \
    && pass "guestbook: 64 posters through nginx, every accepted post in PostgreSQL exactly once, no 5xx" \
    || fail "guestbook: concurrent posts through nginx"
# Which backend took each accepted post (nginx's log: $upstream_addr $status $request_method $uri).
spread=$(awk '$3 == "POST" && $2 == 303 {print $1}' "$run/nginx-guestbook-access.log" | sort | uniq -c \
    | awk '{printf "%s%s: %s", (NR > 1 ? ", " : ""), $2, $1}')
echo "accepted posts per backend: $spread"
[ "$(awk '$3 == "POST" && $2 == 303 {print $1}' "$run/nginx-guestbook-access.log" | sort -u | wc -l)" = 3 ] \
    && pass "guestbook: posts were accepted by all three backends" || fail "guestbook: posts reached only: $spread"
server_errors=$(awk '$2 >= 500' "$run/nginx-guestbook-access.log" | wc -l)
[ "$server_errors" = 0 ] && pass "guestbook: no 5xx answer in nginx's log" || fail "guestbook: $server_errors 5xx answers"

lines=$(wc -l < "$run/nginx-guestbook-access.log")
python3 Tests/guestbook/check.py image "$url" 12 && pass "guestbook: an image posted through one backend is served by any" \
    || fail "guestbook: the shared image"
served=$(tail -n +"$((lines + 1))" "$run/nginx-guestbook-access.log" | awk '$3 == "GET" && $2 == 200 && $4 ~ /\/image\// {print $1}' | sort -u | wc -l)
[ "$served" = 3 ] && pass "guestbook: the image was served by all three backends" \
    || fail "guestbook: the image was served by $served backends"

# PostgreSQL stopped under the backends: 503 pages, no crash; started again: the pools reconnect.
stop_postgres
python3 Tests/guestbook/check.py database-down "$url" && pass "guestbook: PostgreSQL down, 503 with Retry-After" \
    || fail "guestbook: PostgreSQL down"
resume_postgres || fail "PostgreSQL did not start again"
python3 Tests/guestbook/check.py database-up "$url" 15 && pass "guestbook: PostgreSQL back, the backends answer again" \
    || fail "guestbook: PostgreSQL back"

check_rolling_restart "$url/" guestbook
check_backend_killed "$url/" guestbook
kill "$nginx_pid" 2>/dev/null || true; wait_exit "$nginx_pid" 10 || true
throughput_table nginx-guestbook-upstream.conf /cgi-bin/guestbook/ "the guestbook's entries page (PostgreSQL)"
stop_backends

if [ $failures -gt 0 ]; then echo "$failures checks failed"; exit 1; fi
echo "all deployment checks passed"
