#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The build-requirements environment (issue 4): installing the locked
setuptools and wheel from Debian's wheelhouse without pip, into hwb's
content-addressed cache, cold (empty cache: copy, hwb check, unpack,
bytecode, manifest) and warm (reuse after hashing every file against the
manifest), with a release build of tests/tools/env-prepare; against what
isolated pypa/build pays for the same set: `python3 -m venv` plus
`pip install --no-index --find-links` of the two wheels."""
import json
import os
import pathlib
import statistics
import subprocess
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
PY = "/usr/bin/python3"
WHEELHOUSE = "/usr/share/python-wheels"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
WARM_RUNS = int(os.environ.get("BENCH_WARM_RUNS", "20"))


def run(tool, lock, home):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home)}
    t = time.perf_counter()
    p = subprocess.run([str(tool), str(lock), "--python", PY, "--find-links", WHEELHOUSE],
                       env=env, capture_output=True, text=True)
    wall = (time.perf_counter() - t) * 1000
    if p.returncode:
        raise SystemExit(f"bench: env-prepare failed: {p.stderr.strip()}")
    return wall, json.loads(p.stdout)


def pip_install(tmp, i):
    venv = tmp / f"venv{i}"
    t = time.perf_counter()
    subprocess.run([PY, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index",
                    "--find-links", WHEELHOUSE, "setuptools", "wheel"],
                   check=True, env={"PATH": "/usr/bin:/bin", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return (time.perf_counter() - t) * 1000


def main():
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        # The release build (make bench builds it; tests/tools/ has the
        # sanitizer one).
        tool = ROOT / "build" / "rel" / "tools" / "env-prepare"
        project = tmp / "project"
        project.mkdir()
        (project / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools>=40.8", "wheel"]\n')
        home = tmp / "home"
        home.mkdir()
        subprocess.run([HWB, "lock", str(project), "--find-links", WHEELHOUSE, "--python", PY,
                        "--static", "--quiet"], check=True,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
        lock = project / "pylock.build.toml"
        cold, cold_prep = [], []
        for i in range(RUNS):
            h = tmp / f"cold{i}"
            h.mkdir()
            wall, doc = run(tool, lock, h)
            assert not doc["reused"]
            cold.append(wall)
            cold_prep.append(doc["prepare_ms"])
        warm, warm_prep, files = [], [], 0
        run(tool, lock, home)  # build it once
        for _ in range(WARM_RUNS):
            wall, doc = run(tool, lock, home)
            assert doc["reused"]
            files = doc["files_checked"]
            warm.append(wall)
            warm_prep.append(doc["prepare_ms"])
        pip = [pip_install(tmp, i) for i in range(min(RUNS, 3))]
    med = statistics.median
    print(f"env cold  (empty cache, {RUNS} runs)        median {med(cold):7.1f} ms "
          f"(environment {med(cold_prep):.1f} ms)")
    print(f"env warm  (reuse, {files} files hashed, {WARM_RUNS} runs) median {med(warm):7.1f} ms "
          f"(check {med(warm_prep):.1f} ms)")
    print(f"venv + pip install setuptools wheel ({len(pip)} runs) median {med(pip):7.1f} ms")
    print(f"warm reuse is {med(pip) / med(warm):.0f}x faster than venv + pip; "
          f"cold is {med(pip) / med(cold):.1f}x")


if __name__ == "__main__":
    main()
