# Two commands do all setup on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed

.PHONY: install run test bench screenshots clean

$(STAMP): pyproject.toml requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# the CPU build of torch (a bare `torch` would pull a multi-GB CUDA build)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[neural,dev]'
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	# the browser tests drive Debian's chromium; speech needs espeak-ng (both optional)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q chromium espeak-ng || { apt-get update -q && apt-get install -y -q chromium espeak-ng; } \
	      || echo "note: could not install chromium and espeak-ng; the browser tests will be skipped"; \
	  else \
	    echo "note: /usr/bin/chromium is missing (needs root and apt-get to install): the browser tests will be skipped"; \
	  fi; \
	fi
	touch $(STAMP)

install: $(STAMP)

# Ray (an optional extra) for its tests: plain ray, with protobuf kept below 5 for MediaPipe
$(VENV)/.installed-ray: $(STAMP) pyproject.toml
	$(PIP) install -q -e '.[ray]' 'protobuf<5'
	touch $@

# `make run`: the studio in the browser over the demo library (built once, not rendered).
run: install
	test -f demo-library/library.sqlite || $(VENV)/bin/storyloom demo demo-library
	@echo "Storyloom studio: http://127.0.0.1:8765"
	$(VENV)/bin/storyloom serve demo-library --port 8765

test: install $(VENV)/.installed-ray
	$(PY) -m pytest -q -p no:cacheprovider

# the studio screenshots in docs/screenshots, taken by the browser tests
screenshots: install
	STORYLOOM_SCREENSHOTS=1 $(PY) -m pytest -q -p no:cacheprovider tests/e2e

bench: install
	for b in bench/[a-z]*.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) demo-library
