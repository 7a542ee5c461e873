# SPDX-License-Identifier: Apache-2.0
"""Escape tests: hostile build backends (testdata/projects/evil-*) run in
hwb's sandbox through tests/tools/sandbox-run.c, which sets the sandbox up
exactly as `hwb build` does. Each test asserts how the attack was
contained, not only that it failed. When this machine refuses user
namespaces, every test is skipped with the probe's diagnosis."""
import os
import pathlib
import shutil
import socket
import subprocess
import time
import uuid

import pytest

from conftest import ROOT, TOOLS

TOOL = TOOLS / "sandbox-run"
PROJECTS = ROOT / "testdata" / "projects"
CANARY = "hwb-canary-" + uuid.uuid4().hex


def _probe():
    if not TOOL.exists():
        return f"{TOOL} is not built (make tools)"
    p = subprocess.run([str(TOOL), "--probe"], capture_output=True, text=True)
    return None if p.returncode == 0 else p.stderr.strip()


REFUSED = _probe()
pytestmark = pytest.mark.skipif(REFUSED is not None, reason=f"sandbox refused: {REFUSED}")


class Run:
    def __init__(self, proc, elapsed):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.elapsed = elapsed
        self.lines = [l for l in proc.stderr.splitlines() if l.startswith("evil-")]

    def __repr__(self):
        return f"<rc={self.rc} stdout={self.stdout!r} stderr={self.stderr[-3000:]!r}>"


def run_backend(tmp_path, project, settings=None, limits=(), env=None, args=()):
    """Copy the project (as hwb does), run its build_wheel hook in the
    sandbox with /src the writable copy and /out the output directory."""
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(PROJECTS / project, src, symlinks=True)
    out.mkdir()
    marker = uuid.uuid4().hex
    code = (f"# {marker}\nimport sys; sys.path.insert(0, '/src/_backend')\n"
            f"import evil_backend as b; b.build_wheel('/out', {settings or {}!r})")
    cmd = [str(TOOL), "--prepare", str(src), "--prepare", str(out),
           "--rw", f"{src}:/src", "--rw", f"{out}:/out", "--cwd", "/src"]
    for l in limits:
        cmd += ["--limit", l]
    cmd += [*args, "--", "/usr/bin/python3", "-c", code]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    r = Run(proc, time.monotonic() - t0)
    r.marker = marker
    return r


def test_secrets_are_out_of_reach(tmp_path):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{CANARY}\n")
    (home / ".pypirc").write_text(f"[pypi]\npassword = {CANARY}\n")
    env = dict(os.environ, HOME=str(home), PYPI_API_TOKEN=CANARY, MY_SECRET=CANARY)
    r = run_backend(tmp_path, "evil-secrets", env=env)
    assert r.rc == 0, r
    # Contained by: a scrubbed environment and a root that holds no home.
    assert "evil-secrets: found=0 []" in r.lines, r
    environ = [l for l in r.lines if "environ=" in l][0]
    assert "PYPI_API_TOKEN" not in environ and "MY_SECRET" not in environ
    assert "HOME': '/home/build'" in environ
    assert CANARY not in r.stdout + r.stderr


def test_secret_names_cannot_be_passed(tmp_path):
    for name in ("PYPI_API_TOKEN", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "SIGNING_KEY"):
        r = run_backend(tmp_path / name, "evil-secrets", args=["--env", f"{name}={CANARY}"])
        assert r.rc == 3, r
        assert "HWB-B021" in r.stderr and "looks like a secret" in r.stderr
        assert not r.lines, "the backend must not run"
        assert CANARY not in r.stderr


