# nncourse: two commands do everything.
#   make lab    create the environment if missing, install, open the course in JupyterLab
#   make test   create the environment if missing, install, run the whole test suite (network off)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=

.PHONY: install lab test test-online bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "nncourse needs Python 3.10 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) $(ROOT_FLAG) \
		--ServerApp.root_dir=$(CURDIR) notebooks/00_start_here.ipynb

# The whole suite: unit tests, then every notebook under nbval, with the network switched off.
test: install
	tools/offline $(BIN)/python -m pytest $(PYTEST_ARGS)

# The same, with the network left on (for machines that cannot make a network namespace).
test-online: install
	NNCOURSE_ALLOW_NETWORK=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/notebook_times.py
	$(BIN)/python benchmarks/widget_latency.py
	$(BIN)/python benchmarks/browser_latency.py

clean:
	rm -rf $(VENV) .pytest_cache
