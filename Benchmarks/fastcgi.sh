#!/usr/bin/env bash
# FastCGI hello behind one nginx (unix sockets, upstream keepalive 8, fastcgi_keep_conn on),
# measured with `wrk -t2 -c8 -d5s`, one run, the applications taking turns:
#   swift   Examples/site/cgi-bin/hello.swift under `cgi fastcgi` (the CGI library's FastCGI mode:
#           a CGI.run program started with a listening socket on descriptor 0)
#   c       the libfcgi C worker (Tests/Fixtures/fastcgi/worker.c) under `cgi fastcgi`: the
#           practical limit of a resident hello behind nginx
#   php     PHP-FPM's hello (Benchmarks/fastcgi/hello.php), pm = static, the same worker count
#   go      Go's net/http/fcgi hello (Benchmarks/fastcgi/hello.go)
#   cgi     the same hello.swift as CGI through cgi-server (nginx proxies to it)
# then the same with a 1 MiB POST echo (Benchmarks/fastcgi/echo.swift for swift and cgi). Prints req/s, p99 and each
# row's ratio to swift, with the goals: 1.2x php, 1.5x go, 8x cgi; and where the time goes: the
# CPU time per request of the application's processes (workers, manager, children reaped) and of
# nginx, read from /proc before and after each wrk run.
#
# Usage: Benchmarks/fastcgi.sh [WORKERS]   (run as root from anywhere; default 4 workers;
#        installs nginx, php-fpm, golang-go, libfcgi-dev and wrk if missing; builds release)
set -euo pipefail
WORKERS=${1:-4}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
cd "$ROOT"

need=()
for pair in nginx:nginx php-fpm8.2:php-fpm go:golang-go wrk:wrk cc:gcc; do
    command -v "${pair%%:*}" >/dev/null || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
[ -f /usr/include/fcgiapp.h ] || need+=(libfcgi-dev)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
swift build -c release --product cgi >/dev/null
swift build -c release --product cgi-server >/dev/null
bin=$ROOT/.build/release

run=$(mktemp -d /tmp/fastcgi-bench.XXXXXX)
chmod 755 "$run"
pids=()
source "$HERE/common.sh"
cleanup() { stop_all; rm -rf "$run"; }
trap cleanup EXIT
wait_for() { for _ in $(seq 300); do [ -e "$1" ] && return 0; sleep 0.1; done; echo "no $1" >&2; return 1; }

# The applications.
mkdir -p "$run/src" "$run/site/cgi-bin" "$run/site/htdocs"
cp Examples/site/cgi-bin/hello.swift "$HERE/fastcgi/echo.swift" "$run/src/"
# Plain executables for cgi-server (no compiler at run time), the cache for cgi fastcgi.
"$bin/cgi" build "$run/src" --output "$run/site/cgi-bin" --swift-cache "$run/cache" >/dev/null
cc -O2 -o "$run/c-worker" Tests/Fixtures/fastcgi/worker.c -lfcgi
GOCACHE=$run/gocache GOPATH=$run/gopath go build -o "$run/go-hello" "$HERE/fastcgi/hello.go"
cp "$HERE/fastcgi/hello.php" "$run/hello.php"
sed -e "s|@RUN@|$run|g" -e "s|@WORKERS@|$WORKERS|g" "$HERE/fastcgi/php-fpm.conf" > "$run/php-fpm.conf"
cgi_port=$(free_port); port=$(free_port)
sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$port|g" -e "s|@CGI_PORT@|$cgi_port|g" "$HERE/fastcgi/nginx.conf" > "$run/nginx.conf"

