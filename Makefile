# alflow — the two commands of the README's quick start are `make run` and `make test`.
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/alflow
WORKFLOW ?= workflows/quickstart.yaml
# Warnings in alflow's own code fail the build (`make run WERROR=0` to relax).
WERROR ?= 1
export ALFLOW_WERROR := $(WERROR)

.PHONY: run test build deps test-deps bench clean

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG) --product alflow

## The main job: the quick start's active-learning comparison on the bundled digits.
run: build
	$(BIN) run $(WORKFLOW)
	$(BIN) report $(WORKFLOW)

## The test suite (release build: the numeric tests train real networks).
## One build of everything, tests included; then the tests without rebuilding.
## The Slurm tests run on a one-node cluster started here (scripts/slurm-test-cluster.sh)
## and stopped afterwards, unless one was already up; without it they show as skipped
## (ALFLOW_REQUIRE_SLURM=1, set by CI, makes a cluster that cannot start an error).
test: deps test-deps
	$(SWIFT) build -c $(CONFIG) --build-tests
	@if sinfo >/dev/null 2>&1; then started=0; \
	elif ./scripts/slurm-test-cluster.sh start; then started=1; \
	elif [ "$${ALFLOW_REQUIRE_SLURM:-0}" = 1 ]; then exit 1; \
	else started=0; echo "alflow: no Slurm test cluster; the Slurm tests will show as skipped" >&2; fi; \
	$(SWIFT) test -c $(CONFIG) --skip-build; status=$$?; \
	if [ $$started = 1 ]; then ./scripts/slurm-test-cluster.sh stop; fi; exit $$status
	@./scripts/python-tests.sh

# What the tests use besides the toolchain: Python packages (h5py reads objects
# as users will, numpy runs reference transcriptions, jsonschema and PyYAML check
# the schema) and Debian tools (Graphviz, rsvg-convert). Installed when missing;
# a test whose tool still cannot be had shows as skipped, never as passed.
test-deps:
	@./scripts/install-deps.sh --test-tools
