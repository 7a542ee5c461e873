# SPDX-License-Identifier: Apache-2.0
"""hwb doctor through the binary: the bound a build gets here (cgroup v1 as
root on these machines), leftovers of killed builds, a broken configuration,
--release with and without credentials (the token never shown), and the JSON
document against its schema (docs/schemas/hwb.doctor-1.json)."""
import fcntl
import json
import os
import pathlib
import shutil
import subprocess

import jsonschema
import pytest

from conftest import HWB, ROOT

SCHEMA = json.loads((ROOT / "docs" / "schemas" / "hwb.doctor-1.json").read_text())
# CI variables a test machine may have, which would give an OIDC source.
AMBIENT = ("ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
           "SIGSTORE_ID_TOKEN", "PYPI_ID_TOKEN", "HWB_PASSWORD", "TWINE_PASSWORD")


@pytest.fixture
def doctor(tmp_path, home):
    """Run `hwb doctor ARGS` in a project directory with its own TMPDIR;
    returns (returncode, stdout, stderr, pid)."""
    project = tmp_path / "project"
    project.mkdir()
    tmp = tmp_path / "tmp"
    tmp.mkdir()

    def run(*args, env=None):
        e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
             "LANG": "C.UTF-8", "TMPDIR": str(tmp),
             "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
             "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "halt_on_error=1")}
        e.update(env or {})
        proc = subprocess.Popen([HWB, "doctor", *args], cwd=project, env=e, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=120)
        return proc.returncode, out, err, proc.pid

    run.project, run.tmp = project, tmp
    return run


def document(out):
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    return doc


def item(doc, name):
    found = [i for i in doc["items"] if i["name"] == name]
    assert len(found) == 1, doc["items"]
    return found[0]


def memory_hierarchy():
    """hwb's own group in the cgroup v1 memory hierarchy, or None (cgroup.c)."""
    mnt = None
    for line in pathlib.Path("/proc/self/mountinfo").read_text().splitlines():
        fields, _, rest = line.partition(" - ")
        fstype, _, opts = rest.split()[:3]
        if fstype == "cgroup" and "memory" in opts.split(","):
            root, mnt = fields.split()[3:5]
            break
    if not mnt:
        return None
    for line in pathlib.Path("/proc/self/cgroup").read_text().splitlines():
        _, ctrl, path = line.split(":", 2)
        if "memory" in ctrl.split(","):
            if root != "/" and path.startswith(root):
                path = path[len(root):]
            return pathlib.Path(mnt + (path if path != "/" else ""))
    return None


def test_reports_the_bound_in_force(doctor):
    rc, out, err, pid = doctor("--format", "json",
                               env={"HWB_BUILD_LIMITS_MEMORY": str(1 << 30),
                                    "HWB_BUILD_LIMITS_PROCESSES": "300"})
    assert rc == 0, err
    doc = document(out)
    assert doc["ok"] is True and doc["release"] is False
    bound = doc["bound"]
    assert (bound["memory"], bound["processes"]) == (1 << 30, 300)
    group = memory_hierarchy()
    if os.geteuid() == 0 and group:
        # these machines: cgroup v1 hybrid, as root: a whole-build bound
        assert bound["cgroup"] == 1, bound
        assert bound["description"].startswith(
            "cgroup v1: memory = 1024 MiB and processes = 300 for the whole build")
        assert item(doc, "bound")["status"] == "ok"
        # the probe's group is gone again
        assert not list(group.glob(f"hwb-{pid}-*"))
    elif bound["cgroup"] == 2:
        # GitHub's runners: cgroup v2, root or a delegated scope
        assert bound["description"].startswith(
            "cgroup v2: memory = 1024 MiB and processes = 300 for the whole build")
    elif bound["cgroup"] is None:
        assert item(doc, "bound") | {"detail": ""} == {
            "name": "bound", "status": "warn", "code": "HWB-D001", "detail": "",
            "remedy": item(doc, "bound")["remedy"]}
        assert "per process only" in bound["description"]
    # the text form says the same on one line
    rc, out, _, _ = doctor(env={"HWB_BUILD_LIMITS_MEMORY": str(1 << 30),
                                "HWB_BUILD_LIMITS_PROCESSES": "300"})
    line = [x for x in out.splitlines() if x.split()[1:2] == ["bound"]]
    assert len(line) == 1 and bound["description"] in line[0]
    assert out.rstrip().endswith("build, check and verify can run here (%d warning%s)" % (
        sum(i["status"] == "warn" for i in doc["items"]),
        "" if sum(i["status"] == "warn" for i in doc["items"]) == 1 else "s"))


