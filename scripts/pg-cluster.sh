#!/usr/bin/env bash
# A throwaway PostgreSQL 15 + PostGIS 3 cluster on loopback, for the database tests and
# for trying `hetao db` locally (`make db`). No mock: Debian's real server.
#
#   scripts/pg-cluster.sh start [DIR]   initdb in DIR (default: a new /tmp/hetao-pg.XXXXXX),
#                                       start on a free 127.0.0.1 port; prints DIR, the URL
#                                       and the PGPASSFILE line
#   scripts/pg-cluster.sh url DIR       the URL (no password in it)
#   scripts/pg-cluster.sh stop DIR      stop the server and remove DIR
#
# Passwords are scram-sha-256 and random; they are written only to DIR/pgpass (mode 600), in
# ~/.pgpass format, for the role `hetao` (database `hetao`, CREATEDB) and the superuser
# `postgres`. Databases `hetao` and `hetao_template` (a template the tests copy) have PostGIS.
# With the openssl tool, the server also offers TLS with a self-signed certificate
# (DIR/server.crt, for localhost and 127.0.0.1).
# initdb refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return; }
  echo "pg-cluster: no initdb found (install postgresql-15 postgresql-15-postgis-3: scripts/setup-system.sh)" >&2
  exit 1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "pg-cluster: no free port found" >&2
  exit 1
}

cmd=${1:-}
case "$cmd" in
start)
  BIN=$(bindir)
  DIR=${2:-$(mktemp -d /tmp/hetao-pg.XXXXXX)}
  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd)
  [ -e "$DIR/data" ] && { echo "pg-cluster: $DIR/data exists (stop it first)" >&2; exit 1; }
  PORT=$(free_port)
  SUPW=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  PW=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$DIR"; fi
  chmod 700 "$DIR"
  umask 077
  printf '%s\n' "$SUPW" > "$DIR/superuser.pw"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$DIR/superuser.pw"; fi
  as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=scram-sha-256 \
    --pwfile="$DIR/superuser.pw" -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  rm -f "$DIR/superuser.pw"
  # TLS with a throwaway self-signed certificate (DIR/server.crt, for sslmode=verify-*), when
  # the openssl tool is there; plain connections stay allowed
  SSLOPTS=""
  if command -v openssl >/dev/null 2>&1 && openssl req -new -x509 -days 2 -nodes -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$DIR/server.key" \
      -out "$DIR/server.crt" >/dev/null 2>&1; then
    chmod 600 "$DIR/server.key"; chmod 644 "$DIR/server.crt"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$DIR/server.key" "$DIR/server.crt"; fi
    SSLOPTS="-c ssl=on -c ssl_cert_file=$DIR/server.crt -c ssl_key_file=$DIR/server.key"
  fi
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 30 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 $SSLOPTS" \
    start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
  printf '127.0.0.1:%s:*:postgres:%s\n127.0.0.1:%s:*:hetao:%s\n' "$PORT" "$SUPW" "$PORT" "$PW" > "$DIR/pgpass"
  chmod 600 "$DIR/pgpass"
  psql_su() { PGPASSFILE="$DIR/pgpass" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }
  psql_su -d postgres -c "CREATE ROLE hetao LOGIN CREATEDB PASSWORD '$PW'" \
    -c "CREATE DATABASE hetao OWNER hetao" -c "CREATE DATABASE hetao_template OWNER hetao" >/dev/null
  psql_su -d hetao -c "CREATE EXTENSION postgis" >/dev/null
  psql_su -d hetao_template -c "CREATE EXTENSION postgis" >/dev/null
  psql_su -d postgres -c "ALTER DATABASE hetao_template IS_TEMPLATE true" >/dev/null
  echo "postgres://hetao@127.0.0.1:$PORT/hetao" > "$DIR/url"
  echo "$PORT" > "$DIR/port"
  echo "cluster: $DIR"
  echo "url: postgres://hetao@127.0.0.1:$PORT/hetao"
  echo "export PGPASSFILE=$DIR/pgpass"
  ;;
url)
  DIR=${2:?usage: pg-cluster.sh url DIR}
  cat "$DIR/url"
  ;;
stop)
  DIR=${2:?usage: pg-cluster.sh stop DIR}
  [ -d "$DIR" ] || exit 0
  if [ -f "$DIR/data/postmaster.pid" ]; then
    as_owner "$(bindir)/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
  ;;
*)
  echo "usage: scripts/pg-cluster.sh start [DIR] | url DIR | stop DIR" >&2
  exit 2
  ;;
esac
