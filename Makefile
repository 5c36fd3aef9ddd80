# alflow — the two commands of the README's quick start are `make run` and `make test`.
SWIFT ?= swift
CONFIG ?= release
BIN := .build/$(CONFIG)/alflow
WORKFLOW ?= workflows/quickstart.yaml

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
test: deps test-deps
	$(SWIFT) build -c $(CONFIG)
	$(SWIFT) test -c $(CONFIG)

# Optional tools some tests use when present: h5py (reads an object the way
# users will), Graphviz (renders `alflow dag --format dot`), rsvg-convert
# (renders the report's chart). Each test says loudly when it skips.
test-deps:
	@python3 -c 'import h5py' 2>/dev/null || python3 -m pip install --quiet h5py 2>/dev/null || \
	  echo "WARNING: h5py is not installed and pip could not install it; the h5py interoperability test will be skipped" >&2
	@./scripts/install-deps.sh --test-tools || true

## Benchmarks against PyTorch (see bench/README.md).
bench:
	./bench/run

clean:
	rm -rf .build