def test_reports_leftovers_of_killed_builds(doctor):
    # a killed build's work directory: ours, its .lock free
    killed = doctor.tmp / "hwb-build-Ab12Cd"
    (killed / "src").mkdir(parents=True)
    (killed / ".lock").touch()
    (killed / "src" / "big").write_bytes(os.urandom(200_000))
    # a live build's (its lock held) and a stranger's name: not leftovers
    live = doctor.tmp / "hwb-build-Zz99Yy"
    live.mkdir()
    (doctor.tmp / "hwb-build-other").mkdir()
    # an unfinished copy in the outdir (dist)
    dist = doctor.project / "dist"
    dist.mkdir()
    copy = dist / ".demo-1.0-py3-none-any.whl.Qw3Er5"
    copy.write_bytes(b"PK" * 5000)
    with open(live / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        rc, out, err, _ = doctor("--format", "json")
    assert rc == 0, err  # a warning, not a failure
    doc = document(out)
    found = {(pathlib.Path(x["path"]).name, x["kind"]): x["bytes"] for x in doc["leftovers"]}
    assert set(found) == {("hwb-build-Ab12Cd", "work-directory"),
                          (copy.name, "outdir-copy")}, found
    assert found[("hwb-build-Ab12Cd", "work-directory")] >= 200_000
    it = item(doc, "leftovers")
    assert it["status"] == "warn" and it["code"] == "HWB-D006"
    assert str(killed) in it["detail"] and "next hwb build removes them" in it["remedy"]
    # reported, not removed
    assert killed.is_dir() and copy.is_file() and live.is_dir()
    # once its lock is free, the other directory is a leftover too
    shutil.rmtree(killed)
    copy.unlink()
    doc = document(doctor("--format", "json")[1])
    assert [pathlib.Path(x["path"]).name for x in doc["leftovers"]] == [live.name]
    # with none, the item is ok
    shutil.rmtree(live)
    doc = document(doctor("--format", "json")[1])
    assert doc["leftovers"] == [] and item(doc, "leftovers")["status"] == "ok"


def test_broken_configuration_fails_with_its_place(doctor):
    (doctor.project / "hwb.toml").write_text("[build]\nisolation = \"nonsense\"\n")
    rc, out, err, _ = doctor("--format", "json")
    assert rc == 3, (out, err)
    doc = document(out)
    assert doc["ok"] is False
    it = item(doc, "config")
    assert it["status"] == "fail" and it["code"].startswith("HWB-G"), it
    assert "hwb.toml:2:" in it["detail"] and it["remedy"]
    # every other item is still examined
    assert {i["name"] for i in doc["items"]} >= {"namespaces", "bound", "leftovers", "trust"}
    rc, out, _, _ = doctor()
    assert rc == 3
    assert any(x.startswith("fail  config") and "hwb.toml:2:" in x for x in out.splitlines())
    assert "1 problem stops builds here" in out


def test_release_needs_an_oidc_source_or_a_token(doctor):
    rc, out, err, _ = doctor("--release", "--format", "json")
    assert rc == 3, (out, err)
    doc = document(out)
    assert doc["release"] is True and doc["ok"] is False and doc["api_token"] is None
    it = item(doc, "credentials")
    assert (it["status"], it["code"]) == ("fail", "HWB-D003")
    assert "id-token: write" in it["remedy"] and "HWB_PASSWORD" in it["remedy"]
    # without --release the same is a warning
    rc, out, _, _ = doctor("--format", "json")
    assert rc == 0 and item(document(out), "credentials")["status"] == "warn"

    secret = "pypi-AgEIcHlwaS5vcmcCJGRvY3Rvci10ZXN0LXRva2VuLW5ldmVyLXByaW50ZWQ"
    for fmt in ("json", "text"):
        rc, out, err, _ = doctor("--release", "--format", fmt, env={"HWB_PASSWORD": secret})
        assert rc == 0, (out, err)
        assert secret not in out + err and secret[:12] not in out + err
    doc = document(doctor("--release", "--format", "json", env={"HWB_PASSWORD": secret})[1])
    assert doc["api_token"] == "HWB_PASSWORD" and item(doc, "credentials")["status"] == "ok"

    # GitHub Actions with id-token: write (nothing is fetched: port 9 is closed)
    request = "ghs_doctorRequestTokenNeverShown0123456789"
    rc, out, err, _ = doctor("--release", "--format", "json", env={
        "ACTIONS_ID_TOKEN_REQUEST_URL": "http://127.0.0.1:9/token?api-version=2.0",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": request})
    assert rc == 0, (out, err)
    doc = document(out)
    assert doc["oidc"] == {"sigstore": "GitHub Actions", "pypi": "GitHub Actions"}
    assert request not in out + err


def test_help_and_usage(run_hwb):
    r = run_hwb("doctor", "--help")
    assert r.returncode == 0 and "--release" in r.stdout
    r = run_hwb("doctor", "a", "b")
    assert r.returncode == 2 and "HWB-U005" in r.stderr
    assert "doctor" in run_hwb("--help").stdout
