#!/usr/bin/env bash
# `make test`: start what the tests need (unless given from outside), run lint and every test,
# stop what was started here. Extra arguments go to pytest.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

started_kafka=
started_postgres=
# Each run starts from empty state when it owns the infrastructure: no broker data or test
# database left by an earlier run (stock reserved, capacity booked, offsets committed).
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  if ! "$LOCAL_DIR/kafka.sh" status test >/dev/null; then
    started_kafka=1
    rm -rf "$PLATFORM_VAR/kafka/test/data"
  fi
  "$LOCAL_DIR/kafka.sh" start test "${TEST_KAFKA_PORT:-19092}" || exit 1
  export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:${TEST_KAFKA_PORT:-19092}"
fi
export PLATFORM_PG_OWNER=test
if [ -z "${DATABASE_URL:-}" ]; then
  started_postgres=1
  "$LOCAL_DIR/postgres.sh" start || exit 1
  "$LOCAL_DIR/postgres.sh" recreate orderplatform_test || exit 1
  export DATABASE_URL=$("$LOCAL_DIR/postgres.sh" url orderplatform_test)
fi
cleanup() {
  if [ -n "$started_kafka" ]; then "$LOCAL_DIR/kafka.sh" stop test; fi
  if [ -n "$started_postgres" ]; then "$LOCAL_DIR/postgres.sh" stop; fi
}
trap cleanup EXIT

status=0
make --no-print-directory lint || status=1
.venv/bin/python -m shared_contracts check docs/events/schemas || status=1
if [ $# -gt 0 ]; then
  .venv/bin/pytest -q -p no:cacheprovider "$@" || status=1
else
  # End-to-end tests run the services as processes in their consumer groups; the integration
  # tests keep in-process instances alive for their whole session, so the two get separate runs.
  # The fuzzers use the same running platform (reduced; FUZZ_FULL=1 for the full form).
  .venv/bin/pytest -q -p no:cacheprovider --ignore=tests/e2e --ignore=tests/fuzz --ignore=tests/faults || status=1
  .venv/bin/pytest -q -p no:cacheprovider tests/e2e tests/fuzz || status=1
  # The fault suite, reduced (`make test-faults FULL=1` for the full form): its own PostgreSQL and
  # Kafka, which it restarts, so it touches nothing the runs above use.
  .venv/bin/pytest -q -p no:cacheprovider tests/faults || status=1
fi
exit $status
