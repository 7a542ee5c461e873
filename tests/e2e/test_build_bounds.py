# SPDX-License-Identifier: Apache-2.0
"""`hwb build` against a backend that holds on (testdata/projects/evil-hold):
the whole build's memory bound (a cgroup, where hwb can make one, and sized
tmpfs mounts), a sandbox that dies with a SIGKILLed hwb, SIGINT and SIGTERM
ending the build with 130 and 143 and nothing left behind, and a sandbox
pid 1 that no longer carries hwb's environment. Skipped with the probe's
diagnosis when user namespaces are refused."""
import os
import pathlib
import re
import select
import shutil
import signal
import subprocess
import threading
import time
import fcntl
import uuid

import pytest

from conftest import HWB, ROOT

PROJECTS = ROOT / "testdata" / "projects"
TOOL = ROOT / "tests" / "tools" / "sandbox-run"


def _probe():
    if not TOOL.exists():
        return f"{TOOL} is not built"
    p = subprocess.run([str(TOOL), "--probe"], capture_output=True, text=True)
    return None if p.returncode == 0 else p.stderr.strip()


REFUSED = _probe()
pytestmark = pytest.mark.skipif(REFUSED is not None, reason=f"sandbox refused: {REFUSED}")


def _env(home, tmp, **extra):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "LANG": "C.UTF-8", "TMPDIR": str(tmp),
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
            "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "halt_on_error=1"), **extra}


