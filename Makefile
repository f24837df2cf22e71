# Waakhond: set-up, the demo, and the tests. Everything runs from a local .venv.
#
#   make demo    set up, then start the offline demo (the README's first command)
#   make test    set up, then run the whole test suite (the README's second command)
#
# TORCH_SPEC chooses the PyTorch build: the default is the CPU build that lies on this kind of
# machine's disk. Elsewhere, e.g.: make setup TORCH_SPEC="torch==2.13.0" \
#   TORCH_INDEX="--index-url https://download.pytorch.org/whl/cu124"

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
BIN := $(VENV)/bin

.PHONY: setup demo test lint bench clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH_INDEX) "$(TORCH_SPEC)"
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/waakhond demo $(DEMO_ARGS)

test: setup
	@eval "$$(.ci/start-postgres 2>/dev/null || true)"; \
	  eval "$$(.ci/start-redis 2>/dev/null || true)"; \
	  $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean-venv:
	rm -rf $(VENV)
