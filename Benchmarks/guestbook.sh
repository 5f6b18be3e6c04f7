#!/usr/bin/env bash
# The guestbook's entries page (20 entries of a database of 200) in each setup, one run, taking turns,
# measured with `wrk -t2 -c8 -d5s` (release build):
#   cgi        Examples/guestbook's binary as a CGI script through cgi-server (a process per request)
#   fastcgi    the same binary under `cgi fastcgi` (2 workers) behind nginx (upstream keepalive)
#   php        the same page as a small PHP file with PDO SQLite (Benchmarks/guestbook/guestbook.php)
#              under PHP-FPM (static pool, 2 children) behind the same nginx
#   resident   the same binary as a resident script of cgi-server (with the mode argument `resident`)
# Prints req/s, p99 and ratios. Then what Foundation (which GRDB needs) costs a CGI start: the
# hello benchmark script (CGI library only) against the guestbook binary answering a 404 page
# (Foundation and GRDB loaded, the database opened, no query) and its entries page: the mean
# wall-clock time of 200 runs each, and the instructions callgrind counts for one run.
#
# Usage: Benchmarks/guestbook.sh [MODE...]   (default: cgi resident fastcgi php; run as root from the
#        package root or anywhere; installs nginx, wrk, php-fpm, php8.2-sqlite3, valgrind if missing)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
cd "$ROOT"
if [ $# -gt 0 ]; then modes=("$@"); else modes=(cgi resident fastcgi php); fi
WORKERS=2

need=()
for pair in nginx:nginx wrk:wrk valgrind:valgrind php-fpm8.2:php-fpm; do
    command -v "${pair%%:*}" >/dev/null || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
done
# grep reads to the end (not -q): an early exit would kill php with SIGPIPE and fail the pipe.
php -m 2>/dev/null | grep -x pdo_sqlite >/dev/null || need+=(php8.2-sqlite3)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
        || echo "warning: could not install ${need[*]}" >&2
fi
for product in guestbook cgi-server cgi cgi-bench-hello; do swift build -c release --product "$product" >/dev/null; done
bin=$ROOT/.build/release

run=$(mktemp -d /tmp/guestbook-bench.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$run"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

site=$run/site data=$run/data
mkdir -p "$site/cgi-bin" "$run/php"
cp -r Examples/site/htdocs "$site/htdocs"
install -m 755 "$bin/guestbook" "$site/cgi-bin/guestbook"
cp "$HERE/guestbook/guestbook.php" "$run/php/"

# The database: the guestbook creates it (migrations at start), then 200 entries are added.
env -i GUESTBOOK_DATA="$data" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/guestbook \
    PATH_INFO=/ QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 "$site/cgi-bin/guestbook" < /dev/null > /dev/null
python3 - "$data/guestbook.sqlite" <<'PY'
import sqlite3, sys, time
with sqlite3.connect(sys.argv[1]) as db:
    db.executemany("INSERT INTO entry (name, message, createdAt, hidden) VALUES (?, ?, ?, 0)",
                   [(f"Visitor {n} <b>", f"Message {n}: a few words & a 'quote', " * 4, int(time.time()) - 200 + n)
                    for n in range(200)])
PY

port=$(free_port)
sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$port|g" -e "s|@SITE@|$site|g" Tests/guestbook/nginx.conf > "$run/nginx.conf"
nginx -c "$run/nginx.conf" & pids+=($!)

declare -A rps p99
measure() { # MODE URL
    local out non2xx
    out=$(wrk -t2 -c8 -d5s --latency "$2")
    rps[$1]=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
    p99[$1]=$(awk '/ 99%/ {print $2}' <<< "$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<< "$out")
    [ -z "$non2xx" ] || echo "warning: $1: $non2xx non-2xx responses" >&2
    [ -n "${rps[$1]}" ] || { echo "warning: $1: no result; wrk said:" >&2; echo "$out" >&2; rps[$1]=0; }
}
wait_url() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "warning: no answer from $1" >&2; return 1; }
stop_last() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }
entries_in() { curl -s "$1" | grep -c 'class="entry"' || true; }

declare -A counted
for mode in "${modes[@]}"; do
    case $mode in
        cgi|resident)
            extra=(); [ "$mode" = resident ] && extra=(--resident guestbook)
            cgi_port=$(free_port)
            "$bin/cgi-server" "$site" --port "$cgi_port" --allow-root-scripts --set-env "GUESTBOOK_DATA=$data" "${extra[@]}" \
                > "$run/cgi-server.log" 2>&1 & pids+=($!)
            url="http://127.0.0.1:$cgi_port/cgi-bin/guestbook/" ;;
        fastcgi)
            "$bin/cgi" fastcgi --listen "unix:$run/app.sock" --socket-mode 0666 --workers "$WORKERS" \
                --env "GUESTBOOK_DATA=$data" "$site/cgi-bin/guestbook" > "$run/manager.out" 2> "$run/manager.err" & pids+=($!)
            url="http://127.0.0.1:$port/cgi-bin/guestbook/" ;;
        php)
            sed -e "s|@RUN@|$run|g" -e "s|@WORKERS@|$WORKERS|g" "$HERE/fastcgi/php-fpm.conf" > "$run/php-fpm.conf"
            printf 'env[GUESTBOOK_DB] = %s\n' "$data/guestbook.sqlite" >> "$run/php-fpm.conf"
            /usr/sbin/php-fpm8.2 -R -F -y "$run/php-fpm.conf" & pids+=($!)
            url="http://127.0.0.1:$port/guestbook.php" ;;
        *) echo "unknown mode $mode (cgi, fastcgi, php, resident)"; exit 2 ;;
    esac
    if wait_url "$url"; then
        counted[$mode]=$(entries_in "$url")
        measure "$mode" "$url"
    else
        rps[$mode]=0 p99[$mode]=-
    fi
    stop_last
