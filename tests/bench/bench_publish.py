#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""hwb publish against curl -F and Debian's twine: each uploads the same
100 MiB wheel (incompressible, Metadata-Version 2.1 so twine 4.0.2 reads
it) to a fresh local index (tests/tools/pypi_server.py, which streams the
body to disk and hashes it as warehouse does). Each client computes the
sha256 and blake2b-256 digests as part of its time (curl: sha256sum and
b2sum first). Targets: within 1.2x of curl, >= 3x faster than twine, hwb's
peak RSS < 32 MiB. The server's own time per upload is shown beside."""
import json
import os
import pathlib
import shlex
import statistics
import subprocess
import sys
import tempfile
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from bench_verify import run_measured  # noqa: E402
from pypi_index import TOKEN, Index  # noqa: E402

HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
SIZE = 100 << 20


def curl_script(url, wheel):
    q = shlex.quote
    fields = ["-F", ":action=file_upload", "-F", "protocol_version=1", "-F", "name=bigpkg",
              "-F", "version=1.0", "-F", "filetype=bdist_wheel", "-F", "pyversion=py3",
              "-F", "metadata_version=2.1", "-F",
              "summary=A sample project for hwb's tests"]
    return (f"sha=$(sha256sum {q(str(wheel))} | cut -d' ' -f1) && "
            f"b2=$(b2sum -l 256 {q(str(wheel))} | cut -d' ' -f1) && "
            f"curl -sSf -o /dev/null -u __token__:\"$HWB_PASSWORD\" "
            + " ".join(q(f) for f in fields)
            + f" -F sha256_digest=$sha -F blake2_256_digest=$b2 -F content=@{q(str(wheel))} {q(url)}")


def one(tmp, name, n, argv_for):
    """One upload to a fresh index: wall seconds, peak RSS (KiB), CPU
    seconds (user + system, the client and its children) and the server's
    own seconds."""
    ix = Index(pathlib.Path(tmp) / f"{name}-{n}")
    try:
        # GNU time measures the exec'd client alone (a forked child of this
        # process would count our pages in its peak RSS)
        out = pathlib.Path(tmp) / "usage"
        wall, _ = run_measured(["/usr/bin/time", "-f", "%M %U %S", "-o", str(out),
                                *argv_for(ix.url)])
        kib, user, system = out.read_text().split()[-3:]
        ups = [e for e in ix.log() if e.get("path") == "/legacy/" and e.get("status") == 200]
        if len(ups) != 1:
            raise SystemExit(f"bench: {name} did not upload: {ix.log()}")
        return wall, int(kib), float(user) + float(system), ups[0]["server_seconds"]
    finally:
        ix.stop()


def rounds(tmp, clients):
    """RUNS rounds, each client once per round (interleaved, so that a
    machine whose load changes affects every client alike); medians."""
    got = {k: [] for k in clients}
    for n in range(RUNS):
        for name, argv_for in clients.items():
            got[name].append(one(tmp, name, n, argv_for))
    return {k: (statistics.median(r[0] for r in v), max(r[1] for r in v),
                statistics.median(r[2] for r in v), statistics.median(r[3] for r in v))
            for k, v in got.items()}


def main():
    os.environ["HWB_PASSWORD"] = TOKEN
    os.environ["TWINE_USERNAME"], os.environ["TWINE_PASSWORD"] = "__token__", TOKEN
    with tempfile.TemporaryDirectory() as tmp:
        # made in a child: a forked client would otherwise start with this
        # process's 100 MiB in its peak RSS
        subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                        "from pypi_index import make_big_wheel; import pathlib; "
                        "make_big_wheel(pathlib.Path(sys.argv[2]), int(sys.argv[3]))",
                        str(ROOT / "tests" / "e2e"), tmp, str(SIZE)], check=True)
        wheel = pathlib.Path(tmp) / "bigpkg-1.0-py3-none-any.whl"
        res = rounds(tmp, {
            "hwb": lambda u: [HWB, "publish", "--no-check", "-q", "--repository-url", u,
                              str(wheel)],
            "curl": lambda u: ["sh", "-c", curl_script(u, wheel)],
            "twine": lambda u: ["twine", "upload", "--disable-progress-bar",
                                "--repository-url", u, str(wheel)],
        })
    load = os.getloadavg()
    for k, (wall, kib, cpu, srv) in res.items():
        print(f"{k:6s} {wall:7.3f} s  CPU {cpu:6.3f} s  peak RSS {kib / 1024:7.1f} MiB  "
              f"server {srv:6.3f} s/upload")
    h, c, t = res["hwb"][0], res["curl"][0], res["twine"][0]
    print(f"hwb/curl {h / c:.2f}x (target <= 1.2x), twine/hwb {t / h:.2f}x (target >= 3x), "
          f"hwb peak RSS {res['hwb'][1] / 1024:.1f} MiB (target < 32 MiB); "
          f"CPU twine/hwb {res['twine'][2] / res['hwb'][2]:.2f}x; "
          f"median of {RUNS} interleaved rounds; load average {load[0]:.2f} on "
          f"{os.cpu_count()} CPUs")
    print(json.dumps({"bench": "publish", "size": SIZE, "runs": RUNS, "load1": load[0],
                      **{k: {"seconds": v[0], "rss_kib": v[1], "cpu_seconds": v[2],
                             "server_seconds": v[3]} for k, v in res.items()}}))
    ok = h <= 1.2 * c and t >= 3 * h and res["hwb"][1] < 32 * 1024
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
