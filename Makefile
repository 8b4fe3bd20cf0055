# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgresql://127.0.0.1:5432/test

.PHONY: run test test-sqlite bench lint install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/blog init
	$(BIN)/blog serve --host $(HOST) --port $(PORT)

# The suite runs on SQLite, then again on PostgreSQL when the server answers.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q
	@if $(BIN)/python -m tests.pg_available "$(PG_URL)"; then \
		echo "== again on PostgreSQL ($(PG_URL)) =="; \
		BLOG_TEST_POSTGRES="$(PG_URL)" $(BIN)/python -m pytest -n 2 -q -m "not browser"; \
	else \
		echo "PostgreSQL at $(PG_URL) did not answer: PostgreSQL run skipped"; \
		if [ "$$CI" = "true" ]; then exit 1; fi; \
	fi

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.run

lint: $(STAMP)
	$(BIN)/ruff check blog tests migrations
	$(BIN)/ruff format --check blog tests migrations

clean:
	rm -rf $(VENV) .pytest_cache