declare -A root # application name -> the process whose tree runs it
manager() { # NAME PROGRAM
    "$bin/cgi" fastcgi --listen "unix:$run/$1.sock" --socket-mode 0666 --workers "$WORKERS" \
        --swift-cache "$run/cache" "$2" > "$run/$1.out" 2> "$run/$1.err" & pids+=($!)
    root[$1]=$!
}
manager c "$run/c-worker"
manager swift "$run/src/hello.swift"
manager swift-echo "$run/src/echo.swift"
/usr/sbin/php-fpm8.2 -R -F -y "$run/php-fpm.conf" & pids+=($!); root[php]=$!
GOMAXPROCS=$WORKERS "$run/go-hello" "$run/go.sock" & pids+=($!); root[go]=$!
# cgi-server refuses to run scripts as root unless told to (this benchmark runs as root).
root_scripts=(); [ "$(id -u)" = 0 ] && root_scripts=(--allow-root-scripts)
env -i PATH=/usr/bin:/bin "$bin/cgi-server" "$run/site" --port "$cgi_port" --swift-cache "$run/cache" \
    "${root_scripts[@]}" > "$run/cgi-server.out" 2>&1 & pids+=($!); root[cgi]=$!
nginx -c "$run/nginx.conf" & pids+=($!); root[nginx]=$!
for socket in c php go swift swift-echo; do wait_for "$run/$socket.sock"; done
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/c" && break; sleep 0.1; done


declare -A rps p99 app_cpu nginx_cpu
measure() { # KEY ROOT URL [wrk options]
    local key=$1 top=$2 url=$3; shift 3
    local out app_before nginx_before requests
    app_before=$(tree_cpu "$top"); nginx_before=$(tree_cpu "${root[nginx]}")
    out=$(wrk -t2 -c8 -d5s --latency "$@" "$url")
    requests=$(awk '/requests in/ {print $1}' <<< "$out")
    app_cpu[$key]=$(cpu_per_request "$app_before" "$(tree_cpu "$top")" "${requests:-0}")
    nginx_cpu[$key]=$(cpu_per_request "$nginx_before" "$(tree_cpu "${root[nginx]}")" "${requests:-0}")
    local non2xx
    rps[$key]=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    p99[$key]=$(wrk_p99 "$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<< "$out")
    [ -z "$non2xx" ] || echo "warning: $key: $non2xx non-2xx responses" >&2
    [ -n "${rps[$key]}" ] || { echo "warning: $key: no result; wrk said:" >&2; echo "$out" >&2; rps[$key]=0; }
}
wrk_p99() { awk '/ 99%/ {print $2}' <<< "$1"; }

base=http://127.0.0.1:$port
names=(swift c php go cgi)
url() { # NAME KIND
    case $1/$2 in
        cgi/hello) echo "$base/cgi-bin/hello" ;; cgi/echo) echo "$base/cgi-bin/echo" ;;
        swift/echo) echo "$base/swift-echo" ;; *) [ "$2" = echo ] && echo "$base/$1?echo" || echo "$base/$1" ;;
    esac
}
app_root() { # NAME KIND
    case $1/$2 in swift/echo) echo "${root[swift-echo]}" ;; *) echo "${root[$1]}" ;; esac
}
for kind in hello echo; do
    for name in "${names[@]}"; do
        if [ $kind = echo ]; then measure "$name/$kind" "$(app_root "$name" $kind)" "$(url "$name" $kind)" -s "$HERE/fastcgi/post.lua"
        else measure "$name/$kind" "$(app_root "$name" $kind)" "$(url "$name" $kind)"; fi
    done
done
echo "workers: $WORKERS; nginx keepalive 8, fastcgi_keep_conn on, unix sockets; wrk -t2 -c8 -d5s"
printf '%-8s %-6s %12s %10s %12s %14s %14s\n' test app req/s p99 swift/app "app µs/req" "nginx µs/req"
for kind in hello echo; do
    for name in "${names[@]}"; do
        ratio=$(awk -v a="${rps[swift/$kind]}" -v b="${rps[$name/$kind]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
        printf '%-8s %-6s %12s %10s %12s %14s %14s\n' "$kind" "$name" "${rps[$name/$kind]}" "${p99[$name/$kind]}" \
            "$ratio" "${app_cpu[$name/$kind]}" "${nginx_cpu[$name/$kind]}"
    done
done
echo "(app µs/req: CPU time of the application's processes per request, cgi: cgi-server and its scripts)"
echo "goals for swift: 1.20x php, 1.50x go, 8.00x cgi (hello)"
