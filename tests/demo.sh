#!/bin/sh
# make demo: the release pipeline as far as hwb has it, on a sample project,
# against local files and services only: lock the build requirements, build
# in the sandbox, check what was built, then verify a real Sigstore bundle
# as a downloader would (hwb sign and publish are not part of hwb yet).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
HWB=${HWB:-$root/hwb}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

stage() { printf '\n== %s\n' "$*"; }

stage "hwb version"
"$HWB" version

stage "a sample project in a fresh git repository (the commit time is SOURCE_DATE_EPOCH)"
cp -r testdata/projects/setuptools-sample "$work/project"
git -C "$work/project" init -q
git -C "$work/project" add -A
GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
	git -C "$work/project" -c user.name=demo -c user.email=demo@example.invalid \
	commit -qm "sample"
ls "$work/project"

# Debian's wheelhouse goes with Debian's interpreter (python3 on PATH may
# be another, such as a pyenv shim): its setuptools is patched for it.
stage "hwb lock: pin the build requirements by hash from Debian's wheelhouse"
"$HWB" lock "$work/project" --find-links /usr/share/python-wheels \
	--python /usr/bin/python3
sed -n '1,12p' "$work/project/pylock.build.toml"

stage "hwb build: sdist, then the wheel from the sdist, in the sandbox"
git -C "$work/project" add pylock.build.toml
git -C "$work/project" -c user.name=demo -c user.email=demo@example.invalid \
	commit -qm "lock"
"$HWB" build --quiet "$work/project" --find-links /usr/share/python-wheels \
	--python /usr/bin/python3 --outdir "$work/dist"
ls -l "$work/dist"

stage "the provenance (SLSA v1 in-toto statement, in dist-signatures/ so that dist/ holds only distributions) names the outputs and the locked requirements"
sed -n '1,30p' "$work"/dist-signatures/*.provenance.json

stage "hwb check: the wheel and the sdist"
"$HWB" check "$work"/dist/*

stage "hwb check on a crafted wheel (local and central names disagree): refused"
if "$HWB" check testdata/wheels/bad/w006_cve_2025_54368_local_name-1.0-py3-none-any.whl; then
	echo "demo: a crafted wheel passed" >&2
	exit 1
fi

stage "hwb verify: a real wheel released from GitHub Actions, with its Sigstore bundle"
"$HWB" verify testdata/sigstore/real/bundle_v3_github.whl \
	--repository trailofbits/rfc8785.py --workflow release.yml

stage "hwb verify: the same bundle for another file is refused (exit 1)"
cp testdata/sigstore/real/bundle_v3_github.whl "$work/tampered.whl"
printf 'x' >> "$work/tampered.whl"
if "$HWB" verify "$work/tampered.whl" \
	--bundle testdata/sigstore/real/bundle_v3_github.whl.sigstore \
	--repository trailofbits/rfc8785.py --workflow release.yml; then
	echo "demo: a tampered file verified" >&2
	exit 1
fi
printf '\ndemo: done\n'
