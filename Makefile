# Two entry points: `make demo` and `make test`. Both set up everything on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test app lint bench system clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian packages: a CJK font for charts, Chromium for the browser test (skipped when not root).
system:
	bash scripts/install_system_packages.sh

demo: $(STAMP) system
	$(BIN)/shanzhi demo

test: $(STAMP) system
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

app: $(STAMP) system
	$(BIN)/streamlit run server.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/ahp_batch.py
	$(BIN)/python benchmarks/survey_scale.py
	$(BIN)/python benchmarks/uncertainty.py
	$(BIN)/python benchmarks/load_xlsx.py
	$(BIN)/python benchmarks/app_rerun.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
