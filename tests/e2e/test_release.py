# SPDX-License-Identifier: Apache-2.0
"""`hwb release` against the local Sigstore stack (tests/node/sigstore-stack.js)
and the local index (tests/tools/pypi_server.py): the demo (a release from
source in a simulated GitHub Actions job, then pip download and the job
summary's verify commands), --from with SIGKILL between two signatures and
in the middle of an upload then a resumed run and a no-op run, a kill during
the build, --dry-run, --dry-run --sign and a laptop release with an API
token, and failures that stop the release with nothing published."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time
import urllib.parse

import pytest

from conftest import HWB, ROOT, TOOLS
from pypi_index import TOKEN, Index, make_sdist, make_wheel

ISS = "https://token.actions.githubusercontent.com"
REPO, WORKFLOW = "hwb-test/sample", "release.yml"
SANDBOX = TOOLS / "sandbox-run"
STEPS = ["build", "check", "sign", "provenance", "attest", "publish"]


@pytest.fixture(scope="module")
def rindex(tmp_path_factory, sigstore_stack):
    """One index for the module, for trusted publishing from the stack's
    GitHub issuer and for an API token; each test releases its own project."""
    ix = Index(tmp_path_factory.mktemp("release-index"))
    ix.config(api_tokens=[TOKEN], oidc="enabled", audience="pypi",
              issuers={ISS: {"jwks_url": f"{sigstore_stack.info['jwks_url']}?iss="
                             + urllib.parse.quote(ISS, safe="")}},
              publishers=[{"repository": REPO, "workflow": WORKFLOW, "environment": "pypi"}],
              trusted_root=str(sigstore_stack.trusted_root))
    yield ix
    ix.stop()


def base_env(home):
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
            "LANG": "C.UTF-8", "HWB_BUILD_PYTHON": "/usr/bin/python3",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
            "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "halt_on_error=1")}


def gha(stack, home, summary=None):
    e = dict(base_env(home), GITHUB_ACTIONS="true", CI="true", **stack.gha_env())
    if summary:
        e["GITHUB_STEP_SUMMARY"] = str(summary)
    return e


def release_args(ix, stack, *args, proxy=False):
    return ["release", "--repository-url", ix.url, "--trusted-root", stack.trusted_root,
            "--signing-config", stack.signing_config_proxy if proxy else stack.signing_config,
            *args]


def run(args, env, timeout=90):
    """hwb with stdout and stderr in one pipe, as a runner's log sees them."""
    with subprocess.Popen([HWB, *map(str, args)], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as p:
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            pytest.fail(f"hwb {' '.join(map(str, args[:1]))} hung; its output:\n{out}")
    return p.returncode, out


def start(args, env, log):
    return subprocess.Popen([HWB, *map(str, args)], env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def kill_when(proc, pred, timeout=60):
    """SIGKILL proc as soon as pred() holds; pred must hold before it ends."""
    end = time.time() + timeout
    while time.time() < end and proc.poll() is None:
        if pred():
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            return
        time.sleep(0.02)
    proc.kill()
    proc.wait(10)
    pytest.fail(f"the moment to kill never came (exit {proc.returncode})")


def record(outdir):
    """release.json, which must parse whenever it exists (atomic writes)."""
    p = pathlib.Path(outdir) / "release.json"
    return json.loads(p.read_text()) if p.exists() else None


def audit_text(home):
    logs = pathlib.Path(home) / ".hwb" / "logs"
    return "".join(p.read_text() for p in logs.glob("*.jsonl")) if logs.exists() else ""


def masked(output):
    return [l[len("::add-mask::"):] for l in output.splitlines() if l.startswith("::add-mask::")]


def listing(*dirs):
    return sorted(str(p.relative_to(p.parents[1])) for d in dirs if d.exists()
                  for p in d.iterdir())


def uploads(ix, since=0):
    """The index's successful uploads after the first `since` ones."""
    return [u for u in ix.uploads() if u["status"] == 200][since:]


def served(ix):
    """The requests the index served, its control API's left out."""
    return [e for e in ix.log() if not e.get("path", "").startswith("/_control/")]


def dists(tmp_path, name):
    d = tmp_path / "dist"
    d.mkdir()
    make_wheel(d, name=name, version="1.0")
    make_sdist(d, name=name, version="1.0")
    return d


def test_make_demo_releases_from_source_and_verifies(tmp_path):
    """tests/demo.sh is `make demo`: it runs here so that it cannot rot; its
    work files are kept and checked. It runs the release build of hwb, as
    `make demo` does (the other tests drive the sanitizer build through the
    same steps), when there is one."""
    keep = tmp_path / "demo"
    binary = ROOT / "hwb" if (ROOT / "hwb").exists() else HWB
    env = dict(os.environ, HWB=str(binary), DEMO_KEEP=str(keep))
    p = subprocess.run(["sh", str(ROOT / "tests" / "demo.sh")], env=env, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    assert p.returncode == 0, p.stdout
    assert "demo: published and verified" in p.stdout, p.stdout
    assert "Sigstore bundle and PEP 740 provenance verified" in p.stdout, p.stdout
    rec = record(keep / "dist")
    assert rec["schema"] == "hwb.release/1" and rec["state"] == "complete", rec
    assert [rec["steps"][s]["status"] for s in STEPS] == ["done"] * 6, rec
    assert rec["signer"]["issuer"] == ISS
    assert rec["signer"]["identity"] == \
        f"https://github.com/{REPO}/.github/workflows/{WORKFLOW}@refs/tags/v1.0.0"
    assert rec["index"]["auth"] == "trusted-publishing" and rec["index"]["trusted_publishing"]
    assert rec["index"]["upload_url"].endswith("/legacy/") and rec["index"]["project_url"]
    assert [f["filename"] for f in rec["files"]] == ["st_sample-1.2.0-py3-none-any.whl",
                                                     "st-sample-1.2.0.tar.gz"]
    summary = (keep / "job-summary.md").read_text()
    for f in rec["files"]:
        assert f["upload"] == "uploaded" and f["log_index"] >= 0, f
        assert f["attestation_log_index"] >= 0 and pathlib.Path(f["attestation"]).exists(), f
        assert pathlib.Path(f["bundle"]).exists() and f["bundle"].startswith(
            str(keep / "dist-signatures")), f
        # the job summary's table: file, digest, log entries, upload
        assert (f"| `{f['filename']}` | `{f['sha256']}` | {f['log_index']} | "
                f"{f['attestation_log_index']} | uploaded |") in summary, summary
        assert (f"hwb verify {f['filename']} --bundle {f['filename']}.sigstore.json "
                f"--repository {REPO} --workflow {WORKFLOW}") in summary, summary
        assert f"hwb verify pypi {f['filename']} --provenance" in summary, summary
    assert rec["provenance"]["log_index"] >= 0
    assert pathlib.Path(rec["provenance"]["bundle"]).exists()
    # one audit record per step and one for the release; no secret anywhere
    audit = audit_text(keep / "home")
    events = [json.loads(l) for l in audit.splitlines()]
    steps = [e["step"] for e in events if e["event"] == "release.step"]
    assert steps == STEPS, steps
    assert any(e["event"] == "release.completed" for e in events), events
    secrets = masked(p.stdout)
    assert len(secrets) >= 3, p.stdout  # the OIDC tokens and the minted one
    written = (keep / "dist" / "release.json").read_text() + summary + audit
    for s in secrets:
        assert s not in written


def test_from_killed_between_signatures_and_mid_upload_resumes_once(
        rindex, sigstore_stack, tmp_path, home):
    dist = dists(tmp_path, "relkill")
    sigs = tmp_path / "dist-signatures"
    log = open(tmp_path / "out.log", "w+")
    args = release_args(rindex, sigstore_stack, "--from", dist, proxy=True)
    env = gha(sigstore_stack, home, tmp_path / "summary.md")
    expected = {"relkill-1.0-py3-none-any.whl", "relkill-1.0.tar.gz"}
    n0, ok0 = len(rindex.uploads()), len(uploads(rindex))
    try:
        # 1. killed between the two PEP 740 attestations (Rekor v1 held 4 s)
        sigstore_stack.fault(service="rekor", action="delay", ms=4000, times=2)
        p = start(args, env, log)
        kill_when(p, lambda: (record(dist) or {}).get("files") and
                  record(dist)["files"][0]["attestation"])
        rec = record(dist)
        assert rec["state"] == "in-progress" and rec["steps"]["sign"]["status"] == "done"
        assert [f["attestation"] is not None for f in rec["files"]] == [True, False], rec
        assert len(rindex.uploads()) == n0
        sigstore_stack.clear_faults()
        # 2. resumed, and killed while the sdist's upload trickles in
        rindex.faults({"path": "/legacy/", "action": "pass", "times": 1},
                      {"path": "/legacy/", "action": "slow", "bytes_per_second": 100,
                       "times": 1})
        p = start(args, env, log)
        kill_when(p, lambda: len([e for e in rindex.log() if e.get("path") == "/legacy/"])
                  == n0 + 2)
        rec = record(dist)
        assert [f["upload"] for f in rec["files"]] == ["uploaded", None], rec
        assert rec["files"][1]["attestation"], rec  # the resumed run made it
        # no partial file anywhere: the distributions, bundles, attestations
        assert listing(dist, sigs) == sorted(
            ["dist/release.json"] + [f"dist/{n}" for n in expected] +
            [f"dist/{n}.publish.attestation" for n in expected] +
            [f"dist-signatures/{n}.sigstore.json" for n in expected]), listing(dist, sigs)
        # 3. resumed to the end: the wheel is not sent again
        rc, out = run(args, env)
        assert rc == 0, out
        assert "resuming the release" in out and "(resumed)" in out, out
        rec = record(dist)
        assert rec["state"] == "complete" and rec["error"] is None
        assert [f["upload"] for f in rec["files"]] == ["uploaded", "uploaded"]
        assert len(uploads(rindex, ok0)) == 2, rindex.uploads()
        simple = json.loads(rindex.get("/simple/relkill/", "application/vnd.pypi.simple.v1+json"))
        assert {f["filename"] for f in simple["files"]} == expected
        assert all(f["provenance"] for f in simple["files"]), simple
        # 4. once more: nothing to do, nothing sent
        before = served(rindex)
        rc, out2 = run(args, env)
        assert rc == 0 and "already released" in out2, out2
        assert served(rindex) == before
        summary = (tmp_path / "summary.md").read_text()
        assert "Already complete" in summary and "## hwb release: relkill 1.0" in summary
    finally:
        sigstore_stack.clear_faults()
        log.close()
    # real pip installs what was released
    target = tmp_path / "site"
    pip = subprocess.run(["/usr/bin/python3", "-m", "pip", "install", "--no-deps",
                          "--no-cache-dir", "--disable-pip-version-check", "--target",
                          str(target), "--index-url", f"{rindex.base}/simple/",
                          "relkill==1.0"], capture_output=True, text=True, timeout=180)
    assert pip.returncode == 0, pip.stderr
    assert (target / "relkill-1.0.dist-info").is_dir()
    log_text = (tmp_path / "out.log").read_text()
    written = (dist / "release.json").read_text() + audit_text(home) + summary
    for s in masked(log_text + out + out2):
        assert s not in written


def _sandbox_refused():
    if not SANDBOX.exists():
        return f"{SANDBOX} is not built"
    p = subprocess.run([str(SANDBOX), "--probe"], capture_output=True, text=True)
    return p.stderr.strip() or "refused" if p.returncode else None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return f.read().split()
    except OSError:
        return []


def test_killed_during_the_build_then_resumed_no_publish(sigstore_stack, tmp_path, home,
                                                         rindex):
    why = _sandbox_refused()
    if why:
        pytest.skip(f"the sandbox cannot run here: {why}")
    src = tmp_path / "src"
    shutil.copytree(ROOT / "testdata" / "projects" / "build-intree", src)
    genv = dict(os.environ, GIT_AUTHOR_DATE="2024-01-02T03:04:05Z",
                GIT_COMMITTER_DATE="2024-01-02T03:04:05Z")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
        subprocess.run(cmd, cwd=src, check=True, env=genv)
    out = tmp_path / "out"
    args = release_args(rindex, sigstore_stack, src, "--outdir", out, "--no-publish")
    env = gha(sigstore_stack, home)
    with open(tmp_path / "killed.log", "w") as log:
        p = start(args, env, log)
        kill_when(p, lambda: children(p.pid))  # the build's sandbox started
    # nothing half-written: no release.json before the build is done, and
    # only whole distributions (the build moves its outputs in atomically)
    assert record(out) is None
    for f in out.glob("*") if out.exists() else []:
        assert f.suffix in (".whl", ".gz"), f
    rc, text = run(args, env)
    assert rc == 0, text
    rec = record(out)
    assert rec["state"] == "complete" and rec["mode"] == "no-publish"
    assert rec["steps"]["publish"]["status"] == "skipped"
    assert [rec["steps"][s]["status"] for s in STEPS[:5]] == ["done"] * 5, rec
    assert all(f["upload"] is None and f["bundle"] and f["attestation"] for f in rec["files"])
    assert rec["provenance"]["bundle"].endswith(".provenance.sigstore.json")
    assert "publish: skipped (--no-publish)" in text, text
    # the bundle verifies as a downloader's hwb verify does
    whl = next(f for f in rec["files"] if f["filename"].endswith(".whl"))
    rc, v = run(["verify", whl["path"], "--bundle", whl["bundle"], "--repository", REPO,
                 "--workflow", WORKFLOW, "--trusted-root", sigstore_stack.trusted_root], env)
    assert rc == 0, v


def test_dry_runs_and_a_laptop_release_with_an_api_token(rindex, sigstore_stack, tmp_path,
                                                         home):
    dist = dists(tmp_path, "rellaptop")
    n0, ok0 = len(rindex.uploads()), len(uploads(rindex))
    token_file = tmp_path / "oidc"
    token_file.write_text(sigstore_stack.token("oauth", email="dev@example.test"))
    laptop = base_env(home)
    base = release_args(rindex, sigstore_stack, "--from", dist, "--identity-token", token_file)
    # --dry-run: checked and prepared, nothing signed, nothing sent
    rc, out = run(base + ["--dry-run"], laptop)
    assert rc == 0, out
    rec = record(dist)
    assert rec["mode"] == "dry-run" and rec["signer"] is None
    assert [rec["steps"][s]["status"] for s in STEPS] == \
        ["done", "done", "skipped", "skipped", "skipped", "done"], rec
    assert [f["upload"] for f in rec["files"]] == ["dry-run", "dry-run"]
    assert not (tmp_path / "dist-signatures").exists() and len(rindex.uploads()) == n0
    assert "nothing uploaded (dry run)" in out, out
    # --dry-run --sign: real signatures, still no upload; no PEP 740 here
    rc, out = run(base + ["--dry-run", "--sign"], laptop)
    assert rc == 0, out
    rec = record(dist)
    assert rec["mode"] == "dry-run+sign" and rec["signer"]["identity"] == "dev@example.test"
    assert all(pathlib.Path(f["bundle"]).exists() for f in rec["files"])
    assert rec["steps"]["attest"]["status"] == "skipped" and len(rindex.uploads()) == n0
    assert "PyPI accepts PEP 740 attestations only from trusted publishers" in out, out
    # the laptop release: the API token from the environment
    rc, out = run(base, dict(laptop, HWB_PASSWORD=TOKEN))
    assert rc == 0, out
    rec = record(dist)
    assert rec["state"] == "complete" and rec["index"]["auth"] == "api-token"
    assert [f["upload"] for f in rec["files"]] == ["uploaded", "uploaded"]
    assert all(f["attestation"] is None for f in rec["files"])
    assert len(uploads(rindex, ok0)) == 2
    assert TOKEN not in out and TOKEN not in (dist / "release.json").read_text()
    assert TOKEN not in audit_text(home)
    assert token_file.read_text() not in (dist / "release.json").read_text() + audit_text(home)


def test_failures_stop_the_release_with_nothing_published(rindex, sigstore_stack, tmp_path,
                                                          home):
    env = gha(sigstore_stack, home, tmp_path / "summary.md")
    n0, ok0 = len(rindex.uploads()), len(uploads(rindex))
    # a distribution that fails hwb check: nothing signed, nothing sent
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(ROOT / "testdata/wheels/bad/w006_cve_2025_54368_local_name-1.0-py3-none-any.whl",
                bad)
    rc, out = run(release_args(rindex, sigstore_stack, "--from", bad), env)
    assert rc == 1 and "HWB-L007" in out and "::error" in out, out
    rec = record(bad)
    assert rec["state"] == "in-progress" and rec["error"]["code"] == "HWB-L007"
    assert rec["steps"]["check"]["status"] == "failed" and rec["signer"] is None
    assert not (tmp_path / "bad-signatures").exists() and len(rindex.uploads()) == n0
    assert "**Failed** (HWB-L007)" in (tmp_path / "summary.md").read_text()
    # Fulcio certifies another identity: the signature is refused, no upload
    dist = dists(tmp_path, "relfail")
    args = release_args(rindex, sigstore_stack, "--from", dist, proxy=True)
    try:
        sigstore_stack.fault(service="fulcio", action="other_identity")
        rc, out = run(args, env)
    finally:
        sigstore_stack.clear_faults()
    assert rc != 0, out
    rec = record(dist)
    assert rec["steps"]["sign"]["status"] == "failed" and rec["error"]["code"].startswith("HWB-S")
    assert len(rindex.uploads()) == n0
    # run again: the release finishes
    rc, out = run(args, env)
    assert rc == 0, out
    assert record(dist)["state"] == "complete" and len(uploads(rindex, ok0)) == 2
    # usage: --sign belongs to --dry-run; no credentials at all is refused first
    rc, out = run(args + ["--sign"], env)
    assert rc == 2 and "HWB-L008" in out, out
    rc, out = run(release_args(rindex, sigstore_stack, "--from", dist, "--outdir",
                               tmp_path / "o2"), base_env(home))
    assert rc == 3 and "HWB-L003" in out, out
    assert not (tmp_path / "o2" / "release.json").exists()
