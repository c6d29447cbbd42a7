#!/usr/bin/env bash
# `make down`: stop the services, the local Kafka broker and (if we started it) PostgreSQL.
set -uo pipefail
source "$(dirname "$0")/env.sh"
if [ -S "$PLATFORM_VAR/supervisor.sock" ]; then
  "$REPO_ROOT/.venv/bin/supervisorctl" -c "$LOCAL_DIR/supervisord.conf" shutdown >/dev/null 2>&1 && echo "services: stopped"
  rm -f "$PLATFORM_VAR/supervisor.sock"
fi
"$LOCAL_DIR/kafka.sh" stop dev
"$LOCAL_DIR/postgres.sh" stop
