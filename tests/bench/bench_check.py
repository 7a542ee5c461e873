#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench check: `hwb check` against a plain Python RECORD check (zipfile +
hashlib reading every member, what installers do) and `unzip -t`, on a wheel
of 20,000 members and 400 MiB uncompressed (a quarter incompressible),
generated here and not committed. Prints wall time (median of 3 runs, page
cache warm) and each tool's peak RSS (getrusage of the child), and the floor:
the time the arithmetic no checker can skip (inflate, CRC-32, SHA-256, secret
scan) takes on this machine's cores with the data in memory
(tests/bench/check_floor.c), which bounds what any ratio can be here.

HWB_BENCH_2G=1 also builds a 2 GiB wheel of large members and checks that
hwb's peak RSS stays the same (about a minute to generate).

The wheels are written to /dev/shm when it has room: this machine's kernel
reclaims page cache even with memory free (DAMON), so a file on disk drifts
out of memory between runs and the tools would be timed partly on disk
reads. In tmpfs every tool reads the same bytes from memory."""
import base64
import hashlib
import io
import os
import pathlib
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
HWB = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
FLOOR = ROOT / "build" / "rel" / "tools" / "check-floor"
PYTHON = "/usr/bin/python3"
MEMBERS = 20_000
TOTAL = 400 << 20


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{name},sha256={digest.decode()},{len(data)}"


def text_corpus(size):
    """Real Python source (Debian's standard library), so the compressible
    members compress and inflate like the code in real wheels."""
    out = bytearray()
    for path in sorted(pathlib.Path("/usr/lib/python3.11").rglob("*.py")):
        out += path.read_bytes()
        if len(out) >= size:
            break
    return bytes(out[:size])


def member_sizes(rng, count, total):
    """Mostly small files and a few large ones, summing to total."""
    raw = [rng.lognormvariate(0, 1.2) for _ in range(count)]
    scale = total / sum(raw)
    sizes = [max(1, int(r * scale)) for r in raw]
    sizes[-1] += total - sum(sizes)
    return sizes


def write_wheel(path, sizes, level=6, text=None, seed=1):
    rng = random.Random(seed)
    text = text or text_corpus(16 << 20)
    name, di = "benchpkg", "benchpkg-1.0.dist-info"
    rows = []
    with zipfile.ZipFile(path, "w") as z:
        for i, size in enumerate(sizes):
            member = f"{name}/sub{i % 97}/m{i}.py" if i % 4 else f"{name}/data/b{i}.bin"
            if i % 4:
                # A slice of the corpus from a random point, wrapping round.
                start = rng.randrange(len(text))
                data = text[start:start + size]
                while len(data) < size:
                    data += text[:size - len(data)]
                method = zipfile.ZIP_DEFLATED
            else:
                data = b"".join(rng.randbytes(min(1 << 24, size - k))
                                for k in range(0, size, 1 << 24))
                method = zipfile.ZIP_DEFLATED if level else zipfile.ZIP_STORED
            info = zipfile.ZipInfo(member, (2020, 1, 1, 0, 0, 0))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=level or None)
            rows.append(record_line(member, data))
        files = {
            f"{name}/__init__.py": b"",
            f"{di}/METADATA": b"Metadata-Version: 2.1\nName: benchpkg\nVersion: 1.0\n",
            f"{di}/WHEEL": b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\n"
                           b"Tag: py3-none-any\n",
        }
        for member, data in files.items():
            z.writestr(zipfile.ZipInfo(member, (2020, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
            rows.append(record_line(member, data))
        rows.append(f"{di}/RECORD,,")
        z.writestr(zipfile.ZipInfo(f"{di}/RECORD", (2020, 1, 1, 0, 0, 0)),
                   ("\n".join(rows) + "\n").encode(), compress_type=zipfile.ZIP_DEFLATED)


def python_record_check(path):
    """What an installer that verifies does: read every member, hash it,
    compare with RECORD. Exit 1 on a mismatch."""
    import csv
    with zipfile.ZipFile(path) as z:
        record = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
        rows = {r[0]: r for r in csv.reader(io.TextIOWrapper(z.open(record), "utf-8"))}
        for info in z.infolist():
            if info.filename == record:
                continue
            h, n = hashlib.sha256(), 0
            with z.open(info) as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
                    n += len(chunk)
            algo, _, want = rows[info.filename][1].partition("=")
            got = base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()
            if got != want or int(rows[info.filename][2]) != n:
                return 1
    return 0


def write_members(wheel, out):
    """The raw members of wheel for check-floor: method, compressed size and
    size as three little-endian uint32, then the compressed bytes."""
    with zipfile.ZipFile(wheel) as z, open(wheel, "rb") as f, open(out, "wb") as o:
        for info in z.infolist():
            f.seek(info.header_offset)
            head = f.read(30)
            name_len, extra_len = struct.unpack("<HH", head[26:30])
            f.seek(info.header_offset + 30 + name_len + extra_len)
            o.write(struct.pack("<III", info.compress_type, info.compress_size,
                                info.file_size))
            o.write(f.read(info.compress_size))


def floor(wheel):
    """check-floor's time on wheel: the arithmetic alone, on every core."""
    members = wheel.with_suffix(".members")
    write_members(wheel, members)
    try:
        out = subprocess.run([str(FLOOR), str(members)], capture_output=True,
                             text=True, check=True).stdout
    finally:
        members.unlink()
    return float(out)


def run(cmd):
    """Wall seconds, CPU seconds, peak RSS (MiB), status and stderr of one
    run of cmd, as GNU time reports them: it forks the tool from its own
    small process, so the RSS is the tool's, not this Python's."""
    with tempfile.NamedTemporaryFile("r") as out:
        proc = subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%e %U %S %M",
                               *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        fields = out.read().split()[-4:]
    wall, user, sys_, rss = (float(f) for f in fields)
    return wall, user + sys_, rss / 1024, proc.returncode, proc.stderr.decode(errors="replace")


def measure(label, cmd, runs=3):
    results = [run(cmd) for _ in range(runs)]
    for *_, rc, err in results:
        if rc != 0:
            sys.exit(f"bench check: {label} failed ({rc}): {err[-500:]}")
    wall = statistics.median(r[0] for r in results)
    cpu = statistics.median(r[1] for r in results)
    rss = max(r[2] for r in results)
    print(f"  {label:<22} {wall:7.3f} s wall {cpu:7.3f} s CPU   peak RSS "
          f"{rss:7.1f} MiB", flush=True)
    return wall, rss, cpu


def bench(path, label, runs=3):
    print(f"{label}: {path.stat().st_size / 2**20:.0f} MiB on disk", flush=True)
    with open(path, "rb") as f:                      # warm the page cache
        while f.read(1 << 24):
            pass
    load = os.getloadavg()[0]
    hwb = measure("hwb check", [HWB, "check", str(path)], runs)
    py = measure("python RECORD check",
                 [PYTHON, __file__, "--python-check", str(path)], runs)
    unzip = measure("unzip -t", ["unzip", "-tqq", str(path)], runs)
    if load > os.cpu_count():
        print(f"  (load average {load:.1f} on {os.cpu_count()} cores: wall "
              "times are inflated; CPU times hold)")
    print(f"  hwb is {py[0] / hwb[0]:.1f}x faster than the Python check, "
          f"{unzip[0] / hwb[0]:.1f}x faster than unzip -t", flush=True)
    return hwb, py, unzip


def bench_dir():
    """/dev/shm if it holds the largest wheel with room to spare."""
    need = (3 << 30) if os.environ.get("HWB_BENCH_2G") else (1 << 30)
    try:
        if shutil.disk_usage("/dev/shm").free > need and os.access("/dev/shm", os.W_OK):
            return "/dev/shm"
    except OSError:
        pass
    return None


def main(argv):
    if len(argv) == 3 and argv[1] == "--python-check":
        return python_record_check(argv[2])
    with tempfile.TemporaryDirectory(prefix="hwb-bench-", dir=bench_dir()) as tmp:
        path = pathlib.Path(tmp) / "benchpkg-1.0-py3-none-any.whl"
        t = time.perf_counter()
        write_wheel(path, member_sizes(random.Random(2), MEMBERS, TOTAL))
        print(f"generated {MEMBERS} members, {TOTAL >> 20} MiB in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
        hwb, py, unzip = bench(path, "400 MiB wheel")
        least = floor(path)
        print(f"  floor: inflate + CRC-32 + SHA-256 + secret scan of the members "
              f"in memory on {os.cpu_count()} cores (check-floor) {least:.3f} s, "
              f"{py[0] / least:.1f}x the Python check; hwb check takes "
              f"{hwb[0] / least:.2f}x the floor", flush=True)
        ok = py[0] / hwb[0] >= 5 and hwb[0] < unzip[0] and hwb[1] < 64
        path.unlink()
        if os.environ.get("HWB_BENCH_2G"):
            t = time.perf_counter()
            big = pathlib.Path(tmp) / "benchpkg-1.0-py3-none-any.whl"
            write_wheel(big, [256 << 20] * 7 + [200 << 20] + [1 << 20] * 56, level=1)
            print(f"generated 2 GiB wheel in {time.perf_counter() - t:.1f} s", flush=True)
            hwb2 = bench(big, "2 GiB wheel, large members", runs=1)[0]
            ok = ok and hwb2[1] < 64
        print("targets (5x Python, faster than unzip -t, RSS < 64 MiB): "
              + ("met" if ok else "NOT met"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
