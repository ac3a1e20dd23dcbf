# The two set-up commands a newcomer needs (see README.md):
#   make demo   install everything, then open the app on a generated demo library
#   make test   install everything, then run the whole test suite
# Each creates .venv, installs the system packages it needs when it can (as root or via
# sudo) and prints the exact command when it cannot.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install system-packages lint bench clean

demo: install
	$(BIN)/vidsort-tui --demo

test: install
	$(BIN)/python -m pytest

install: system-packages $(VENV)/.installed

system-packages:
	@sh scripts/install-system-packages.sh $(if $(filter test,$(MAKECMDGOALS)),test,run)

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV) (log: $(VENV)/pip.log)..."
	@$(BIN)/python -m pip install --quiet --upgrade pip > $(VENV)/pip.log 2>&1 \
	  && $(BIN)/python -m pip install -e '.[dev]' >> $(VENV)/pip.log 2>&1 \
	  || { tail -30 $(VENV)/pip.log; echo "pip install failed: see $(VENV)/pip.log"; exit 1; }
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	for b in bench/[a-z]*.py; do case $$b in */common.py) ;; *) $(BIN)/python -m bench.$$(basename $$b .py);; esac; done

clean:
	rm -rf $(VENV) .pytest_cache
