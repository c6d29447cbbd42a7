#!/usr/bin/env bash
# `make bench-messaging`: start what a benchmark needs (unless given from outside), run it with the
# project's Python, stop what was started here.
#
#   deploy/local/bench.sh SCRIPT [ARGS...]      e.g. deploy/local/bench.sh tests/benchmarks/bench_messaging.py -n 5000
#
# Kafka: KAFKA_BOOTSTRAP_SERVERS if given, else the local "test" instance (127.0.0.1:19092, as
# `make test`), stopped afterwards only if it was not already running. PostgreSQL: DATABASE_URL
# (an admin URL) if given, else the machine's server with the database orderplatform_bench, stopped
# afterwards only if this script started it and nobody else (make up, make test) uses it.
# BENCH_FRESH_DATABASE=1 drops and recreates orderplatform_bench first (`make bench` does).
# Extra arguments also come from BENCH_ARGS (e.g. `make bench-messaging BENCH_ARGS="-n 5000"`).
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

if [ $# -lt 1 ]; then
  echo "usage: $0 SCRIPT [ARGS...]" >&2
  exit 2
fi
script=$1
shift

started_kafka=
started_postgres=
cleanup() {
  if [ -n "$started_kafka" ]; then "$LOCAL_DIR/kafka.sh" stop test; fi
  if [ -n "$started_postgres" ]; then "$LOCAL_DIR/postgres.sh" stop; fi
}
trap cleanup EXIT

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  if ! "$LOCAL_DIR/kafka.sh" status test >/dev/null; then started_kafka=1; fi
  "$LOCAL_DIR/kafka.sh" start test "${TEST_KAFKA_PORT:-19092}" || exit 1
  export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${TEST_KAFKA_PORT:-19092}"
  # For the report: the broker's pid (for its CPU and memory).
  export BENCH_KAFKA_PID_FILE=${BENCH_KAFKA_PID_FILE:-"$PLATFORM_VAR/kafka/test/pid"}
fi
# For the report: the broker's version, from the jar the local brokers run.
jar=$(ls "$PLATFORM_VAR"/kafka/lib/kafka_2.*-*.jar 2>/dev/null | head -n 1)
if [ -n "$jar" ]; then
  jar=$(basename "$jar" .jar)
  export BENCH_KAFKA_VERSION=${BENCH_KAFKA_VERSION:-${jar#kafka_*-}}
fi

# Its own owner name: stopping never takes PostgreSQL away from `make up` or `make test`.
export PLATFORM_PG_OWNER=bench
if [ -z "${DATABASE_URL:-}" ]; then
  started_postgres=1
  "$LOCAL_DIR/postgres.sh" start orderplatform_bench || exit 1
  # The report starts from an empty database (appointment windows keep the capacity they were made with).
  if [ -n "${BENCH_FRESH_DATABASE:-}" ]; then "$LOCAL_DIR/postgres.sh" recreate orderplatform_bench >/dev/null || exit 1; fi
  export DATABASE_URL=$("$LOCAL_DIR/postgres.sh" url orderplatform_bench)
fi

# shellcheck disable=SC2086  # BENCH_ARGS is split into words on purpose
.venv/bin/python "$script" "$@" ${BENCH_ARGS:-}
