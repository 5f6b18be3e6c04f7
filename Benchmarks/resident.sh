#!/usr/bin/env bash
# Examples/site's hello.swift kept resident, in one run, the setups taking turns ROUNDS times
# (`wrk -t2 -c8 -d5s` each):
#   resident  cgi-server --resident '*.swift' --workers W (the server runs the FastCGI workers)
#   nginx     nginx -> `cgi fastcgi --workers W` (the same program, the same worker count; unix
#             socket, keepalive 8, fastcgi_keep_conn on)
#   cgi       cgi-server running hello as CGI (a process per request)
# and the 1 KiB static file and the resident hello mixed 50/50 over one set of connections,
# through cgi-server (mixed-server) and through nginx (mixed-nginx). Prints req/s, p99 and the
# CPU time per request of everything the setup runs (server or nginx, manager, workers,
# scripts), then the goals: resident >= 1.0x nginx with a p99 no worse, and >= 8x CGI.
#
# Usage: Benchmarks/resident.sh [WORKERS] [ROUNDS]   (default 4 workers, 3 rounds; run as root;
#        builds release; installs nginx and wrk if missing)
set -euo pipefail
WORKERS=${1:-4}
ROUNDS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
cd "$ROOT"

need=()
for tool in nginx wrk; do command -v $tool >/dev/null || need+=($tool); done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
swift build -c release --product cgi-server >/dev/null
swift build -c release --product cgi >/dev/null
# The CGI library the server compiles hello.swift against, beside the server.
swift build -c release --target CGI >/dev/null
bin=$ROOT/.build/release

run=$(mktemp -d /tmp/resident-bench.XXXXXX)
chmod 755 "$run"
pids=()
source "$HERE/common.sh"
cleanup() { stop_all; rm -rf "$run"; }
trap cleanup EXIT

mkdir -p "$run/site/cgi-bin" "$run/site/htdocs"
cp Examples/site/cgi-bin/hello.swift "$run/site/cgi-bin/"
head -c 1024 /dev/zero | tr '\0' x > "$run/site/htdocs/1k.txt"
root_scripts=()
[ "$(id -u)" = 0 ] && root_scripts=(--allow-root-scripts)

declare -A port top
for setup in cgi resident; do
    port[$setup]=$(free_port)
    extra=()
    [ $setup = resident ] && extra=(--resident '*.swift' --workers "$WORKERS")
    env -i PATH=/usr/bin:/bin "$bin/cgi-server" "$run/site" --port "${port[$setup]}" --swift-cache "$run/cache" \
        --swiftc "$(command -v swiftc)" "${root_scripts[@]}" "${extra[@]}" > "$run/$setup.out" 2>&1 &
    pids+=($!); top[$setup]=$!
    wait_line "$run/$setup.out" '^listening on' || { cat "$run/$setup.out"; exit 1; }
done
# The same script as the resident pool runs, compiled once into the shared cache.
"$bin/cgi" fastcgi --listen "unix:$run/hello.sock" --socket-mode 0666 --workers "$WORKERS" --swift-cache "$run/cache" \
    "$run/site/cgi-bin/hello.swift" > "$run/manager.out" 2> "$run/manager.err" &
pids+=($!); top[manager]=$!
port[nginx]=$(free_port)
sed -e "s|@RUN@|$run|g" -e "s|@PORT@|${port[nginx]}|g" "$HERE/resident/nginx.conf" > "$run/nginx.conf"
wait_line "$run/manager.out" '^listening on' 300 || { cat "$run/manager.err"; exit 1; }
nginx -c "$run/nginx.conf" & pids+=($!); top[nginx]=$!
hello=/cgi-bin/hello.swift?name=bench
for setup in cgi resident nginx; do
    wait_port "${port[$setup]}" "http://127.0.0.1:${port[$setup]}/1k.txt" || { echo "$setup does not answer" >&2; exit 1; }
    # Compiles the script (once, shared cache) and starts the first workers.
    curl -fsS -m 300 -o /dev/null "http://127.0.0.1:${port[$setup]}$hello"
done
port[mixed-server]=${port[resident]} port[mixed-nginx]=${port[nginx]}
# What each setup runs, for its CPU time: a server (and its workers or scripts), or nginx and the manager.
tops() { case $1 in nginx | mixed-nginx) echo "${top[nginx]} ${top[manager]}" ;; mixed-server) echo "${top[resident]}" ;; *) echo "${top[$1]}" ;; esac; }
cpu() { local sum=0 pid; for pid in $(tops "$1"); do sum=$((sum + $(tree_cpu "$pid"))); done; echo $sum; }

setups=(resident nginx cgi mixed-server mixed-nginx)
declare -A rps p99 us
for round in $(seq "$ROUNDS"); do
    for setup in "${setups[@]}"; do
        script=()
        [[ $setup = mixed-* ]] && script=(-s "$HERE/resident/mixed.lua")
        before=$(cpu $setup)
        out=$(MIXED_A=/1k.txt MIXED_B=$hello wrk -t2 -c8 -d5s --latency "${script[@]}" "http://127.0.0.1:${port[$setup]}$hello")
        requests=$(awk '/requests in/ {print $1}' <<< "$out")
        errors=$(awk '/Non-2xx|Socket errors/' <<< "$out")
        [ -z "$errors" ] || echo "warning: $setup: $errors" >&2
        rps[$setup]+=" $(awk '/Requests\/sec/ {print $2}' <<< "$out")"
        p99[$setup]+=" $(awk '/ 99%/ {print $2}' <<< "$out")"
        us[$setup]+=" $(cpu_per_request "$before" "$(cpu $setup)" "${requests:-0}")"
    done
done

mean() { tr ' ' '\n' | awk 'NF { sum += $1; n++ } END { printf "%.1f", (n ? sum / n : 0) }'; }
# wrk prints latencies with units (us, ms, s): in ms.
in_ms() { tr ' ' '\n' | awk 'NF { v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /[0-9]s$/) v *= 1000; print v }'; }
echo "workers: $WORKERS; wrk -t2 -c8 -d5s; $ROUNDS rounds, taking turns; the mean of the rounds"
printf '%-13s %10s %10s %12s %14s\n' setup req/s 'p99 ms' 'x nginx' 'CPU µs/req'
for setup in "${setups[@]}"; do
    mean_rps=$(mean <<< "${rps[$setup]}")
    against=nginx
    [ $setup = mixed-server ] && against=mixed-nginx
    ratio=$(awk -v a="$mean_rps" -v b="$(mean <<< "${rps[$against]}")" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
    [[ $setup = mixed-nginx || $setup = nginx ]] && ratio=1.00x
    [ $setup = cgi ] && ratio=-
    printf '%-13s %10s %10s %12s %14s\n' "$setup" "$mean_rps" "$(in_ms <<< "${p99[$setup]}" | mean)" "$ratio" "$(mean <<< "${us[$setup]}")"
done
awk -v r="$(mean <<< "${rps[resident]}")" -v c="$(mean <<< "${rps[cgi]}")" \
    'BEGIN { printf "resident / CGI: %.1fx (goal: 8x); mixed-server is compared with mixed-nginx\n", r / c }'
echo "goals: resident >= 1.00x nginx, with a p99 no worse than nginx's"
