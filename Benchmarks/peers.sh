#!/bin/bash
# Compares cgi-server with lighttpd (mod_cgi), nginx + fcgiwrap and Apache (event + mod_cgid) on
# 127.0.0.1, serving the same htdocs/ and cgi-bin/. For each target (C hello CGI, Swift hello CGI
# using the CGI library (Examples/site's hello.swift, compiled ahead by `cgi build`: release, the
# Swift runtime linked in), shell hello CGI, static 1 KiB, static 10 MiB) and mode (keep-alive, Connection: close) it runs
# `wrk -t2 -c8 -d$SECONDS` against each server and prints req/s, p99 latency and the ratio to
# cgi-server. It also measures the posix_spawn+wait ceiling for the C hello with no server at all.
#
# Usage: Benchmarks/peers.sh [SECONDS [TARGET...]]   (run as root; builds cgi-server in release mode first)
#        TARGET is one of cgi-bin/hello.c cgi-bin/hello-swift cgi-bin/hello.sh 1k.bin 10m.bin (default: all five).
# Output: a table on stdout; raw wrk output in Benchmarks/out/results/.
set -euo pipefail
SECONDS_PER_RUN=${1:-5}
shift $(( $# > 0 ? 1 : 0 ))
TARGETS=("${@:-cgi-bin/hello.c cgi-bin/hello-swift cgi-bin/hello.sh 1k.bin 10m.bin}")
TARGETS=(${TARGETS[*]})
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=$HERE/out
PORT_CGI_SERVER=18190 PORT_APACHE=18191 PORT_LIGHTTPD=18192 PORT_NGINX=18193

install_peers() {
    local missing=()
    for tool in lighttpd nginx fcgiwrap spawn-fcgi apache2 wrk gcc; do
        command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || missing+=("$tool")
    done
    [ ${#missing[@]} -eq 0 ] && return
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lighttpd nginx fcgiwrap spawn-fcgi apache2 wrk gcc >/dev/null
}

prepare_site() {
    rm -rf "$OUT/run" "$OUT/logs" "$OUT/conf"
    mkdir -p "$OUT"/{htdocs,cgi-bin,run,logs,conf,results}
    gcc -O2 -o "$OUT/cgi-bin/hello.c" "$HERE/hello.c"
    install -m 0755 "$HERE/cgi-bin/hello.sh" "$OUT/cgi-bin/hello.sh"
    rm -rf "$OUT/swift-src" && mkdir -p "$OUT/swift-src"
    cp "$ROOT/Examples/site/cgi-bin/hello.swift" "$OUT/swift-src/hello-swift.swift"
    "$ROOT/.build/release/cgi" build "$OUT/swift-src" --output "$OUT/cgi-bin" --swift-cache "$OUT/swift-cache" > /dev/null
    gcc -O2 -pthread -o "$OUT/spawnloop" "$HERE/spawnloop.c"
    [ -s "$OUT/htdocs/1k.bin" ] || head -c 1024 /dev/urandom > "$OUT/htdocs/1k.bin"
    [ -s "$OUT/htdocs/10m.bin" ] || head -c 10485760 /dev/urandom > "$OUT/htdocs/10m.bin"
    chmod -R go-w "$OUT"
    chown www-data:www-data "$OUT/run" "$OUT/logs"
    for template in "$HERE"/peers/*.conf; do
        local name port
        name=$(basename "$template" .conf)
        case $name in
            lighttpd) port=$PORT_LIGHTTPD ;; nginx) port=$PORT_NGINX ;; apache) port=$PORT_APACHE ;;
        esac
        sed -e "s#@OUT@#$OUT#g" -e "s#@PORT@#$port#g" "$template" > "$OUT/conf/$name.conf"
    done
}

wait_for_port() {
    for _ in $(seq 1 100); do
        ss -Hltn "sport = :$1" | grep -q LISTEN && return 0
        sleep 0.1
    done
    echo "nothing listens on 127.0.0.1:$1" >&2
    return 1
}

CLEAN_ENV=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)

start_servers() {
    "${CLEAN_ENV[@]}" "$ROOT/.build/release/cgi-server" "$OUT" --port $PORT_CGI_SERVER --allow-root-scripts > "$OUT/logs/cgi-server.out" 2> "$OUT/logs/cgi-server.err" &
    echo $! > "$OUT/run/cgi-server.pid"
    "${CLEAN_ENV[@]}" /usr/sbin/lighttpd -f "$OUT/conf/lighttpd.conf"
    "${CLEAN_ENV[@]}" /usr/bin/spawn-fcgi -s "$OUT/run/fcgiwrap.sock" -M 0660 -U www-data -G www-data \
        -u www-data -g www-data -P "$OUT/run/fcgiwrap.pid" -- /usr/sbin/fcgiwrap -c 4 > /dev/null
    "${CLEAN_ENV[@]}" /usr/sbin/nginx -e "$OUT/logs/nginx-error.log" -c "$OUT/conf/nginx.conf"
    "${CLEAN_ENV[@]}" /usr/sbin/apache2 -f "$OUT/conf/apache.conf" -k start
    for port in $PORT_CGI_SERVER $PORT_LIGHTTPD $PORT_NGINX $PORT_APACHE; do wait_for_port "$port"; done
}

stop_pid_file() {
    local file=$1
    [ -s "$file" ] || return 0
    local pid
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$file"
}

stop_servers() {
    local fcgiwrap_children=""
    [ -s "$OUT/run/fcgiwrap.pid" ] && fcgiwrap_children=$(ps -o pid= --ppid "$(cat "$OUT/run/fcgiwrap.pid")" || true)
    for name in cgi-server lighttpd nginx apache fcgiwrap; do stop_pid_file "$OUT/run/$name.pid"; done
    for pid in $fcgiwrap_children; do kill -TERM "$pid" 2>/dev/null || true; done
}

# measure NAME PORT TARGET MODE → "req/s p99ms" (p99 in ms)
measure() {
    local name=$1 port=$2 target=$3 mode=$4 file
    local header=()
    [ "$mode" = close ] && header=(-H "Connection: close")
    file="$OUT/results/$name--${target//\//_}--$mode.txt"
    timeout $((SECONDS_PER_RUN + 20)) wrk -t2 -c8 -d"${SECONDS_PER_RUN}s" --latency "${header[@]}" \
        "http://127.0.0.1:$port/$target" > "$file" 2>&1 || true
    awk '
        /Requests\/sec:/ { rps = $2 }
        /^ +99%/ { v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
                   p99 = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
        /Non-2xx/ { bad = $NF }
        END { printf "%s %s %s\n", (rps == "" ? 0 : rps), (p99 == "" ? "-" : p99), (bad == "" ? 0 : bad) }
    ' "$file"
}

run_matrix() {
    printf '\n| target | mode | server | req/s | p99 ms | ÷ cgi-server |\n|---|---|---|---|---|---|\n'
    for target in "${TARGETS[@]}"; do
        for mode in keepalive close; do
            local reference=""
            for server in cgi-server:$PORT_CGI_SERVER lighttpd:$PORT_LIGHTTPD nginx-fcgiwrap:$PORT_NGINX apache-cgid:$PORT_APACHE; do
                local name=${server%%:*} port=${server#*:} result rps p99 bad ratio
                result=$(measure "$name" "$port" "$target" "$mode")
                read -r rps p99 bad <<< "$result"
                [ -z "$reference" ] && reference=$rps
                ratio=$(awk -v a="$rps" -v b="$reference" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')
                [ "$bad" != 0 ] && p99="$p99 ($bad non-2xx)"
                printf '| %s | %s | %s | %.0f | %s | %s |\n' "$target" "$mode" "$name" "$rps" "$p99" "$ratio"
                sleep 1
            done
        done
    done
}

main() {
    [ "$(id -u)" = 0 ] || { echo "run as root (peers run as www-data)" >&2; exit 2; }
    install_peers
    (cd "$ROOT" && swift build -c release --product cgi-server > /dev/null && swift build -c release --product cgi > /dev/null)
    prepare_site
    trap stop_servers EXIT
    start_servers
    echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c8 -d${SECONDS_PER_RUN}s"
    echo "posix_spawn+read+wait ceiling, C hello, 8 threads, no server: $("$OUT/spawnloop" "$OUT/cgi-bin/hello.c" 8 "$SECONDS_PER_RUN") spawns/s"
    run_matrix
}

main "$@"
