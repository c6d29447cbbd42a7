#!/usr/bin/env bash
# The machine's PostgreSQL server for local runs and tests, no Docker.
#
#   deploy/local/postgres.sh start [DBNAME...]   install Debian's postgresql when missing, start the
#                                                 cluster, create the admin role and the databases
#   deploy/local/postgres.sh stop                 stop the cluster, only if this owner started it and
#                                                 no other owner (make up / make test) still uses it
#   deploy/local/postgres.sh recreate DBNAME      drop DBNAME (closing its sessions) and create it empty
#   deploy/local/postgres.sh url [DBNAME]         print the admin URL of DBNAME
#
# When DATABASE_URL is set it always wins: nothing is installed or started, the URL is only awaited.
# The admin role (platform_admin) creates the per-service roles and schemas; services never use it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state="$root/var/postgres"
admin_user=${PLATFORM_PG_ADMIN_USER:-platform_admin}
admin_password=${PLATFORM_PG_ADMIN_PASSWORD:-platform_admin}
owner=${PLATFORM_PG_OWNER:-up}  # who asks: "up" (make up), "test" (make test), "pytest" (never stops)
cmd=${1:-url}
shift || true

cluster() { pg_lsclusters --no-header 2>/dev/null | head -n 1; }
port() { cluster | awk '{print $3}'; }

# Loopback needs no TLS (Debian enables it, and it costs CPU on every query).
url() { echo "postgresql://$admin_user:$admin_password@127.0.0.1:$(port)/${1:-orderplatform}?sslmode=disable"; }

# From /: the postgres user may not enter the caller's directory (e.g. a private mktemp clone).
psql_su() { (cd / && runuser -u postgres -- psql -v ON_ERROR_STOP=1 -q -p "$(port)" "$@"); }

install() {
  if command -v pg_ctlcluster >/dev/null && [ -n "$(cluster)" ]; then return; fi
  echo "postgres: installing Debian's postgresql package"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q postgresql >/dev/null
  if [ -z "$(cluster)" ]; then
    pg_createcluster "$(ls /usr/lib/postgresql | sort -n | tail -n 1)" main >/dev/null
  fi
}

start() {
  if [ -n "${DATABASE_URL:-}" ]; then
    "$here/wait-for.sh" postgres "$DATABASE_URL" 60
    return
  fi
  [ "$(id -u)" = 0 ] || { echo "postgres: run as root (or set DATABASE_URL to an existing server)" >&2; exit 1; }
  install
  read -r version name _ status _ <<<"$(cluster)"
  mkdir -p "$state"
  if [ "$status" != online ]; then
    echo "postgres: starting cluster $version/$name on port $(port)"
    pg_ctlcluster --skip-systemctl-redirect "$version" "$name" start \
      || { echo "postgres: cluster did not start; see /var/log/postgresql/postgresql-$version-$name.log" >&2; exit 1; }
    echo "$version $name" > "$state/started-by-$owner"
  fi
  touch "$state/used-by-$owner"
  psql_su -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$admin_user') THEN
    CREATE ROLE $admin_user LOGIN CREATEROLE CREATEDB PASSWORD '$admin_password';
  END IF;
END \$\$;
SQL
  for db in "${@:-orderplatform}"; do create_database "$db"; done
  "$here/wait-for.sh" postgres "$(url "${1:-orderplatform}")" 60
}

create_database() {
  local db=$1
  if [ -z "$(psql_su -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    psql_su -d postgres -c "CREATE DATABASE $db OWNER $admin_user"
    # Only the roles granted CONNECT (the service roles) may connect.
    psql_su -d postgres -c "REVOKE ALL ON DATABASE $db FROM PUBLIC"
    psql_su -d "$db" -c "REVOKE ALL ON SCHEMA public FROM PUBLIC"
  fi
}

recreate() {
  [ -n "${1:-}" ] || { echo "usage: $0 recreate DBNAME" >&2; exit 2; }
  psql_su -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
  create_database "$1"
}

stop() {
  rm -f "$state/used-by-$owner"
  if [ ! -f "$state/started-by-$owner" ]; then
    echo "postgres: not started by '$owner'; left running"
    return
  fi
  if compgen -G "$state/used-by-*" >/dev/null; then
    echo "postgres: still used by $(cd "$state" && ls used-by-* | sed 's/used-by-//' | tr '\n' ' '); left running"
    return
  fi
  read -r version name <"$state/started-by-$owner"
  pg_ctlcluster --skip-systemctl-redirect "$version" "$name" stop -m fast
  rm -f "$state"/started-by-*
  echo "postgres: stopped $version/$name"
}

case "$cmd" in
  start) start "$@" ;;
  recreate) recreate "$@" ;;
  stop) stop ;;
  url) if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; else url "$@"; fi ;;
  *) echo "usage: $0 start|stop|recreate|url [DBNAME...]" >&2; exit 2 ;;
esac
