#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hwb's TUF client against tuf-js's (tests/node/tuf-client.js) on one local
repository with 15 root versions (made with tuf-js's models, served on
127.0.0.1), both starting from version 5 with an empty cache and fetching
trusted_root.json and the signing config. hwb runs as a fresh process each
time; tuf-js's time is per update inside one node process (its start-up is
not counted). Then hwb verify of the real GitHub wheel bundle with the
embedded trust root vs with a fresh TUF cache holding the same root (the
cache is verified again on each run). Targets: >= 10x faster; the cache
costs <= 2 ms."""
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from tuf_repo import NODE_DIR, TARGETS, TufRepo  # noqa: E402

HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
TRUST = ROOT / "pkg" / "sign" / "trust" / "production"
WHEEL = ROOT / "testdata" / "sigstore" / "real" / "bundle_v3_github.whl"
GH_ID = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
GH_ISS = "https://token.actions.githubusercontent.com"
RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def timed(argv, env):
    start = time.perf_counter()
    p = subprocess.run(argv, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if p.returncode:
        raise SystemExit(f"bench: {argv[1:3]} failed: {p.stderr.strip()}")
    return elapsed


def make_repo(tmp):
    repo = TufRepo(tmp / "repo")
    repo.init(targets={"trusted_root.json": TRUST / "trusted_root.json",
                       "signing_config.v0.2.json": TRUST / "signing_config.v0.2.json"})
    ops = []
    for v in range(2, 16):  # versions 2..15, rotating a root key on the way
        name = f"root{v}"
        ops += [{"op": "key", "name": name},
                {"op": "root", "roles": {"root": {"keys": [name], "threshold": 1}}}]
    repo.run(*ops, {"op": "publish"})
    return repo.start()


def update_bench(repo, tmp):
    home = tmp / "home"
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "")}
    argv = [HWB, "trust", "update", "--tuf-url", repo.url, "--tuf-root",
            str(repo.file("5.root.json")), "--quiet"]
    times = []
    for _ in range(RUNS + 1):
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir()
        times.append(timed(argv, env))
    hwb = statistics.median(times[1:])
    p = subprocess.run(["node", str(NODE_DIR / "tuf-client.js"), repo.url,
                        str(repo.file("5.root.json")), str(tmp / "tufjs"), "--repeat",
                        str(RUNS), *TARGETS], capture_output=True, text=True, check=True)
    js = json.loads(p.stdout)
    assert js["root_version"] == 15
    ratio = js["seconds"] / hwb
    print(f"TUF update 5 -> 15 roots + 2 targets: hwb {hwb * 1000:.1f} ms per process, "
          f"tuf-js {js['seconds'] * 1000:.1f} ms per update (in-process): {ratio:.1f}x "
          f"(target >= 10x)")
    return ratio >= 10


def verify_bench(repo, tmp):
    argv = [HWB, "verify", str(WHEEL), "--bundle", f"{WHEEL}.sigstore",
            "--cert-identity", GH_ID, "--cert-oidc-issuer", GH_ISS]
    plain = tmp / "plain"
    plain.mkdir()
    cached = tmp / "cached"
    (cached / ".config" / "hwb").mkdir(parents=True)
    (cached / ".config" / "hwb" / "config.toml").write_text(
        '[trust]\ntuf-url = "%s"\n' % repo.url)
    env_c = {"HOME": str(cached), "PATH": os.environ.get("PATH", "")}
    env_p = {"HOME": str(plain), "PATH": os.environ.get("PATH", "")}
    subprocess.run([HWB, "trust", "update", "--tuf-url", repo.url, "--tuf-root",
                    str(repo.file("1.root.json")), "--quiet"], env=env_c, check=True)
    show = json.loads(subprocess.run([HWB, "trust", "show", "--format", "json"], env=env_c,
                                     capture_output=True, text=True, check=True).stdout)
    assert show["from_cache"], show
    a, b = [], []
    for _ in range(RUNS * 3):
        a.append(timed(argv, env_p))
        b.append(timed(argv, env_c))
    emb, cache = statistics.median(a), statistics.median(b)
    diff = (cache - emb) * 1000
    print(f"hwb verify: embedded root {emb * 1000:.2f} ms, fresh TUF cache {cache * 1000:.2f} ms "
          f"(+{diff:.2f} ms, target <= 2 ms)")
    return diff <= 2.0


def main():
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        repo = make_repo(tmp)
        try:
            ok = update_bench(repo, tmp)
            ok = verify_bench(repo, tmp) and ok
        finally:
            repo.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
