#!/usr/bin/env bash
# Fuzzes the CGI library's parsers with libFuzzer for about SECONDS in all (default 60):
# the multipart reader (whole vs. chunked must agree), the urlencoded parser, header
# parsing, the JSON reader (what it reads must write and read back the same) and the
# FastCGI record decoder. The library (CGICore, then CGI) is compiled once with coverage and
# AddressSanitizer (swiftc -sanitize=fuzzer,address, -enable-testing so targets reach
# internal types; its C parts, Sources/CSHA256 and Sources/CThrowSites, with clang and module
# maps written here);
# each target in Fuzz/*FuzzTarget.swift links against them. Seeds come from Fuzz/corpus/TARGET;
# new inputs and crash artifacts go to Fuzz/out/ (not in git). Exits non-zero on a crash,
# a sanitizer report, a timeout or a failed build.
set -euo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Fuzz/out"
targets=(multipart urlencoded headervalue json fastcgi)
declare -A sources=(
    [multipart]=MultipartFuzzTarget.swift
    [urlencoded]=URLEncodedFuzzTarget.swift
    [headervalue]=HeaderValueFuzzTarget.swift
    [json]=JSONFuzzTarget.swift
    [fastcgi]=FastCGIFuzzTarget.swift
)
per_target=$((seconds / ${#targets[@]}))
((per_target >= 1)) || per_target=1

rm -rf "$out"
c_modules=(CSHA256 CThrowSites)
mkdir -p "$out/lib" "$out/modules" "$out/tmp"
flags=(-O -sanitize=fuzzer,address -parse-as-library -package-name swift_cgi)

echo "fuzz: building the CGI library with coverage and AddressSanitizer"
c_objects=()
module_paths=()
for module in "${c_modules[@]}"; do
    mkdir -p "$out/modules/$module"
    printf 'module %s {\n    header "%s"\n    export *\n}\n' "$module" "$root/Sources/$module/include/$module.h" \
        > "$out/modules/$module/module.modulemap"
    module_paths+=(-I "$out/modules/$module")
    for source in "$root/Sources/$module"/*.c; do
        object="$out/lib/$(basename "$source").o"
        clang -O2 -fsanitize=fuzzer-no-link,address -I "$root/Sources/$module/include" -c "$source" -o "$object" \
            2>> "$out/build.log" || { cat "$out/build.log"; exit 1; }
        c_objects+=("$object")
    done
done
for module in CGICore CGI; do
    swiftc "${flags[@]}" -enable-testing -module-name "$module" -emit-module -emit-module-path "$out/lib/$module.swiftmodule" \
        -emit-library -static "${module_paths[@]}" -I "$out/lib" $(find "$root/Sources/$module" -name '*.swift' | sort) \
        -o "$out/lib/lib$module.a" 2>> "$out/build.log" || { cat "$out/build.log"; exit 1; }
done

status=0
for target in "${targets[@]}"; do
    swiftc "${flags[@]}" -I "$out/lib" "$root/Fuzz/${sources[$target]}" "${module_paths[@]}" -L "$out/lib" -lCGI -lCGICore "${c_objects[@]}" -o "$out/$target" \
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
