# SPDX-License-Identifier: Apache-2.0
"""Install exactly what was checked: wheels whose local headers and central
directory name different files, with prepended data, or with overlapping
members (tests/e2e/hostile_wheels.py), in a wheelhouse that `hwb lock` and
`hwb build` use, and as a backend's output. hwb reads every wheel through
pkg/wheel's reader, the parser hwb check uses, so it refuses them with the
check's own code; it never acts on what a local-header reader (libarchive,
which hwb used before) sees: a requirement on `sneaky`."""
import re
import subprocess

import pytest

from conftest import ROOT
import hostile_wheels

PYTHON = "/usr/bin/python3"
TOOL = ROOT / "tests" / "tools" / "sandbox-run"


def requiring_hostile(tmp_path):
    src = tmp_path / "project"
    src.mkdir()
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["hostile"]\nbuild-backend = "hostile.backend"\n\n'
        '[project]\nname = "victim"\nversion = "1.0"\n')
    return src


def check_codes(run_hwb, wheels, case):
    """The error codes hwb check gives the hostile wheel; the case's own
    finding among them."""
    r = run_hwb("check", wheels / "hostile-1.0-py3-none-any.whl")
    codes = set(re.findall(r"(HWB-W\d{3}) error", r.stdout))
    assert r.returncode == 1 and hostile_wheels.CASES[case][1] in codes, r
    return codes


def refused_with(stderr):
    """The W code of hwb's one-line error (zip framing: HWB-W001..W039)."""
    found = re.findall(r"(HWB-W0[0-3]\d)\b", stderr)
    assert found, stderr
    return found[0]


@pytest.mark.parametrize("case", sorted(hostile_wheels.CASES))
def test_lock_refuses_what_check_refuses(run_hwb, tmp_path, case):
    wheels = hostile_wheels.wheelhouse(tmp_path / "wheels", case)
    codes = check_codes(run_hwb, wheels, case)
    src = requiring_hostile(tmp_path)
    r = run_hwb("lock", src, "--find-links", wheels, "--python", PYTHON, "--static")
    assert r.returncode == 1, r
    assert refused_with(r.stderr) in codes, r
    assert "hostile-1.0-py3-none-any.whl" in r.stderr
    assert "sneaky" not in r.stderr
    assert not (src / "pylock.build.toml").exists()


def _sandbox_refused():
    if not TOOL.exists():
        return f"{TOOL} is not built"
    p = subprocess.run([str(TOOL), "--probe"], capture_output=True, text=True)
    return None if p.returncode == 0 else p.stderr.strip()


needs_sandbox = pytest.mark.skipif(_sandbox_refused() is not None,
                                   reason=f"sandbox refused: {_sandbox_refused()}")


@needs_sandbox
@pytest.mark.parametrize("case", sorted(hostile_wheels.CASES))
def test_build_refuses_a_confused_build_requirement(run_hwb, tmp_path, case):
    wheels = hostile_wheels.wheelhouse(tmp_path / "wheels", case)
    codes = check_codes(run_hwb, wheels, case)
    src = requiring_hostile(tmp_path)
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--wheel", "--outdir", out, "--find-links", wheels, "-v")
    assert r.returncode == 1, r
    assert refused_with(r.stderr) in codes, r
    assert "sneaky" not in r.stderr
    assert not out.exists() or not any(out.iterdir())


@needs_sandbox
def test_build_refuses_a_confused_backend_output(run_hwb, tmp_path):
    """The backend's wheel names hostile/__init__.py in its central directory
    and hostile/__evil__.py in the local header, with a RECORD written for
    the local view: normalising what libarchive saw gave a clean wheel that
    passed hwb check. Now the normaliser reads with the check's parser."""
    members = hostile_wheels.wheel_members("hostile", "1.0", {"hostile/__evil__.py": b"X = 1\n"})
    members = {("hostile/__init__.py" if n == "hostile/__evil__.py" else n): d
               for n, d in members.items()}
    data = hostile_wheels.rename_local_headers(
        hostile_wheels.zip_bytes(members), {"hostile/__init__.py": "hostile/__evil__.py"})
    src = tmp_path / "src"
    (src / "_b").mkdir(parents=True)
    (src / "_b" / "hostile-1.0-py3-none-any.whl").write_bytes(data)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "confused"\nbackend-path = ["_b"]\n')
    (src / "_b" / "confused.py").write_text(
        "import os, shutil\n"
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        "    n = 'hostile-1.0-py3-none-any.whl'\n"
        "    shutil.copy(os.path.join(os.path.dirname(__file__), n), wheel_directory)\n"
        "    return n\n")
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--wheel", "--outdir", out)
    assert r.returncode != 0, r
    assert "HWB-B064" in r.stderr and "HWB-W006" in r.stderr, r
    assert not out.exists() or not list(out.glob("*.whl"))


SDIST_BACKEND = '''\
import io, os, tarfile


def _add(t, name, data):
    info = tarfile.TarInfo("victim-1.0/" + name)
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))


def build_sdist(sdist_directory, config_settings=None):
    name = "victim-1.0.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for path in ("pyproject.toml", "_b/victim_backend.py"):
            _add(t, path, open(path, "rb").read())
        _add(t, "PKG-INFO", b"Metadata-Version: 2.1\\nName: victim\\nVersion: 1.0\\n")
        HOSTILE
    return name


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print("victim: build_wheel ran on", sorted(os.listdir(".")), flush=True)
    raise SystemExit(3)
'''

SDIST_HOSTILE = {
    # A link out of the project: the wheel stage would read /etc through it.
    "escaping-symlink": ("link = tarfile.TarInfo('victim-1.0/leak'); "
                         "link.type = tarfile.SYMTYPE; link.linkname = '/etc/hostname'; "
                         "t.addfile(link)", "HWB-W097"),
    # One name twice: tar extraction keeps the last copy, other readers the first.
    "duplicate-member": ("_add(t, 'mod.py', b'A = 1\\\\n'); _add(t, 'mod.py', b'A = 2\\\\n')",
                         "HWB-W103"),
}


@needs_sandbox
@pytest.mark.parametrize("case", sorted(SDIST_HOSTILE))
def test_sdist_is_checked_in_the_walk_that_unpacks_it(run_hwb, tmp_path, case):
    """The wheel is built from the sdist unpacked in hwb check's own walk of
    it: a member the check refuses stops the build before the wheel stage
    (which used to run on a tree libarchive unpacked before any check)."""
    hostile, code = SDIST_HOSTILE[case]
    src = tmp_path / "victim"
    (src / "_b").mkdir(parents=True)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "victim_backend"\n'
        'backend-path = ["_b"]\n\n[project]\nname = "victim"\nversion = "1.0"\n')
    (src / "_b" / "victim_backend.py").write_text(SDIST_BACKEND.replace("HOSTILE", hostile))
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--outdir", out)
    assert r.returncode == 1, r
    assert "HWB-B068" in r.stderr and code in r.stderr, r
    assert "build_wheel ran" not in r.stderr + r.stdout
    assert not out.exists() or not any(out.iterdir())
