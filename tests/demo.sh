#!/bin/sh
# make demo: run every hwb command that exists so far on a sample project,
# against local services only. Each stage says what it shows.
set -eu
cd "$(dirname "$0")/.."
HWB=${HWB:-./hwb}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

stage() { printf '\n== %s\n' "$*"; }

stage "hwb version"
"$HWB" version
