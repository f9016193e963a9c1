# nncourse: two commands do everything.
#   make lab    create the environment if missing, install, open the course in JupyterLab
#   make test   create the environment if missing, install, run the whole test suite (network off)
# For instructors (README, "Teaching with it"):
#   make present          JupyterLab with presentation mode and large type; widgets stay live
#   make decks            every chapter as an offline reveal.js deck in build/decks/
#   make student-edition  the notebooks without solutions and speaker notes, in build/student/ (+ a zip)
#   make book             the course as a static website (offline, Chinese font included), in build/book/html/
#   make nbgrader         one nbgrader assignment per chapter in build/nbgrader/ (source/ and release/)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=

.PHONY: install lab present decks deck-assets book student-edition nbgrader test test-online bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "nncourse needs Python 3.10 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,teach]"
	touch $(STAMP)

install: $(STAMP)

lab: install
	JUPYTER_CONFIG_PATH=$(CURDIR)/tools/lab $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) $(ROOT_FLAG) \
		--ServerApp.root_dir=$(CURDIR) notebooks/00_start_here.ipynb

# lecture mode: presentation mode (jupyterlab-slideshow) and large type, settings in tools/present/
present: install
	JUPYTER_CONFIG_PATH=$(CURDIR)/tools/present $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 \
		--ServerApp.port=$(PORT) $(ROOT_FLAG) --ServerApp.root_dir=$(CURDIR) notebooks/00_start_here.ipynb

# reveal.js and MathJax for the decks: from the npm registry, pinned and sha512-checked, cached in .cache/npm/
deck-assets: install
	$(BIN)/python tools/decks.py fetch

decks: deck-assets
	$(BIN)/python tools/decks.py build

# the hand-out: build/student/nncourse/ and build/student/nncourse-student.zip (needs only Python)
student-edition:
	$(PYTHON) tools/student_edition.py

# the course website: build/book/html/index.html (every chapter executed, offline; publish the folder as is)
book: deck-assets
	$(BIN)/python tools/book.py build

# Grading with nbgrader (README, "Teaching with it"): the course folder, one assignment per chapter, its
# student versions released. A release that exists is kept; grades live in $(NBGRADER_DIR)/gradebook.db, so
# for a real term choose a folder outside build/ (make clean deletes build/): make nbgrader NBGRADER_DIR=~/grading
NBGRADER_DIR ?= build/nbgrader
nbgrader: install
	$(BIN)/python tools/nbgrader_course.py --out $(NBGRADER_DIR)
	cd $(NBGRADER_DIR) && PATH="$(CURDIR)/$(BIN):$$PATH" nbgrader generate_assignment '*'

# The whole suite: unit tests, every notebook under nbval, the browser tests and the decks,
# with the network switched off (the deck assets are fetched first).
test: install deck-assets
	tools/offline $(BIN)/python -m pytest $(PYTEST_ARGS)

# The same, with the network left on (for machines that cannot make a network namespace).
test-online: install deck-assets
	NNCOURSE_ALLOW_NETWORK=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install deck-assets
	$(BIN)/python benchmarks/notebook_times.py
	$(BIN)/python benchmarks/widget_latency.py
	$(BIN)/python benchmarks/browser_latency.py
	$(BIN)/python benchmarks/deck_build.py
	$(BIN)/python benchmarks/playground_fps.py

clean:
	rm -rf $(VENV) .pytest_cache .cache build
