#!/usr/bin/env bash
# Instructions per request, counted by callgrind (BENCHMARKS.md parts 13, 16, 17, 19):
# `--profile-request <which> N` for N = 400 and 100, then (total(400) - total(100)) / 300,
# with aws-lc's jitter entropy (`jent_*`, millions of instructions that vary from run to
# run) taken out of both totals. Usage: bench/callgrind.sh [generated layered by-hand]
# (the release build of authgen-bench first: `cargo build --release -p authgen-bench`).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=target/release/authgen-bench
out=${CALLGRIND_OUT:-$(mktemp -d)}

# The program's total, less what calls from outside jent_* into jent_* cost (inclusive).
counted() {
    callgrind_annotate --tree=caller --inclusive=yes --threshold=100 "$1" 2>/dev/null | awk '
        function n(s) { gsub(",", "", s); return s + 0 }
        /PROGRAM TOTALS/ { total = n($1) }
        /^ *[0-9,]+ .*  < / { callers[++k] = $0; next }
        /^ *[0-9,]+ .*  \* / {
            if ($0 ~ /jent_/)
                for (i = 1; i <= k; i++)
                    if (callers[i] !~ /< [^ ]*jent_/) jent += n(callers[i])
        }
        { k = 0 }
        END { printf "%d %d\n", total - jent, jent }'
}

[ $# -gt 0 ] || set -- generated layered by-hand
declare -A count
for which in "$@"; do
    for n in 100 400; do
        valgrind --tool=callgrind --callgrind-out-file="$out/$which.$n" \
            "$bench" --profile-request "$which" "$n" >/dev/null 2>&1
        read -r "count[$n]" jent < <(counted "$out/$which.$n")
        echo "# $which $n: ${count[$n]} instructions ($jent in jent_* left out)" >&2
    done
    echo "$which $(( (count[400] - count[100]) / 300 ))"
done
