# Two commands do all setup on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8765

.PHONY: install system run test demo bench clean

# Debian packages: ffmpeg (the command) for benchmark peers.
system:
	@missing=""; \
	for p in ffmpeg; do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "please install:$$missing (sudo apt-get install$$missing)"; fi; \
	fi

$(STAMP): pyproject.toml requirements-nodeps.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# the CPU build of torch (a bare `torch` would pull a multi-GB CUDA build)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[neural,dev]'
	$(PIP) install -q --no-deps -r requirements-nodeps.txt
	touch $(STAMP)

install: system $(STAMP)

# Until the web studio lands, `make run` builds the demo project and renders it.
run: install
	$(VENV)/bin/storyloom demo demo-library -o demo-library/demo.mp4
	@echo "demo film: $$(pwd)/demo-library/demo.mp4"

test: install
	$(PY) -m pytest -q -p no:cacheprovider

bench: install
	$(PY) bench/render.py

clean:
	rm -rf $(VENV) demo-library
