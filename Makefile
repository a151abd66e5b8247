# Every command creates and reuses .venv; nothing is installed outside it.
# `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# Notebooks are executed with the inline backend; MPLBACKEND=Agg would drop every figure.
unexport MPLBACKEND
# Linux: PyTorch's CPU build from its own index (tools/torch_index.py); TORCH_INDEX=<url>
# for another build (a GPU one), TORCH_INDEX= for PyPI's default.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
# `make execute NB=book/ch2_vanishing_gradients.ipynb` re-executes one notebook.
NB ?= $(NOTEBOOKS)

.PHONY: help venv lab book html pdf site-archive lighthouse test test-platforms benchmark lint format sync export execute clean assignments grade

help:
	@echo "For readers"
	@echo "  make venv     create .venv with everything the book needs (Python 3.11-3.13)"
	@echo "  make lab      open the chapters in JupyterLab"
	@echo "  make book     the website with its downloads into _build/html: pages (warnings are"
	@echo "                errors), student notebooks, the whole-book PDF, the offline zip"
	@echo "  make html     only the pages and student notebooks (quick, for authors)"
	@echo "  make pdf      the whole-book PDF, _build/html/downloads/sigmoid-book.pdf"
	@echo "For contributors"
	@echo "  make test     every test: lint, nbval on all notebooks, unit tests, site build, browser"
	@echo "  make benchmark  the chapters' speed claims as ratios on this machine (not a test)"
	@echo "  make lighthouse Lighthouse scores and gzip sizes of every page, phone profile (not a test)"
	@echo "  make test-platforms   the book where readers run it: simulated Colab, Python 3.12/3.13"
	@echo "  make lint     ruff check + ruff format --check over every .py file and notebook"
	@echo "  make format   apply ruff's fixes and format, then re-pair the notebooks' .md texts"
	@echo "  make sync     bring each notebook and its MyST .md text in step (jupytext --sync)"
	@echo "  make export   regenerate the package modules exported from chapter cells tagged 'export'"
	@echo "  make execute  re-execute every notebook in place (NB=path for one), then commit the outputs"
	@echo "  make clean    remove _build/ (keeps .venv, dist/ and grades)"
	@echo "For instructors"
	@echo "  make assignments   student notebook + autograder zip for every chapter, in dist/<chapter>/"
	@echo "  make grade CHAPTER=<chapter stem> SUBMISSIONS=<folder>"
	@echo "                     grade a folder of submissions (no Docker) into dist/<chapter>/grades.csv"

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; ok = (3, 11) <= v <= (3, 13); ok or print(f"Python 3.11, 3.12 or 3.13 is needed, this is {sys.version.split()[0]} ($(PYTHON)).\nInstall one (python.org, your package manager, or pyenv) and run: make PYTHON=python3.12 ..."); sys.exit(0 if ok else 1)'
	@if [ -e $(VENV) ] && ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	    echo "$(VENV) exists but has no working pip (a half-made venv, e.g. python3-venv missing): recreating it"; \
	    rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	    echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $$($(BIN)/python tools/torch_index.py "$(TORCH_INDEX)") -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

# As root (a container), JupyterLab refuses to start without --allow-root.
lab: $(STAMP)
	$(BIN)/jupyter lab book/ $(if $(filter 0,$(shell id -u)),--allow-root)

# The published site: pages, then the PDF, then the offline zip of both (made last:
# it holds everything else).  Timings on 2 cores: pages ~15 s (+ ~60 s the first
# time, for the student notebooks), PDF ~2.5 min, zip ~10 s.
book: $(STAMP)
	@$(MAKE) --no-print-directory html
	@$(MAKE) --no-print-directory pdf
	@$(MAKE) --no-print-directory site-archive
	@echo
	@echo "The website is in _build/html/. Open _build/html/index.html in a browser,"
	@echo "or serve it: $(BIN)/python -m http.server -d _build/html 8000"

html: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going

# Chromium prints the single-page build (book/_ext/site_pdf.py); no TeX needed.
pdf: $(STAMP)
	$(BIN)/python book/_ext/site_pdf.py --site _build/html

site-archive: $(STAMP)
	$(BIN)/python book/_ext/site_archive.py --site _build/html

# Two pytest-xdist workers (tests/parallel_groups.py: what runs together, longest
# first); `make test TEST_WORKERS=0` runs everything in one process.
TEST_WORKERS ?= 2
PARALLEL := $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadgroup)

test: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) --durations=20

# Where readers run it: each chapter alone in a Colab-like environment, and the
# torch-free tests under Python 3.12 and 3.13 (pyenv's, where present). Slow: it
# builds those environments (cached in .venv-colab and .venv-py3*). CI runs both.
test-platforms: $(STAMP)
	$(BIN)/python -m pytest $(PARALLEL) -m platforms tests/test_colab.py tests/test_python_versions.py tests/test_gradescope.py

# An observation, not a test: ratios of this machine, nothing asserted (benchmarks/run.py).
benchmark: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Lighthouse (npm, benchmarks/js) over the built site served on 127.0.0.1; build it first.
lighthouse: $(STAMP)
	$(BIN)/python benchmarks/lighthouse.py --site _build/html

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Notebooks are formatted cell by cell (tools/format_notebooks.py says why not `ruff format`).
format: $(STAMP)
	$(BIN)/ruff check --fix --extend-exclude '*.ipynb' .
	$(BIN)/ruff format --extend-exclude '*.ipynb' .
	$(BIN)/python tools/format_notebooks.py
	$(BIN)/jupytext --sync $(NOTEBOOKS)

sync: $(STAMP)
	$(BIN)/jupytext --sync $(NOTEBOOKS)

export: $(STAMP)
	$(BIN)/python tools/export_chapter_code.py

execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $(NB)
	$(BIN)/jupytext --sync $(NB)

clean:
	rm -rf _build

# Coursework (README, "For instructors"; python -m coursework --help).
assignments: $(STAMP)
	$(BIN)/python -m coursework assign

grade: $(STAMP)
	@test -n "$(CHAPTER)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade CHAPTER=<chapter stem> SUBMISSIONS=<folder>"; exit 2; }
	$(BIN)/python -m coursework grade "$(CHAPTER)" "$(SUBMISSIONS)"
