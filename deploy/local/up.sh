#!/usr/bin/env bash
# `make up`: Kafka, PostgreSQL, topics, the five services (supervisord), readiness, a summary.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  "$LOCAL_DIR/kafka.sh" start dev "$KAFKA_PORT"
  export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
else
  "$LOCAL_DIR/wait-for.sh" kafka "$KAFKA_BOOTSTRAP_SERVERS" 60
fi
"$LOCAL_DIR/postgres.sh" start orderplatform
admin_url=$("$LOCAL_DIR/postgres.sh" url orderplatform)

"$PLATFORM_PYTHON" -m shared_messaging topics create --bootstrap "$KAFKA_BOOTSTRAP_SERVERS"
while read -r service url; do
  export "${service^^}_DATABASE_URL=$url"
done < <("$PLATFORM_PYTHON" -m shared_db.provision "$admin_url")

conf="$LOCAL_DIR/supervisord.conf"
if [ -S "$PLATFORM_VAR/supervisor.sock" ] && "$REPO_ROOT/.venv/bin/supervisorctl" -c "$conf" pid >/dev/null 2>&1; then
  "$REPO_ROOT/.venv/bin/supervisorctl" -c "$conf" restart all >/dev/null
else
  "$REPO_ROOT/.venv/bin/supervisord" -c "$conf"
fi

for service in $SERVICES; do
  if ! "$LOCAL_DIR/wait-for.sh" http "http://127.0.0.1:${SERVICE_PORT[$service]}/health/ready" 90; then
    echo "up: $service is not ready; last lines of $PLATFORM_VAR/log/$service.log:" >&2
    tail -n 30 "$PLATFORM_VAR/log/$service.log" >&2 || true
    exit 1
  fi
done

# Demo data, each step idempotent: credentials (working secrets in the file are kept) and the
# Merchandising foundation data (items, locations, suppliers, stock of the specification's samples).
DATABASE_URL="$GATEWAY_DATABASE_URL" "$PLATFORM_PYTHON" -m gateway clients seed-demo --out "$PLATFORM_VAR/demo-clients.json" >/dev/null
DATABASE_URL="$INVENTORY_DATABASE_URL" "$PLATFORM_PYTHON" -m inventory data demo >/dev/null

cat <<SUMMARY

The order platform is up.
  gateway       http://127.0.0.1:$GATEWAY_PORT   (OpenAPI docs: http://127.0.0.1:$GATEWAY_PORT/docs)
  enrichment    http://127.0.0.1:8081   appointment http://127.0.0.1:8082
  inventory     http://127.0.0.1:8083   fulfillment http://127.0.0.1:8084
  health        /health/live  /health/ready   metrics: /metrics on every service
  kafka         $KAFKA_BOOTSTRAP_SERVERS   (broker log: var/kafka/dev/logs/server.log)
  postgres      $admin_url
  credentials   $PLATFORM_VAR/demo-clients.json  (sandbox-sp, production-sp, connector-sp-a/-b, oms)
  logs          $PLATFORM_VAR/log/<service>.log  (JSON lines)
  traces        $OTEL_TRACES_FILE   (make trace ID=<x-trace-id>)
  try it        make demo   (one distributor journey with curl, create to CONFIRMED)
  status        make status
  stop          make down
SUMMARY
