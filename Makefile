# make demo: the example deploy against the local AWS.  make test: every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
COLLECTIONS := $(abspath .build/collections)
LINK := $(COLLECTIONS)/ansible_collections/ecsops/ecspresso
LOCALAWS_HOST ?= 127.0.0.1
LOCALAWS_PORT ?= 4566
LOCALAWS_URL := http://$(LOCALAWS_HOST):$(LOCALAWS_PORT)
LOCALAWS_LOG := .build/localaws.log
LOCALAWS_PID := .build/localaws.pid
ENV ?= dev
# What the example expects to exist in the account: created when the local AWS starts.
SEED := examples/microservices/localaws-seed.yml
SANITY_ROOT := .build/sanity/ansible_collections/ecsops/ecspresso
PYTEST_WORKERS ?= 2

export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
export PATH := $(BIN):$(PATH)

.PHONY: demo test venv localaws localaws-start localaws-stop lint unit-and-integration sanity bench clean

venv: $(VENV)/.installed $(LINK)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The playbooks find the collection through this link to the working tree.
$(LINK):
	mkdir -p $(dir $(LINK))
	ln -sfn $(abspath .) $(LINK)

demo: venv localaws-start
	cd examples/microservices && ansible-playbook deploy.yml -e env=$(ENV)

localaws: venv
	$(BIN)/python -m tests.localaws --host $(LOCALAWS_HOST) --port $(LOCALAWS_PORT) --seed $(SEED)

localaws-start: venv
	@if curl -sf $(LOCALAWS_URL)/_localaws/settings >/dev/null; then \
	  echo "local AWS already running on $(LOCALAWS_URL)"; \
	else \
	  mkdir -p .build; \
	  nohup $(BIN)/python -m tests.localaws --host $(LOCALAWS_HOST) --port $(LOCALAWS_PORT) \
	    --seed $(SEED) >$(LOCALAWS_LOG) 2>&1 & echo $$! >$(LOCALAWS_PID); \
	  for i in $$(seq 1 100); do \
	    curl -sf $(LOCALAWS_URL)/_localaws/settings >/dev/null && break; sleep 0.2; \
	  done; \
	  curl -sf $(LOCALAWS_URL)/_localaws/settings >/dev/null \
	    || { echo "local AWS did not start; see $(LOCALAWS_LOG)"; exit 1; }; \
	  echo "local AWS started on $(LOCALAWS_URL) (log: $(LOCALAWS_LOG); stop: make localaws-stop)"; \
	fi

localaws-stop:
	@if [ -f $(LOCALAWS_PID) ] && kill $$(cat $(LOCALAWS_PID)) 2>/dev/null; then \
	  echo "local AWS stopped"; else echo "local AWS was not running"; fi
	@rm -f $(LOCALAWS_PID)

test: venv lint unit-and-integration sanity

# awx.awx, which examples/awx/job-template.yml uses: from the Ansible package on PyPI.
AWX_COLLECTION := $(COLLECTIONS)/ansible_collections/awx/awx/MANIFEST.json

$(AWX_COLLECTION): examples/awx/requirements.yml | $(VENV)/.installed
	$(BIN)/python -m tests.integration.awx_collection
	touch $@

lint: venv $(AWX_COLLECTION)
	ruff check .
	ruff format --check .
	# Settings in .ansible-lint (production profile, offline); the collection is found
	# through ANSIBLE_COLLECTIONS_PATH.
	ansible-lint -q roles playbooks examples
	# The modules' and the role's documentation: schema, markup and option references.
	cd $(LINK) && antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all \
	  --disallow-unknown-collection-refs .

unit-and-integration: venv
	pytest -n $(PYTEST_WORKERS) tests

sanity: venv
	rm -rf .build/sanity
	mkdir -p $(SANITY_ROOT)
	tar -c --exclude=./.venv --exclude=./.build --exclude=./.git --exclude=__pycache__ \
	  --exclude=.pytest_cache --exclude=.ruff_cache . | tar -x -C $(SANITY_ROOT)
	# A repository of its own, so that ansible-test lists the copy's files and not
	# those of the working tree around it (where .build is ignored).
	cd $(SANITY_ROOT) && git init --quiet && git add --all \
	  && ansible-test sanity --local --python 3.11 --color no

bench: venv
	$(BIN)/python bench/deploy_bench.py

clean: localaws-stop
	rm -rf .build
