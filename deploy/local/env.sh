# Sourced by up.sh / down.sh / test.sh: where things are and which ports they use.
# Anything already set in the environment wins.
LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$LOCAL_DIR/../.." && pwd)
export PLATFORM_VAR=${PLATFORM_VAR:-$REPO_ROOT/var}
export PLATFORM_PYTHON=${PLATFORM_PYTHON:-$REPO_ROOT/.venv/bin/python}
export GATEWAY_PORT=${GATEWAY_PORT:-8080}
KAFKA_PORT=${KAFKA_PORT:-9092}
SERVICES="gateway enrichment appointment inventory fulfillment"
declare -A SERVICE_PORT=([gateway]=$GATEWAY_PORT [enrichment]=8081 [appointment]=8082 [inventory]=8083 [fulfillment]=8084)
# Traces of the local stack go to one JSON-lines file (`make trace ID=<x-trace-id>` prints one).
export OTEL_TRACES_EXPORTER=${OTEL_TRACES_EXPORTER:-file}
export OTEL_TRACES_FILE=${OTEL_TRACES_FILE:-$PLATFORM_VAR/traces/spans.jsonl}
# ... with a span per SQL statement (off by default in services: CPU, see ADR 0016).
export OTEL_TRACE_DB_STATEMENTS=${OTEL_TRACE_DB_STATEMENTS:-true}
mkdir -p "$PLATFORM_VAR/log" "$PLATFORM_VAR/traces"
