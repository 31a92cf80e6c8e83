# partifinans: two commands for a newcomer, `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
RAW    ?= data/raw
OUT    ?= data/processed

.PHONY: run test lint lab notebooks bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/partifinans ingest $(RAW) --out $(OUT)

test: $(STAMP)
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/pytest -n 2 tests
	$(BIN)/pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg -p no:xdist

demo: $(VENV)/.installed
	$(BIN)/python -m partifinans.demo.generate --out data/raw/demo

notebooks: $(STAMP) run
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace notebooks/*.ipynb

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/01-ingest-and-quality.ipynb

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(OUT)/*.parquet
