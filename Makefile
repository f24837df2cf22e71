# Waakhond: set-up, the demo, and the tests. Everything runs from a local .venv.
#
#   make demo    set up, then start the offline demo (the README's first command)
#   make test    set up, then run the whole test suite (the README's second command)
#
#   make lock    regenerate requirements/waakhond.lock from pyproject.toml's ranges (then commit it)
#
# The install is locked: every package but torch comes from requirements/waakhond.lock, pinned with
# hashes (pip --require-hashes), so a fresh machine gets what CI tested, whatever the index
# serves today. pyproject.toml keeps the ranges; `make lock` resolves them again.
#
# TORCH_SPEC chooses the PyTorch build: the default is the CPU build that lies on this kind of
# machine's disk. Elsewhere, e.g.: make setup TORCH_SPEC="torch==2.13.0" \
#   TORCH_INDEX="--index-url https://download.pytorch.org/whl/cu124"

PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
BIN := $(VENV)/bin
LOCK := requirements/waakhond.lock
# pip's own flags for every install (e.g. PIP_FLAGS="--index-url https://pypi.internal/simple")
PIP_FLAGS ?=

.PHONY: setup demo test lint bench lock clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first and without its dependencies: those are in the lock, at the versions CI tested
$(VENV)/.torch: | $(BIN)/python
	$(BIN)/pip install --quiet $(PIP_FLAGS) --no-deps $(TORCH_INDEX) "$(TORCH_SPEC)"
	touch $@

# exactly the lock (--no-deps: nothing resolved on the fly), then the project itself
$(VENV)/.installed: $(LOCK) pyproject.toml $(VENV)/.torch
	$(BIN)/pip install --quiet $(PIP_FLAGS) --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet $(PIP_FLAGS) --no-deps --no-build-isolation -e .
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

# torch is resolved too (its dependencies are locked) but not written: the Makefile installs it
# first, from TORCH_SPEC. /opt/wheels holds the CPU build on this kind of machine.
lock: | $(BIN)/python
	test -x $(BIN)/uv || $(BIN)/pip install --quiet $(PIP_FLAGS) "uv>=0.5"
	$(BIN)/uv pip compile pyproject.toml requirements/torch-cpu.in --extra dev --extra scale \
	  --extra alerts --universal --python-version 3.11 --generate-hashes --no-emit-package torch \
	  $(if $(wildcard /opt/wheels),--find-links /opt/wheels) --quiet -o $(LOCK)

clean-venv:
	rm -rf $(VENV)
