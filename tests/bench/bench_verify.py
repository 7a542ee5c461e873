#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hwb verify against sigstore-js (@sigstore/verify from tests/node/verify.js),
both given the same trusted root, as a downloader runs them: one process per
verification of the real GitHub Actions wheel bundle. Then hwb verify of
1,000 files with their bundles in one call (the distinct production bundles
of testdata/sigstore, each file and bundle a separate copy, no caching).
Targets: >= 15x faster per verification, peak RSS < 16 MiB, >= 200 files/s."""
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
DATA = ROOT / "testdata" / "sigstore"
TRUST = ROOT / "pkg" / "sign" / "trust" / "production" / "trusted_root.json"
WHEEL = DATA / "real" / "bundle_v3_github.whl"
GH_ID = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
GH_ISS = "https://token.actions.githubusercontent.com"
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
FILES = 1000


def run_measured(argv):
    """Wall seconds and peak RSS (KiB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode:
        raise SystemExit(f"bench: {argv[0]} failed: {err.strip()}")
    return elapsed, usage.ru_maxrss


def series(argv):
    run_measured(argv)  # warm the page cache
    times, rss = [], []
    for _ in range(RUNS):
        t, m = run_measured(argv)
        times.append(t)
        rss.append(m)
    return statistics.median(times), max(rss)


def per_verification():
    hwb = [HWB, "verify", str(WHEEL), "--bundle", f"{WHEEL}.sigstore", "--trusted-root",
           str(TRUST), "--cert-identity", GH_ID, "--cert-oidc-issuer", GH_ISS]
    node = ["node", str(ROOT / "tests" / "node" / "verify.js"), str(TRUST), GH_ID, GH_ISS,
            str(WHEEL), f"{WHEEL}.sigstore"]
    h_time, h_rss = series(hwb)
    n_time, n_rss = series(node)
    ratio = n_time / h_time
    print(f"one verification, real GitHub wheel bundle, median of {RUNS} processes:")
    print(f"  hwb verify       {h_time * 1000:8.2f} ms   peak RSS {h_rss / 1024:6.1f} MiB")
    print(f"  sigstore-js      {n_time * 1000:8.2f} ms   peak RSS {n_rss / 1024:6.1f} MiB")
    print(f"  hwb is {ratio:.1f}x faster (target >= 15x: {'met' if ratio >= 15 else 'MISSED'}); "
          f"RSS target < 16 MiB: {'met' if h_rss < 16 * 1024 else 'MISSED'}")
    return ratio >= 15 and h_rss < 16 * 1024


def sources():
    conf = DATA / "conformance" / "bundle-verify"
    yield WHEEL, pathlib.Path(f"{WHEEL}.sigstore")
    for case in ("happy-path-v0.2", "happy-path-v0.3", "happy-path-intoto-in-dsse-v3"):
        yield conf / "a.txt", conf / case / "bundle.sigstore.json"


def many_files():
    src = list(sources())
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(FILES):
            artifact, bundle = src[i % len(src)]
            f = pathlib.Path(tmp) / f"f{i:04d}{artifact.suffix}"
            shutil.copy(artifact, f)
            shutil.copy(bundle, f"{f}.sigstore.json")
            files.append(str(f))
        argv = [HWB, "verify", "--trusted-root", str(TRUST), "--cert-identity-regexp",
                "^https://github.com/(trailofbits|sigstore-conformance)/",
                "--cert-oidc-issuer", GH_ISS, "--quiet", *files]
        elapsed, rss = run_measured(argv)
    rate = FILES / elapsed
    print(f"{FILES} files with their bundles ({len(src)} distinct bundles repeated) in one call:")
    print(f"  {elapsed:.3f} s, {rate:.0f} files/s, peak RSS {rss / 1024:.1f} MiB "
          f"(target >= 200 files/s: {'met' if rate >= 200 else 'MISSED'})")
    return rate >= 200


def main():
    if not shutil.which("node") or not (ROOT / "tests/node/node_modules/@sigstore/verify").exists():
        print("bench verify: needs node and tests/node/node_modules (make deps)")
        return 1
    ok = per_verification()
    ok = many_files() and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
