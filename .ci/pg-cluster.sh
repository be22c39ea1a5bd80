#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests of the shared log (issue 15), in a temporary
# folder, for CI and for a developer alike:
#
#   eval "$(.ci/pg-cluster.sh start)"     # prints the variables the tests read
#   cargo test --locked -- --include-ignored pg
#   .ci/pg-cluster.sh stop "$RECOVER_TEST_PG_DIR"
#
# The cluster listens on a Unix socket in its folder (the superuser `postgres`, trusted: the
# tests' admin connection) and on 127.0.0.1 at a non-default port (passwords, TLS only, with a
# certificate for `localhost` signed by a throwaway CA in the folder: the tests' desk logins).
# fsync is off: nothing in it outlives the run. As root, the folder belongs to the `postgres`
# user (initdb refuses root) and the server runs as that user.
set -euo pipefail

bindir() {
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  # Debian keeps the server programs off PATH, one folder per major version.
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] || { echo "pg-cluster: no PostgreSQL server found (apt-get install postgresql)" >&2; exit 3; }
  echo "$dir"
}

# Runs a server program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin port dir
  bin=$(bindir)
  port=${RECOVER_PG_PORT:-54329}
  dir=$(mktemp -d "${TMPDIR:-/tmp}/recover-pg.XXXXXX")
  chmod 755 "$dir"
  mkdir "$dir/data"
  # The CA and the server's certificate for localhost (not for 127.0.0.1: a test connects by
  # address to see the host name check fail).
  (
    cd "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
      -subj "/CN=recover test CA" -keyout ca.key -out ca.crt 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile ext.cnf -out server.crt 2>/dev/null
    chmod 600 server.key ca.key
  )
  if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --no-sync --no-instructions -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 3; }
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
ssl = on
ssl_cert_file = '$dir/server.crt'
ssl_key_file = '$dir/server.key'
max_connections = 200
EOF
  # Over TCP: TLS and a password, as a desk would connect.
  cat >"$dir/data/pg_hba.conf" <<EOF
local     all  all                 trust
hostssl   all  all  127.0.0.1/32   scram-sha-256
EOF
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 3; }
  # Read by the tests (tests/support/pg.rs); the connection string names no password.
  echo "export RECOVER_TEST_PG_DIR='$dir'"
  echo "export RECOVER_TEST_PG='host=$dir port=$port user=postgres dbname=postgres'"
  echo "export RECOVER_TEST_PG_PORT='$port'"
  echo "export RECOVER_TEST_PG_CA='$dir/ca.crt'"
}

stop() {
  local dir=${1:-${RECOVER_TEST_PG_DIR:-}}
  [ -n "$dir" ] && [ -d "$dir/data" ] || { echo "pg-cluster: usage: $0 stop DIR" >&2; exit 2; }
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

# For the tests of a desk whose server goes away: the server killed at once (as a crash or a
# pulled cable would leave it; the folder is kept), and started again.
kill_server() {
  local dir=${1:?usage: $0 kill DIR}
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
}

restart() {
  local dir=${1:?usage: $0 restart DIR}
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 3; }
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  kill) kill_server "${2:-}" ;;
  restart) restart "${2:-}" ;;
  *) echo "usage: $0 start | stop DIR | kill DIR | restart DIR" >&2; exit 2 ;;
esac
