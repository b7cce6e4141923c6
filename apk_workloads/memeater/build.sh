#!/usr/bin/env bash
# Build the static memeater binaries into the content-hash cache and print their paths:
#   apk_workloads/memeater/build.sh              every ABI (arm64-v8a, x86_64)
#   apk_workloads/memeater/build.sh arm64-v8a    just one
# Needs gcc, and for arm64 Debian's gcc-aarch64-linux-gnu + libc6-dev-arm64-cross
# (./suite setup installs them). The work is done by android_suite/workloads/build.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" exec "$PY" -m android_suite.workloads.build "$@"
