# Gongkai — one command to build the site, one to run the tests.
#   make site    set up (first time) and build the site from content/ into site/
#   make serve   set up and serve the site with live reload on http://127.0.0.1:8000
#   make test    set up (incl. headless Chromium for browser tests) and run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup site serve test lint browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

site: setup
	$(BIN)/mkdocs build

serve: setup
	$(BIN)/mkdocs serve

# Debian's chromium for the browser tests; installed when missing and we can (root + apt).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium missing and not root; browser tests will be skipped"; fi; \
	fi

test: setup browser
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check plugins tests
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run_bench.py --sizes 1000 10000 --out bench-out

clean:
	rm -rf site build bench-out .pytest_cache
