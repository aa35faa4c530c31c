# Two entry points for a fresh machine:
#   make run   - set up .venv and write the full solution report under build/
#   make test  - set up .venv and run the test suite
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

.PHONY: run test venv clean

# The system packages (TeX for the PDF) come first; where they cannot be
# installed the script says so and the report is still written, without PDF.
run: $(BIN)/.installed
	bash scripts/install-system-packages.sh
	$(BIN)/hwsolve report

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

venv: $(BIN)/.installed

# The CPU torch wheel goes in first, on its own, so that resolving the
# package's `torch` requirement never pulls the CUDA build.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build/* && touch build/.gitkeep
