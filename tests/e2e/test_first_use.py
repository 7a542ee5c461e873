# SPDX-License-Identifier: Apache-2.0
"""What a new user meets in the first hour (issue #12), each through the
binary: a pyenv-style shim first on PATH, one interpreter and one index rule
for lock and build, portable locks, a directory that is not a project,
TOML byte order marks, dist/ holding only distributions, `hwb check DIR`, the
check target, the peers' spellings, GitHub annotations, progress, errors
with their fix, `make install` and the run-time packages."""
import base64
import hashlib
import json
import os
import pathlib
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
import zipfile

import pytest

from conftest import ROOT, HWB

PROJECTS = ROOT / "testdata" / "projects"
WHEELHOUSE = "/usr/share/python-wheels"
FLIT_CORE = pathlib.Path("/usr/lib/python3/dist-packages")  # Debian's flit
SANDBOX_TOOL = ROOT / "tests" / "tools" / "sandbox-run"
PYVER = "%d.%d" % sys.version_info[:2]


def _sandbox_refused():
    if not SANDBOX_TOOL.exists():
        return f"{SANDBOX_TOOL} is not built"
    p = subprocess.run([str(SANDBOX_TOOL), "--probe"], capture_output=True, text=True)
    return None if p.returncode == 0 else p.stderr.strip()


REFUSED = _sandbox_refused()
needs_sandbox = pytest.mark.skipif(REFUSED is not None, reason=f"sandbox refused: {REFUSED}")


def make_wheel(path, name, version, files, tag="py3-none-any"):
    """A small valid wheel (RECORD with every hash) written with zipfile."""
    di = f"{name}-{version}.dist-info"
    files = dict(files)
    files[f"{di}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
                               "Summary: a test wheel\n").encode()
    purelib = "true" if tag.endswith("-any") else "false"
    files[f"{di}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: {purelib}\n"
                            f"Tag: {tag}\n").encode()
    rows = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in files.items():
            z.writestr(n, data)
            h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            rows.append(f"{n},sha256={h},{len(data)}")
        rows.append(f"{di}/RECORD,,")
        z.writestr(f"{di}/RECORD", "\n".join(rows) + "\n")
    return path


