# One task runner for the project. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kg
STORE ?= out/kg-store

.PHONY: demo test install clean score bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	@mkdir -p out
	$(KG) ingest --store $(STORE) data/sample
	$(KG) export --store $(STORE) --format turtle -o out/graph.ttl
	$(KG) map --store $(STORE) -o out/map.html
	@echo
	@echo "Made:"
	@echo "  $(STORE)/      the RDF store (query it: $(KG) query --store $(STORE) -e 'SELECT ...')"
	@echo "  out/graph.ttl  the whole graph as Turtle"
	@echo "  out/map.html   the interactive map: open it in a browser"

test: install
	$(PY) -m pytest

# The extraction score on the seed documents (needs ../shared beside the project).
score: install
	@mkdir -p out
	rm -rf out/seeds-store
	$(KG) ingest --store out/seeds-store ../shared/corpus/seeds
	$(KG) export --store out/seeds-store -o out/seeds.trig
	$(PY) ../shared/tools/score_extraction.py --gold ../shared/gold/seeds.json out/seeds.trig --verbose

# Ingest throughput against a read+parse baseline in the same process.
bench: install
	$(PY) bench/bench_ingest.py

clean:
	rm -rf out kg-store .pytest_cache
