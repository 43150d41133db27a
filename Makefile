# Two commands do everything:  `make lab` (set up, then open JupyterLab on the course)
#                              `make test` (set up, then run every test tier)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8888
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg

.PHONY: lab test setup bytecode kernel-config system-deps check clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@# optional dependency of jsonschema that makes every `import nbformat` ~2 s slower (stack-notes.md)
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax
	@# no "get notified about Jupyter news" pop-up over the trainees' notebooks (it also needs the internet)
	mkdir -p $(VENV)/share/jupyter/lab/settings
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

# The course modules compiled to bytecode (pip does it for an installed package, an editable install does not,
# and a machine with PYTHONDONTWRITEBYTECODE=1 never writes it): every kernel then imports them without compiling
# (~15-27 ms per notebook). Only modules changed since the last run are compiled again.
bytecode: setup
	$(BIN)/python -m compileall -q courses

# Every kernel of the venv reads this IPython config at start (one BLAS thread, fewer GC passes during imports;
# the file says why and what it bought).
KERNEL_CONFIG := $(VENV)/etc/ipython/ipython_kernel_config.py

kernel-config: $(KERNEL_CONFIG)

$(KERNEL_CONFIG): courses/ipython_kernel_config.py $(STAMP)
	install -D -m 644 $< $@

# Chromium (browser tests) and bubblewrap (grading sandbox) come from Debian; installed when we are root.
system-deps:
	@if command -v chromium >/dev/null && command -v bwrap >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium bubblewrap >/dev/null; \
	else echo "WARNING: install the Debian packages 'chromium' and 'bubblewrap' (browser tests and sandbox need them)"; fi

# Jupyter refuses to run as root without --allow-root (containers and CI machines run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup bytecode kernel-config
	$(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir=$(CURDIR) --ServerApp.port=$(PORT) \
	  --LabApp.default_url=/lab/tree/release

test: setup bytecode kernel-config system-deps
	$(BIN)/python -m pytest

check: setup
	$(BIN)/spmu check

clean-venv:
	rm -rf $(VENV)
