#!/usr/bin/env bash
# Prints "kind key payload_digest" for every object of the store at $1,
# sorted: two runs that computed byte-identical results print the same lines.
set -euo pipefail
python3 - "$1" <<'PY'
import os, sys
import h5py
rows = []
for folder, _, names in os.walk(os.path.join(sys.argv[1], "objects")):
    for name in names:
        if name.endswith(".h5"):
            with h5py.File(os.path.join(folder, name), "r") as f:
                a = f.attrs
                text = lambda v: v.decode() if isinstance(v, bytes) else str(v)
                rows.append(f"{text(a['kind'])} {text(a['key'])} {text(a['payload_digest'])}")
print("\n".join(sorted(rows)))
PY