def test_network_is_unreachable(tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        r = run_backend(tmp_path, "evil-network", settings={"port": str(port)})
        assert r.rc == 0, r
        # Contained by: a network namespace whose only interface is its own lo.
        assert f"evil-network: 127.0.0.1:{port} ECONNREFUSED" in r.lines, r
        assert "evil-network: 8.8.8.8:53 ENETUNREACH" in r.lines, r
        assert "evil-network: 1.1.1.1:443 ENETUNREACH" in r.lines, r
        assert not any("CONNECTED" in l for l in r.lines)
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_writes_outside_the_output_leave_the_host_untouched(tmp_path):
    origin = tmp_path / "origin"
    shutil.copytree(PROJECTS / "evil-write", origin)
    before = sorted(p.name for p in origin.rglob("*"))
    r = run_backend(tmp_path, "evil-write", settings={"origin": str(origin)})
    assert r.rc == 0, r
    results = dict(l.split(" ", 2)[1:] for l in r.lines)
    # Contained by: a read-only root, read-only binds, no host paths inside.
    assert results["/usr/evil"].startswith("OSError:Read-only file system"), results
    assert results["/evil"].startswith("OSError:Read-only file system"), results
    assert results["/etc/evil"].startswith("OSError:Read-only file system"), results
    assert not results[str(origin / "evil-in-origin")].startswith("WROTE") or \
        not (origin / "evil-in-origin").exists()
    assert results["/dev/evil"].startswith("OSError:Read-only file system"), results
    assert results["/proc/sys/kernel/hostname"] != "WROTE"
    # The copy of the source is writable; the origin is not touched.
    assert results["/src/evil-in-copy"] == "WROTE"
    assert sorted(p.name for p in origin.rglob("*")) == before
    for p in ("/usr/evil", "/etc/evil", "/evil", "/bin/evil", "/dev/evil"):
        assert not os.path.exists(p)
    assert socket.gethostname() != "hwb-build"


def test_fork_bomb_hits_the_process_limit(tmp_path):
    r = run_backend(tmp_path, "evil-forkbomb", limits=["nproc=64"])
    # Contained by: RLIMIT_NPROC, counted per user namespace.
    assert r.rc == 5, r
    assert "HWB-B013" in r.stderr and "the process limit (processes = 64)" in r.stderr
    assert "limit=processes" in r.stdout
    assert r.elapsed < 20


def test_memory_bomb_hits_the_address_space_limit(tmp_path):
    r = run_backend(tmp_path, "evil-membomb", limits=["as=768"])
    # Contained by: RLIMIT_AS; the allocation fails inside the backend.
    assert r.rc == 5, r
    assert "MemoryError" in r.stderr
    assert "HWB-B013" in r.stderr and "address-space limit (address-space = 768 MiB)" in r.stderr


def _alive(marker):
    for d in pathlib.Path("/proc").iterdir():
        try:
            if marker.encode() in (d / "cmdline").read_bytes():
                return True
        except OSError:
            pass
    return False


def test_endless_loop_is_killed_at_the_timeout(tmp_path):
    r = run_backend(tmp_path, "evil-loop", limits=["timeout=2"])
    # Contained by: the wall-clock timeout killing pid 1 of the PID
    # namespace, which takes the SIGTERM-ignoring child with it.
    assert r.rc == 5, r
    assert "HWB-B011" in r.stderr and "timeout of 2 s" in r.stderr
    assert "timed_out=1" in r.stdout
    assert r.elapsed < 2 + 2, r.elapsed
    assert not _alive(r.marker)


def test_cpu_limit_ends_the_backend_with_sigxcpu(tmp_path):
    r = run_backend(tmp_path, "evil-loop", limits=["cpu=1", "timeout=20"])
    assert r.rc == 5, r
    assert "signal=24" in r.stdout  # SIGXCPU
    assert "the CPU time limit (cpu = 1 s)" in r.stderr
    assert r.elapsed < 10


def test_escape_syscalls_fail_with_eperm(tmp_path):
    r = run_backend(tmp_path, "evil-syscalls")
    assert r.rc == 0, r
    # Contained by: the seccomp deny list (and no capabilities left).
    for name in ("ptrace", "mount", "unshare", "setns", "chroot"):
        assert f"evil-syscalls: {name} rc=-1 EPERM" in r.lines, r


def test_sandbox_view(tmp_path):
    """What the build sees: its own user, no capabilities, seccomp on, no
    host processes, a scrubbed environment, umask 022."""
    src = tmp_path / "src"
    src.mkdir()
    script = ("import os; st=open('/proc/self/status').read();"
              "print('uid', os.getuid(), 'pids', sorted(p for p in os.listdir('/proc') if p.isdigit()));"
              "print([l for l in st.splitlines() if l.startswith(('CapEff','CapBnd','Seccomp:','NoNewPrivs'))]);"
              "print('umask', oct(os.umask(0)), 'env', sorted(os.environ))")
    p = subprocess.run([str(TOOL), "--", "/usr/bin/python3", "-c", script],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert "uid 1000" in p.stderr
    assert "'CapEff:\\t0000000000000000'" in p.stderr and "'CapBnd:\\t0000000000000000'" in p.stderr
    assert "'Seccomp:\\t2'" in p.stderr and "'NoNewPrivs:\\t1'" in p.stderr
    assert "umask 0o22" in p.stderr
    assert "env ['HOME', 'LANG', 'PATH', 'PYTHONHASHSEED', 'SOURCE_DATE_EPOCH', 'TMPDIR']" in p.stderr
    pids = eval(p.stderr.split("pids ")[1].split("\n")[0])
    assert len(pids) <= 3, pids  # pid 1 (the reaper) and the command


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="needs root to start the tool as an unprivileged user")
def test_unprivileged_user_gets_the_same_sandbox(tmp_path):
    """As an ordinary user (nobody), the maps are the user's own uid with
    setgroups denied, and the sandbox looks the same from inside."""
    script = ("import os; st = open('/proc/self/status').read();"
              "print('uid', os.getuid(), [l for l in st.splitlines() if l.startswith(('CapEff', 'Seccomp:'))])")
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        str(TOOL), "--", "/usr/bin/python3", "-c", script],
                       capture_output=True, text=True, timeout=30, cwd="/")
    if p.returncode == 3 and "HWB-B00" in p.stderr:
        pytest.skip(f"unprivileged user namespaces refused here: {p.stderr.strip()}")
    assert p.returncode == 0, p.stderr
    assert "uid 1000 ['CapEff:\\t0000000000000000', 'Seccomp:\\t2']" in p.stderr
