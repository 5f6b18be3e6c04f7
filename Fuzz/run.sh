#!/usr/bin/env bash
# Fuzzes the CGI library's parsers with libFuzzer for about SECONDS in all (default 60):
# the multipart reader (whole vs. chunked must agree), the urlencoded parser, header
# parsing and the FastCGI record decoder. The library (and CGICore, which it re-exports) is compiled once with coverage and AddressSanitizer
# (swiftc -sanitize=fuzzer,address, -enable-testing so targets reach internal types; its C
# part, Sources/CSHA256, with clang and a module map written here); each target in
# Fuzz/*FuzzTarget.swift links against both. Seeds come from Fuzz/corpus/TARGET;
# new inputs and crash artifacts go to Fuzz/out/ (not in git). Exits non-zero on a crash,
# a sanitizer report, a timeout or a failed build.
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Fuzz/out"
targets=(multipart urlencoded headervalue fastcgi)
declare -A sources=(
    [multipart]=MultipartFuzzTarget.swift
    [urlencoded]=URLEncodedFuzzTarget.swift
    [headervalue]=HeaderValueFuzzTarget.swift
    [fastcgi]=FastCGIFuzzTarget.swift
)
per_target=$((seconds / ${#targets[@]}))
((per_target >= 1)) || per_target=1

rm -rf "$out"
mkdir -p "$out/lib" "$out/csha256" "$out/tmp"
flags=(-O -sanitize=fuzzer,address -parse-as-library -package-name swift_cgi)

echo "fuzz: building the CGI library with coverage and AddressSanitizer"
printf 'module CSHA256 {\n    header "%s"\n    export *\n}\n' "$root/Sources/CSHA256/include/CSHA256.h" \
    > "$out/csha256/module.modulemap"
c_objects=()
for source in "$root"/Sources/CSHA256/*.c; do
    object="$out/lib/$(basename "$source").o"
    clang -O2 -fsanitize=fuzzer-no-link,address -I "$root/Sources/CSHA256/include" -c "$source" -o "$object" \
        2>> "$out/build.log" || { cat "$out/build.log"; exit 1; }
    c_objects+=("$object")
done
# Each target's sources, in every folder.
mapfile -t core_sources < <(find "$root/Sources/CGICore" -name '*.swift' | sort)
mapfile -t cgi_sources < <(find "$root/Sources/CGI" -name '*.swift' | sort)
swiftc "${flags[@]}" -enable-testing -module-name CGICore -emit-module -emit-library -static -I "$out/csha256" \
    "${core_sources[@]}" -o "$out/lib/libCGICore.a" 2>> "$out/build.log" || { cat "$out/build.log"; exit 1; }
swiftc "${flags[@]}" -enable-testing -module-name CGI -emit-module -emit-library -static -I "$out/csha256" \
    -I "$out/lib" "${cgi_sources[@]}" -o "$out/lib/libCGI.a" 2>> "$out/build.log" || { cat "$out/build.log"; exit 1; }

status=0
for target in "${targets[@]}"; do
    swiftc "${flags[@]}" -I "$out/lib" "$root/Fuzz/${sources[$target]}" -I "$out/csha256" -L "$out/lib" -lCGI -lCGICore "${c_objects[@]}" -o "$out/$target" \
        2>> "$out/build.log" || { cat "$out/build.log"; exit 1; }
    corpus="$out/corpus-$target"
    mkdir -p "$corpus"
    cp "$root/Fuzz/corpus/$target"/* "$corpus/"
    echo "fuzz: $target for ${per_target}s"
    if TMPDIR="$out/tmp" "$out/$target" -max_total_time="$per_target" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/$target-" "$corpus" > "$out/$target.log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$target.log" | grep -o '[0-9]*$' || echo "?")
        echo "fuzz: $target passed ($runs inputs)"
    else
        echo "fuzz: $target FAILED; log and artifacts in $out" >&2
        tail -40 "$out/$target.log" >&2
        status=1
    fi
done
leftover=$(find "$out/tmp" -type f | wc -l)
if ((leftover > 0)); then
    echo "fuzz: $leftover temporary files were left behind" >&2
    status=1
fi
exit $status
