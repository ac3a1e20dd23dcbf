# The two set-up commands a newcomer needs (see README.md):
#   make demo   install the app (runtime dependencies only), then open it on a generated demo library
#   make test   install the app and the development tools, then run the whole test suite
# Each creates .venv, installs the system packages it needs when it can (as root or via
# sudo) and prints the exact command when it cannot. `make test` after `make demo` adds the
# development tools to the same .venv.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP_LOG := $(VENV)/pip.log

.PHONY: demo test install install-dev system-packages lint bench clean

demo: install
	$(BIN)/vidsort-tui --demo

test: install-dev
	$(BIN)/python -m pytest

install: system-packages $(VENV)/.installed-run
install-dev: system-packages $(VENV)/.installed-dev

system-packages:
	@sh scripts/install-system-packages.sh $(if $(filter test,$(MAKECMDGOALS)),test,run)

# pip install into .venv: $(1) is what to install ("." or ".[dev]").
define pip_install
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing $(1) into $(VENV) (log: $(PIP_LOG))..."
	@$(BIN)/python -m pip install --quiet --upgrade pip > $(PIP_LOG) 2>&1 \
	  && $(BIN)/python -m pip install -e '$(1)' >> $(PIP_LOG) 2>&1 \
	  || { tail -30 $(PIP_LOG); echo "pip install failed: see $(PIP_LOG)"; exit 1; }
endef

$(VENV)/.installed-run: pyproject.toml
	$(call pip_install,.)
	touch $@

# The development set includes the runtime one.
$(VENV)/.installed-dev: pyproject.toml
	$(call pip_install,.[dev])
	touch $@ $(VENV)/.installed-run

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install-dev
	for b in bench/[a-z]*.py; do case $$b in */common.py) ;; *) $(BIN)/python -m bench.$$(basename $$b .py);; esac; done

clean:
	rm -rf $(VENV) .pytest_cache
