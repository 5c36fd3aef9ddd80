#!/bin/sh
# The Python helper's own tests (python/tests: protocol v1 as a worker sees it,
# the example models, the augmentations). They need PyTorch, h5py and numpy,
# which `make test` installs; without them they are reported as skipped.
set -eu
cd "$(dirname "$0")/.."
if ! python3 -c "import torch, h5py, numpy" >/dev/null 2>&1; then
    echo "python tests: SKIPPED (torch, h5py or numpy cannot be imported)" >&2
    exit 0
fi
echo "python tests: python/tests (the alflow_model helper and the example models)"
python3 -m unittest discover -s python/tests
