#!/usr/bin/env bash
# The admin listeners against real tools: starts cgi-server on the example site with
# --admin on 127.0.0.1, sends a known set of requests, checks /metrics with `promtool check
# metrics` (and the same for `cgi fastcgi --admin` over the Python test worker), lets a real Prometheus (Debian's package) scrape it every second and asks its HTTP
# API whether the request counter moved, then opens /status in headless Chromium and keeps a
# screenshot. Installs prometheus, chromium and websocket-client when missing. Output goes to
# $METRICS_TEST_OUTPUT (default .build/metrics-test); exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
output=${METRICS_TEST_OUTPUT:-.build/metrics-test}
rm -rf "$output"
mkdir -p "$output"

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null || ! command -v chromium >/dev/null; then
    apt-get update -qq && apt-get install -y -qq prometheus chromium curl >/dev/null
fi
python3 -c 'import websocket' 2>/dev/null || python3 -m pip install -q websocket-client

swift build --product cgi-server
swift build --product cgi
server_bin=$(swift build --product cgi-server --show-bin-path)/cgi-server
cgi_bin=$(swift build --product cgi --show-bin-path)/cgi
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The server, with its admin listener on a port of its own.
"$server_bin" Examples/site --port 0 --admin 127.0.0.1:0 --allow-root-scripts --swift-cache "$work/cache" \
    --access-log "$output/access.log" >"$output/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    base=$(grep -o '^listening on http://127.0.0.1:[0-9]*' "$output/server.log" | sed 's/^listening on //' || true)
    admin=$(grep -o '^admin listening on http://127.0.0.1:[0-9]*' "$output/server.log" | sed 's/^admin listening on //' || true)
    [ -n "$base" ] && [ -n "$admin" ] && break
    sleep 0.1
done
[ -n "$base" ] && [ -n "$admin" ] || { cat "$output/server.log"; fail "cgi-server did not start"; }
ok "cgi-server on $base, admin on $admin"

# A known set of requests: static pages, shell and Swift scripts (the first compiles), a
# failing script (a 500 with its reference) and a 404.
for _ in 1 2 3 4 5; do curl -sf -o /dev/null "$base/index.html"; done
for _ in 1 2 3; do curl -sf -o /dev/null "$base/cgi-bin/hello.sh"; done
curl -sf -o /dev/null --max-time 300 "$base/cgi-bin/hello.swift"
curl -sf -o /dev/null "$base/cgi-bin/hello.swift"
curl -s -o "$output/error.html" --max-time 300 "$base/cgi-bin/error.swift"
curl -s -o /dev/null "$base/missing.html"
reference=$(grep -o '[0-9a-f]\{8\}-c[0-9]*-[0-9]*' "$output/error.html" | head -n 1)
[ -n "$reference" ] || fail "the error page has no reference"
ok "the failing script's page names $reference"

# The public port never answers the admin paths.
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")" = 404 ] || fail "/metrics answered on the public port"
ok "/metrics is 404 on the public port"

curl -sf "$admin/metrics" >"$output/metrics.txt"
promtool check metrics <"$output/metrics.txt" || fail "promtool check metrics found problems"
ok "promtool check metrics: no problems"
grep -q '^cgi_server_requests_total{responder="static",status_class="2xx"} 5$' "$output/metrics.txt" \
    || fail "static 2xx is not 5: $(grep requests_total "$output/metrics.txt")"
grep -q '^cgi_server_compile_cache_misses_total 2$' "$output/metrics.txt" \
    || fail "two compiles expected (hello.swift, error.swift): $(grep compile_ "$output/metrics.txt")"
ok "the counters match the requests sent"

# cgi fastcgi --admin: a pool of the Python test worker on a unix socket, 12 requests, then promtool.
"$cgi_bin" fastcgi --listen "unix:$work/fcgi.sock" --workers 2 --admin 127.0.0.1:0 Tests/Fixtures/fastcgi/worker.py \
    >"$output/fastcgi.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    fastcgi_admin=$(grep -o '^admin listening on http://127.0.0.1:[0-9]*' "$output/fastcgi.log" | sed 's/^admin listening on //' || true)
    grep -q '^listening on unix:' "$output/fastcgi.log" && [ -n "$fastcgi_admin" ] && break
    sleep 0.1
done
[ -n "$fastcgi_admin" ] || { cat "$output/fastcgi.log"; fail "cgi fastcgi --admin did not start"; }
python3 Tests/Fixtures/fastcgi/client.py "$work/fcgi.sock" 12 2 "" >"$output/fastcgi-client.txt"
[ "$(grep -c '^1 ' "$output/fastcgi-client.txt")" = 12 ] || fail "the FastCGI requests failed: $(cat "$output/fastcgi-client.txt")"
for _ in $(seq 50); do  # the manager reads its workers' status pipes every 0.1 s
    curl -sf "$fastcgi_admin/metrics" >"$output/fastcgi-metrics.txt"
    grep -q '^cgi_fastcgi_accepted_requests_total 12$' "$output/fastcgi-metrics.txt" && break
    sleep 0.1
done
grep -q '^cgi_fastcgi_accepted_requests_total 12$' "$output/fastcgi-metrics.txt" \
    || fail "accepted requests are not 12: $(grep accepted "$output/fastcgi-metrics.txt")"
promtool check metrics <"$output/fastcgi-metrics.txt" || fail "promtool check metrics found problems in cgi fastcgi's"
ok "cgi fastcgi --admin on $fastcgi_admin: 12 accepted requests, promtool check metrics: no problems"

# A real Prometheus scraping the admin port every second.
prometheus_port=$(free_port)
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: cgi-server
    static_configs:
      - targets: ['${admin#http://}']
YAML
promtool check config "$work/prometheus.yml" >/dev/null || fail "promtool check config"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prometheus_port" >"$output/prometheus.log" 2>&1 &
pids+=($!)
query() {
    curl -sf --get "http://127.0.0.1:$prometheus_port/api/v1/query" --data-urlencode "query=$1" \
        | python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
wait_for() {  # wait_for QUERY CONDITION(python expression on v) SECONDS
    local value=""
    for _ in $(seq $(($3 * 5))); do
        value=$(query "$1" 2>/dev/null || true)
        if [ -n "$value" ] && python3 -c "v = float('$value'); exit(0 if ($2) else 1)"; then
            echo "$value"
            return 0
        fi
        sleep 0.2
    done
    echo "last value: '$value'" >&2
    return 1
}
before=$(wait_for 'sum(cgi_server_requests_total)' 'v >= 12' 60) || fail "Prometheus did not scrape the admin port"
ok "Prometheus scraped $before requests"
up=$(query 'up{job="cgi-server"}')
[ "$up" = 1 ] || fail "up is '$up'"
for _ in $(seq 20); do curl -sf -o /dev/null "$base/cgi-bin/hello.sh"; done
after=$(wait_for 'sum(cgi_server_requests_total)' "v >= $before + 20" 30) || fail "the counter did not move in Prometheus"
ok "the request counter moved from $before to $after in Prometheus"
rate=$(wait_for 'sum(rate(cgi_server_requests_total{responder="cgi"}[1m]))' 'v > 0' 30) || fail "no request rate"
ok "rate(cgi_server_requests_total) = $rate/s"

# The status page in headless Chromium, with a screenshot.
python3 Tests/metrics/status_page.py "$admin" "$base" "$reference" "$output/status-page.png"
