#!/usr/bin/env bash
# Multipart upload throughput and memory, in one run: a 100 MiB and a 1 GiB file upload
# (multipart/form-data, random bytes) piped into
#   - `cgi parse` (release): parse, spool to a temporary file while hashing it (SHA-256 on
#     a second thread: cgi's SecondCoreSHA256 as FormOptions.uploadHasher), JSON;
#   - the CGI library alone (the UploadFixture script, release): parse and spool, no hash;
#   - Python 3.11 `cgi.FieldStorage` on the same bytes, alone and with hashlib's SHA-256;
#   - `cat > file`, the pipe-to-disk ceiling.
# Prints MiB/s (bytes / wall time of the whole pipeline), the reading process's CPU time
# (user + system) and peak RSS, and ratios against Python's FieldStorage and cat measured in
# the same run. Each reader runs REPEATS times (default 3 up to 256 MiB, else 2); the
# fastest run counts. CPU time moves less than wall time when other jobs share the cores.
# Usage: Benchmarks/upload.sh [MiB ...]   (default: 100 1024). Data lives in a temp dir.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
((${#sizes[@]} > 0)) || sizes=(100 1024)
work=$(mktemp -d "${TMPDIR:-/tmp}/upload-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/spool"

echo "building release binaries…" >&2
(cd "$root" && swift build -c release --product cgi > "$work/build.log" 2>&1 &&
    swift build -c release --product UploadFixture >> "$work/build.log" 2>&1) || { cat "$work/build.log"; exit 1; }
bin=$(cd "$root" && swift build -c release --show-bin-path)
has_parse=0
REQUEST_METHOD=GET QUERY_STRING=a=1 "$bin/cgi" parse < /dev/null 2> /dev/null | grep -q '"fields"' && has_parse=1

cat > "$work/fieldstorage.py" <<'PY'
import cgi, hashlib, json, sys
form = cgi.FieldStorage(fp=sys.stdin.buffer)
fields = []
for item in form.list:
    if item.filename is None:
        fields.append({"name": item.name, "value": item.value})
        continue
    entry = {"name": item.name, "filename": item.filename}
    if len(sys.argv) > 1:
        digest, size = hashlib.sha256(), 0
        item.file.seek(0)
        while chunk := item.file.read(1 << 16):
            digest.update(chunk)
            size += len(chunk)
        entry.update(size=size, sha256=digest.hexdigest())
    fields.append(entry)
print(json.dumps({"fields": fields}))
PY

# run LABEL COMMAND…: the body piped into COMMAND, $repeats times; appends the fastest
# run's wall seconds, CPU seconds and peak RSS (KiB) to the results.
run() {
    local label=$1
    shift
    local best="" start end seconds
    for ((i = 0; i < repeats; i++)); do
        sync  # start every run with no dirty pages from the one before
        start=$(date +%s%N)
        if ! cat "$body" | /usr/bin/time -f "%M %U %S" -o "$work/usage" env TMPDIR="$work/spool" "$@" > "$work/out.txt"; then
            echo "$label failed:" >&2
            cat "$work/out.txt" "$work/usage" >&2
            exit 1
        fi
        end=$(date +%s%N)
        rm -f "$work/cat.out" "$work/spool"/*
        seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", (e - s) / 1e9 }')
        if [[ -z $best ]] || awk -v a="$seconds" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
            best="$seconds $(tail -1 "$work/usage")"
        fi
    done
    read -r seconds rss_kib user sys <<< "$best"
    printf '%s\t%s\t%s\t%s\n' "$label" "$seconds" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$rss_kib" >> "$work/results"
}

for mib in "${sizes[@]}"; do
    body="$work/body-$mib"
    python3 - "$body" "$mib" <<'PY'
import os, sys
path, mib = sys.argv[1], int(sys.argv[2])
block = os.urandom(1 << 20)
with open(path, "wb") as out:
    out.write(b'--BenchBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n')
    out.write(b'--BenchBoundary7MA4YWxkTrZu0gW\r\nContent-Disposition: form-data; name="upload"; filename="data.bin"\r\n'
              b'Content-Type: application/octet-stream\r\n\r\n')
    for _ in range(mib):
        out.write(block)
    out.write(b'\r\n--BenchBoundary7MA4YWxkTrZu0gW--\r\n')
PY
    export REQUEST_METHOD=POST CONTENT_TYPE="multipart/form-data; boundary=BenchBoundary7MA4YWxkTrZu0gW"
    CONTENT_LENGTH=$(stat -c %s "$body")
    export CONTENT_LENGTH
    : > "$work/results"
    repeats=${REPEATS:-$((mib <= 256 ? 3 : 2))}
    echo "$mib MiB: running…" >&2
    run "cat > file" sh -c "cat > '$work/cat.out'"
    run "CGI library -> temp file (UploadFixture)" env UPLOAD_MAX_BYTES=$((2 * CONTENT_LENGTH)) "$bin/UploadFixture"
    if ((has_parse)); then
        run "cgi parse (temp file + SHA-256 + JSON)" "$bin/cgi" parse --max-body $((2 * CONTENT_LENGTH))
        grep -q '"sha256"' "$work/out.txt" || echo "warning: cgi parse printed no sha256" >&2
    fi
    run "Python cgi.FieldStorage" python3 -W ignore "$work/fieldstorage.py"
    run "Python cgi.FieldStorage + hashlib SHA-256" python3 -W ignore "$work/fieldstorage.py" hash

    echo
    echo "## $mib MiB upload (fastest of $repeats; $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
    awk -F'\t' -v mib="$mib" '
        { label[NR] = $1; secs[NR] = $2; cpu[NR] = $3; rss[NR] = $4; n = NR
          if ($1 == "cat > file") cat = $2
          if ($1 == "Python cgi.FieldStorage") { py = $2; pycpu = $3 } }
        END {
            printf "| %-44s | %7s | %7s | %7s | %9s | %9s | %9s | %8s |\n", "reader", "wall s", "MiB/s", "CPU s", "peak RSS", "× FS wall", "× FS CPU", "% of cat"
            printf "|%s|%s|%s|%s|%s|%s|%s|%s|\n", "----------------------------------------------", "--------:", "--------:", "--------:", "----------:", "----------:", "----------:", "---------:"
            for (i = 1; i <= n; i++)
                printf "| %-44s | %7.2f | %7.0f | %7.2f | %5.1f MiB | %9.1f | %9.1f | %7.0f%% |\n", label[i], secs[i], mib / secs[i], cpu[i], rss[i] / 1024, py / secs[i], (cpu[i] > 0 ? pycpu / cpu[i] : 0), 100 * cat / secs[i]
        }' "$work/results"
done
((has_parse)) || echo "(cgi parse is not available in this build; its row is left out)"
