# Two entry points for a fresh machine:
#   make run   - set up .venv and TeX, then write the full solution report under build/
#   make test  - set up .venv and run the test suite
#   make lint  - ruff (lint, import order, formatting) and mypy --strict, as CI runs them
#   make catalogs - after changing prose: extract the messages, update the Persian catalog, compile it
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Use the offline MNIST copy beside the checkout when it is there and the
# caller has not pointed HWSOLVE_DATA elsewhere.
SHARED_MNIST := $(abspath ../shared/data/mnist)
ifeq ($(origin HWSOLVE_DATA), undefined)
  ifneq ($(wildcard $(SHARED_MNIST)),)
    export HWSOLVE_DATA := $(SHARED_MNIST)
  endif
endif

.PHONY: run test lint venv solution system-packages clean catalogs

# The system packages (TeX, for the PDF) install while the venv installs and
# the report's numbers are computed (`solution`, which needs no TeX). The last
# steps reuse all of that from build/ and write report.tex and report.pdf, then
# the same report in Persian (report.fa.*, the course's language), in seconds. Where TeX cannot be installed the script says so and the report is
# still written, without the PDF.
run:
	$(MAKE) --no-print-directory -j2 solution system-packages
	$(BIN)/hwsolve report
	$(BIN)/hwsolve report --lang fa

# Every question solved and trained, and report.md with its figures: what
# takes the time, none of it waiting for TeX.
solution: venv
	$(BIN)/hwsolve report --format md

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

# The versions of ruff and mypy are pinned in pyproject.toml's [test] extra:
# another ruff may format differently.
LINTED := hwsolve tests benchmarks
lint: $(BIN)/.installed
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

venv: $(BIN)/.installed

# The message catalogs (gettext, through Babel): after changing prose,
# extract the messages, update the Persian catalog (new messages empty,
# changed ones fuzzy, until translated) and compile it. See the script.
catalogs: $(BIN)/.installed
	$(BIN)/python scripts/catalogs.py

system-packages:
	bash scripts/install-system-packages.sh

# The CPU torch wheel goes in first, on its own, so that resolving the
# package's `torch` requirement never pulls the CUDA build.
# pip byte-compiles every file it installs on one core (about 50 s of the
# venv's 95 s on the 2-core machine); --no-compile and then compileall on all
# cores does the same work in about half the time. Like pip, it skips what
# cannot be compiled on this Python (torch ships one file of 3.12 syntax).
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-compile torch==2.13.0
	$(BIN)/pip install --quiet --no-compile -e '.[test]'
	$(BIN)/python -m compileall -qq -j 0 $(VENV)/lib || true
	touch $@

clean:
	rm -rf $(VENV) build/* && touch build/.gitkeep
