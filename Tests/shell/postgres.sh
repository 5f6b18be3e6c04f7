# A PostgreSQL server of Debian's packages for a test suite (source it after common.sh, from the
# package root, as root): its own cluster in $run/postgres, run by the postgres user (with an
# open root: exec_with_open_root), listening on 127.0.0.1 alone at a free port, with a database
# and a user, password authentication only. start_postgres installs the packages if missing and
# sets DATABASE_URL and PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD for psql; stop_postgres stops
# the server (call it from the suite's EXIT trap; it does nothing when none was started);
# resume_postgres starts it again after a stop_postgres, on the same port with the same data.

# Starts the server and waits (up to 60 s) until it takes connections; sets postgres_data,
# postgres_port, DATABASE_URL and the PG* variables.
start_postgres() {
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || {
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    }
    local superuser password
    postgres_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
    postgres_data=$run/postgres
    install -d -o postgres -g postgres -m 700 "$postgres_data"
    postgres_port=$(free_port)
    superuser=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    install -o postgres -m 600 <(echo "$superuser") "$postgres_data/superuser"
    ( exec_with_open_root "$run/postgres-root" runuser -u postgres -- "$postgres_bin/initdb" -D "$postgres_data/data" \
        -U postgres --pwfile="$postgres_data/superuser" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 ) \
        > "$postgres_data/initdb.log" 2>&1 || { cat "$postgres_data/initdb.log"; return 1; }
    resume_postgres || return 1
    PGPASSWORD=$superuser psql -q -h 127.0.0.1 -p "$postgres_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE guestbook LOGIN PASSWORD '$password'" -c "CREATE DATABASE guestbook OWNER guestbook" >/dev/null
    export PGHOST=127.0.0.1 PGPORT=$postgres_port PGUSER=guestbook PGDATABASE=guestbook PGPASSWORD=$password
    export DATABASE_URL="postgres://guestbook:$password@127.0.0.1:$postgres_port/guestbook?sslmode=disable"
}

# Starts the cluster of start_postgres and waits (up to 60 s) until it takes connections.
resume_postgres() {
    # 127.0.0.1 alone, no unix socket; fsync off: the data go with the test, durability is not measured.
    ( exec_with_open_root "$run/postgres-root" runuser -u postgres -- "$postgres_bin/pg_ctl" -D "$postgres_data/data" \
        -l "$postgres_data/server.log" -w -t 60 -o "-c listen_addresses=127.0.0.1 -p $postgres_port \
        -c unix_socket_directories= -c max_connections=200 -c fsync=off" start ) \
        > /dev/null || { cat "$postgres_data/server.log"; return 1; }
}

# Stops the server of start_postgres (fast shutdown: SIGINT ends the sessions), SIGKILL after 30 s.
stop_postgres() {
    local pidfile=${postgres_data:-/nonexistent}/data/postmaster.pid pid
    [ -f "$pidfile" ] || return 0
    pid=$(head -n 1 "$pidfile")
    kill -INT "$pid" 2>/dev/null || return 0
    for _ in $(seq 300); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}