done

first=${modes[0]}
echo "entries page (20 entries shown of 200), wrk -t2 -c8 -d5s; nginx upstream keepalive; $WORKERS FastCGI workers / PHP-FPM children"
printf '%-10s %8s %12s %10s %12s\n' mode entries req/s p99 "x $first"
for mode in "${modes[@]}"; do
    ratio=$(awk -v a="${rps[$mode]}" -v b="${rps[$first]}" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
    printf '%-10s %8s %12s %10s %12s\n' "$mode" "${counted[$mode]:-0}" "${rps[$mode]}" "${p99[$mode]}" "$ratio"
done
for mode in resident fastcgi; do
    if [ -n "${rps[$mode]:-}" ] && [ -n "${rps[php]:-}" ]; then
        awk -v m="$mode" -v a="${rps[$mode]}" -v b="${rps[php]}" \
            'BEGIN { printf "%s / php: %.2fx (goal for a resident guestbook: 1.5x)\n", m, (b > 0 ? a / b : 0) }'
    fi
done

# What Foundation and GRDB cost a CGI start: the same request environment, 200 runs each.
cgi_env=(env -i GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/x QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1)
wall_ms() { # PROGRAM [PATH_INFO]: mean milliseconds per run over 200 runs
    python3 - "$@" <<'PY'
import os, subprocess, sys, time
environment = {"GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/cgi-bin/x", "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": sys.argv[2] if len(sys.argv) > 2 else "",
               "GUESTBOOK_DATA": os.environ["GUESTBOOK_DATA"]}
start = time.perf_counter()
for _ in range(200):
    subprocess.run([sys.argv[1]], env=environment, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, check=True)
print(f"{(time.perf_counter() - start) / 200 * 1000:.2f}")
PY
}
# Debug information is never loaded at run time; stripping it lets valgrind 3.19 read binaries
# that carry clang's DWARF 5 (as Benchmarks/startup.sh does).
mkdir -p "$run/stripped"
cp "$bin/cgi-bench-hello" "$site/cgi-bin/guestbook" "$run/stripped/"
strip --strip-debug "$run/stripped/"*
# "n/a" when valgrind cannot run the program (3.19 crashes on the guestbook once it starts threads).
instructions() { # PROGRAM PATH_INFO: instructions callgrind counts for one run
    local count
    count=$("${cgi_env[@]}" PATH_INFO="$2" GUESTBOOK_DATA="$data" "$(command -v valgrind)" --tool=callgrind \
        --callgrind-out-file=/dev/null "$1" < /dev/null 2>&1 > /dev/null | sed -n 's/.*Collected : //p' || true)
    echo "${count:-n/a}"
}
export GUESTBOOK_DATA=$data
hello_ms=$(wall_ms "$bin/cgi-bench-hello")
notfound_ms=$(wall_ms "$site/cgi-bin/guestbook" /no-such-page)
page_ms=$(wall_ms "$site/cgi-bin/guestbook" /)
hello_i=$(instructions "$run/stripped/cgi-bench-hello" "")
notfound_i=$(instructions "$run/stripped/guestbook" /no-such-page)
page_i=$(instructions "$run/stripped/guestbook" /)
echo
echo "one CGI process, started and run to the end (mean of 200 runs; instructions: callgrind, one run)"
printf "%-50s %10s %16s\n" program ms instructions
printf "%-50s %10s %16s\n" "hello (CGI library only)" "$hello_ms" "$hello_i"
printf "%-50s %10s %16s\n" "guestbook 404 page (+ Foundation, GRDB, db open)" "$notfound_ms" "$notfound_i"
printf "%-50s %10s %16s\n" "guestbook entries page (+ query, 20 entries)" "$page_ms" "$page_i"
awk -v h="$hello_ms" -v n="$notfound_ms" -v p="$page_ms" -v hi="$hello_i" -v ni="$notfound_i" 'BEGIN {
    printf "start-up beyond hello: %.2f ms per request (%.0f%% of the entries page as CGI)", n - h, (p > 0 ? (n - h) / p * 100 : 0)
    if (hi + 0 > 0 && ni + 0 > 0) printf ", %.1fx the instructions", ni / hi
    printf "\n" }'
