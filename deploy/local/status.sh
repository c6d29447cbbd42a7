#!/usr/bin/env bash
# `make status`: the services (supervisord), the local Kafka brokers and PostgreSQL.
set -uo pipefail
source "$(dirname "$0")/env.sh"
if [ -S "$PLATFORM_VAR/supervisor.sock" ]; then
  "$REPO_ROOT/.venv/bin/supervisorctl" -c "$LOCAL_DIR/supervisord.conf" status
else
  echo "services: not running (make up)"
fi
"$LOCAL_DIR/kafka.sh" status dev
"$LOCAL_DIR/kafka.sh" status test
pg_lsclusters 2>/dev/null || echo "postgres: not installed"
