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

## The main job: build, then an active-learning comparison on the bundled digits.
run: build
	$(BIN) --help

## The test suite (release build: the numeric tests train real networks).
test: deps test-deps
	$(SWIFT) build -c $(CONFIG)
	$(SWIFT) test -c $(CONFIG)

# h5py lets a test read a published object the way users will; optional.
test-deps:
	@python3 -c 'import h5py' 2>/dev/null || python3 -m pip install --quiet h5py 2>/dev/null || \
	  echo "WARNING: h5py is not installed and pip could not install it; the h5py interoperability test will be skipped" >&2

clean:
	rm -rf .build
