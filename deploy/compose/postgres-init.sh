#!/usr/bin/env bash
# PostgreSQL init script for docker compose, mounted into /docker-entrypoint-initdb.d/ of the
# official postgres image; it runs once, when the data volume is empty, as the image's superuser.
#
# It does in the container what deploy/local/postgres.sh does on the machine's cluster:
#   - the admin role (PLATFORM_PG_ADMIN_USER, default platform_admin; LOGIN CREATEROLE CREATEDB,
#     never used by a service) owns the platform database (POSTGRES_DB, orderplatform in compose);
#   - PUBLIC may neither connect to that database nor use its `public` schema, so only the roles
#     that provisioning grants CONNECT (one per service) get in.
# The per-service roles and schemas are made afterwards by the `provision` job
# (python -m shared_db.provision ADMIN_URL), the same code as `make up` runs.
#
# The entrypoint executes this file when it is executable and sources it otherwise, so it
# neither exits nor changes shell options beyond `set -e`. Values reach SQL only as psql
# variables (:'name' quotes a literal, %I/%L quote through format()), never by pasting.
set -e

psql -v ON_ERROR_STOP=1 --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  --set admin_user="${PLATFORM_PG_ADMIN_USER:-platform_admin}" \
  --set admin_password="${PLATFORM_PG_ADMIN_PASSWORD:-platform_admin}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEROLE CREATEDB PASSWORD %L', :'admin_user', :'admin_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'admin_user')
\gexec

SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'admin_user')
\gexec

SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database())
\gexec

REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
