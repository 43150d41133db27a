# Trainees:                 `make lab`         a fresh trainee workspace (a copy of release/) in its own venv
# Authors and instructors:  `make author-lab`  JupyterLab on the whole repository (source/, formgrader)
# Everyone:                 `make test`        set up, then run every test tier
# A cohort on one server:   `sudo make hub`    JupyterHub for trainees and instructors (README.md, "Run it for a cohort")
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The trainee environment: the `courses` wheel only (loaders, case files, explorers), no instructor tools.
TRAINEE_VENV ?= .venv-trainee
TRAINEE_STAMP := $(TRAINEE_VENV)/.installed-stamp
WORKSPACE ?= workspace
PORT ?= 8888
# Exact versions that CI and the benchmarks use; pyproject.toml holds the compatible ranges.
CONSTRAINTS := constraints.txt
export PATH := $(abspath $(BIN)):$(PATH)
export MPLBACKEND := Agg

.PHONY: lab author-lab workspace test setup trainee-env system-deps check lint clean-venv hub hub-env

# no "get notified about Jupyter news" pop-up over the trainees' notebooks (it also needs the internet)
define lab_settings
	mkdir -p $(1)/share/jupyter/lab/settings
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	  > $(1)/share/jupyter/lab/settings/overrides.json
endef

setup: $(STAMP)

$(STAMP): pyproject.toml instructor/pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[dev]" -e "./instructor[test]"
	@# optional dependency of jsonschema that makes every `import nbformat` ~2 s slower (stack-notes.md)
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax
	$(call lab_settings,$(VENV))
	touch $(STAMP)

$(TRAINEE_STAMP): pyproject.toml $(CONSTRAINTS) $(shell find courses -type f -not -path '*/__pycache__/*')
	$(PYTHON) -m venv $(TRAINEE_VENV)
	$(TRAINEE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TRAINEE_VENV)/bin/python -m pip install --quiet -c $(CONSTRAINTS) .
	$(TRAINEE_VENV)/bin/python -m pip uninstall --quiet --yes rfc3987-syntax
	@# trainees get the Assignments panel and Validate, not the instructor's formgrader or create-assignment tools
	$(TRAINEE_VENV)/bin/jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader \
	  @jupyter/nbgrader:create-assignment >/dev/null
	$(TRAINEE_VENV)/bin/jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader >/dev/null
	$(call lab_settings,$(TRAINEE_VENV))
	touch $(TRAINEE_STAMP)

trainee-env: $(TRAINEE_STAMP)

# Chromium (browser tests), bubblewrap (grading sandbox), PostgreSQL (the hub tier) from Debian; installed when we
# are root. The hub tier also needs node and npm (for configurable-http-proxy; node 20 here).
system-deps:
	@if command -v chromium >/dev/null && command -v bwrap >/dev/null \
	  && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium bubblewrap \
	    postgresql >/dev/null; \
	else echo "WARNING: install the Debian packages 'chromium', 'bubblewrap' and 'postgresql'"; fi
	@command -v npm >/dev/null || echo "WARNING: install node and npm (the hub tier's proxy needs them)"

# Jupyter refuses to run as root without --allow-root (containers and CI machines run as root).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The trainee workspace: release/ copied into $(WORKSPACE)/ (git-ignored) without overwriting a trainee's work;
# the file browser shows only that folder, and the kernel has only the trainee distribution.
workspace:
	mkdir -p $(WORKSPACE)
	cp -rn release/. $(WORKSPACE)/

lab: trainee-env workspace
	$(TRAINEE_VENV)/bin/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir=$(abspath $(WORKSPACE)) \
	  --ServerApp.port=$(PORT)

# For course authors and instructors: the whole repository (source/ with solutions, grading/, the formgrader).
author-lab: setup
	$(BIN)/jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir=$(CURDIR) --ServerApp.port=$(PORT) \
	  --LabApp.default_url=/lab/tree/source

test: setup system-deps hub-env
	$(BIN)/python -m pytest

check: setup
	$(BIN)/spmu check

lint: setup
	$(BIN)/ruff check courses instructor tests benchmarks hub
	$(BIN)/ruff format --check courses instructor tests benchmarks hub

# The course hub (hub/jupyterhub_config.py). Every account runs Python from these venvs, so they are built
# from a Python all users can run (not a pyenv or conda Python inside root's home): $(HUB_VENV) holds the hub
# and the instructors' servers, $(HUB_TRAINEE_VENV) the trainee environment plus jupyterhub-singleuser; the
# proxy is configurable-http-proxy from npm, installed in hub/node_modules.
HUB_PYTHON ?= /usr/bin/python3
HUB_VENV ?= .venv-hub
HUB_TRAINEE_VENV ?= .venv-hub-trainee
HUB_PORT ?= 8000
HUB_PROXY := hub/node_modules/.bin/configurable-http-proxy

$(HUB_PROXY): hub/package.json hub/package-lock.json
	npm ci --prefix hub --no-audit --no-fund --omit=dev --loglevel=error
	touch $(HUB_PROXY)

# constraints.txt less the pins that need a newer Python than Debian 12's 3.11.2 (soupsieve 4)
HUB_CONSTRAINTS := hub/.constraints-hub-python.txt

$(HUB_CONSTRAINTS): constraints.txt
	grep -v '^soupsieve==' constraints.txt > $@

$(HUB_VENV)/.hub-stamp: pyproject.toml instructor/pyproject.toml $(HUB_CONSTRAINTS)
	$(MAKE) setup VENV=$(HUB_VENV) PYTHON=$(HUB_PYTHON) CONSTRAINTS=$(HUB_CONSTRAINTS)
	touch $@

$(HUB_TRAINEE_VENV)/.hub-stamp: pyproject.toml $(HUB_CONSTRAINTS)
	$(MAKE) trainee-env TRAINEE_VENV=$(HUB_TRAINEE_VENV) PYTHON=$(HUB_PYTHON) CONSTRAINTS=$(HUB_CONSTRAINTS)
	$(HUB_TRAINEE_VENV)/bin/python -m pip install --quiet -c $(HUB_CONSTRAINTS) jupyterhub
	$(HUB_TRAINEE_VENV)/bin/python -m pip uninstall --quiet --yes rfc3987-syntax
	touch $@

hub-env: $(HUB_PROXY) $(HUB_VENV)/.hub-stamp $(HUB_TRAINEE_VENV)/.hub-stamp

# Run as root (PAM logins, one OS user per server). Accounts: spmu hub add-trainees roster.csv (README.md, "Run it for a cohort").
hub: hub-env
	$(HUB_VENV)/bin/spmu hub prepare
	SPMU_HUB_PORT=$(HUB_PORT) SPMU_INSTRUCTOR_VENV=$(abspath $(HUB_VENV)) \
	  SPMU_TRAINEE_VENV=$(abspath $(HUB_TRAINEE_VENV)) $(HUB_VENV)/bin/jupyterhub -f hub/jupyterhub_config.py

clean-venv:
	rm -rf $(VENV) $(TRAINEE_VENV) $(HUB_VENV) $(HUB_TRAINEE_VENV)
