# One task runner for the project. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
KG := $(VENV)/bin/kg
STORE ?= out/kg-store

.PHONY: demo test quick lint install clean docs score bench bench-ingest bench-queries bench-map bench-import site serve screenshots

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $@

demo: install
	@mkdir -p out
	$(KG) ingest --store $(STORE) data/sample
	$(KG) export --store $(STORE) --format turtle -o out/graph.ttl
	$(KG) map --store $(STORE) -o out/map.html
	$(KG) site --store $(STORE) out/site
	@echo
	@echo "Made:"
	@echo "  $(STORE)/      the RDF store (query it: $(KG) query --store $(STORE) -e 'SELECT ...')"
	@echo "  out/graph.ttl  the whole graph as Turtle"
	@echo "  out/map.html   the interactive map as one file: open it in a browser"
	@echo "  out/site/      the offline site: open out/site/index.html (or run: make serve)"

# Every test: the browser ones (headless Chromium) and the wheel installed into a fresh venv included.
test: install
	$(PY) -m pytest

# The tests without a browser and without building the wheel: the everyday loop.
quick: install
	$(PY) -m pytest -m "not browser and not wheel"

# Lint, format and type checks (the same three hooks run from .pre-commit-config.yaml).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The extraction score of one set: ingest its texts into a fresh store, export TriG, score against its gold.
# $(call score_set,NAME,TEXTS,GOLD)
define score_set
	@mkdir -p out
	rm -rf out/$(1)-store
	$(KG) ingest --store out/$(1)-store $(2)
	$(KG) export --store out/$(1)-store -o out/$(1).trig
	$(PY) ../shared/tools/score_extraction.py --gold $(3) out/$(1).trig --verbose
endef

# The extraction score on the seed documents (needs ../shared beside the project).
score: install
	$(call score_set,seeds,../shared/corpus/seeds,../shared/gold/seeds.json)

# The extraction score on the development set of unseen texts in data/eval (see data/eval/README.md).
.PHONY: score-dev
score-dev: install
	$(call score_set,eval,data/eval/texts,data/eval/gold.json)

# The extraction score on the development set of other kinds (data/eval/kinds/README.md).
.PHONY: score-kinds
score-kinds: install
	$(call score_set,kinds,data/eval/kinds/texts,data/eval/kinds/gold.json)

# The extraction score on the held-out set (data/eval/heldout/README.md): texts no rule was written from.
.PHONY: score-heldout
score-heldout: install
	$(call score_set,heldout,data/eval/heldout/texts,data/eval/heldout/gold.json)

# The scale benchmark on the synthetic corpus (bench/corpus.py): ingest, re-ingest, store size, memory,
# export, saved queries, kg serve against oxigraph; SIZES=1000,10000,100000 for more (docs/benchmarks.md).
SIZES ?= 1000
bench: install
	$(PY) bench/bench_scale.py --sizes $(SIZES)

# Ingest throughput against a read+parse baseline in the same process (sample and seed corpus).
bench-ingest: install
	$(PY) bench/bench_ingest.py

# `import kg` and `import kg.cli` times in fresh interpreters, next to `python -c pass`.
bench-import: install
	$(PY) bench/bench_import.py

# Saved-query latency (p50/p95) on the seeds plus the sample corpus, in process and over HTTP.
bench-queries: install
	$(PY) bench/bench_saved_queries.py

# Map load time in headless Chromium at 100, 1,000 and 10,000 nodes, and the first view of library-shaped maps of
# 10,000 and 100,000 documents beside the sample's (DOCUMENTS=10000 for less).
bench-map: install
	$(PY) bench/bench_map.py $(if $(DOCUMENTS),--documents $(DOCUMENTS))

site: install
	$(KG) site --store $(STORE) out/site

# The query page, SPARQL endpoint and site on http://127.0.0.1:8000/ (run make demo first).
serve: install
	$(KG) serve --store $(STORE)

# Screenshots of the map, its ego view, an entity page, a document page, the documents table, the query page's
# completion and the map and its ego view on a phone in out/screenshots/ (needs chromium and chromium-driver).
screenshots: install
	@test -d $(STORE) || $(KG) ingest --store $(STORE) data/sample
	$(KG) site --store $(STORE) out/site
	$(PY) viz/screenshots.py out/site out/screenshots --store $(STORE)

clean:
	rm -rf out kg-store .pytest_cache

# HTML documentation of the ontology (kg/graph/ontology/kg.ttl) with pyLODE, in out/docs/ontology.html.
docs: install
	$(PY) -m pip install --quiet -e '.[docs]'
	@mkdir -p out/docs
	$(VENV)/bin/pylode kg/graph/ontology/kg.ttl --sort -o out/docs/ontology.html
	@echo "wrote out/docs/ontology.html"
