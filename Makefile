# Every command creates and reuses .venv; nothing is installed outside it.
# `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
# Notebooks are executed with the inline backend; MPLBACKEND=Agg would drop every figure.
unexport MPLBACKEND
NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

.PHONY: help venv book test execute clean assignments grade

help:
	@echo "make book     build the website into _build/html (warnings are errors)"
	@echo "make test     run every test: nbval on all notebooks, unit tests, site build, browser"
	@echo "make execute  re-execute every notebook in place (then commit the outputs)"
	@echo "make clean    remove _build/ and dist/ (keeps .venv)"
	@echo "make assignments   student notebook + autograder zip for every chapter, in dist/<chapter>/"
	@echo "make grade CHAPTER=<chapter stem> SUBMISSIONS=<folder>"
	@echo "                   grade a folder of .ipynb/.zip submissions (no Docker) into dist/<chapter>/grades.csv"

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 needed, found {sys.version.split()[0]}: make PYTHON=python3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo
	@echo "The website is in _build/html/. Open _build/html/index.html in a browser,"
	@echo "or serve it: $(BIN)/python -m http.server -d _build/html 8000"

test: $(STAMP)
	$(BIN)/python -m pytest

execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $(NOTEBOOKS)

clean:
	rm -rf _build dist

# Coursework (README, "For instructors"; tools/coursework.py --help).
assignments: $(STAMP)
	$(BIN)/python tools/coursework.py assign

grade: $(STAMP)
	@test -n "$(CHAPTER)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade CHAPTER=<chapter stem> SUBMISSIONS=<folder>"; exit 2; }
	$(BIN)/python tools/coursework.py grade "$(CHAPTER)" "$(SUBMISSIONS)"
