# SPDX-License-Identifier: Apache-2.0
"""End-to-end tests for `hwb lock` (PEP 751 lock of the build requirements,
from Debian's wheelhouse and from a local PEP 691/503 index) and for the
build environment cache that hwb build uses (tests/tools/env-prepare.c)."""
import glob
import hashlib
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
import tomllib

import pytest

from conftest import ROOT, TOOLS

WHEELHOUSE = "/usr/share/python-wheels"
PYTHON = "/usr/bin/python3"
SAMPLE = ROOT / "testdata" / "projects" / "lock-sample"
ENV_PREPARE = TOOLS / "env-prepare"

pytestmark = pytest.mark.skipif(
    not any(f.startswith("setuptools-") for f in os.listdir(WHEELHOUSE))
    if os.path.isdir(WHEELHOUSE) else True,
    reason="Debian's python3-setuptools-whl and python3-wheel-whl are missing (tests/deps.sh)")


def sha256(path):
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path):
    dst = tmp_path / "project"
    shutil.copytree(SAMPLE, dst)
    return dst


@pytest.fixture(scope="module")
def index():
    """Our PEP 691/503 index serving the Debian wheels on 127.0.0.1."""
    proc = subprocess.Popen([PYTHON, str(ROOT / "tests" / "tools" / "index_server.py"),
                             WHEELHOUSE], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}"
    proc.kill()
    proc.wait()


def wheel_file(name):
    return next(os.path.join(WHEELHOUSE, f) for f in sorted(os.listdir(WHEELHOUSE))
                if f.startswith(name + "-"))


def test_lock_from_wheelhouse(run_hwb, project):
    r = run_hwb("lock", project, "--find-links", WHEELHOUSE, "--python", PYTHON)
    assert r.returncode == 0, r
    assert "wrote" in r.stdout
    text = (project / "pylock.build.toml").read_text()
    lock = tomllib.loads(text)
    assert lock["lock-version"] == "1.0"
    assert lock["created-by"] == "hwb"
    assert lock["requires-python"].startswith(">=3.")
    names = [p["name"] for p in lock["packages"]]
    assert names == ["setuptools", "wheel"]
    for p in lock["packages"]:
        w = p["wheels"][0]
        # Portable (PEP 751): the file name, size and hash, no local path.
        assert "path" not in w and "url" not in w
        assert w["name"] == os.path.basename(wheel_file(p["name"]))
        assert w["hashes"]["sha256"] == sha256(wheel_file(p["name"]))
        assert w["size"] == os.path.getsize(wheel_file(p["name"]))
        assert "marker" not in p
    assert lock["environments"] == [
        'implementation_name == "cpython" and python_version == "%d.%d" and '
        'sys_platform == "linux" and platform_machine == "x86_64"' % sys.version_info[:2]]
    assert lock["tool"]["hwb"]["requirements"] == ["setuptools>=40.8", "wheel"]
    # Deterministic: a second run leaves the file alone.
    r = run_hwb("lock", project, "--find-links", WHEELHOUSE, "--python", PYTHON)
    assert r.returncode == 0 and "unchanged" in r.stdout, r
    assert (project / "pylock.build.toml").read_text() == text


def test_lock_json_output(run_hwb, project, tmp_path):
    out = tmp_path / "elsewhere.toml"
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static",
                "--output", out, "--format", "json")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.lock/1"
    assert doc["path"] == str(out) and doc["changed"] is True
    assert {p["name"]: p["sha256"] for p in doc["packages"]} == {
        "setuptools": sha256(wheel_file("setuptools")),
        "wheel": sha256(wheel_file("wheel"))}
    assert not (project / "pylock.build.toml").exists()


@pytest.mark.parametrize("mode", ["", "/html"])
def test_lock_from_index(run_hwb, project, index, mode):
    url = f"{index}{mode}/simple/"
    r = run_hwb("lock", project, "--index-url", url, "--python", PYTHON, "--static")
    assert r.returncode == 0, r
    lock = tomllib.loads((project / "pylock.build.toml").read_text())
    for p in lock["packages"]:
        w = p["wheels"][0]
        assert w["url"].startswith(index) and w["url"].endswith(w["name"])
        assert "path" not in w
        assert w["hashes"]["sha256"] == sha256(wheel_file(p["name"]))
        assert p["index"] == f"{url}{p['name']}/"


