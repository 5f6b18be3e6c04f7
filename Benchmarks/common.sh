# Shell helpers the benchmarks share (source it after setting `run`, a temporary folder, and
# `pids`, the processes to stop; Tests/shell/common.sh is sourced too, for free_port and stop_all).
source "$(dirname "${BASH_SOURCE[0]}")/../Tests/shell/common.sh"

# CPU ticks (user and system, with reaped children's) of a process and all its descendants.
tree_cpu() { # PID
    local pid
    for pid in $(ps -e -o pid=,ppid= | awk -v top="$1" '
        { parent[$1] = $2 }
        END { keep[top] = 1; grown = 1
              while (grown) { grown = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grown = 1 } }
              for (p in keep) print p }'); do
        sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }'
    done | awk '{ sum += $1 } END { print sum + 0 }'
}

# Microseconds of CPU per request from tree_cpu readings BEFORE and AFTER over REQUESTS.
cpu_per_request() { # BEFORE AFTER REQUESTS
    awk -v a="$1" -v b="$2" -v n="$3" -v t="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", (n > 0 ? (b - a) / t / n * 1e6 : 0) }'
}
