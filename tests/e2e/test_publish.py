# SPDX-License-Identifier: Apache-2.0
"""`hwb publish` against the local index of tests/tools/pypi_server.py,
which checks each upload as warehouse does (digests, every metadata field
against the file's own METADATA/PKG-INFO, "File already exists")."""
import json
import os
import subprocess

import pytest

from conftest import ROOT, TOOLS
from pypi_index import TOKEN, index, make_big_wheel, make_sdist, make_wheel  # noqa: F401

ENV = {"HWB_PASSWORD": TOKEN}


def publish(run_hwb, ix, *args, env=None, **kw):
    e = dict(ENV)
    e.update(env or {})
    return run_hwb("publish", "--repository-url", ix.url, *args, env=e, **kw)


def audit_text(home):
    logs = home / ".hwb" / "logs"
    return "".join(p.read_text() for p in logs.glob("*.jsonl")) if logs.exists() else ""


def test_wheel_and_sdist_in_order_with_their_own_metadata(run_hwb, index, tmp_path, home):
    dist = tmp_path / "dist"
    dist.mkdir()
    make_sdist(dist)
    make_wheel(dist)
    r = publish(run_hwb, index, dist, "--format", "json")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.publish/1"
    assert (doc["uploaded"], doc["skipped"], doc["failed"]) == (2, 0, 0)
    # wheels first, the sdist last (twine's order), whatever the argument order
    assert [f["file"] for f in doc["files"]] == ["sample-1.0-py3-none-any.whl", "sample-1.0.tar.gz"]
    assert doc["auth"] == "api-token" and doc["name"] == "sample" and doc["version"] == "1.0"
    assert doc["project_url"] == f"{index.base}/simple/sample/"
    # the index compared every form field with the file's own metadata
    assert [u["status"] for u in index.uploads()] == [200, 200]
    simple = json.loads(index.get("/simple/sample/", "application/vnd.pypi.simple.v1+json"))
    assert {f["filename"] for f in simple["files"]} == {"sample-1.0-py3-none-any.whl",
                                                        "sample-1.0.tar.gz"}
    assert all(f["requires-python"] == ">=3.8" for f in simple["files"])
    assert TOKEN not in r.stdout + r.stderr and TOKEN not in audit_text(home)
    records = [json.loads(line) for line in audit_text(home).splitlines()]
    done = [x for x in records if x["event"] == "publish.completed"]
    assert [(x["file"], x["status"], x["auth"]) for x in done] == [
        ("sample-1.0-py3-none-any.whl", "uploaded", "api-token"),
        ("sample-1.0.tar.gz", "uploaded", "api-token")]
    assert done[0]["sha256"] == doc["files"][0]["sha256"]


def test_metadata_comes_from_the_file_not_its_name(run_hwb, index, tmp_path):
    # the file name says 1.0, the METADATA inside says 2.0: hwb sends what the
    # file holds, and warehouse refuses a name that disagrees with it
    w = make_wheel(tmp_path, version="2.0")
    lying = tmp_path / "sample-1.0-py3-none-any.whl"
    w.rename(lying)
    r = publish(run_hwb, index, lying, "--no-check")
    assert r.returncode == 1, r
    assert "HWB-P005" in r.stderr  # no sample-1.0.dist-info/METADATA in it
    assert index.uploads() == []


def test_files_of_two_releases_are_refused_before_any_upload(run_hwb, index, tmp_path):
    a, b = make_wheel(tmp_path, version="1.0"), make_sdist(tmp_path, version="1.1")
    r = publish(run_hwb, index, a, b, "--no-check")
    assert r.returncode == 2 and "HWB-P019" in r.stderr, r
    assert index.uploads() == []


def test_check_runs_first(run_hwb, index, tmp_path):
    bad = make_wheel(tmp_path, fields=["Requires-Dist: ==="])
    r = publish(run_hwb, index, bad)
    assert r.returncode == 1 and "HWB-P017" in r.stderr, r
    assert index.uploads() == []