def test_lock_refuses_tampered_index(run_hwb, project, index):
    r = run_hwb("lock", project, "--index-url", f"{index}/tampered/simple/",
                "--python", PYTHON, "--static")
    assert r.returncode == 1, r
    assert "HWB-B150" in r.stderr and "hash mismatch" in r.stderr
    assert not (project / "pylock.build.toml").exists()


def test_lock_errors(run_hwb, project):
    pp = project / "pyproject.toml"
    pp.write_text('[build-system]\nrequires = ["setuptools>=40.8", "no-such-project>=1"]\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 1 and "HWB-B142" in r.stderr and "no-such-project" in r.stderr, r
    pp.write_text('[build-system]\nrequires = ["wheel>=1", "setuptools<1"]\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 1 and "HWB-B142" in r.stderr, r
    pp.write_text('[build-system]\nrequires = ["wheel>=0.30", "wheel<0.30"]\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 1 and "HWB-B143" in r.stderr, r
    assert "'wheel>=0.30'" in r.stderr and "'wheel<0.30'" in r.stderr
    pp.write_text('[build-system]\nrequires = ["wheel @ https://example.org/wheel-1-py3-none-any.whl"]\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 3 and "HWB-B141" in r.stderr, r
    pp.write_text('[build-system]\nbuild-backend = "x"\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 3 and "HWB-B114" in r.stderr, r
    shutil.copy(SAMPLE / "pyproject.toml", pp)
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", "/nonexistent/python3")
    assert r.returncode == 3 and "HWB-B120" in r.stderr, r
    r = run_hwb("lock", project, "-f", project / "missing")
    assert r.returncode == 3 and "HWB-B132" in r.stderr, r
    assert not (project / "pylock.build.toml").exists()


def test_lock_dynamic_requirements(run_hwb, project, home):
    """setuptools' get_requires_for_build_wheel asks for wheel: hwb lock runs
    the hook in the sandbox with the static requirements installed."""
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=40.8"]\n'
        'build-backend = "setuptools.build_meta"\n\n[project]\nname = "dyn"\nversion = "1"\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 0, r
    lock = tomllib.loads((project / "pylock.build.toml").read_text())
    assert [p["name"] for p in lock["packages"]] == ["setuptools"]
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON)
    assert r.returncode == 0, r
    lock = tomllib.loads((project / "pylock.build.toml").read_text())
    assert [p["name"] for p in lock["packages"]] == ["setuptools", "wheel"]
    assert lock["tool"]["hwb"]["requirements"] == ["setuptools>=40.8", "wheel"]
    # The hooks ran on a copy: the project is untouched.
    assert sorted(x.name for x in project.iterdir()) == ["pylock.build.toml", "pyproject.toml", "src"]
    assert not list((project / "src").glob("*.egg-info"))


def test_lock_default_requirements(run_hwb, project):
    """No [build-system]: PEP 518's setuptools default, and markers kept."""
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "wheel ; python_version >= \\"3\\"",'
        ' "pip ; python_version < \\"3\\""]\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 0, r
    lock = tomllib.loads((project / "pylock.build.toml").read_text())
    pkgs = {p["name"]: p for p in lock["packages"]}
    assert set(pkgs) == {"setuptools", "wheel"}
    assert pkgs["wheel"]["marker"] == 'python_version >= "3"'
    (project / "pyproject.toml").unlink()
    (project / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 0, r
    lock = tomllib.loads((project / "pylock.build.toml").read_text())
    assert [p["name"] for p in lock["packages"]] == ["setuptools"]


def env_prepare(home, lock, *args):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
         "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")}
    p = subprocess.run([str(ENV_PREPARE), str(lock), "--python", PYTHON, *map(str, args)],
                       env=e, capture_output=True, text=True, timeout=120)
    return p


@pytest.fixture
def locked(run_hwb, project):
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--static")
    assert r.returncode == 0, r
    return project / "pylock.build.toml"


def test_env_build_reuse_and_tamper(home, locked):
    p = env_prepare(home, locked, "--find-links", WHEELHOUSE)
    assert p.returncode == 0, p.stderr
    first = json.loads(p.stdout)
    assert first["reused"] is False and first["rebuilt"] is False
    root = pathlib.Path(first["root"])
    assert root.parent == home / ".cache" / "hwb" / "envs"
    assert root.name == first["key"] and len(first["key"]) == 64
    assert [(x["name"], x["sha256"]) for x in first["packages"]] == [
        ("setuptools", sha256(wheel_file("setuptools"))),
        ("wheel", sha256(wheel_file("wheel")))]
    site = pathlib.Path(first["site_packages"])
    assert site.parent.parent.parent == root and site.name == "site-packages"
    manifest = json.loads((root / "hwb-env.json").read_text())
    assert manifest["schema"] == "hwb.env/1" and manifest["key"] == first["key"]
    rel = str((site / "setuptools" / "__init__.py").relative_to(root))
    some = next(f for f in manifest["files"] if f["path"] == rel)
    assert {"path": "bin/python", "link": PYTHON} in manifest["files"]
    assert some["sha256"] == sha256(root / some["path"])
    # No temporary directory is left behind.
    assert sorted(x.name for x in root.parent.iterdir()) == [root.name, root.name + ".lock"]

    # The environment is importable with the interpreter it was made for.
    env = {"PYTHONPATH": first["site_packages"], "PATH": "/usr/bin:/bin"}
    out = subprocess.run([PYTHON, "-c", "import setuptools, wheel; print(setuptools.__file__)"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith(first["site_packages"]), out
    # A venv: its bin/python sees the packages even in isolated mode.
    out = subprocess.run([first["python"], "-I", "-c",
                          "import sys, setuptools; print(sys.prefix, setuptools.__file__)"],
                         env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert out.returncode == 0, out
    assert out.stdout.split() == [str(root), str(site / "setuptools" / "__init__.py")]
    # The console script launcher of wheel runs, without PYTHONPATH.
    out = subprocess.run([os.path.join(first["bin"], "wheel"), "version"],
                         env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("wheel "), out
    # Bytecode was compiled, so the read-only environment imports fast.
    assert list((site / "setuptools" / "__pycache__").glob("*.pyc"))

    # Reuse: no rebuild, every file hashed, faster.
    p = env_prepare(home, locked, "--find-links", WHEELHOUSE)
    assert p.returncode == 0, p.stderr
    second = json.loads(p.stdout)
    assert second["reused"] is True and second["root"] == first["root"]
    assert second["files_checked"] == len(manifest["files"])
    assert second["prepare_ms"] < first["prepare_ms"]
    assert (root / "hwb-env.json").stat().st_ino == (root / "hwb-env.json").stat().st_ino

    # Tamper with a file: warned about, rebuilt, never used.
    target = site / "setuptools" / "__init__.py"
    target.parent.chmod(0o755)
    target.chmod(0o644)
    target.write_text(target.read_text().replace("import", "import  ", 1))
    p = env_prepare(home, locked, "--find-links", WHEELHOUSE)
    assert p.returncode == 0, p.stderr
    third = json.loads(p.stdout)
    assert third["reused"] is False and third["rebuilt"] is True
    assert "was modified" in p.stderr and "setuptools/__init__.py" in p.stderr
    assert sha256(target) == some["sha256"]

    # An added file (a .pth, say) is tampering too.
    site.chmod(0o755)
    (site / "evil.pth").write_text("import os\n")
    p = env_prepare(home, locked, "--find-links", WHEELHOUSE)
    assert p.returncode == 0 and json.loads(p.stdout)["rebuilt"] is True, p.stderr
    assert not (site / "evil.pth").exists()
    # So is bin/python pointing elsewhere.
    (root / "bin").chmod(0o755)
    (root / "bin" / "python").unlink()
    (root / "bin" / "python").symlink_to("/bin/sh")
    p = env_prepare(home, locked, "--find-links", WHEELHOUSE)
    assert p.returncode == 0 and json.loads(p.stdout)["rebuilt"] is True, p.stderr
    assert os.readlink(root / "bin" / "python") == PYTHON


def test_env_concurrent_builds_share_one(home, locked):
    """Two builds that need the same environment at once: one builds it
    under the flock, the other waits and reuses it."""
    e = {"PATH": "/usr/bin:/bin", "HOME": str(home),
         "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")}
    cmd = [str(ENV_PREPARE), str(locked), "--python", PYTHON, "--find-links", WHEELHOUSE]
    procs = [subprocess.Popen(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    docs = []
    for p in procs:
        out, errs = p.communicate(timeout=120)
        assert p.returncode == 0, errs
        docs.append(json.loads(out))
    assert sorted(d["reused"] for d in docs) == [False, True]
    assert docs[0]["root"] == docs[1]["root"]


def test_env_sources_are_enforced(home, locked, tmp_path):
    # The lock names its wheels by file name and hash only: without a
    # wheelhouse that holds them configured, hwb reads nothing.
    p = env_prepare(home, locked)
    assert p.returncode != 0 and "HWB-B152" in p.stderr, p.stderr
    p = env_prepare(home, locked, "--find-links", tmp_path)
    assert p.returncode != 0 and "HWB-B152" in p.stderr, p.stderr
    # A file of that name with other bytes is refused by its hash.
    shutil.copy(wheel_file("wheel"), tmp_path / os.path.basename(wheel_file("setuptools")))
    shutil.copy(wheel_file("setuptools"), tmp_path / os.path.basename(wheel_file("wheel")))
    p = env_prepare(home, locked, "--find-links", tmp_path)
    assert p.returncode != 0 and "HWB-B150" in p.stderr, p.stderr


def test_env_from_index_and_download_cache(run_hwb, home, project, index):
    r = run_hwb("lock", project, "--index-url", f"{index}/simple/", "--python", PYTHON, "--static")
    assert r.returncode == 0, r
    lock = project / "pylock.build.toml"
    p = env_prepare(home, lock, "--index-url", f"{index}/simple/")
    assert p.returncode == 0, p.stderr
    cached = (home / ".cache" / "hwb" / "wheels" / sha256(wheel_file("wheel"))
              / os.path.basename(wheel_file("wheel")))
    assert cached.read_bytes() == pathlib.Path(wheel_file("wheel")).read_bytes()
    # Locked against one index, fetched from another host: refused.
    p = env_prepare(home / "other", lock, "--index-url", "http://localhost:1/simple/")
    assert p.returncode == 1 and "HWB-B151" in p.stderr, p.stderr
    # A corrupted download-cache entry is detected and fetched again.
    shutil.rmtree(home / ".cache" / "hwb" / "envs", ignore_errors=False,
                  onerror=lambda f, path, e: (os.chmod(os.path.dirname(path), 0o755), f(path)))
    cached.chmod(0o644)
    cached.write_bytes(b"not a wheel")
    p = env_prepare(home, lock, "--index-url", f"{index}/simple/")
    assert p.returncode == 0, p.stderr
    assert "does not match" in p.stderr
    assert sha256(cached) == cached.parent.name


def other_python(minor_glob):
    found = sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{minor_glob}/bin/python3")))
    return found[0] if found else None


@pytest.mark.skipif(not other_python("3.12*"), reason="no second CPython (pyenv 3.12) on this machine")
def test_lock_several_interpreters(run_hwb, home, project):
    """One lock for Debian's 3.11 and a 3.12: environments lists both, each
    interpreter gets its environment from it, a third one is refused."""
    py312 = other_python("3.12*")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "wheel ; python_version >= \\"3.12\\""]\n')
    r = run_hwb("lock", project, "-f", WHEELHOUSE, "--python", PYTHON, "--python", py312,
                "--static")
    assert r.returncode == 0, r
    lock = tomllib.loads((project / "pylock.build.toml").read_text())
    assert len(lock["environments"]) == 2
    assert any('python_version == "3.12"' in e for e in lock["environments"])
    pkgs = {p["name"]: p for p in lock["packages"]}
    assert "marker" not in pkgs["setuptools"]
    assert 'python_version == "3.12"' in pkgs["wheel"]["marker"]
    lockfile = project / "pylock.build.toml"
    for py, names in ((PYTHON, ["setuptools"]), (py312, ["setuptools", "wheel"])):
        p = subprocess.run([str(ENV_PREPARE), str(lockfile), "--python", py,
                            "--find-links", WHEELHOUSE],
                           env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        assert [x["name"] for x in json.loads(p.stdout)["packages"]] == names
    py310 = other_python("3.10*")
    if py310:
        p = subprocess.run([str(ENV_PREPARE), str(lockfile), "--python", py310,
                            "--find-links", WHEELHOUSE],
                           env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 1 and "HWB-B165" in p.stderr, p.stderr


def test_lock_help_lists_options(run_hwb):
    r = run_hwb("lock", "--help")
    assert r.returncode == 0
    for opt in ("--find-links", "--index-url", "--python", "--output"):
        assert opt in r.stdout
