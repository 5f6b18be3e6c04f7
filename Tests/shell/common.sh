# Shell helpers the suites under Tests/ share (source it from the package root).
# A suite sets `run` (its temporary folder) and `pids` (processes to stop) before using them.

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# A free TCP port on 127.0.0.1 (or on the address given).
free_port() { python3 -c 'import socket, sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "${1:-127.0.0.1}"; }

# Waits (up to 10 s) until an HTTP server answers at URL (default http://127.0.0.1:PORT/).
wait_port() {
    local url=${2:-http://127.0.0.1:$1/}
    for _ in $(seq 100); do
        curl -s -o /dev/null --max-time 2 "$url" && return 0
        sleep 0.1
    done
    return 1
}

# Waits (up to 10 s) until something accepts TCP connections on 127.0.0.1:PORT (a connection
# is made and closed at once).
wait_listen() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Waits (up to SECONDS, default 30) until FILE has a line matching the extended regular expression.
wait_line() {
    local file=$1 pattern=$2 seconds=${3:-30}
    for _ in $(seq $((seconds * 10))); do
        grep -Eq "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Waits (up to SECONDS) for process PID to end and returns its exit status; 124 if it did not end.
wait_exit() {
    local pid=$1 seconds=${2:-30}
    for _ in $(seq $((seconds * 10))); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid"; return; }
        sleep 0.1
    done
    return 124
}

# Stops every process in `pids` (SIGTERM, then SIGKILL after 10 s).
stop_all() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        wait_exit "$pid" 10 >/dev/null 2>&1 || { kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    done
}

# Runs wrk with ARGS (the URL among them) and prints "REQUESTS FAILED": the answers, and the
# non-2xx answers plus socket errors (connect, read, write, timeout). wrk's own report is left in
# $run/wrk.out. Tests/shell/stop-after.lua (`-s`) bounds a run in count as well as in time.
wrk_counts() {
    wrk "$@" > "$run/wrk.out"
    local requests non2xx errors
    requests=$(awk '/requests in/ {print $1}' "$run/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$run/wrk.out")
    errors=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' "$run/wrk.out")
    echo "${requests:-0} $(( ${non2xx:-0} + ${errors:-0} ))"
}

# A process's resident memory and open descriptors: "RSS_KIB DESCRIPTORS".
process_state() {
    echo "$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status") $(ls "/proc/$1/fd" | wc -l)"
}

# The value of KEY= in a systemd unit file (the first one).
unit_value() { sed -n "s/^$2=//p" "$1" | head -1; }

# Runs COMMAND in place of the shell (exec). Where the root folder is closed to other users
# (mode 0700), a program that runs as another user (Apache's children, PostgreSQL) could not
# even load a library, so COMMAND then runs in a private mount namespace whose root is a tmpfs
# at FOLDER with /usr, /etc, /var, /tmp, /dev, /proc and /run bound in (a folder closed in the
# same way, as /etc can be, becomes an open tmpfs with its entries bound in). unshare does not pass
# signals on: stop such programs through their pid files.
exec_with_open_root() {
    local root=$1; shift
    if [ $(( 0$(stat -c %a /) & 1 )) = 1 ]; then exec "$@"; fi
    exec unshare --mount --fork --kill-child=SIGTERM bash -c '
        root=$1; shift
        mkdir -p "$root" && mount --make-rprivate / && mount -t tmpfs -o mode=755 tmpfs "$root" || exit 1
        for folder in usr etc var tmp dev proc run; do
            mkdir -p "$root/$folder"
            if [ $(( 0$(stat -c %a "/$folder") & 1 )) = 1 ]; then mount --rbind "/$folder" "$root/$folder"; continue; fi
            # A closed folder (/etc on some machines): an open tmpfs with each of its entries bound in.
            mount -t tmpfs -o mode=755 tmpfs "$root/$folder" || exit 1
            for entry in "/$folder"/* "/$folder"/.[!.]*; do
                target=$root/$folder/${entry##*/}
                if [ -L "$entry" ]; then cp -P "$entry" "$target"
                elif [ -d "$entry" ]; then mkdir "$target" && mount --rbind "$entry" "$target"
                elif [ -e "$entry" ]; then touch "$target" && mount --bind "$entry" "$target"
                fi
            done
        done
        for link in lib lib64 bin sbin; do ln -s "usr/$link" "$root/$link"; done
        exec chroot "$root" "$@"' open-root "$root" "$@"
}

# Runs Apache httpd in the foreground with CONFIG (run it in the background). Apache's
# children switch to www-data (so it runs with an open root: exec_with_open_root); stop it
# through its PidFile.
start_apache2() {
    exec_with_open_root "$run/apache2-root" apache2 -f "$1" -DFOREGROUND
}
