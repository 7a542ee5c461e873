#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hwb build against pypa/build (Debian's python3-build) on the setuptools
sample, every run on a fresh copy of the project, in one run of this
script: hwb build --wheel --find-links /usr/share/python-wheels with a warm
and a cold environment cache, `python3 -m build --wheel --no-isolation`, and
isolated `python3 -m build --wheel` with pip limited to the same wheelhouse.
Then the sandbox's start-up: a release build of tests/tools/sandbox-run
running /bin/true. Targets (issue 4): warm hwb <= 1.15x no-isolation, >= 4x
faster than isolated pypa/build, cold >= 2x faster; sandbox start < 15 ms."""
import os
import pathlib
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
PY = "/usr/bin/python3"
WHEELHOUSE = "/usr/share/python-wheels"
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SANDBOX_RUNS = int(os.environ.get("BENCH_SANDBOX_RUNS", "50"))

# A trivial project, used when the shared
# setuptools sample (testdata/projects/setuptools-sample) is not there.
PYPROJECT = """[build-system]
requires = ["setuptools>=40.8.0"]
build-backend = "setuptools.build_meta"

[project]
name = "bench-sample"
version = "1.0.0"
"""


def sample(tmp):
    shared = ROOT / "testdata" / "projects" / "setuptools-sample"
    src = tmp / "sample"
    if shared.exists():
        shutil.copytree(shared, src)
        return src, str(shared.relative_to(ROOT))
    (src / "bench_sample").mkdir(parents=True)
    (src / "pyproject.toml").write_text(PYPROJECT)
    (src / "bench_sample" / "__init__.py").write_text("VALUE = 1\n")
    return src, "a generated one-module setuptools project"


def timed(argv, env, cwd=None):
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if p.returncode:
        raise SystemExit(f"bench: {shlex.join(argv)} failed:\n{p.stderr[-2000:]}")
    return elapsed


def series(name, make_argv, env, tmp, src, before=None):
    times = []
    for i in range(RUNS + 1):
        work = tmp / f"{name}-{i}"
        shutil.copytree(src, work)
        if before:
            before()
        t = timed(make_argv(work, tmp / f"{name}-out-{i}"), env)
        if i:  # the first run warms the page cache
            times.append(t)
    return statistics.median(times)


def sandbox_startup():
    # The release build (make bench builds it; tests/tools/ has the
    # sanitizer one).
    tool = ROOT / "build" / "rel" / "tools" / "sandbox-run"
    walls, starts = [], []
    for i in range(SANDBOX_RUNS + 1):
        t0 = time.perf_counter()
        p = subprocess.run([str(tool), "--", "/bin/true"], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if p.returncode:
            raise SystemExit(f"bench: sandbox-run failed: {p.stderr.strip()}")
        if i:
            walls.append(wall * 1000)
            starts.append(float(p.stdout.split("start_ms=")[1].split()[0]))
    return statistics.median(walls), statistics.median(starts)


def main():
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="hwb-bench-build-"))
    try:
        src, what = sample(tmp)
        cache = tmp / "cache"
        base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8",
                "TMPDIR": str(tmp)}
        hwb_env = dict(base, XDG_CACHE_HOME=str(cache))

        def hwb(work, out):
            return [HWB, "build", str(work), "--wheel", "--find-links", WHEELHOUSE,
                    "--outdir", str(out), "-q"]

        def drop_envs():
            shutil.rmtree(cache / "hwb" / "envs", ignore_errors=True)

        def pypa(extra):
            return lambda work, out: [PY, "-m", "build", "--wheel", *extra, "--outdir",
                                      str(out), str(work)]

        print(f"project: {what}; {RUNS} runs each, median, fresh copy per run")
        warm = series("hwb-warm", hwb, hwb_env, tmp, src)
        cold = series("hwb-cold", hwb, hwb_env, tmp, src, before=drop_envs)
        noiso = series("noiso", pypa(["--no-isolation"]), base, tmp, src)
        iso = series("iso", pypa([]), dict(base, PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELHOUSE),
                     tmp, src)
        wall, start = sandbox_startup()
        print(f"  hwb build --wheel (warm cache)        {warm:7.3f} s")
        print(f"  hwb build --wheel (cold cache)        {cold:7.3f} s")
        print(f"  python -m build --wheel --no-isolation {noiso:6.3f} s")
        print(f"  python -m build --wheel (isolated)    {iso:7.3f} s")
        print(f"  warm vs no-isolation: {warm / noiso:.2f}x the time (target <= 1.15x)")
        print(f"  warm vs isolated:     {iso / warm:.1f}x faster (target >= 4x)")
        print(f"  cold vs isolated:     {iso / cold:.1f}x faster (target >= 2x)")
        print(f"  sandbox start-up: {start:.2f} ms clone to execve, {wall:.2f} ms for a whole "
              f"sandbox-run /bin/true ({SANDBOX_RUNS} runs, median; target < 15 ms)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
