# jaminan — the two commands of the quick start are `make demo` and `make test`.
# Both work on a fresh Debian machine as root with only Python 3.11 and pip: they install uv,
# the locked dependencies, Debian's pango/harfbuzz/fonts for PDF output (pdf-deps) and (for tests)
# Debian's postgresql and chromium when missing.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PORT ?= 8000
UV := python3 -m uv
RUN := $(UV) run --frozen
PYTEST := $(RUN) pytest
DEMO_SCALE ?= 0.0005
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help demo test uv sync test-deps lint types test-sqlite test-postgres test-e2e rules-cases \
        rules-docs bench bench-rules bench-import bench-billing bench-arrears bench-dashboard serve migrate format clean pdf-deps

help:
	@echo "make demo   - set up and serve jaminan on http://127.0.0.1:$(PORT) (SQLite, demo data)"
	@echo "make test   - lint, types, unit/API tests on SQLite and PostgreSQL, rule cases, browser tests"
	@echo "make bench  - benchmarks (results in docs/performance.md; BENCH_SCALE=1.0 by default)"

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv>=0.5" \
		|| python3 -m pip install --quiet --break-system-packages "uv>=0.5"

sync: uv
	$(UV) sync --frozen --quiet

migrate: sync
	@mkdir -p var
	$(RUN) jaminan migrate --noinput

demo: migrate pdf-deps
	$(RUN) jaminan load-reference
	$(RUN) jaminan generate --scale $(DEMO_SCALE) --seed 7 --if-empty
	$(RUN) jaminan demo-activity --months 3
	$(RUN) jaminan demo-setup
	@echo "Serving jaminan on http://127.0.0.1:$(PORT)/ (API docs: /api/v1/docs, health: /api/v1/health)"
	$(RUN) jaminan runserver 127.0.0.1:$(PORT) --noreload

serve: sync
	$(RUN) jaminan runserver 127.0.0.1:$(PORT)

# --- tests -------------------------------------------------------------------------------
test: sync test-deps lint types test-sqlite rules-cases test-postgres test-e2e
	@echo "make test: all checks passed"

# WeasyPrint (PDF bills) needs Pango/HarfBuzz and the DejaVu fonts from Debian.
pdf-deps:
	@if ! ldconfig -p | grep libpangoft2 >/dev/null || ! ldconfig -p | grep libharfbuzz-subset >/dev/null \
		|| [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
		echo "Installing Debian packages for PDF output (pango, harfbuzz, fonts)…"; \
		apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; \
	fi

test-deps: pdf-deps
	@if ! command -v chromium >/dev/null 2>&1 || [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then \
		echo "Installing Debian packages for tests (postgresql, chromium)…"; \
		apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			postgresql-15 chromium fonts-dejavu-core >/dev/null; \
	fi

lint: sync
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench

types: sync
	$(RUN) mypy

test-sqlite: sync
	$(PYTEST) -m "not e2e" -n 2 -q

rules-cases: sync
	$(RUN) jaminan rules test tests/cases/

test-postgres: sync test-deps
	scripts/with-postgres.sh $(PYTEST) -m "not e2e" -n 2 -q

test-e2e: sync test-deps
	$(PYTEST) -m e2e -p no:xdist -q

rules-docs: sync
	$(RUN) jaminan rules docs

format: sync
	$(RUN) ruff format src tests bench
	$(RUN) ruff check --fix src tests bench

# --- benchmarks ----------------------------------------------------------------------------
bench: bench-rules bench-import bench-billing bench-arrears bench-dashboard

bench-rules: sync
	$(UV) sync --frozen --quiet --all-groups
	$(RUN) --group bench python bench/rules_vs_openfisca.py --write-docs

bench-import: sync test-deps
	scripts/with-postgres.sh $(RUN) python bench/import_workers.py --write-docs

BENCH_SCALE ?= 1.0
# The billing benchmark's throwaway cluster gets memory like a production server's (docs/operations.md),
# not the 128 MB of shared buffers of a fresh initdb.
BENCH_PG ?= -c shared_buffers=2GB -c max_wal_size=8GB -c work_mem=64MB -c maintenance_work_mem=512MB
bench-billing: sync test-deps
	PG_SERVER_OPTS="$(BENCH_PG)" scripts/with-postgres.sh $(RUN) python bench/billing.py --scale $(BENCH_SCALE) --write-docs

bench-arrears: sync test-deps
	PG_SERVER_OPTS="$(BENCH_PG)" scripts/with-postgres.sh $(RUN) python bench/arrears.py --scale $(BENCH_SCALE) --write-docs

bench-dashboard: sync test-deps
	scripts/with-postgres.sh $(RUN) python bench/dashboard.py --scale $(BENCH_SCALE) --write-docs

clean:
	rm -rf var/jaminan.sqlite3* var/static .pytest_cache .mypy_cache .ruff_cache
