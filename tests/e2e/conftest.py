# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for end-to-end tests: they drive the hwb binary given in
HWB_BIN (the sanitizer build under `make test`) from a scratch HOME."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(os.environ.get("HWB_ROOT", pathlib.Path(__file__).resolve().parents[2]))
HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))


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
