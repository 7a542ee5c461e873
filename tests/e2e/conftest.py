# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for end-to-end tests: they drive the hwb binary given in
HWB_BIN (the sanitizer build under `make test`) from a scratch HOME."""
import os
import pathlib
import subprocess

import pytest

from sigstore_stack import SigstoreStack, unavailable as stack_unavailable

ROOT = pathlib.Path(os.environ.get("HWB_ROOT", pathlib.Path(__file__).resolve().parents[2]))
HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
# The test programs of tests/tools/*.c, built with the sanitizers (make tools).
TOOLS = ROOT / "build" / "asan" / "tools"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "serial: load-sensitive (memory bounds, SIGKILL timing, podman): make e2e "
        "runs these after the parallel run (pytest-xdist), alone")


class Result:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def __repr__(self):
        return f"<rc={self.returncode} stdout={self.stdout!r} stderr={self.stderr!r}>"


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def run_hwb(home):
    """Run hwb with a clean environment (HOME in tmp), returning Result."""

    def run(*args, env=None, input=None, cwd=None, timeout=120):
        e = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "LANG": "C.UTF-8",
            # The tests build from Debian's wheelhouse, whose setuptools
            # works only with Debian's interpreter; python3 on PATH may be
            # another (a pyenv shim). Tests of the default pass "" (unset).
            "HWB_BUILD_PYTHON": "/usr/bin/python3",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
            "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "halt_on_error=1"),
        }
        if env:
            e.update(env)
        proc = subprocess.run(
            [HWB, *map(str, args)], env=e, input=input, cwd=cwd,
            capture_output=True, text=True, timeout=timeout,
        )
        return Result(proc)

    return run


@pytest.fixture(scope="session")
def sigstore_stack(tmp_path_factory):
    """The local Sigstore stack (tests/e2e/sigstore_stack.py), one per session.
    Skips only when node or tests/node/node_modules is missing outside CI."""
    why = stack_unavailable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"sigstore stack: {why}")
        pytest.skip(f"sigstore stack: {why}")
    stack = SigstoreStack(tmp_path_factory.mktemp("sigstore-stack")).start()
    yield stack
    stack.stop()