def flit_core_wheel(dest):
    """flit_core as a wheel, from the copy Debian's flit package installs."""
    info = next(FLIT_CORE.glob("flit_core-*.dist-info"))
    version = info.name[len("flit_core-"):-len(".dist-info")]
    files = {}
    for p in sorted((FLIT_CORE / "flit_core").rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            files[str(p.relative_to(FLIT_CORE))] = p.read_bytes()
    return make_wheel(dest / f"flit_core-{version}-py3-none-any.whl", "flit_core", version, files)


@pytest.fixture
def wheelhouse(tmp_path):
    if not list(FLIT_CORE.glob("flit_core-*.dist-info")):
        pytest.skip("Debian's flit (flit_core) is missing: tests/deps.sh installs it")
    wh = tmp_path / "wheelhouse"
    wh.mkdir()
    for f in os.listdir(WHEELHOUSE):
        shutil.copy(os.path.join(WHEELHOUSE, f), wh)
    flit_core_wheel(wh)
    return wh


@pytest.fixture
def pyenv():
    """A pyenv-style installation: shims/ (bash scripts that export PYENV_*
    and exec the chosen version's program, as pyenv's do) and versions/X.Y
    whose bin/python3 is this machine's interpreter. Returns the PATH to use.
    Not under /tmp, which the sandbox never binds (pyenv lives in ~): in the
    tree's build/, or /var/tmp when the tree itself is under /tmp (a CI
    clone may be)."""
    base = ROOT / "build"
    if str(ROOT.resolve()).startswith("/tmp/"):
        base = pathlib.Path("/var/tmp")
    base.mkdir(exist_ok=True)
    root = pathlib.Path(tempfile.mkdtemp(prefix="test-pyenv-", dir=base))
    yield from _pyenv(root)
    shutil.rmtree(root)


def _pyenv(root):
    vbin = root / "versions" / PYVER / "bin"
    vbin.mkdir(parents=True)
    for name in ("python", "python3"):
        (vbin / name).symlink_to("/usr/bin/python3")
    shims = root / "shims"
    shims.mkdir()
    for name in ("python", "python3"):
        shim = shims / name
        shim.write_text("#!/usr/bin/env bash\nset -e\n"
                        f'export PYENV_ROOT="{root}"\n'
                        f'export PYENV_VERSION="${{PYENV_VERSION:-{PYVER}}}"\n'
                        'program="${0##*/}"\n'
                        'exec "$PYENV_ROOT/versions/$PYENV_VERSION/bin/$program" "$@"\n')
        shim.chmod(0o755)
    yield f"{shims}:/usr/bin:/bin"


def git_project(tmp_path, name, dst_name=None):
    dst = tmp_path / (dst_name or name)
    shutil.copytree(PROJECTS / name, dst, symlinks=True)
    env = dict(os.environ, GIT_AUTHOR_DATE="2024-01-02T03:04:05Z",
               GIT_COMMITTER_DATE="2024-01-02T03:04:05Z")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
        subprocess.run(cmd, cwd=dst, check=True, env=env, capture_output=True)
    return dst


HOOK_BACKEND = '''
import os, sys
def _report():
    keys = sorted(k for k in os.environ)
    print("HOOKENV prefix=%s keys=%s" % (sys.prefix, ",".join(keys)), flush=True)
def get_requires_for_build_sdist(config_settings=None):
    _report()
    return []
def build_sdist(sdist_directory, config_settings=None):
    import tarfile, io
    name = "envprobe-1.0"
    path = os.path.join(sdist_directory, name + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for member, data in (("PKG-INFO", b"Metadata-Version: 2.1\\nName: envprobe\\nVersion: 1.0\\n"),
                             ("pyproject.toml", open("pyproject.toml", "rb").read())):
            info = tarfile.TarInfo(name + "/" + member)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return name + ".tar.gz"
'''


def envprobe_project(tmp_path):
    src = tmp_path / "envprobe"
    (src / "_backend").mkdir(parents=True)
    (src / "_backend" / "probe_backend.py").write_text(HOOK_BACKEND)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "probe_backend"\n'
        'backend-path = ["_backend"]\n\n[project]\nname = "envprobe"\nversion = "1.0"\n')
    return src


# --- Correctness and isolation ------------------------------------------------

@needs_sandbox
def test_hooks_see_the_locked_environment_through_a_shim(run_hwb, tmp_path, pyenv):
    """python3 on PATH is a pyenv shim: hwb build (no --python: the same
    default as hwb lock) runs the interpreter the shim names, so the hook's
    sys.prefix is the locked environment, and no host variable (PYENV_*,
    anything else) reaches it unless passed with --pass-env."""
    src = envprobe_project(tmp_path)
    env = {"PATH": pyenv, "HOST_ONLY": "x", "PYENV_VERSION": PYVER, "HWB_BUILD_PYTHON": ""}
    r = run_hwb("build", src, "--sdist", "--outdir", tmp_path / "out", env=env)
    assert r.returncode == 0, r
    assert "is a wrapper script" in r.stderr and f"versions/{PYVER}/bin/python3" in r.stderr
    line = next(x for x in r.stderr.splitlines() if x.startswith("HOOKENV"))
    assert "prefix=/env " in line, line
    keys = line.split("keys=")[1].split(",")
    assert not [k for k in keys if k.startswith("PYENV") or k == "HOST_ONLY"], keys
    prov = json.loads(pathlib.Path(json.loads(run_hwb(
        "build", src, "--sdist", "--outdir", tmp_path / "out", "--format", "json",
        env=env).stdout)["provenance"]).read_text())
    deps = prov["predicate"]["buildDefinition"]["resolvedDependencies"]
    assert any(f"versions/{PYVER}/bin/python3" in d.get("uri", "") for d in deps), deps
    r = run_hwb("build", src, "--sdist", "--outdir", tmp_path / "out", "--pass-env",
                "HOST_ONLY", env=env)
    assert r.returncode == 0, r
    line = next(x for x in r.stderr.splitlines() if x.startswith("HOOKENV"))
    assert "HOST_ONLY" in line.split("keys=")[1].split(",")


