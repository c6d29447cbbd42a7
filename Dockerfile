# syntax=docker/dockerfile:1
#
# One Dockerfile for the five services; one image per service, chosen with a build argument:
#
#   docker build --build-arg SERVICE=gateway -t order-platform/gateway:local .
#   docker run order-platform/gateway:local                            # serves (python -m gateway)
#   docker run order-platform/gateway:local python -m gateway migrate  # migrations only, then exits
#
# SERVICE is one of gateway, enrichment, appointment, inventory, fulfillment. The builder and
# runtime stages are identical for all five, so building the five images shares every layer but
# the last few (labels, port, command). Why it looks like this: docs/adr/0008-container-images-and-compose.md.

# The builder and the runtime must use the same interpreter at the same path: the virtual
# environment made in the builder points at /usr/local/bin/python3.11 of this image.
ARG PYTHON_IMAGE=python:3.11-slim-trixie
# Empty on purpose: a build without --build-arg SERVICE=... stops at the `svc-` stage with a message.
ARG SERVICE=""

# ---------------------------------------------------------------------------------------------
# builder: the locked dependencies, then the workspace's own packages (shared_* and services).
FROM ${PYTHON_IMAGE} AS builder

# uv from its official distroless image, pinned to the version that writes this repo's uv.lock.
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/

# UV_COMPILE_BYTECODE: .pyc at build time (faster start; the root filesystem may be read-only).
# UV_LINK_MODE=copy: the cache mount is another filesystem, hard links cannot work.
# UV_PYTHON_DOWNLOADS=0: use the image's interpreter, never a downloaded one the runtime lacks.
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=0

WORKDIR /app

# Layer 1, third-party dependencies only: it changes when uv.lock changes, not when code does.
# uv needs the root pyproject.toml and every workspace member's pyproject.toml to read the
# workspace, nothing else; --no-install-workspace leaves the members out. The list of members
# below is checked against shared/* and services/* by tests/deploy/test_dockerfile.py.
RUN --mount=type=cache,target=/root/.cache/uv \
    --mount=type=bind,source=uv.lock,target=uv.lock \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    --mount=type=bind,source=.python-version,target=.python-version \
    --mount=type=bind,source=shared/contracts/pyproject.toml,target=shared/contracts/pyproject.toml \
    --mount=type=bind,source=shared/db/pyproject.toml,target=shared/db/pyproject.toml \
    --mount=type=bind,source=shared/http/pyproject.toml,target=shared/http/pyproject.toml \
    --mount=type=bind,source=shared/messaging/pyproject.toml,target=shared/messaging/pyproject.toml \
    --mount=type=bind,source=shared/observability/pyproject.toml,target=shared/observability/pyproject.toml \
    --mount=type=bind,source=shared/runtime/pyproject.toml,target=shared/runtime/pyproject.toml \
    --mount=type=bind,source=shared/testing/pyproject.toml,target=shared/testing/pyproject.toml \
    --mount=type=bind,source=services/gateway/pyproject.toml,target=services/gateway/pyproject.toml \
    --mount=type=bind,source=services/enrichment/pyproject.toml,target=services/enrichment/pyproject.toml \
    --mount=type=bind,source=services/appointment/pyproject.toml,target=services/appointment/pyproject.toml \
    --mount=type=bind,source=services/inventory/pyproject.toml,target=services/inventory/pyproject.toml \
    --mount=type=bind,source=services/fulfillment/pyproject.toml,target=services/fulfillment/pyproject.toml \
    uv sync --frozen --no-dev --no-install-workspace

# Layer 2, the workspace itself (tests, caches and local state are kept out by .dockerignore).
COPY pyproject.toml uv.lock .python-version ./
COPY shared ./shared
COPY services ./services

# The members are installed editable (uv's default), deliberately: each service finds its
# Alembic revisions next to its sources (Path(__file__).parents[2] / "migrations"), so the
# sources stay at /app in the runtime image, at the same path as here. uv compiles
# site-packages only; compileall does the same for the workspace sources.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev \
    && /app/.venv/bin/python -m compileall -q /app/shared /app/services

# ---------------------------------------------------------------------------------------------
# runtime: the interpreter, the virtual environment and the sources; no uv, no build tools.
FROM ${PYTHON_IMAGE} AS runtime

# A fixed, numeric, non-root user (uid/gid 10001): Kubernetes' runAsNonRoot can verify a
# numeric USER, and a fixed uid keeps bind-mount and volume ownership predictable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --no-log-init --uid 10001 --gid 10001 \
       --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin app

# Owned by root and not writable by the app user: the process cannot change its own code.
COPY --from=builder /app /app
WORKDIR /app

# HTTP_HOST=0.0.0.0: inside a container the service must listen beyond loopback (the
# settings default, 127.0.0.1, is right for `make up` only). HTTP_PORT is set per service below.
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HTTP_HOST=0.0.0.0

USER 10001:10001

# Liveness only (the process answers HTTP). Readiness (database, Kafka, migrations) is
# /health/ready; docker-compose.yml uses that one for its start-up ordering. The proxy handler
# is emptied so that an HTTP(S)_PROXY in the environment never intercepts a loopback call.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; r.build_opener(r.ProxyHandler({})).open('http://127.0.0.1:%s/health/live' % os.environ.get('HTTP_PORT', '8080'), timeout=4)"]

# ---------------------------------------------------------------------------------------------
# One stage per service: its port (the same as `make up` uses, see README) and its command.
# A Dockerfile cannot put a build argument into an exec-form CMD, hence a stage each.

FROM runtime AS svc-gateway
LABEL org.opencontainers.image.title="gateway" \
      org.opencontainers.image.description="Order platform: public edge (authentication, idempotency, routing)"
ENV HTTP_PORT=8080
EXPOSE 8080
CMD ["python", "-m", "gateway"]

FROM runtime AS svc-enrichment
LABEL org.opencontainers.image.title="enrichment" \
      org.opencontainers.image.description="Order platform: orders, contracts, sub-orders and their enrichment"
ENV HTTP_PORT=8081
EXPOSE 8081
CMD ["python", "-m", "enrichment"]

FROM runtime AS svc-appointment
LABEL org.opencontainers.image.title="appointment" \
      org.opencontainers.image.description="Order platform: service territories, capacity and bookings"
ENV HTTP_PORT=8082
EXPOSE 8082
CMD ["python", "-m", "appointment"]

FROM runtime AS svc-inventory
LABEL org.opencontainers.image.title="inventory" \
      org.opencontainers.image.description="Order platform: items, locations, stock buckets and reservations"
ENV HTTP_PORT=8083
EXPOSE 8083
CMD ["python", "-m", "inventory"]

FROM runtime AS svc-fulfillment
LABEL org.opencontainers.image.title="fulfillment" \
      org.opencontainers.image.description="Order platform: customer orders and fulfillment orders"
ENV HTTP_PORT=8084
EXPOSE 8084
CMD ["python", "-m", "fulfillment"]

# Reached only when SERVICE is empty: fail with a clear message instead of an image-pull error.
FROM runtime AS svc-
RUN echo "build with --build-arg SERVICE=<gateway|enrichment|appointment|inventory|fulfillment>" >&2 \
    && false

# The image that is built: the stage of the chosen service. Must stay the last stage.
# (hadolint reads `svc-${SERVICE}` as an untagged image; it names a stage of this file.)
# hadolint ignore=DL3006
FROM svc-${SERVICE} AS final
