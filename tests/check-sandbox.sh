#!/bin/sh
# make test's gate: the e2e modules of the build, the sandbox and the lock
# (test_build*.py, test_sandbox.py, test_lock.py, ...) skip themselves when
# user namespaces are refused, so a green run would say nothing about the
# build. Fail here instead, with the probe's cause and remedy, unless
# HWB_TEST_ALLOW_NO_SANDBOX=1 asks for a run without them.
# Usage: check-sandbox.sh SANDBOX-RUN (the tool of tests/tools/sandbox-run.c)
set -u
tool=$1
if why=$("$tool" --probe 2>&1 >/dev/null); then
	exit 0
fi
if [ "${HWB_TEST_ALLOW_NO_SANDBOX:-}" = 1 ]; then
	echo "test: WARNING: the build sandbox cannot run here; HWB_TEST_ALLOW_NO_SANDBOX=1, so the"
	echo "test: sandbox, build and lock tests will be SKIPPED and hwb build is untested: $why"
	exit 0
fi
cat <<EOF
test: FAILED: the build sandbox cannot run on this machine, so the build, sandbox and
test: lock tests could not run (they would be skipped and the suite would pass with
test: hwb build untested). The probe says:
test:   $why
test: Remedy: allow unprivileged user namespaces as the line above says (CI's machine
test: does), or run in a VM or container that allows them; to run the other tests
test: anyway, knowing the build is untested: make test HWB_TEST_ALLOW_NO_SANDBOX=1
EOF
exit 1
