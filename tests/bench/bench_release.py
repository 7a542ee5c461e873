#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hwb release --from against its peers' equivalent on this machine:
sigstore-js signing every file (npm `sigstore` through tests/node/sign.js),
then Debian's twine uploading them, both against the local Sigstore stack
and the local index (tests/tools/pypi_server.py) on 127.0.0.1. Each run
releases a fresh version of N wheels (build tags 1..N of one release,
Metadata-Version 2.1 so that twine 4.0.2 reads them) with an API token and
an OIDC token from a file, as on a maintainer's laptop: hwb checks, signs
and uploads them in one process; the peers sign in one node process and
upload in one twine process (twine checks nothing). A trusted-publishing
release (GitHub Actions simulated: signatures, PEP 740 attestations, a
minted upload token) is timed too; no peer on this machine makes PEP 740
attestations (twine 4.0.2 cannot send them). The index's own time (it
verifies attestations with @sigstore/verify) is shown beside."""
import base64
import hashlib
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from pypi_index import TOKEN, Index  # noqa: E402
from sigstore_stack import SigstoreStack  # noqa: E402
sys.path.insert(0, str(ROOT / "tests"))
import wheelgen_meta  # noqa: E402

HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
FILES = int(os.environ.get("BENCH_RELEASE_FILES", "10"))
ISS = "https://token.actions.githubusercontent.com"


def wheel(directory, version, build):
    """A 16 KiB wheel with build tag `build` (its WHEEL says so too)."""
    dist = f"benchrel-{version}"
    members = {"benchrel/__init__.py": b"", "benchrel/blob.bin": os.urandom(16 << 10),
               f"{dist}.dist-info/METADATA": wheelgen_meta.metadata(name="benchrel",
                                                                    ver=version),
               f"{dist}.dist-info/WHEEL": wheelgen_meta.wheel_file(extra=[f"Build: {build}"])}
    rows = [f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}"
            for p, d in members.items()]
    rows.append(f"{dist}.dist-info/RECORD,,")
    members[f"{dist}.dist-info/RECORD"] = ("\n".join(rows) + "\n").encode()
    path = directory / f"{dist}-{build}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            zi = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return path


def wheels(directory, version):
    """FILES wheels of one release, distinct by their build tag."""
    directory.mkdir(parents=True)
    return [wheel(directory, version, b) for b in range(1, FILES + 1)]


def timed(argv, env, cwd=None):
    t0 = time.perf_counter()
    p = subprocess.run([str(a) for a in argv], env=env, cwd=cwd, capture_output=True, text=True)
    if p.returncode:
        raise SystemExit(f"bench: {argv[0]} {argv[1]} failed: {p.stdout}{p.stderr}")
    return time.perf_counter() - t0


def server_seconds(ix, since):
    ups = [e for e in ix.log() if e.get("path") == "/legacy/" and e.get("status") == 200]
    return sum(e["server_seconds"] for e in ups[since:]), len(ups)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        stack = SigstoreStack(tmp / "stack").start()
        ix = Index(tmp / "index")
        try:
            jwks = f"{stack.info['jwks_url']}?iss=" + urllib.parse.quote(ISS, safe="")
            ix.config(api_tokens=[TOKEN], issuers={ISS: {"jwks_url": jwks}},
                      publishers=[{"repository": "hwb-test/sample", "workflow": "release.yml",
                                   "environment": "pypi"}],
                      trusted_root=str(stack.trusted_root))
            run(stack, ix, tmp)
        finally:
            ix.stop()
            stack.stop()
    return 0


def run(stack, ix, tmp):
    home = tmp / "home"
    home.mkdir()
    token_file = tmp / "token"
    laptop = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8",
              "HWB_PASSWORD": TOKEN}
    trust = ["--trusted-root", stack.trusted_root, "--signing-config", stack.signing_config]
    hwb_t, peer_t, gha_t, srv = [], [], [], {"hwb": [], "peers": [], "gha": []}
    uploaded = 0
    for i in range(RUNS + 1):  # the first run warms the caches, not counted
        token_file.write_text(stack.token("oauth", email="maintainer@example.test"))
        d = tmp / f"hwb{i}"
        wheels(d, f"1.{i}")
        t = timed([HWB, "release", "--from", d, "--repository-url", ix.url, "-q",
                   "--identity-token", token_file, *trust], laptop)
        s, uploaded = server_seconds(ix, uploaded)
        if i:
            hwb_t.append(t)
            srv["hwb"].append(s)
        token_file.write_text(stack.token("oauth", email="maintainer@example.test"))
        files = wheels(tmp / f"peer{i}", f"2.{i}")
        t = timed(["node", ROOT / "tests/node/sign.js", "--stack", stack.dir,
                   "--token-file", token_file, *files], laptop)
        t += timed(["twine", "upload", "--disable-progress-bar", "--non-interactive",
                    "--repository-url", ix.url, "-u", "__token__", *files],
                   dict(laptop, TWINE_PASSWORD=TOKEN))
        s, uploaded = server_seconds(ix, uploaded)
        if i:
            peer_t.append(t)
            srv["peers"].append(s)
        d = tmp / f"gha{i}"
        wheels(d, f"3.{i}")
        gha = dict(laptop, GITHUB_ACTIONS="true", CI="true", **stack.gha_env())
        del gha["HWB_PASSWORD"]
        t = timed([HWB, "release", "--from", d, "--repository-url", ix.url, "-q", *trust], gha)
        s, uploaded = server_seconds(ix, uploaded)
        if i:
            gha_t.append(t)
            srv["gha"].append(s)
    h, p, g = (statistics.median(x) for x in (hwb_t, peer_t, gha_t))
    sh, sp, sg = (statistics.median(srv[k]) for k in ("hwb", "peers", "gha"))
    print(f"release of {FILES} wheels (sign + upload, API token), median of {RUNS}:")
    print(f"  hwb release --from        {h * 1000:8.1f} ms (index {sh * 1000:6.1f} ms)")
    print(f"  sigstore-js sign + twine  {p * 1000:8.1f} ms (index {sp * 1000:6.1f} ms)"
          f"   hwb {p / h:.1f}x faster")
    print(f"trusted publishing (sign + PEP 740 attestations + minted token + upload):")
    print(f"  hwb release --from        {g * 1000:8.1f} ms (index {sg * 1000:6.1f} ms, "
          f"verifying the attestations); no peer here makes PEP 740 attestations")


if __name__ == "__main__":
    sys.exit(main())