def test_a_shim_that_names_no_interpreter_is_refused(run_hwb, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").write_text("#!/bin/sh\necho not-a-path\n")
    (bindir / "python3").chmod(0o755)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "setup.py").write_text("")
    r = run_hwb("lock", tmp_path / "p", "--find-links", WHEELHOUSE, "--static",
                env={"PATH": f"{bindir}:/usr/bin:/bin", "HWB_BUILD_PYTHON": ""})
    assert r.returncode == 3 and "HWB-B122" in r.stderr and "(fix:" in r.stderr, r


@needs_sandbox
def test_pyenv_shim_lock_build_check_sign_verify(run_hwb, tmp_path, pyenv, wheelhouse,
                                                  sigstore_stack):
    """The whole sequence with the shim first on PATH: lock (flit project:
    the hooks must import the locked flit_core), build, check dist/*, sign,
    verify with cosign's flag spellings."""
    src = git_project(tmp_path, "flit-sample", "proj")
    env = {"PATH": pyenv, "HWB_BUILD_PYTHON": ""}
    r = run_hwb("lock", src, "--find-links", wheelhouse, env=env, timeout=300)
    assert r.returncode == 0, r
    lock = tomllib.loads((src / "pylock.build.toml").read_text())
    assert [p["name"] for p in lock["packages"]] == ["flit-core"]
    assert f'python_version == "{PYVER}"' in lock["environments"][0]
    r = run_hwb("build", src, "--find-links", wheelhouse, env=env, timeout=300)
    assert r.returncode == 0, r
    dist = src / "dist"
    files = sorted(p.name for p in dist.iterdir())
    assert len(files) == 2 and files[0].endswith(".whl") and files[1].endswith(".tar.gz"), files
    assert list((src / "dist-signatures").glob("*.provenance.json"))
    r = run_hwb("check", *sorted(dist.iterdir()), env=env)
    assert r.returncode == 0, r
    token = sigstore_stack.token("oauth", email="maintainer@example.test", sub="maintainer")
    r = run_hwb("sign", *sorted(dist.iterdir()), "--identity-token", "-", "--trusted-root",
                sigstore_stack.trusted_root, "--signing-config", sigstore_stack.signing_config,
                input=token, env=env)
    assert r.returncode == 0, r
    for f in sorted(dist.iterdir()):
        v = run_hwb("verify", f, "--trusted-root", sigstore_stack.trusted_root,
                    "--certificate-identity", "maintainer@example.test",
                    "--certificate-oidc-issuer", sigstore_stack.info["oauth_issuer"], env=env)
        assert v.returncode == 0, v
    assert sorted(p.name for p in dist.iterdir()) == files


@needs_sandbox
def test_build_refuses_an_interpreter_the_lock_does_not_cover(run_hwb, tmp_path):
    src = git_project(tmp_path, "build-intree")
    r = run_hwb("lock", src, "--python", "/usr/bin/python3", "--static")
    assert r.returncode == 0, r
    lock = (src / "pylock.build.toml").read_text()
    assert "environments = [" in lock
    # The same lock, as made with another interpreter's version.
    (src / "pylock.build.toml").write_text(
        lock.replace(f'python_version == \\"{PYVER}\\"', 'python_version == \\"3.99\\"'))
    r = run_hwb("build", src, "--python", "/usr/bin/python3", "--outdir", tmp_path / "d")
    assert r.returncode == 1 and "HWB-B165" in r.stderr, r
    assert not (tmp_path / "d").exists()


