#!/bin/sh
# Installs the system libraries alflow links against, if any are missing:
# libhdf5-dev (HDF5 1.10, serial), libyaml-dev, libopenblas-dev and pkg-config.
# Uses apt-get directly as root, sudo otherwise; explains what to do if neither works.
set -eu

missing=""
if [ "${1:-}" = "--test-tools" ]; then
    # Tools the test suite uses. Installed when missing; a test whose tool
    # still cannot be had is reported as skipped by the test runner.
    command -v dot >/dev/null 2>&1 || missing="$missing graphviz"
    command -v rsvg-convert >/dev/null 2>&1 || missing="$missing librsvg2-bin"
    command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
    if [ -n "$missing" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "alflow: installing test tools:$missing" >&2
            export DEBIAN_FRONTEND=noninteractive
            { apt-get install -y -qq --no-install-recommends $missing || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; }; } >/dev/null 2>&1 \
                || echo "alflow: could not install$missing; the tests that use them will show as skipped" >&2
        else
            echo "alflow: test tools missing:$missing (the tests that use them will show as skipped)" >&2
        fi
    fi
    python_missing=""
    for module in h5py numpy scipy jsonschema yaml; do
        python3 -c "import $module" >/dev/null 2>&1 || python_missing="$python_missing $module"
    done
    if [ -n "$python_missing" ]; then
        packages=$(echo "$python_missing" | sed 's/yaml/PyYAML/')
        echo "alflow: installing Python packages for the tests:$packages" >&2
        python3 -m pip install --quiet $packages >/dev/null 2>&1 \
            || python3 -m pip install --quiet --break-system-packages $packages >/dev/null 2>&1 \
            || echo "alflow: could not install$packages with pip; the tests that use them will show as skipped" >&2
    fi
    # PyTorch for the external-model tests (models/*.py through python/alflow_model).
    # PyPI's wheel runs on the CPU; it is large (about 1 GB with its libraries).
    if ! python3 -c "import torch" >/dev/null 2>&1; then
        echo "alflow: installing PyTorch from PyPI for the external-model tests (pip install torch; runs on the CPU)…" >&2
        python3 -m pip install --quiet torch >/dev/null 2>&1 \
            || python3 -m pip install --quiet --break-system-packages torch >/dev/null 2>&1 \
            || echo "alflow: could not install torch with pip; the external-model tests will show as skipped" >&2
    fi
    exit 0
fi
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
if [ -z "$missing" ]; then
    pkg-config --exists hdf5-serial || missing="$missing libhdf5-dev"
    pkg-config --exists yaml-0.1 || missing="$missing libyaml-dev"
    pkg-config --exists openblas || missing="$missing libopenblas-dev"
    pkg-config --exists zlib || missing="$missing zlib1g-dev"
else
    missing="pkg-config libhdf5-dev libyaml-dev libopenblas-dev zlib1g-dev"
fi
[ -z "$missing" ] && exit 0

echo "alflow: installing system packages:$missing" >&2
if [ "$(id -u)" = 0 ]; then
    apt_get="apt-get"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    apt_get="sudo apt-get"
else
    echo "alflow: missing system packages:$missing" >&2
    echo "alflow: run as root or with sudo, or install them yourself: apt-get install$missing" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "alflow: apt-get not found; install the equivalents of:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$apt_get update -qq
# shellcheck disable=SC2086
$apt_get install -y -qq --no-install-recommends $missing >/dev/null
echo "alflow: system packages installed" >&2
