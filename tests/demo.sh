#!/bin/sh
# make demo: hwb release of the sample project in testdata/ from a simulated
# GitHub Actions job, against a local Sigstore stack and a local package
# index, then pip download and hwb verify as a downloader would. Everything
# is local (127.0.0.1); the services stop when the demo ends. HWB names the
# binary (default ./hwb); DEMO_KEEP=DIR keeps the work files there.
set -eu
cd "$(dirname "$0")/.."
exec /usr/bin/python3 tests/demo.py "$@"