def test_a_directory_that_is_not_a_project_is_refused(run_hwb, tmp_path):
    empty = tmp_path / "notes"
    empty.mkdir()
    (empty / "README.txt").write_text("not a project\n")
    for cmd in (("build", empty, "--outdir", tmp_path / "d"),
                ("lock", empty, "--find-links", WHEELHOUSE, "--static")):
        r = run_hwb(*cmd)
        assert r.returncode == 3 and "HWB-B039" in r.stderr and "(fix:" in r.stderr, r
    assert not (tmp_path / "d").exists() and not (empty / "pylock.build.toml").exists()


@needs_sandbox
def test_a_lock_from_a_wheelhouse_is_portable(run_hwb, tmp_path):
    src = git_project(tmp_path, "build-cext")
    laptop = tmp_path / "laptop-wheels"
    shutil.copytree(WHEELHOUSE, laptop)
    r = run_hwb("lock", src, "--find-links", laptop, "--python", "/usr/bin/python3")
    assert r.returncode == 0, r
    text = (src / "pylock.build.toml").read_text()
    assert str(laptop) not in text and "path =" not in text
    lock = tomllib.loads(text)
    for p in lock["packages"]:
        (w,) = p["wheels"]
        assert (laptop / w["name"]).stat().st_size == w["size"]
    # CI: the same wheels elsewhere.
    shutil.move(laptop, tmp_path / "ci-wheels")
    r = run_hwb("build", src, "--wheel", "--find-links", tmp_path / "ci-wheels",
                "--python", "/usr/bin/python3", "--outdir", tmp_path / "d", timeout=300)
    assert r.returncode == 0, r


def test_build_and_lock_use_the_index_config_show_shows(run_hwb, tmp_path):
    """No wheelhouse: both go to build.index-url (PyPI by default), as
    `hwb config show` says; a refusing proxy keeps the test offline."""
    src = git_project(tmp_path, "build-cext")
    shown = run_hwb("config", "show", "--project", src)
    assert "build.index-url = \"https://pypi.org/simple/\"" in shown.stdout, shown
    env = {"https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
           "HWB_HTTP_RETRIES": "0"}
    for cmd in (("lock", src, "--static"), ("build", src, "--outdir", tmp_path / "d")):
        r = run_hwb(*cmd, env=env)
        assert r.returncode == 4 and "pypi.org" in r.stderr, r
        assert "HWB-B047" not in r.stderr


BOM = b"\xef\xbb\xbf"


def test_toml_files_may_start_with_a_byte_order_mark(run_hwb, tmp_path):
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "hwb.toml").write_bytes(BOM + b"[build]\r\ntimeout = 60\r\n")
    (proj / "pyproject.toml").write_bytes(BOM + b'[build-system]\nrequires = ["wheel"]\n')
    r = run_hwb("config", "show", "--project", proj)
    assert r.returncode == 0 and "build.timeout = 60" in r.stdout, r
    r = run_hwb("lock", proj, "--find-links", WHEELHOUSE, "--static", "--python",
                "/usr/bin/python3")
    assert r.returncode == 0, r
    # A mark anywhere else is a stray character, at its position.
    (proj / "hwb.toml").write_bytes(b"[build]\n" + BOM + b"timeout = 60\n")
    r = run_hwb("config", "check", "--project", proj)
    assert r.returncode == 3 and "hwb.toml:2:1: HWB-T002" in r.stderr, r


def test_verify_workflow_takes_the_path_form(run_hwb):
    real = ROOT / "testdata" / "sigstore" / "real" / "bundle_v3_github.whl"
    for form in ("release.yml", ".github/workflows/release.yml",
                 "./.github/workflows/release.yml"):
        r = run_hwb("verify", real, "--repository", "trailofbits/rfc8785.py",
                    "--workflow", form)
        assert r.returncode == 0, (form, r)


