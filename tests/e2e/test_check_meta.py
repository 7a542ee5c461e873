# SPDX-License-Identifier: Apache-2.0
"""hwb check: the content checks (filename, WHEEL, METADATA, layout,
check-wheel-contents, secrets, .pth, manylinux ELF policy) and sdists.
Every crafted wheel in testdata/wheels/bad/meta/ (tests/wheelgen_meta.py) is
a valid zip with a correct RECORD and must give exactly the codes
EXPECTED_META.json lists and nothing from the zip or RECORD checks; wheels
that setuptools, flit_core and hatchling build from testdata/projects/ must
pass; crafted sdists (tarfile) must give their codes."""
import io
import json
import shutil
import subprocess
import sys
import tarfile

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests"))
import wheelgen_meta  # noqa: E402

META = ROOT / "testdata" / "wheels" / "bad" / "meta"
EXPECTED = json.loads((META / "EXPECTED_META.json").read_text())
PROJECTS = ROOT / "testdata" / "projects"
PYTHON = "/usr/bin/python3"
# The zip reader and RECORD own HWB-W001..W039; these wheels must not trip them.
CONTAINER = {f"HWB-W{n:03d}" for n in range(1, 40)}


def check_json(run_hwb, *args):
    r = run_hwb("check", "--format", "json", *args)
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.check/1"
    return r, doc


def codes_of(doc):
    return sorted({f["code"] for f in doc["files"][0]["findings"]})