def _descendants(pid):
    """Every process below pid, from /proc's parent links."""
    children = {}
    for d in pathlib.Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Held:
    """hwb build of evil-hold in sleep mode, up to the backend's "ready"."""

    def __init__(self, tmp_path, home, tmp=None, args=(), min_tree=3, **env):
        tmp_path.mkdir(exist_ok=True)
        self.tmp = tmp or tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.out = tmp_path / "dist"
        src = tmp_path / "evil-hold"
        shutil.copytree(PROJECTS / "evil-hold", src)
        self.proc = subprocess.Popen(
            [HWB, "build", str(src), "--wheel", "--outdir", str(self.out), "-C", "mode=sleep",
             *args],
            env=_env(home, self.tmp, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        self.stderr = ""
        deadline = time.monotonic() + 60
        while "evil-hold: ready" not in self.stderr:
            assert time.monotonic() < deadline and self.proc.poll() is None, self.stderr
            ready, _, _ = select.select([self.proc.stderr], [], [], 1)
            if ready:
                self.stderr += self.proc.stderr.readline()
        time.sleep(0.2)  # the backend's child has forked too
        self.tree = _descendants(self.proc.pid)
        assert len(self.tree) >= min_tree, self.tree  # pid 1, the backend, its child

    def finish(self):
        out, err = self.proc.communicate(timeout=30)
        self.stderr += err
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for pid in self.tree:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_sandbox_dies_with_a_sigkilled_hwb(tmp_path, home):
    h = Held(tmp_path, home)
    try:
        h.proc.kill()
        t0 = time.monotonic()
        while any(_alive(p) for p in h.tree) and time.monotonic() - t0 < 5:
            time.sleep(0.01)
        elapsed = time.monotonic() - t0
        left = [p for p in h.tree if _alive(p)]
        print(f"sandbox gone {elapsed * 1000:.0f} ms after SIGKILL of hwb")
        # Contained by: PR_SET_PDEATHSIG on pid 1, armed after its last
        # credential change (which clears it), and the PID namespace.
        assert not left and elapsed < 1.0, (left, elapsed)
    finally:
        h.kill()


@pytest.mark.parametrize("sig,status,name", [(signal.SIGINT, 130, "SIGINT"),
                                             (signal.SIGTERM, 143, "SIGTERM")])
def test_signal_ends_the_whole_build(tmp_path, home, sig, status, name):
    h = Held(tmp_path, home)
    try:
        t0 = time.monotonic()
        h.proc.send_signal(sig)
        rc = h.finish()
        elapsed = time.monotonic() - t0
        assert rc == status, h.stderr
        assert "HWB-B014" in h.stderr and f"interrupted by {name}" in h.stderr
        assert elapsed < 5, elapsed
        assert not any(_alive(p) for p in h.tree)
        # No partial output, and the work directory is gone.
        assert not h.out.exists() or not any(h.out.iterdir())
        assert not list(h.tmp.glob("hwb-build-*"))
    finally:
        h.kill()


def test_sandbox_pid1_forgets_hwbs_environment(tmp_path, home):
    canary = "hwb-env-canary-" + uuid.uuid4().hex
    h = Held(tmp_path, home, HWB_TEST_CANARY=canary)
    try:
        pid1 = [p for p in h.tree
                if pathlib.Path(f"/proc/{p}/status").read_text().split("NSpid:")[1]
                .split("\n")[0].split()[-1] == "1"]
        assert len(pid1) == 1, h.tree
        for p in h.tree:
            for f in ("environ", "cmdline"):
                data = pathlib.Path(f"/proc/{p}/{f}").read_bytes()
                assert canary.encode() not in data, (p, f)
                assert b"hwb-env-canary" not in data
        # hwb itself still has it (the test looked in the right place).
        assert canary.encode() in pathlib.Path(f"/proc/{h.proc.pid}/environ").read_bytes()
    finally:
        h.kill()


def _available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no MemAvailable")


def _can_make_cgroup():
    """hwb's rule: a child of its own memory group (v1) or a delegated v2."""
    for line in open("/proc/self/cgroup"):
        _, ctrl, path = line.rstrip("\n").split(":", 2)
        if "memory" in ctrl.split(","):
            d = pathlib.Path("/sys/fs/cgroup/memory" + path) / f"hwb-probe-{os.getpid()}"
            try:
                d.mkdir()
                d.rmdir()
                return None
            except OSError as e:
                return f"cannot create a memory cgroup under {d.parent}: {e}"
    return "no cgroup v1 memory controller (cgroup v2 delegation is not exercised here)"


def _rss(pid):
    """pid's resident set in bytes (0 once it has gone)."""
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _held_build(binary, env, src, out, budget):
    """One build that tries to hold 2x budget across processes and tmpfs:
    (stderr, returncode, MemAvailable's drop, hwb's own peak RSS)."""
    baseline = _available()
    low, own, stop = [baseline], [0], threading.Event()
    # Two children of 128 MiB, 128 MiB in /tmp and in the home (the tmpfs
    # mounts are sized too: 1/2 and 1/4 of the budget).
    proc = subprocess.Popen([str(binary), "build", str(src), "--wheel", "--verbose",
                             "--outdir", str(out), "-C", "mode=memory",
                             "-C", f"mib={2 * budget >> 20}", "-C", "children=2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)

    def sample():
        while not stop.is_set():
            low[0] = min(low[0], _available())
            own[0] = max(own[0], _rss(proc.pid))
            time.sleep(0.005)

    t = threading.Thread(target=sample)
    t.start()
    try:
        _, stderr = proc.communicate(timeout=120)
    finally:
        stop.set()
        t.join()
    return stderr, proc.returncode, baseline - low[0], own[0]


def test_whole_build_memory_bound(home, tmp_path):
    why = _can_make_cgroup()
    if why:
        pytest.skip(why)
    budget = 256 << 20
    src = tmp_path / "evil-hold"
    shutil.copytree(PROJECTS / "evil-hold", src)
    # The release binary: the sanitizer build's own shadow memory is the
    # test's instrumentation, not the build's (and it would blur the figure).
    binary = ROOT / "hwb" if (ROOT / "hwb").exists() else HWB
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", "HWB_BUILD_PYTHON": "/usr/bin/python3",
           "HWB_BUILD_LIMITS_MEMORY": str(budget)}
    drops = []
    for attempt in range(3):
        stderr, rc, drop, own = _held_build(binary, env, src, tmp_path / "d", budget)
        peak = max(int(m) for m in
                   re.findall(r"sandbox: peak memory (\d+) MiB", stderr)) << 20
        print(f"MemAvailable dropped {drop >> 20} MiB, hwb's own process peaked "
              f"at {own >> 20} MiB, the build's cgroup at {peak >> 20} MiB, for a "
              f"budget of {budget >> 20} MiB")
        assert rc == 5, stderr[-3000:]
        assert "HWB-B013" in stderr
        assert "memory limit of the whole build (memory = 256 MiB" in stderr
        assert "memory bound: cgroup v1" in stderr
        # The build itself never held more than its budget (the kernel's
        # own count, exact on every attempt)...
        assert peak <= budget
        # ...and the host lost no more than the budget plus hwb's own
        # process, with 16 MiB for the rest of the machine. MemAvailable is
        # host-wide, so another process's allocation can blur one attempt:
        # the best of three counts (without the bound every attempt drops
        # 512+ MiB, so a broken bound never passes).
        drops.append(drop - own)
        if drops[-1] <= budget + (16 << 20):
            break
    assert min(drops) <= budget + (16 << 20), [d >> 20 for d in drops]


@pytest.mark.parametrize("quiet", [False, True])
def test_flood_keeps_the_tail_that_holds_the_error(run_hwb, tmp_path, quiet):
    marker = uuid.uuid4().hex
    src = tmp_path / "evil-hold"
    shutil.copytree(PROJECTS / "evil-hold", src)
    args = ["build", src, "--wheel", "--outdir", tmp_path / "d", "-C", "mode=flood",
            "-C", "mib=2", "-C", f"marker={marker}"] + (["-q"] if quiet else [])
    r = run_hwb(*args, env={"HWB_BUILD_LIMITS_LOG_SIZE": str(256 << 10)})
    assert r.returncode == 5 and "HWB-B053" in r.stderr, r.stderr[-3000:]
    # The traceback's last line, after 2 MiB of noise past a 256 KiB log.
    assert f"ValueError: the real error {marker}" in r.stderr, r.stderr[-3000:]
    if quiet:
        assert "evil-hold: noise" in r.stderr  # only the tail's lines
        assert len(r.stderr) < 64 << 10
    else:
        assert "bytes of output left out" in r.stderr


def test_killed_builds_leftovers_are_removed_by_the_next_build(run_hwb, tmp_path, home):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    h1 = Held(tmp_path / "a", home, tmp=tmp)
    h1.kill()  # SIGKILL: no clean-up ran
    left = list(tmp.glob("hwb-build-*"))
    assert len(left) == 1, left
    h2 = Held(tmp_path / "b", home, tmp=tmp)  # a live build
    try:
        live = [p for p in tmp.glob("hwb-build-*")]
        assert left[0] not in live and len(live) == 1, live  # the stale one went
        # Copies into an outdir that a killed build left, and one being written.
        out = tmp_path / "d"
        out.mkdir()
        stale = out / ".intree_sample-1.2.0-py3-none-any.whl.Ab12Cd"
        stale.write_bytes(b"partial")
        busy = out / ".other-1.0.tar.gz.Zz99Yy"
        busy.write_bytes(b"being written")
        with open(busy, "rb") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            src = tmp_path / "intree"
            shutil.copytree(PROJECTS / "build-intree", src)
            r = run_hwb("build", src, "--wheel", "--outdir", out, env={"TMPDIR": str(tmp)})
        assert r.returncode == 0, r
        assert not stale.exists() and busy.exists()
        assert "left unfinished" in r.stderr
        assert live[0].exists()  # the live build's work directory stays
    finally:
        h2.kill()


def test_disk_quota_bounds_the_whole_build(run_hwb, tmp_path):
    # Six 100 MiB files, each under file-size (4 GiB), against disk = 100 MiB.
    src = tmp_path / "evil-hold"
    shutil.copytree(PROJECTS / "evil-hold", src)
    r = run_hwb("build", src, "--wheel", "--outdir", tmp_path / "d", "-C", "mode=disk",
                "-C", "files=6", "-C", "mib=100",
                env={"HWB_BUILD_LIMITS_DISK": str(100 << 20), "TMPDIR": str(tmp_path)})
    wrote = [int(m) for m in re.findall(r"evil-hold: wrote (\d+) MiB", r.stderr)]
    print(f"disk quota 100 MiB: the build was stopped after writing {max(wrote or [0])} MiB")
    assert r.returncode == 5, r.stderr[-3000:]
    assert "HWB-B013" in r.stderr and "disk limit of the whole build (disk = 100 MiB" in r.stderr
    assert max(wrote or [0]) < 600
    assert not list(tmp_path.glob("hwb-build-*"))  # and its files are gone


def _pid1(tree):
    return [p for p in tree if pathlib.Path(f"/proc/{p}/status").read_text()
            .split("NSpid:")[1].split("\n")[0].split()[-1] == "1"][0]


def _uid(pid):
    return int(pathlib.Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0])


@pytest.mark.skipif(os.geteuid() != 0, reason="hwb picks the build's host ids only as root")
def test_root_builds_run_under_host_ids_of_their_own(tmp_path, home):
    a = Held(tmp_path / "a", home)
    b = Held(tmp_path / "b", home)
    try:
        uids = []
        for h in (a, b):
            pid1 = _pid1(h.tree)
            maps = [l.split() for l in
                    pathlib.Path(f"/proc/{pid1}/uid_map").read_text().splitlines()]
            # The namespace's root is never host root...
            assert all(int(outside) != 0 for _, outside, _ in maps), maps
            uids.append({_uid(p) for p in h.tree})
        # ...and each build's processes have a host uid no other build (or
        # `nobody`) shares, so RLIMIT_NPROC counts that build alone.
        assert len(uids[0]) == 1 and len(uids[1]) == 1, uids
        assert uids[0] != uids[1] and not (uids[0] | uids[1]) & {0, 65534}, uids
    finally:
        a.kill()
        b.kill()
