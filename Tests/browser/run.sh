#!/usr/bin/env bash
# Browser test of the example site: starts cgi-server on a free port on 127.0.0.1 and drives
# headless Chromium through it (Tests/browser/drive.py). Installs Chromium (Debian package)
# and websocket-client (pip) when missing. Output, including a screenshot of the upload
# result, goes to $BROWSER_TEST_OUTPUT (default .build/browser-test).
set -euo pipefail
cd "$(dirname "$0")/../.."
output=${BROWSER_TEST_OUTPUT:-.build/browser-test}
mkdir -p "$output"

if ! command -v chromium >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
python3 -c 'import websocket' 2>/dev/null || python3 -m pip install -q websocket-client

swift build --product cgi-server
server_bin=$(swift build --product cgi-server --show-bin-path)/cgi-server
cache=$(mktemp -d)
log="$output/server.log"
# contact.swift's signing key, new for each run (so it writes no key file into the site).
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
"$server_bin" Examples/site --port 0 --dev --allow-root-scripts --swift-cache "$cache" \
    --set-env "CGI_EXAMPLE_SECRET=$secret" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$cache"' EXIT

for _ in $(seq 100); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$log" | head -n 1 || true)
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "cgi-server did not start:"; cat "$log"; exit 1; }

python3 Tests/browser/drive.py "$url" "$output"