def test_committed_meta_wheels_are_what_the_generator_writes():
    r = subprocess.run([PYTHON, str(ROOT / "tests" / "wheelgen_meta.py"),
                        "check", str(META)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_regenerating_gives_identical_bytes(tmp_path):
    wheelgen_meta.write(tmp_path)
    for name in EXPECTED:
        assert (tmp_path / name).read_bytes() == (META / name).read_bytes(), name
    assert ((tmp_path / "EXPECTED_META.json").read_bytes()
            == (META / "EXPECTED_META.json").read_bytes())


def test_enough_cases_cover_the_codes():
    assert len(EXPECTED) >= 30
    covered = {c for codes in EXPECTED.values() for c in codes}
    # Every content code a wheel can show, except W096 (an ELF member over
    # 64 MiB) and the sdist codes, has a case.
    wanted = {f"HWB-W{n:03d}" for n in range(44, 96)}
    assert wanted - covered == set()
    for name, codes in EXPECTED.items():
        case = name.split("/")[0]
        if case.startswith("w"):
            assert "HWB-" + case[:4].upper() in codes, name
        else:
            assert codes == [], name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_meta_wheel(run_hwb, name):
    r, doc = check_json(run_hwb, META / name)
    found = doc["files"][0]["findings"]
    assert codes_of(doc) == EXPECTED[name], found
    assert not CONTAINER & set(codes_of(doc))
    errors = [f for f in found if f["severity"] == "error"]
    assert r.returncode == (1 if errors else 0), r
    for f in found:
        assert f["message"] and "\n" not in f["message"]
        # A finding never repeats a credential it found.
        assert wheelgen_meta.GITHUB_TOKEN not in f["message"]
        assert wheelgen_meta.AWS_KEY_ID not in f["message"]


def test_strict_fails_on_a_warning(run_hwb):
    name = next(n for n in EXPECTED if n.startswith("w052_"))
    assert run_hwb("check", META / name).returncode == 0
    assert run_hwb("check", "--strict", META / name).returncode == 1


def test_secret_cannot_be_ignored(run_hwb):
    name = next(n for n in EXPECTED if n.startswith("w087_github"))
    r, doc = check_json(run_hwb, "--ignore", "HWB-W087", META / name)
    assert "HWB-W087" in codes_of(doc)
    assert r.returncode == 1


def test_metadata_warning_can_be_ignored(run_hwb):
    name = next(n for n in EXPECTED if n.startswith("w067_"))
    r, doc = check_json(run_hwb, "--ignore", "HWB-W067", META / name)
    assert codes_of(doc) == []
    assert r.returncode == 0


# ---- wheels and an sdist built by real backends -------------------------

def build(tmp_path, project, kind="--wheel"):
    src = tmp_path / project
    shutil.copytree(PROJECTS / project, src)
    out = tmp_path / "dist"
    r = subprocess.run([PYTHON, "-m", "build", kind, "--no-isolation",
                        "--skip-dependency-check", "--outdir", str(out)],
                       cwd=src, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    suffix = ".whl" if kind == "--wheel" else ".tar.gz"
    (path,) = out.glob("*" + suffix)
    return path


@pytest.mark.parametrize("project", ["setuptools-sample", "flit-sample",
                                     "hatch-sample"])
def test_backend_wheel_passes(run_hwb, tmp_path, project):
    r, doc = check_json(run_hwb, build(tmp_path, project))
    errors = [f for f in doc["files"][0]["findings"] if f["severity"] == "error"]
    assert not errors, errors
    assert r.returncode == 0


def test_setuptools_sdist_passes(run_hwb, tmp_path):
    r, doc = check_json(run_hwb, build(tmp_path, "setuptools-sample", "--sdist"))
    assert doc["files"][0]["findings"] == []
    assert r.returncode == 0


# ---- crafted sdists ------------------------------------------------------

PKG_INFO = b"Metadata-Version: 2.1\nName: sample\nVersion: 1.0\n"


def sdist(path, members, top="sample-1.0", pkg_info=PKG_INFO):
    """members: (TarInfo-like dict, bytes) added after a valid base."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
        def add(name, data=b"", **kw):
            ti = tarfile.TarInfo(name)
            ti.mtime = 0
            ti.size = len(data)
            for k, v in kw.items():
                setattr(ti, k, v)
            t.addfile(ti, io.BytesIO(data) if data else None)
        if pkg_info is not None:
            add(f"{top}/PKG-INFO", pkg_info)
        add(f"{top}/pyproject.toml", b"[project]\nname = 'sample'\n")
        add(f"{top}/sample/__init__.py", b"X = 1\n")
        for m in members:
            add(**m)
    path.write_bytes(buf.getvalue())
    return path


SDISTS = {
    "good": ([], {}, []),
    "traversal": ([{"name": "sample-1.0/../escape.txt", "data": b"x"}], {},
                  ["HWB-W097"]),
    "absolute": ([{"name": "/etc/cron.d/evil", "data": b"x"}], {},
                 ["HWB-W097"]),
    "symlink_escape": ([{"name": "sample-1.0/link", "type": tarfile.SYMTYPE,
                         "linkname": "../../etc/passwd"}], {}, ["HWB-W097"]),
    "symlink_absolute": ([{"name": "sample-1.0/link", "type": tarfile.SYMTYPE,
                           "linkname": "/etc/passwd"}], {}, ["HWB-W097"]),
    "hardlink_escape": ([{"name": "sample-1.0/hard", "type": tarfile.LNKTYPE,
                          "linkname": "../outside"}], {}, ["HWB-W097"]),
    "device": ([{"name": "sample-1.0/dev", "type": tarfile.CHRTYPE,
                 "devmajor": 1, "devminor": 3}], {}, ["HWB-W097"]),
    "fifo": ([{"name": "sample-1.0/pipe", "type": tarfile.FIFOTYPE}], {},
             ["HWB-W097"]),
    "two_top_dirs": ([{"name": "other-1.0/x.py", "data": b"x"}], {},
                     ["HWB-W098"]),
    "missing_pkg_info": ([], {"pkg_info": None}, ["HWB-W098"]),
    "name_mismatch": ([], {"pkg_info": PKG_INFO.replace(b"sample", b"other")},
                      ["HWB-W098"]),
    "version_mismatch": ([], {"pkg_info": PKG_INFO.replace(b"1.0", b"1.1")},
                         ["HWB-W098"]),
    "top_dir_name": ([], {"top": "sample-2.0"}, ["HWB-W098"]),
    "leaked_token": ([{"name": "sample-1.0/sample/settings.py",
                       "data": f"T = '{wheelgen_meta.GITHUB_TOKEN}'\n".encode()}],
                     {}, ["HWB-W087"]),
    "leaked_key": ([{"name": "sample-1.0/deploy/id_rsa",
                     "data": wheelgen_meta.PEM_KEY.encode()}], {},
                   ["HWB-W087", "HWB-W088"]),
    "git_dir": ([{"name": "sample-1.0/.git/config", "data": b"[core]\n"}], {},
                ["HWB-W088"]),
    # The same name twice with different contents: tar keeps the last.
    "duplicate_member": ([{"name": "sample-1.0/sample/__init__.py",
                           "data": b"import os; os.system('id')\n"}], {}, ["HWB-W103"]),
    # Names one file system folds to one file: unpacked on macOS or
    # Windows, one overwrites the other (W014, as in wheels).
    "case_collision": ([{"name": "sample-1.0/sample/Core.py", "data": b"a\n"},
                        {"name": "sample-1.0/sample/core.py", "data": b"b\n"}],
                       {}, ["HWB-W014"]),
    "nfc_nfd_collision": ([{"name": "sample-1.0/sample/\u00e9.py", "data": b"a\n"},
                           {"name": "sample-1.0/sample/e\u0301.py", "data": b"b\n"}],
                          {}, ["HWB-W014"]),
    "casefold_collision": ([{"name": "sample-1.0/sample/stra\u00dfe.py", "data": b"a\n"},
                            {"name": "sample-1.0/sample/STRASSE.py", "data": b"b\n"}],
                           {}, ["HWB-W014"]),
    "setuid_mode": ([{"name": "sample-1.0/sample/tool", "data": b"#!/bin/sh\n",
                      "mode": 0o4755}], {}, ["HWB-W100"]),
    "setgid_dir": ([{"name": "sample-1.0/shared", "type": tarfile.DIRTYPE,
                     "mode": 0o2775}], {}, ["HWB-W100"]),
    # A long placeholder run is no token (its byte counts once wrapped at
    # 256 and made it look random), and a token after such runs is still
    # found: the scan goes past each match, not one byte on.
    "placeholder_run": ([{"name": "sample-1.0/sample/doc.py",
                          "data": b"T = '" + b"ghp_" * 2000 + b"'\n"}], {}, []),
    "token_after_runs": ([{"name": "sample-1.0/sample/conf.py",
                           "data": b"A = '" + b"pypi-" * 2000 + b"'\n"
                                   + b"B = '" + b"eyJ-" * 2000 + b"'\n"
                                   + f"T = '{wheelgen_meta.GITHUB_TOKEN}'\n"
                                   .encode()}], {}, ["HWB-W087"]),
}


@pytest.mark.parametrize("case", sorted(SDISTS))
def test_crafted_sdist(run_hwb, tmp_path, case):
    members, kw, codes = SDISTS[case]
    path = sdist(tmp_path / "sample-1.0.tar.gz", members, **kw)
    r, doc = check_json(run_hwb, path)
    assert codes_of(doc) == codes, doc
    assert r.returncode == (1 if codes else 0)


def test_sdist_world_writable_is_a_warning(run_hwb, tmp_path):
    path = sdist(tmp_path / "sample-1.0.tar.gz",
                 [{"name": "sample-1.0/sample/w.py", "data": b"x = 1\n", "mode": 0o666}])
    r, doc = check_json(run_hwb, path)
    assert codes_of(doc) == ["HWB-W101"] and r.returncode == 0, doc
    assert doc["files"][0]["findings"][0]["severity"] == "warning"


def test_sdist_size_limits(run_hwb, tmp_path):
    big = [{"name": "sample-1.0/data.bin", "data": b"\0" * 20000}]
    path = sdist(tmp_path / "sample-1.0.tar.gz", big)
    for args in (["--max-member-size", "10000"], ["--max-total-size", "15000"]):
        r, doc = check_json(run_hwb, *args, path)
        assert codes_of(doc) == ["HWB-W099"], doc
        assert r.returncode == 1
    r, doc = check_json(run_hwb, "--max-member-size", "30000", path)
    assert codes_of(doc) == []


def test_sdist_filename(run_hwb, tmp_path):
    path = sdist(tmp_path / "not an sdist.tar.gz", [])
    r, doc = check_json(run_hwb, path)
    assert "HWB-W098" in codes_of(doc)
    path = tmp_path / "sample-1.0.tar.gz"
    path.write_bytes(b"not gzip at all")
    r, doc = check_json(run_hwb, path)
    assert codes_of(doc) == ["HWB-W098"]
    assert r.returncode == 1


@pytest.mark.parametrize("member", [
    "sample/_fast.cpython-311-x86_64-linux-gnu.so",
    "sample/_fast.abi3.so",
    "sample/_fast.so",
])
def test_extension_module_names_are_importable(run_hwb, tmp_path, member):
    # check-wheel-contents' MODULE_EXT_RGX: an ABI tag may sit between the
    # module name and .so/.pyd; the module is still importable (no W080).
    files = wheelgen_meta.platlib("cp311-cp311-manylinux_2_17_x86_64",
                                  wheelgen_meta.build_elf(), name=member)
    path = tmp_path / "sample-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    path.write_bytes(wheelgen_meta.write_wheel(files, {member: 0o100755}))
    _, doc = check_json(run_hwb, path)
    assert "HWB-W080" not in codes_of(doc)


def test_dotted_module_path_is_not_importable(run_hwb, tmp_path):
    files = wheelgen_meta.base()
    files["sample/not-a-package/mod.py"] = b"x = 1\n"
    path = tmp_path / "sample-1.0-py3-none-any.whl"
    path.write_bytes(wheelgen_meta.write_wheel(files))
    _, doc = check_json(run_hwb, path)
    assert "HWB-W080" in codes_of(doc)
