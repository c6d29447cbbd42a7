#!/usr/bin/env bash
# Why the outbox has no NOTIFY trigger (ADR 0004): commits per second of concurrent one-row
# transactions, measured with pgbench (C client: little client CPU, so the figure stays readable
# on a busy machine), in three variants, alternating:
#   plain    BEGIN; INSERT; COMMIT
#   trigger  the same insert into a table with the old statement trigger that NOTIFYs
#   notify   plain, then a NOTIFY of its own with synchronous_commit off (what a standby relay
#            sends for a commit; here after every transaction, uncoalesced: the worst case)
#
#   DATABASE_URL=postgresql://... tests/benchmarks/bench_notify_lock.sh [CLIENTS] [SECONDS] [ROUNDS]
set -euo pipefail
url=${DATABASE_URL:?set DATABASE_URL (an admin URL)}
clients=${1:-8}
seconds=${2:-8}
rounds=${3:-2}
schema="notify_lock_$$"
dir=$(mktemp -d)
cleanup() {
  psql "$url" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

psql "$url" -q -v ON_ERROR_STOP=1 <<SQL
CREATE SCHEMA $schema;
CREATE TABLE $schema.plain (id bigserial PRIMARY KEY, payload jsonb NOT NULL);
CREATE TABLE $schema.triggered (id bigserial PRIMARY KEY, payload jsonb NOT NULL);
CREATE FUNCTION $schema.notify() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN PERFORM pg_notify('outbox_$schema', ''); RETURN NULL; END \$\$;
CREATE TRIGGER notify AFTER INSERT ON $schema.triggered
    FOR EACH STATEMENT EXECUTE FUNCTION $schema.notify();
SQL
printf 'BEGIN;\nINSERT INTO %s.plain (payload) VALUES (%s);\nCOMMIT;\n' "$schema" "'{\"a\": 1}'" >"$dir/plain.sql"
printf 'BEGIN;\nINSERT INTO %s.triggered (payload) VALUES (%s);\nCOMMIT;\n' "$schema" "'{\"a\": 1}'" >"$dir/trigger.sql"
cp "$dir/plain.sql" "$dir/notify.sql"
printf "SELECT set_config('synchronous_commit', 'off', true), pg_notify('outbox_%s', '');\n" "$schema" >>"$dir/notify.sql"

echo "pgbench, $clients clients, $seconds s a run, one row per transaction ($(nproc) CPUs)"
for round in $(seq "$rounds"); do
  for variant in plain trigger notify; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    tps=$(pgbench -n -c "$clients" -j 2 -T "$seconds" -f "$dir/$variant.sql" "$url" 2>"$dir/err" |
      awk '/^tps/ {printf "%.0f", $3}') || { cat "$dir/err" >&2; exit 1; }
    printf 'round %s  %-8s %6s commits/s  (load average %s)\n' "$round" "$variant" "$tps" "$load"
  done
done