# --- Source scan, check target, W085 --------------------------------------------

def test_check_target_pypi_by_default_local_on_request(run_hwb, tmp_path):
    whl = make_wheel(tmp_path / "cx-1.0-cp311-cp311-linux_x86_64.whl", "cx", "1.0",
                     {"cx/__init__.py": b"x = 1\n"}, tag="cp311-cp311-linux_x86_64")
    r = run_hwb("check", whl)
    assert r.returncode == 1 and "HWB-W049 error" in r.stdout and "for pypi" in r.stderr, r
    r = run_hwb("check", "--for", "local", whl)
    assert r.returncode == 0 and "HWB-W049 warning" in r.stdout and "for local" in r.stderr, r
    r = run_hwb("check", "--for", "pypi", whl, "--format", "json")
    assert json.loads(r.stdout)["for"] == "pypi"
    r = run_hwb("check", "--for", "anaconda", whl)
    assert r.returncode == 2 and "HWB-U010" in r.stderr and "(fix:" in r.stderr, r


def test_several_top_level_packages_are_a_note(run_hwb, tmp_path):
    whl = make_wheel(tmp_path / "attrs-1.0-py3-none-any.whl", "attrs", "1.0",
                     {"attr/__init__.py": b"x = 1\n", "attrs/__init__.py": b"y = 1\n"})
    r = run_hwb("check", "--strict", whl, "--format", "json")
    assert r.returncode == 0, r
    (f,) = json.loads(r.stdout)["files"][0]["findings"]
    assert f["code"] == "HWB-W085" and f["severity"] == "info"


# --- Conventions ------------------------------------------------------------------

@needs_sandbox
def test_dist_holds_only_distributions_and_check_takes_the_directory(run_hwb, tmp_path):
    src = git_project(tmp_path, "build-intree")
    work = tmp_path / "cwd"
    work.mkdir()
    # A relative --outdir is relative to the current directory (pypa/build).
    r = run_hwb("build", src, "--out-dir", "out", cwd=work)
    assert r.returncode == 0, r
    assert not (src / "out").exists()
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        "intree_sample-1.2.0-py3-none-any.whl", "intree_sample-1.2.0.tar.gz"]
    assert (work / "out-signatures" / "intree_sample-1.2.0.provenance.json").is_file()
    (work / "out" / "notes.txt").write_text("left by another tool\n")
    r = run_hwb("check", "out", "--format", "json", cwd=work)
    assert r.returncode == 0, r
    assert [f["file"] for f in json.loads(r.stdout)["files"]] == [
        "out/intree_sample-1.2.0-py3-none-any.whl", "out/intree_sample-1.2.0.tar.gz"]
    (work / "empty").mkdir()
    r = run_hwb("check", "empty", cwd=work)
    assert r.returncode == 3 and "HWB-W029" in r.stderr and "(fix:" in r.stderr, r


def test_unknown_flags_get_the_closest_and_peer_spellings(run_hwb, tmp_path):
    r = run_hwb("build", "--outdri", "x")
    assert r.returncode == 2 and "did you mean '--outdir'?" in r.stderr, r
    r = run_hwb("check", "--strcit", "x.whl")
    assert r.returncode == 2 and "did you mean '--strict'?" in r.stderr, r
    for flag in ("-n", "--no-isolation"):
        r = run_hwb("build", flag)
        assert r.returncode == 2 and "HWB-U001" in r.stderr and "--isolation none" in r.stderr, r
    for args in (("build", "--out-dir", "x", "--help"), ("build", "-o", "x", "--help"),
                 ("verify", "--certificate-identity", "a", "--help"),
                 ("verify", "--certificate-oidc-issuer", "b", "--help")):
        r = run_hwb(*args)
        assert r.returncode == 0, (args, r)


