# partifinans: two commands for a newcomer, `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
RAW    ?= data/raw
OUT    ?= data/processed
# The notebooks are checked against the demo corpus with a fixed demo key, so their committed
# outputs (pseudonyms included) reproduce on any machine. Real data uses the user's own key.
DEMO_OUT := build/demo-processed
DEMO_ENV := PARTIFINANS_KEY_FILE=$(CURDIR)/notebooks/demo-pseudonym.key PARTIFINANS_PROCESSED=$(CURDIR)/$(DEMO_OUT) MPLBACKEND=Agg

.PHONY: run test lint lab notebooks check-notebooks bench demo demo-processed browse clean

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
	$(MAKE) --no-print-directory check-notebooks

# nbval checks the notebooks as committed (git's index: HEAD unless you `git add` a change), copied to
# build/nbval/, against the demo corpus. Your working copies, saved from JupyterLab with outputs from
# your own data, are not what is checked. NOTEBOOKS=worktree checks the working copies instead
# (after `make notebooks`, before committing). Outside a git checkout the working copies are checked.
NOTEBOOKS ?= committed
NBVAL_DIR := build/nbval
check-notebooks: $(STAMP) demo-processed
	@rm -rf $(NBVAL_DIR) && mkdir -p $(NBVAL_DIR)/notebooks
	@if [ "$(NOTEBOOKS)" = committed ] && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git checkout-index --force --prefix=$(NBVAL_DIR)/ -- notebooks/[0-9]*.ipynb && \
	  changed=$$(git diff --name-only -- 'notebooks/[0-9]*.ipynb'); \
	  if [ -n "$$changed" ]; then echo "check-notebooks: checking the committed notebooks, not your changed working copies:" $$changed; fi; \
	else cp notebooks/[0-9]*.ipynb $(NBVAL_DIR)/notebooks/; fi
	$(DEMO_ENV) $(BIN)/pytest -p no:xdist -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg $(NBVAL_DIR)/notebooks/

demo-processed: $(VENV)/.installed
	$(DEMO_ENV) $(BIN)/partifinans ingest data/raw/demo --out $(DEMO_OUT) --quiet

demo: $(VENV)/.installed
	$(BIN)/python -m partifinans.demo.generate --out data/raw/demo --golden tests/golden
	$(BIN)/python -m partifinans.demo.opendata --out data/raw/demo

notebooks: $(STAMP) demo-processed
	$(DEMO_ENV) $(BIN)/jupyter nbconvert --to notebook --execute --ExecutePreprocessor.record_timing=False --inplace notebooks/[0-9]*.ipynb

# The lab's root is the repository (data/ can be browsed). It listens on this machine only (LAB_IP); the
# address with its token is printed. No browser is started without a desktop (DISPLAY/WAYLAND_DISPLAY),
# and running as root (containers, servers) is allowed.
LAB_PORT ?= 8888
LAB_IP ?= 127.0.0.1
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) \
	  $(if $(DISPLAY)$(WAYLAND_DISPLAY),,--no-browser) $(if $(filter 0,$(shell id -u)),--allow-root) \
	  notebooks/01-ingest-and-quality.ipynb

# Datasette on the processed tables: an optional extra, installed here (not by `make run`).
BROWSE_DB   ?= build/partifinans.db
BROWSE_HOST ?= 127.0.0.1
BROWSE_PORT ?= 8001

$(VENV)/.installed-browse: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[browse]'
	touch $@

browse: $(VENV)/.installed-browse
	$(BIN)/partifinans sqlite $(OUT) --out $(BROWSE_DB)
	@echo "Datasette: http://$(BROWSE_HOST):$(BROWSE_PORT)/  (Ctrl-C stops it)"
	$(BIN)/datasette serve $(BROWSE_DB) --metadata $(basename $(BROWSE_DB)).metadata.json \
		--host $(BROWSE_HOST) --port $(BROWSE_PORT) --setting sql_time_limit_ms 5000

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(OUT)/*.parquet $(DEMO_OUT) $(BROWSE_DB) $(basename $(BROWSE_DB)).metadata.json
