# Two commands do all setup on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed

.PHONY: install run test bench clean

$(STAMP): pyproject.toml requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# the CPU build of torch (a bare `torch` would pull a multi-GB CUDA build)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[neural,dev]'
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

install: $(STAMP)

# Until the web studio lands, `make run` builds the demo project and renders it.
run: install
	$(VENV)/bin/storyloom demo demo-library -o demo-library/demo.mp4
	@echo "demo film: $$(pwd)/demo-library/demo.mp4"

test: install
	$(PY) -m pytest -q -p no:cacheprovider

bench: install
	for b in bench/[a-z]*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) demo-library
