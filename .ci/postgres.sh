#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: installed from Debian's packages when missing,
# created in a temporary folder, listening on a free port on 127.0.0.1 only (and a socket in that
# folder), trusted for local connections, and gone when stopped. Source it, then:
#   pg_up      # starts it and exports PG_TEST_DSN=postgresql://postgres@127.0.0.1:PORT/postgres
#   pg_down    # stops it and deletes the folder (`.ci/run` does this on exit)
# Also usable directly: `bash .ci/postgres.sh up` prints the DSN and leaves the cluster running.

pg_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

pg_install() {
    if pg_bindir >/dev/null; then return 0; fi
    echo "postgres: installing the server from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    # The package's own cluster is not used (and not started): ours lives in a temp folder.
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    pg_bindir >/dev/null
}

pg_up() {
    pg_install || { echo "postgres: could not install PostgreSQL" >&2; return 1; }
    local bin run_as port
    bin="$(pg_bindir)"
    PG_TMP="$(mktemp -d /tmp/briefbot-pg.XXXXXX)"
    export PG_TMP
    run_as=()
    if [ "$(id -u)" = 0 ]; then  # the server refuses to run as root
        id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PG_TMP" postgres
        chown postgres "$PG_TMP"
        run_as=(runuser -u postgres --)
    fi
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${run_as[@]}" "$bin/initdb" -D "$PG_TMP/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 \
        >"$PG_TMP/initdb.log" 2>&1 || { cat "$PG_TMP/initdb.log" >&2; return 1; }
    # fsync off: a test cluster does not need to survive a power cut, and it halves the test time.
    "${run_as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TMP -c fsync=off -c synchronous_commit=off \
            -c full_page_writes=off -c max_connections=200" start >/dev/null \
        || { cat "$PG_TMP/server.log" >&2; return 1; }
    PG_BIN="$bin"
    PG_RUN_AS="${run_as[*]}"
    export PG_BIN PG_RUN_AS
    export PG_TEST_DSN="postgresql://postgres@127.0.0.1:$port/postgres"
    echo "postgres: $("$bin/postgres" --version | head -1) running on 127.0.0.1:$port ($PG_TMP)" >&2
}

pg_down() {
    if [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP/data" ]; then
        # shellcheck disable=SC2086
        $PG_RUN_AS "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-up}" in
        up) pg_up; echo "$PG_TEST_DSN"; echo "stop: $PG_RUN_AS $PG_BIN/pg_ctl -D $PG_TMP/data stop" >&2 ;;
        *) echo "usage: $0 up" >&2; exit 2 ;;
    esac
fi
