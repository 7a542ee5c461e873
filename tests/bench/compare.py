#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Two hwb binaries on the check, build and verify benches, interleaved
(A, B, A, B, ...) so a shared machine's load falls on both alike; for a
change that must not cost time (a refactor: `compare.py OLD NEW`). It
runs exactly the hwb commands of bench_check.py (the 400 MiB wheel),
bench_build.py (warm environment cache) and bench_verify.py (one
verification per process, and 1,000 files in one call), and prints each
binary's median and B's change against A."""
import importlib.util
import os
import pathlib
import random
import shutil
import statistics
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))


def load(name):
    spec = importlib.util.spec_from_file_location(name, HERE / f"bench_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def interleave(label, bins, once):
    """once(binary, round) -> seconds; the first round warms, unreported."""
    times = {b: [] for b in bins}
    for i in range(ROUNDS + 1):
        for b in bins:
            t = once(b, i)
            if i:
                times[b].append(t)
    med = [statistics.median(times[b]) for b in bins]
    print(f"  {label:<34} A {med[0]:8.4f} s   B {med[1]:8.4f} s   "
          f"B/A {med[1] / med[0]:6.3f}", flush=True)
    return med


def check_bench(bins, tmp):
    check = load("check")
    path = tmp / "benchpkg-1.0-py3-none-any.whl"
    check.write_wheel(path, check.member_sizes(random.Random(2), check.MEMBERS,
                                               check.TOTAL))

    def once(b, _):
        wall, _, _, rc, err = check.run([b, "check", str(path)])
        if rc:
            sys.exit(f"compare: {b} check failed: {err[-500:]}")
        return wall

    result = interleave("check (400 MiB wheel)", bins, once)
    path.unlink()
    return result


def build_bench(bins, tmp):
    build = load("build")
    src, _ = build.sample(tmp)
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp), "LANG": "C.UTF-8",
            "TMPDIR": str(tmp)}

    def once(b, i):
        n = bins.index(b)
        work, out = tmp / f"build-{n}-{i}", tmp / f"out-{n}-{i}"
        shutil.copytree(src, work)
        env = dict(base, XDG_CACHE_HOME=str(tmp / f"cache-{n}"))
        return build.timed([b, "build", str(work), "--wheel", "--find-links",
                            build.WHEELHOUSE, "--outdir", str(out), "-q"], env)

    return interleave("build --wheel (warm cache)", bins, once)


def verify_bench(bins, tmp):
    verify = load("verify")
    one = lambda b: [b, "verify", str(verify.WHEEL), "--bundle",
                     f"{verify.WHEEL}.sigstore", "--trusted-root", str(verify.TRUST),
                     "--cert-identity", verify.GH_ID, "--cert-oidc-issuer",
                     verify.GH_ISS]
    first = interleave("verify (one per process)", bins,
                       lambda b, _: verify.run_measured(one(b))[0])
    src = list(verify.sources())
    files = []
    for i in range(verify.FILES):
        artifact, bundle = src[i % len(src)]
        f = tmp / f"f{i:04d}{artifact.suffix}"
        shutil.copy(artifact, f)
        shutil.copy(bundle, f"{f}.sigstore.json")
        files.append(str(f))
    many = lambda b: [b, "verify", "--trusted-root", str(verify.TRUST),
                      "--cert-identity-regexp",
                      "^https://github.com/(trailofbits|sigstore-conformance)/",
                      "--cert-oidc-issuer", verify.GH_ISS, "--quiet", *files]
    second = interleave(f"verify ({verify.FILES} files, one call)", bins,
                        lambda b, _: verify.run_measured(many(b))[0])
    return first, second


def main(argv):
    if len(argv) != 3:
        print("usage: compare.py HWB_A HWB_B", file=sys.stderr)
        return 2
    bins = [str(pathlib.Path(a).resolve()) for a in argv[1:]]
    print(f"A = {bins[0]}\nB = {bins[1]}\n{ROUNDS} rounds, interleaved, median; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="hwb-compare-",
                                     dir=load("check").bench_dir()) as tmp:
        check_bench(bins, pathlib.Path(tmp))
    with tempfile.TemporaryDirectory(prefix="hwb-compare-") as tmp:
        build_bench(bins, pathlib.Path(tmp))
    with tempfile.TemporaryDirectory(prefix="hwb-compare-") as tmp:
        verify_bench(bins, pathlib.Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
