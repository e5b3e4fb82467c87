#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL server on loopback for the test suite.
# Usage: scripts/test-postgres.sh start|stop   (prints the DATABASE_URL on start)
#        scripts/test-postgres.sh halt|resume  (fault tests: stop at once as a crash or power
#        cut would, keeping the data; start the same server again, with crash recovery)
set -euo pipefail
PGPORT=${CMS_TEST_PGPORT:-54329}
PGDATA=${CMS_TEST_PGDATA:-/tmp/cms-test-pg-$PGPORT}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$BIN/pg_ctl" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
OPTIONS="-p $PGPORT -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-start}" in
  start)
    if ! as_pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
      rm -rf "$PGDATA"; mkdir -p "$PGDATA"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDATA"
      as_pg "$BIN/initdb" -D "$PGDATA" -A trust -U cms -E UTF8 --locale=C.UTF-8 >/dev/null
      as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -o "$OPTIONS" start >/dev/null
    fi
    echo "postgres://cms@127.0.0.1:$PGPORT/cms"
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U cms cms 2>/dev/null || true
    ;;
  halt)
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null
    ;;
  resume)
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -o "$OPTIONS" start >/dev/null
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PGDATA"
    ;;
esac
