# The two commands a newcomer types: `make up` and `make test`. See README.md.
SHELL := /bin/bash
UV ?= uv
PY := .venv/bin/python

.PHONY: help install up down status demo trace test test-faults lint format bench bench-soak bench-messaging bench-appointments bench-fulfillment bench-order-create bench-inventory bench-instructions k8s-validate

help:
	@echo "make up               Kafka + PostgreSQL + the five services with demo data (no Docker needed)"
	@echo "make down             stop everything make up started"
	@echo "make status           what is running"
	@echo "make demo             one distributor journey through the gateway with curl (needs make up)"
	@echo "make trace ID=...     print the trace of one x-trace-id from the local span file"
	@echo "make test             lint + every test against a real Kafka and PostgreSQL"
	@echo "make test-faults      fault injection under load, own Kafka + PostgreSQL (FULL=1: the full form, then the full fuzzers)"
	@echo "make lint             ruff + mypy"
	@echo "make format           ruff format + ruff check --fix"
	@echo "make bench            the benchmark report: journeys, OMS traffic and baselines at fixed rates (vegeta);"
	@echo "                      tables, plot and machine in docs/benchmarks/ (starts its own platform)"
	@echo "make bench-soak       10 minutes of steady journeys: memory growth per process, p99 per minute"
	@echo "make bench-messaging  outbox relay throughput and commit-to-handler latency"
	@echo "make bench-appointments  get-dates and book at a fixed arrival rate (needs make up)"
	@echo "make bench-fulfillment   journeys to CONFIRMED and OMS traffic of the report (var/benchmarks/fulfillment/)"
	@echo "make bench-order-create  POST /api/v1/order via the gateway vs a bare FastAPI+asyncpg insert (open model)"
	@echo "make bench-inventory     availability on 100,000 items x 50 locations vs a bare query; reservations/s"
	@echo "make bench-instructions  CPU instructions per request per process (perf): judge CPU changes by these"
	@echo "make k8s-validate     render the Kubernetes overlays and validate them offline"

# uv itself comes from PyPI when it is missing; the lock file pins everything else.
install:
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

up: install
	@deploy/local/up.sh

down:
	@deploy/local/down.sh

status:
	@deploy/local/status.sh

demo:
	@deploy/local/demo-journey.sh

trace:
	@test -n "$(ID)" || { echo "usage: make trace ID=<x-trace-id>"; exit 2; }
	@$(PY) -m shared_observability.trace_tree var/traces/spans.jsonl "$(ID)"

test: install
	@deploy/local/test.sh

test-faults: install
	@FAULTS_FULL=$(FULL) .venv/bin/pytest -q -p no:cacheprovider tests/faults
	@if [ -n "$(FULL)" ]; then FUZZ_FULL=1 .venv/bin/pytest -q -p no:cacheprovider tests/fuzz; fi

lint: install
	@$(UV) run --frozen ruff check .
	@$(UV) run --frozen ruff format --check .
	@$(UV) run --frozen mypy shared/*/src services/*/src deploy/local/wait_for.py

format: install
	@$(UV) run --frozen ruff format .
	@$(UV) run --frozen ruff check --fix .

bench: install
	@BENCH_FRESH_DATABASE=1 deploy/local/bench.sh tests/benchmarks/bench_report.py

bench-soak: install
	@BENCH_FRESH_DATABASE=1 BENCH_SOAK=1 deploy/local/bench.sh tests/benchmarks/bench_report.py

bench-messaging: install
	@deploy/local/bench.sh tests/benchmarks/bench_messaging.py

bench-appointments: install
	@PYTHONPATH=tests/benchmarks $(PY) services/appointment/tests/bench_appointments.py $(BENCH_ARGS)

bench-fulfillment: install
	@BENCH_FRESH_DATABASE=1 deploy/local/bench.sh tests/benchmarks/bench_report.py --only baselines,journeys,oms \
		--output-dir var/benchmarks/fulfillment

bench-order-create: install
	@deploy/local/bench.sh tests/benchmarks/bench_order_create.py

bench-inventory: install
	@deploy/local/bench.sh services/inventory/tests/bench_inventory.py

bench-instructions: install
	@deploy/local/bench.sh tests/benchmarks/bench_instructions.py

k8s-validate: install
	@deploy/k8s/validate.sh