def test_skip_existing_and_file_already_exists(run_hwb, index, tmp_path):
    w = make_wheel(tmp_path)
    assert publish(run_hwb, index, w).returncode == 0
    # identical re-upload: the index answers 200, it counts as done
    r = publish(run_hwb, index, w, "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["uploaded"] == 1, r
    other = tmp_path / "other"
    other.mkdir()
    w2 = make_wheel(other, body="different\n")
    r = publish(run_hwb, index, w2)
    assert r.returncode == 1 and "HWB-P007" in r.stderr and "File already exists" in r.stderr, r
    r = publish(run_hwb, index, w2, "--skip-existing", "--format", "json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["files"][0]["status"] == "skipped"
    index.config(conflict=409)
    r = publish(run_hwb, index, w2, "--skip-existing", "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["skipped"] == 1, r


def test_500_then_success_is_retried(run_hwb, index, tmp_path):
    index.faults({"path": "/legacy/", "action": "status", "status": 500, "times": 1})
    r = publish(run_hwb, index, make_wheel(tmp_path), "--format", "json")
    assert r.returncode == 0, r
    f = json.loads(r.stdout)["files"][0]
    assert f["status"] == "uploaded" and f["attempts"] == 2
    assert [u["status"] for u in index.uploads()] == [500, 200]


def test_connection_reset_mid_upload_is_retried(run_hwb, index, tmp_path):
    w = make_wheel(tmp_path, payload=os.urandom(1 << 20))
    index.faults({"path": "/legacy/", "action": "reset", "after_bytes": 256 << 10, "times": 1})
    r = publish(run_hwb, index, w, "--format", "json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["files"][0]["attempts"] == 2
    assert [u["status"] for u in index.uploads()] == [200]


def test_interrupted_100mib_release_completes_with_skip_existing(run_hwb, index, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    make_big_wheel(dist, 100 << 20)
    make_sdist(dist, name="bigpkg", fields=[])
    # every attempt at the wheel breaks halfway: the sdist still goes up
    index.faults({"path": "/legacy/", "action": "reset", "after_bytes": 50 << 20, "times": 2})
    r = publish(run_hwb, index, dist, "--no-check", "--format", "json",
                env={"HWB_HTTP_RETRIES": "1"}, timeout=300)
    assert r.returncode == 1, r
    doc = json.loads(r.stdout)
    assert [f["status"] for f in doc["files"]] == ["failed", "uploaded"]
    assert doc["files"][0]["error"]["code"] == "HWB-H004"
    r = publish(run_hwb, index, dist, "--no-check", "--skip-existing", "--format", "json",
                timeout=300)
    assert r.returncode == 0, r
    assert [f["status"] for f in json.loads(r.stdout)["files"]] == ["uploaded", "uploaded"]
    state = json.loads(index.get("/_control/state"))
    assert sorted(state["files"]) == ["bigpkg-1.0-py3-none-any.whl", "bigpkg-1.0.tar.gz"]
    assert (index.store / "bigpkg-1.0-py3-none-any.whl").stat().st_size > 100 << 20


def test_redirects_are_refused_with_the_reason(run_hwb, index, tmp_path):
    r = run_hwb("publish", "--repository-url", index.base + "/redirect/", make_wheel(tmp_path),
                env=ENV)
    assert r.returncode == 1 and "HWB-P006" in r.stderr and "loses its body" in r.stderr, r


def test_wrong_token_is_refused(run_hwb, index, tmp_path):
    r = publish(run_hwb, index, make_wheel(tmp_path), env={"HWB_PASSWORD": "pypi-wrong-token-1234"})
    assert r.returncode == 1 and "HWB-P008" in r.stderr, r
    assert "pypi-wrong-token-1234" not in r.stderr


def test_password_from_stdin_and_twine_variables(run_hwb, index, tmp_path):
    w = make_wheel(tmp_path)
    r = run_hwb("publish", "--repository-url", index.url, w, "--password-stdin",
                input=TOKEN + "\n")
    assert r.returncode == 0, r
    r = run_hwb("publish", "--repository-url", index.url, w,
                env={"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": TOKEN})
    assert r.returncode == 0, r


def test_no_credentials_and_token_in_argv(run_hwb, index, tmp_path):
    w = make_wheel(tmp_path)
    r = run_hwb("publish", "--repository-url", index.url, w, "--trusted-publishing", "never")
    assert r.returncode == 3 and "HWB-P016" in r.stderr, r
    r = run_hwb("publish", "--repository-url", index.url, w, TOKEN)
    assert r.returncode == 2 and "HWB-U007" in r.stderr and TOKEN not in r.stderr, r


def test_attestations_need_trusted_publishing(run_hwb, index, tmp_path):
    w = make_wheel(tmp_path)
    (tmp_path / (w.name + ".publish.attestation")).write_text('{"version": 1}')
    r = publish(run_hwb, index, w, "--attestations")
    assert r.returncode == 2 and "HWB-P015" in r.stderr, r
    assert index.uploads() == []


def test_dry_run_uploads_nothing(run_hwb, index, tmp_path):
    r = run_hwb("publish", "--repository-url", index.url, make_wheel(tmp_path), "--dry-run",
                "--format", "json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["files"][0]["status"] == "dry-run"
    assert index.uploads() == []


@pytest.mark.parametrize("url", ["http://example.test/legacy/", "ftp://127.0.0.1/",
                                 "https://user:pw@example.test/legacy/"])
def test_url_rules(run_hwb, tmp_path, url):
    r = run_hwb("publish", "--repository-url", url, make_wheel(tmp_path), env=ENV)
    assert r.returncode == 3 and "HWB-P002" in r.stderr, r
    assert "pw@" not in r.stderr


def test_named_repository_only_from_the_users_configuration(run_hwb, index, tmp_path, home):
    cfg = home / ".config" / "hwb"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text(f'[publish.repositories.local]\nurl = "{index.url}"\n')
    w = make_wheel(tmp_path)
    r = run_hwb("publish", "--repository", "local", w, env=ENV)
    assert r.returncode == 0, r
    r = run_hwb("publish", "--repository", "nosuch", w, env=ENV)
    assert r.returncode == 3 and "HWB-P001" in r.stderr, r
    # a project cannot send its upload (and the token) elsewhere
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "hwb.toml").write_text('[publish.repositories.local]\nurl = "https://evil.test/"\n')
    r = run_hwb("publish", "--repository", "local", w, env=ENV, cwd=proj)
    assert r.returncode == 3 and "HWB-G006" in r.stderr, r


PROJECTS = ROOT / "testdata" / "projects"
SANDBOX = TOOLS / "sandbox-run"


def _sandbox_refused():
    if not SANDBOX.exists():
        return f"{SANDBOX} is not built"
    p = subprocess.run([str(SANDBOX), "--probe"], capture_output=True, text=True)
    return None if p.returncode == 0 else p.stderr.strip()


def test_build_publish_and_pip_install(run_hwb, index, tmp_path):
    refused = _sandbox_refused()
    if refused:
        pytest.skip(f"sandbox refused: {refused}")
    import shutil
    src = tmp_path / "src"
    shutil.copytree(PROJECTS / "build-intree", src)
    env = dict(os.environ, GIT_AUTHOR_DATE="2024-01-02T03:04:05Z",
               GIT_COMMITTER_DATE="2024-01-02T03:04:05Z")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
        subprocess.run(cmd, cwd=src, check=True, env=env)
    out = tmp_path / "dist"
    r = run_hwb("build", src, "--outdir", out, timeout=300)
    assert r.returncode == 0, r
    r = publish(run_hwb, index, out)
    assert r.returncode == 0, r
    assert "uploaded  intree_sample-1.2.0-py3-none-any.whl" in r.stdout
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin/pip"), "install", "--index-url", f"{index.base}/simple/",
                          "--no-deps", "--no-cache-dir", "intree-sample==1.2.0"],
                         capture_output=True, text=True, timeout=120)
    assert pip.returncode == 0, pip.stderr
    p = subprocess.run([str(venv / "bin/python"), "-c",
                        "import importlib.metadata as m; print(m.version('intree-sample'))"],
                       capture_output=True, text=True)
    assert p.stdout.strip() == "1.2.0", p