def test_github_actions_annotations(run_hwb, tmp_path):
    whl = make_wheel(tmp_path / "cx-1.0-cp311-cp311-linux_x86_64.whl", "cx", "1.0",
                     {"cx/__init__.py": b"x = 1\n"}, tag="cp311-cp311-linux_x86_64")
    gha = {"GITHUB_ACTIONS": "true"}
    r = run_hwb("check", whl, env=gha)
    assert r.returncode == 1
    assert re.search(r"^::error file=[^,]*cx-1\.0-cp311-cp311-linux_x86_64\.whl,"
                     r"title=HWB-W049::the platform tag", r.stdout, re.M), r
    proj = tmp_path / "p"
    proj.mkdir()
    (proj / "hwb.toml").write_text("[build]\ntimeout = 60\ntimout = 3\n")
    r = run_hwb("config", "check", "--project", proj, env=gha)
    assert r.returncode == 3
    assert re.search(r"^::error file=[^,]*hwb\.toml,line=3,col=1,title=HWB-G002::",
                     r.stdout, re.M), r


def test_check_quiet_and_the_order_on_one_pipe(tmp_path, home):
    bad = make_wheel(tmp_path / "cx-1.0-cp311-cp311-linux_x86_64.whl", "cx", "1.0",
                     {"cx/__init__.py": b"x = 1\n"}, tag="cp311-cp311-linux_x86_64")
    two = make_wheel(tmp_path / "two-1.0-py3-none-any.whl", "two", "1.0",
                     {"a/__init__.py": b"", "b/__init__.py": b""})
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home),
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")}
    p = subprocess.run([HWB, "check", two, bad], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    lines = p.stdout.splitlines()
    order = [i for i, x in enumerate(lines) if "HWB-W085" in x or "two-1.0" in x and "passed" in x
             or "HWB-W049" in x or "failed for pypi" in x]
    assert [("W085" in lines[i], "passed" in lines[i], "W049" in lines[i], "failed" in lines[i])
            for i in order] == [(True, False, False, False), (False, True, False, False),
                                (False, False, True, False), (False, False, False, True)], lines
    p = subprocess.run([HWB, "check", "-q", two, bad], env=env, capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stdout.splitlines() == [l for l in lines if "HWB-W049 error" in l] and not p.stderr


@needs_sandbox
def test_build_shows_its_stages_with_elapsed_time(run_hwb, tmp_path):
    src = git_project(tmp_path, "build-intree")
    r = run_hwb("build", src, "--outdir", tmp_path / "d")
    assert r.returncode == 0, r
    stages = re.findall(r"^\[\s*(\d+\.\d)s\] (.*)$", r.stderr, re.M)
    names = [s for _, s in stages]
    for want in ("checking the project", "preparing the environment for the sdist",
                 "build_sdist hook", "preparing the environment for the wheel",
                 "checking the sdist (for local use)", "build_wheel hook",
                 "checking the wheel (for local use)"):
        assert any(want in n for n in names), (want, names)
    times = [float(t) for t, _ in stages]
    assert times == sorted(times)
    assert "\r" not in r.stderr  # not a terminal: plain lines


def test_every_error_line_has_its_fix(run_hwb, tmp_path):
    cases = [("build", "--outdir"), ("build", "--timeout", "soon"),
             ("check", "--format", "xml", "x.whl"), ("check", tmp_path / "missing.whl"),
             ("build", "--wheel=yes")]
    for args in cases:
        r = run_hwb(*args)
        line = r.stderr.strip().splitlines()[-1]
        assert "HWB-" in line and "(fix:" in line, (args, r)


def test_verification_times_are_dates(run_hwb, tmp_path):
    """A real bundle checked against the staging root: no Fulcio CA there,
    and the refusal names the signing time as a date."""
    real = ROOT / "testdata" / "sigstore" / "real" / "bundle_v3_github.whl"
    r = run_hwb("verify", real, "--repository", "trailofbits/rfc8785.py", "--workflow",
                "release.yml", "--staging")
    assert r.returncode == 1, r
    assert re.search(r"HWB-V01[17].*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r.stderr), r


def test_pass_env_refuses_credential_values(run_hwb, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "setup.py").write_text("")
    for name, value in (("PIP_INDEX_URL", "https://me:s3cr3t-pw@pypi.example/simple/"),
                        ("BUILD_SETTING", "ghp_" + "a" * 36)):
        r = run_hwb("build", tmp_path / "p", "--pass-env", name, env={name: value})
        assert r.returncode == 3 and "HWB-B021" in r.stderr and name in r.stderr, r
        assert "outside the sandbox" in r.stderr and value not in r.stderr


def test_make_install_with_prefix_and_destdir(tmp_path):
    dest = tmp_path / "stage"
    p = subprocess.run(["make", "-C", str(ROOT), "install", "PREFIX=/opt/hwb",
                        f"DESTDIR={dest}"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    exe = dest / "opt" / "hwb" / "bin" / "hwb"
    assert exe.stat().st_mode & stat.S_IXUSR
    v = subprocess.run([str(exe), "version"], capture_output=True, text=True)
    assert v.returncode == 0 and "hwb" in v.stdout


def _documented(distro):
    text = (ROOT / "README.md").read_text()
    m = re.search(rf"^{re.escape(distro)} run-time packages: `([^`]*)`", text, re.M)
    assert m, f"README.md lists no run-time packages for {distro}"
    return set(m.group(1).split())


def _package_of(path):
    for candidate in (path, path.replace("/usr/lib/", "/lib/", 1),
                      path.replace("/lib/", "/usr/lib/", 1)):
        p = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if p.returncode == 0:
            return p.stdout.split(":")[0]
    return None


def test_the_debian_12_runtime_package_list_is_complete():
    """Every library the release binary links or loads (lazy.h's dlopen
    sonames) comes from a package README.md lists for Debian 12."""
    listed = _documented("Debian 12")
    assert _documented("Ubuntu 24.04")
    exe = ROOT / "hwb"
    if not exe.exists():
        pytest.skip("the release binary is not built")
    libs = re.findall(r"=> (\S+)", subprocess.run(["ldd", str(exe)], capture_output=True,
                                                    text=True).stdout)
    cache = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True).stdout
    for src in (ROOT / "pkg" / "core").glob("lazy_*.c"):
        # each library's candidate for Debian 12 (the others are other
        # distributions' sonames: tests/unit/test_lazy.c)
        sonames = re.findall(r'\{ "(lib[a-z0-9]+\.so\.[0-9.]+)", "[^"]+", "Debian 12" \}',
                             src.read_text())
        assert len(sonames) == 1, src
        for soname in sonames:
            m = re.search(rf"{re.escape(soname)} .*=> (\S+)", cache)
            assert m, f"{soname} is not installed"
            libs.append(m.group(1))
    git2 = re.search(r"libgit2\.so\.[0-9.]+ .*=> (\S+)", cache)
    assert git2
    libs.append(git2.group(1))
    for lib in libs:
        pkg = _package_of(os.path.realpath(lib))
        assert pkg in listed, f"{lib} comes from {pkg}, not listed for Debian 12"


def test_help_fits_80_columns(run_hwb):
    outs = [run_hwb("--help").stdout]
    for cmd in ("attest", "build", "check", "config", "lock", "sign", "verify", "version"):
        outs.append(run_hwb("help", cmd).stdout)
    for out in outs:
        assert out.strip()
        for line in out.splitlines():
            assert len(line) <= 80, line
            assert line == line.rstrip(), repr(line)


def test_readme_lists_the_interrupted_exit_statuses():
    table = (ROOT / "README.md").read_text()
    assert re.search(r"^\| 130 \| .*SIGINT", table, re.M)
    assert re.search(r"^\| 143 \| .*SIGTERM", table, re.M)


FIXTURE_BACKEND = '''
import io, os, tarfile
def build_sdist(sdist_directory, config_settings=None):
    # As setuptools does: the files under tests/, symbolic links followed.
    name = "fixtures-1.0"
    path = os.path.join(sdist_directory, name + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        files = ["pyproject.toml", "PKG-INFO"]
        open("PKG-INFO", "w").write("Metadata-Version: 2.1\\nName: fixtures\\nVersion: 1.0\\n")
        for root, dirs, names in os.walk("tests", followlinks=True):
            dirs.sort()
            files += [os.path.join(root, n) for n in sorted(names)]
        for f in files:
            data = open(f, "rb").read()
            info = tarfile.TarInfo(name + "/" + f)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return name + ".tar.gz"
'''


def fixture_key_project(tmp_path):
    src = tmp_path / "fixtures"
    (src / "_backend").mkdir(parents=True)
    (src / "_backend" / "fixture_backend.py").write_text(FIXTURE_BACKEND)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "fixture_backend"\n'
        'backend-path = ["_backend"]\n\n[project]\nname = "fixtures"\nversion = "1.0"\n')
    certs = src / "testdata" / "certs"
    certs.mkdir(parents=True)
    key = subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                          "ec_paramgen_curve:P-256"], capture_output=True, check=True).stdout
    (certs / "server.key").write_bytes(key)
    (src / "tests").mkdir()
    (src / "tests" / "certs").symlink_to("../testdata/certs")  # as requests does
    return src


@needs_sandbox
def test_test_fixture_keys_are_acknowledged_by_fingerprint(run_hwb, tmp_path):
    src = fixture_key_project(tmp_path)
    key = src / "testdata" / "certs" / "server.key"
    fp = hashlib.sha256(key.read_bytes()).hexdigest()
    # The scan follows the symbolic link the backend follows, and prints
    # the line to paste; the build refuses the sdist that holds the key.
    r = run_hwb("build", src, "--sdist", "--outdir", tmp_path / "d")
    assert r.returncode == 1 and "HWB-W087" in r.stderr, r
    assert f'"tests/certs/server.key sha256:{fp}"' in r.stderr, r
    assert "HWB-B071" in r.stderr and f"testdata/certs/server.key sha256:{fp}" in r.stderr
    assert not (tmp_path / "d").exists()
    # Acknowledged, exactly: both paths the key is shipped and scanned at.
    (src / "pyproject.toml").write_text((src / "pyproject.toml").read_text() +
                                        '\n[tool.hwb.check]\nacknowledged-keys = [\n'
                                        f'  "tests/certs/server.key sha256:{fp}",\n'
                                        f'  "testdata/certs/server.key sha256:{fp}",\n]\n')
    r = run_hwb("build", src, "--sdist", "--outdir", tmp_path / "d", "--strict")
    assert r.returncode == 0, r
    sdist = tmp_path / "d" / "fixtures-1.0.tar.gz"
    r = run_hwb("check", "--strict", sdist, "--format", "json", cwd=src)
    assert r.returncode == 0, r
    (f,) = [f for f in json.loads(r.stdout)["files"][0]["findings"] if f["code"] == "HWB-W087"]
    assert f["severity"] == "info" and "acknowledged" in f["message"]
    # Elsewhere (no project configuration) the same sdist still fails.
    r = run_hwb("check", sdist, cwd=tmp_path)
    assert r.returncode == 1 and "HWB-W087 error" in r.stdout, r
    # A changed key is never silently allowed.
    key.write_bytes(subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                                    "ec_paramgen_curve:P-256"], capture_output=True,
                                   check=True).stdout)
    r = run_hwb("build", src, "--sdist", "--outdir", tmp_path / "d2")
    assert r.returncode == 1 and "HWB-W087" in r.stderr, r
