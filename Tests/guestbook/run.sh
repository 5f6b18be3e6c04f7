#!/usr/bin/env bash
# The guestbook example (Examples/guestbook) end to end, the guestbook built for release (its
# password hashing is slow unoptimized), cgi-server and cgi from the debug build the tests share:
# - bad input over HTTP (check.py bad-input): a post without its CSRF token (403), an image over
#   2 MiB (413), a non-image named .png (refused with a message), an SQL-looking message (stored
#   and shown as text), HTML escaped, images served with an ETag (304), the feed and JSON;
# - the browser flow in headless Chromium (browser.py): a post with an image, the flash message,
#   an edit, the admin hiding an entry, the feed; screenshots in $BROWSER_TEST_OUTPUT
#   (default .build/browser-test, as Tests/browser/run.sh);
# - 64 concurrent posters for 20 s (check.py load): every accepted post in the database exactly
#   once, no "database is locked" 500; the counts are printed.
# Each in each mode named on the command line (default: cgi resident fastcgi postgres):
#   cgi       the binary in a site's cgi-bin, run by cgi-server as a CGI script;
#   fastcgi   the same binary under `cgi fastcgi`, behind nginx;
#   resident  the same binary as a resident script of `cgi-server --resident`;
#   postgres  as cgi, on PostgreSQL (DATABASE_URL; a server of Debian's packages on 127.0.0.1,
#             Tests/shell/postgres.sh): one connection per CGI process, the rows checked with psql;
#             then the server stopped (503 pages) and started again (200 again).
# Usage: Tests/guestbook/run.sh [MODE...]   (from the package root; installs nginx, chromium,
# postgresql and websocket-client when missing). Exits non-zero when a check fails; stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Tests/shell/common.sh
source Tests/shell/postgres.sh
if [ $# -gt 0 ]; then modes=("$@"); else modes=(cgi resident fastcgi postgres); fi
seconds=${GUESTBOOK_LOAD_SECONDS:-20}
posters=${GUESTBOOK_POSTERS:-64}
output=${BROWSER_TEST_OUTPUT:-.build/browser-test}
mkdir -p "$output"

need=()
command -v nginx >/dev/null || need+=(nginx)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
python3 -c 'import websocket' 2>/dev/null || python3 -m pip install -q websocket-client

swift build -c release --product guestbook >/dev/null
release=$(swift build -c release --show-bin-path)
bin=$(swift build --show-bin-path)
for product in cgi-server cgi; do [ -x "$bin/$product" ] || swift build --product "$product" >/dev/null; done

run=$(mktemp -d /tmp/guestbook-run.XXXXXX)
chmod 755 "$run"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    stop_postgres
    rm -rf "$run"
}
trap cleanup EXIT
failures=0

# A site like Examples/site with the guestbook installed in its cgi-bin (a copy: cgi-server runs
# only what lies inside cgi-bin).
site=$run/site
mkdir -p "$site/cgi-bin"
cp -r Examples/site/htdocs "$site/htdocs"
install -m 755 "$release/guestbook" "$site/cgi-bin/guestbook"
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')

# Starts cgi-server on the site with DATA as the guestbook's data folder and ARGS; sets $url.
start_cgi_server() {
    local data=$1; shift
    "$bin/cgi-server" "$site" --port 0 --allow-root-scripts --max-scripts 64 --set-env "GUESTBOOK_DATA=$data" "$@" \
        > "$run/server.log" 2>&1 &
    pids+=($!)
    url=
    for _ in $(seq 100); do
        url=$(grep -o 'http://127.0.0.1:[0-9]*/' "$run/server.log" | head -n 1 || true)
        [ -n "$url" ] && return 0
        sleep 0.1
    done
    echo "cgi-server did not start:"; cat "$run/server.log"; return 1
}

# Starts nginx and `cgi fastcgi` (4 workers) with DATA as the data folder; sets $url.
start_fastcgi() {
    local data=$1 port
    port=$(free_port)
    sed -e "s|@RUN@|$run|g" -e "s|@PORT@|$port|g" -e "s|@SITE@|$site|g" Tests/guestbook/nginx.conf > "$run/nginx.conf"
    "$bin/cgi" fastcgi --listen "unix:$run/app.sock" --socket-mode 0666 --workers 4 --env "GUESTBOOK_DATA=$data" \
        "$site/cgi-bin/guestbook" > "$run/manager.out" 2> "$run/manager.err" &
    pids+=($!)
    nginx -c "$run/nginx.conf" & pids+=($!)
    url="http://127.0.0.1:$port/"
    for _ in $(seq 100); do
        grep -q "^listening on" "$run/manager.out" && curl -s -o /dev/null "$url" && return 0
        sleep 0.1
    done
    echo "cgi fastcgi or nginx did not start:"; cat "$run/manager.err" "$run/nginx-error.log" 2>/dev/null; return 1
}

stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    pids=()
}

for mode in "${modes[@]}"; do
    echo "== $mode"
    data=$run/data-$mode
    GUESTBOOK_DATA=$data "$site/cgi-bin/guestbook" set-admin-password <<< "$password" >/dev/null
    database=$data/guestbook.sqlite
    case $mode in
        cgi) start_cgi_server "$data" ;;
        resident) start_cgi_server "$data" --resident guestbook ;;
        fastcgi) start_fastcgi "$data" ;;
        postgres)
            start_postgres
            database=$DATABASE_URL
            start_cgi_server "$data" --set-env "DATABASE_URL=$DATABASE_URL"
            ;;
        *) echo "unknown mode $mode (cgi, fastcgi, resident, postgres)"; exit 2 ;;
    esac
    python3 Tests/guestbook/check.py bad-input "${url}cgi-bin/guestbook" || failures=$((failures + 1))
    if [ "$mode" = cgi ]; then
        python3 Tests/guestbook/browser.py "$url" "$output" "$password" || failures=$((failures + 1))
    fi
    python3 Tests/guestbook/check.py load "${url}cgi-bin/guestbook" "$database" "$seconds" "$posters" "$mode" \
        || failures=$((failures + 1))
    if [ "$mode" = postgres ]; then
        # The server stopped: 503 pages, not crashes; started again: answers again.
        stop_postgres
        python3 Tests/guestbook/check.py database-down "${url}cgi-bin/guestbook" || failures=$((failures + 1))
        resume_postgres
        python3 Tests/guestbook/check.py database-up "${url}cgi-bin/guestbook" 15 || failures=$((failures + 1))
    fi
    stop_all
done

if [ $failures -gt 0 ]; then echo "$failures guestbook suites failed"; exit 1; fi
echo "all guestbook checks passed"
