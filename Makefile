# Two commands for everything: `make lab` opens the course, `make test` runs every check.
# Both set up .venv first, and reinstall only when requirements.txt, requirements-test.txt or pyproject.toml changed.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# `make update` takes the course's latest version and keeps a student's own changes (tools/update.py).
.PHONY: setup lab update slides test exercises guide bench bench-lessons site budget readme browser-test clean

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt requirements-test.txt pyproject.toml jupyter-config/server.json jupyter-config/lab-overrides.json
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet -r requirements-test.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python tools/jupyter_config.py
	-$(BIN)/python tools/gitfilter.py
	touch $(STAMP)

# Jupyter refuses to run as root unless told to (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)

# The repository is the root (exercises/, solutions/, data/ and the README are all reachable) and the browser opens
# the welcome lesson, the file browser in notebooks/ as on Binder. No query in default_url: Jupyter Server prints
# default_url followed by `?token=...`, so a `?file-browser-path=/` there made the printed link's token part of that
# parameter (a login page). The README's Windows command and tests/test_browser.py use these same options.
LAB_ARGS := --LabApp.default_url=/lab/tree/notebooks/00-welcome.ipynb

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) $(LAB_ARGS)

update: setup
	$(BIN)/python tools/update.py

# Short slides per lesson from the lesson itself (objectives, outline, key points): build/slides/, offline.
slides: setup
	$(BIN)/python tools/slides.py

test: setup
	$(BIN)/python -m pytest -n auto --dist loadfile tests --nbval-lax notebooks exercises solutions

# Navigation links in every lesson and solutions notebook, then exercises/ generated from solutions/.
exercises: setup
	$(BIN)/python tools/navigation.py
	$(BIN)/python tools/glossary.py
	$(BIN)/python -m heartdata.exercises

# The generated parts of docs/glossary.md (first lesson of each term, objectives linked) and docs/instructor-guide.md
# (timings from the README's syllabus, 90-minute labs, the mistakes every check names). Run after `make readme`.
guide: setup
	$(BIN)/python tools/glossary.py
	$(BIN)/python tools/guide.py

# Loaders against the loops students write, and how they scale on full-size temporary copies (a few minutes).
bench: setup
	$(BIN)/python tools/bench.py

# Every lesson at shipped size and on a full-size copy (21,799 PTB-XL records at 100 and 500 Hz, Challenge 2012
# sets a-c): time and peak memory of each, a run stopped above 3 GiB (several minutes).
bench-lessons: setup
	$(BIN)/python tools/bench.py --no-ratios --no-scaling --lessons

# The course website (Sphinx with myst-nb, offline): build/site/index.html, every notebook executed (jupyter-cache in
# build/site-cache/ reruns only notebooks whose code changed) on the students' kernel (.venv). Sphinx and its pins live
# in their own environment (.venv-site, from requirements-site.txt). SOLUTIONS=0 leaves the worked solutions out.
SITE_VENV  ?= .venv-site
SITE_STAMP := $(SITE_VENV)/.installed
SOLUTIONS  ?= 1

$(SITE_STAMP): requirements-site.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: set PYTHON=python3.11")'
	test -x $(SITE_VENV)/bin/python || $(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SITE_VENV)/bin/python -m pip install --quiet -r requirements-site.txt
	touch $(SITE_STAMP)

site: setup $(SITE_STAMP)
	@$(SITE_VENV)/bin/python tools/build_site.py $(if $(filter 0,$(SOLUTIONS)),--no-solutions)

# Run every notebook on a fresh kernel; a table of run time and peak memory against 30 s and 600 MiB.
budget: setup
	$(BIN)/python tools/budget.py --json build/budget.json

# The same, and write the figures and Binder links into README.md's syllabus table.
readme: setup
	$(BIN)/python tools/budget.py --json build/budget.json --update-readme

# Only the end-to-end tests in headless Chromium (screenshots in build/browser/).
browser-test: setup
	$(BIN)/python -m pytest tests/test_browser.py

clean:
	rm -rf $(VENV) $(SITE_VENV) build .pytest_cache .ruff_cache
