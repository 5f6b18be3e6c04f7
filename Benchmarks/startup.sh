#!/usr/bin/env bash
# Start-up cost of a CGI script using the CGI library, against the same answer from C.
# Builds the hello script statically (-static-executable) and dynamically (release), the C
# hello with gcc -O2, and two static JSON scripts (the library's JSON, and FoundationEssentials'
# JSONDecoder/JSONEncoder), then spawns each RUNS times round-robin and prints a table of
# medians with ratios to C, and (with valgrind) instructions per run.
# Usage: Benchmarks/startup.sh [RUNS]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-300}"
out=Benchmarks/out
mkdir -p "$out"

gcc -O2 -o "$out/c-hello" Benchmarks/hello.c
gcc -O2 -o "$out/spawnbench" Benchmarks/spawnbench.c
for product in hello json json-foundation; do
    swift build -c release --scratch-path .build-static -Xswiftc -static-executable --product "cgi-bench-$product" >&2
    cp "$(swift build -c release --scratch-path .build-static --show-bin-path)/cgi-bench-$product" "$out/swift-static-$product"
done
swift build -c release --scratch-path .build-dynamic --product cgi-bench-hello >&2
cp "$(swift build -c release --scratch-path .build-dynamic --show-bin-path)/cgi-bench-hello" "$out/swift-dynamic-hello"
# Debug information is never loaded at run time; stripping it lets valgrind 3.19 read binaries
# that carry clang's DWARF 5 (the C part of the library).
strip --strip-debug "$out"/swift-static-* "$out/swift-dynamic-hello"

echo "Each program answers GET ?name=bench; $runs spawns each, round-robin."
programs=(c-hello swift-static-hello swift-dynamic-hello swift-static-json swift-static-json-foundation)
"$out/spawnbench" "$runs" "${programs[@]/#/$PWD/$out/}"

# Instructions per run are deterministic where wall time on a shared machine is not.
if command -v valgrind >/dev/null; then
    echo
    echo "| program | instructions (callgrind) | / first |"
    echo "|---|---|---|"
    base=""
    for program in "${programs[@]}"; do
        count=$(env -i REQUEST_METHOD=GET QUERY_STRING=name=bench \
            valgrind --tool=callgrind --callgrind-out-file=/dev/null "$out/$program" 2>&1 >/dev/null |
            sed -n 's/.*Collected : //p')
        base="${base:-$count}"
        awk -v p="$program" -v n="$count" -v b="$base" 'BEGIN { printf "| %s | %d | %.2f |\n", p, n, n / b }'
    done
fi
