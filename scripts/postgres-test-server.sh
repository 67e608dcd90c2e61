#!/usr/bin/env bash
# A private PostgreSQL server for the storage.jdbc tests: its own cluster in a temp directory,
# listening on a free port on 127.0.0.1 only, with a database hyphae_test and a role hyphae.
#
#   scripts/postgres-test-server.sh start   # installs PostgreSQL (Debian packages) if missing
#   scripts/postgres-test-server.sh stop
#   scripts/postgres-test-server.sh status
#
# start writes the connection to $HYPHAE_PG_DIR/jdbc.properties (url, user, password), where the
# tests look for it, and prints the JDBC URL. HYPHAE_PG_DIR defaults to ${TMPDIR:-/tmp}/hyphae-postgres-test.
set -euo pipefail

PG_DIR="${HYPHAE_PG_DIR:-${TMPDIR:-/tmp}/hyphae-postgres-test}"
DATA="$PG_DIR/data"
PROPS="$PG_DIR/jdbc.properties"
LOG="$PG_DIR/postgres.log"
DB=hyphae_test
ROLE=hyphae
PASSWORD=hyphae-test

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$dir" ]; then
        echo "postgres-test-server: installing PostgreSQL from Debian's packages" >&2
        as_root apt-get update -qq >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        # The package starts a system cluster on 5432; this script uses its own, so stop that one.
        as_root service postgresql stop >/dev/null 2>&1 || true
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$dir"
}

# Runs a PostgreSQL tool as the cluster's owner: the postgres user when we are root (initdb
# refuses root), ourselves otherwise.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    local port
    for port in $(seq 55432 55532); do
        if ! ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
            echo "$port"
            return
        fi
    done
    echo "postgres-test-server: no free port in 55432-55532" >&2
    exit 1
}

running() {
    [ -f "$DATA/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
    BIN=$(pg_bin)
    mkdir -p "$PG_DIR"
    chmod 755 "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DIR"; fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
        # The password file must be readable by the cluster's owner; removed right after.
        echo "$PASSWORD" >"$PG_DIR/pwfile"
        if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DIR/pwfile"; fi
        as_owner "$BIN/initdb" -D "$DATA" -A scram-sha-256 --username=postgres --pwfile="$PG_DIR/pwfile" \
            -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
            || { cat "$PG_DIR/initdb.log" >&2; rm -f "$PG_DIR/pwfile"; exit 1; }
        rm -f "$PG_DIR/pwfile"
    fi
    if running; then
        echo "postgres-test-server: already running" >&2
    else
        PORT=$(free_port)
        # Sockets go into the cluster directory, not /var/run/postgresql, which may not exist.
        as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=on -c max_connections=100" start >&2 \
            || { tail -20 "$LOG" >&2; exit 1; }
        echo "$PORT" >"$PG_DIR/port"
    fi
    PORT=$(cat "$PG_DIR/port")
    export PGPASSWORD="$PASSWORD"
    psql_admin() { as_owner env PGPASSWORD="$PASSWORD" "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
    if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname='$ROLE'")" ]; then
        psql_admin -d postgres -c "CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD'"
    fi
    if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$DB'")" ]; then
        psql_admin -d postgres -c "CREATE DATABASE $DB OWNER $ROLE"
    fi
    URL="jdbc:postgresql://127.0.0.1:$PORT/$DB"
    printf 'url=%s\nuser=%s\npassword=%s\ndata=%s\npg_ctl=%s\n' "$URL" "$ROLE" "$PASSWORD" "$DATA" "$BIN/pg_ctl" >"$PROPS"
    chmod 644 "$PROPS"
    echo "$URL"
}

stop() {
    if [ -f "$DATA/PG_VERSION" ]; then
        BIN=$(pg_bin)
        if running; then
            as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
        fi
    fi
    rm -f "$PROPS"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) BIN=$(pg_bin); if running; then echo "running: $(grep ^url= "$PROPS" | cut -d= -f2-)"; else echo "stopped"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
