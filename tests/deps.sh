#!/bin/sh
# Install what hwb needs to build and test, on Debian 12, as root (or with
# sudo): the Debian packages that are missing (one apt-get update first), then
# the npm test tools pinned in tests/node/package-lock.json.
set -eu
cd "$(dirname "$0")/.."

# faketime runs hwb at other dates (tests/e2e/test_tuf.py: age warnings).
# python3-jsonschema validates hwb.doctor/1 (docs/schemas/), python3-yaml
# reads the workflows (tests/e2e/test_workflows.py).
# podman, runc and catatonit (its --init) run tests/e2e/test_build_container.py
# for real; runc because Debian 12's crun refuses hosts with hybrid cgroups.
APT_PACKAGES="build-essential pkg-config clang git ca-certificates unzip
libarchive-dev libssl-dev libcurl4-openssl-dev libjansson-dev libgit2-dev
libseccomp-dev libb2-dev libdeflate-dev zlib1g-dev libcmocka-dev libunistring-dev
python3 python3-pytest python3-build python3-venv python3-cryptography python3-jsonschema python3-yaml
python3-setuptools python3-wheel python3-pip python3-pip-whl python3-setuptools-whl
python3-wheel-whl flit python3-hatchling
openssl procps time curl twine strace faketime
podman runc catatonit"

missing=""
for p in $APT_PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# Node.js may come from Debian or another .deb (the CI image has a newer one).
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"

if [ -n "$missing" ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	echo "deps: installing$missing"
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

if [ -f tests/node/package-lock.json ]; then
	stamp=tests/node/node_modules/.hwb-lock
	if ! cmp -s tests/node/package-lock.json "$stamp" 2>/dev/null; then
		(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
		cp tests/node/package-lock.json "$stamp"
	fi
fi
