# SPDX-License-Identifier: Apache-2.0
"""`hwb publish` with trusted publishing from a simulated GitHub Actions job:
the local Sigstore stack (tests/node/sigstore-stack.js) is the CI's OIDC
token endpoint and the issuer whose JWKS the local index
(tests/tools/pypi_server.py) checks tokens against; the index mints upload
tokens, verifies PEP 740 attestations with @sigstore/verify, and serves
them through its Integrity API. Then pip installs from it and
`hwb verify pypi --provenance` checks what it serves."""
import base64
import json
import os
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest

from conftest import HWB, ROOT, TOOLS
from pypi_index import index, make_sdist, make_wheel  # noqa: F401

ISS = "https://token.actions.githubusercontent.com"
REPO, WORKFLOW = "hwb-test/sample", "release.yml"
SANDBOX = TOOLS / "sandbox-run"
PROJECTS = ROOT / "testdata" / "projects"


@pytest.fixture
def trusted(index, sigstore_stack):
    """The index set up for trusted publishing from the stack's GitHub
    issuer, with no API token at all: only minted tokens can upload."""
    index.config(api_tokens=[], oidc="enabled", audience="pypi",
                 issuers={ISS: {"jwks_url": f"{sigstore_stack.info['jwks_url']}?iss="
                                + urllib.parse.quote(ISS, safe="")}},
                 publishers=[{"repository": REPO, "workflow": WORKFLOW, "environment": "pypi"}],
                 trusted_root=str(sigstore_stack.trusted_root), minted_lifetime=900)
    return index


def gha(stack, **extra):
    """The environment of a GitHub Actions job with `id-token: write`."""
    e = dict(stack.gha_env(), GITHUB_ACTIONS="true", CI="true")
    e.update(extra)
    return e


def run_merged(home, args, env, timeout=300):
    """hwb with stdout and stderr in ONE pipe, as a runner's log sees them,
    so that the order of lines across the two streams is kept."""
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
         "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
         "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "halt_on_error=1")}
    e.update(env)
    p = subprocess.run([HWB, *map(str, args)], env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return p.returncode, p.stdout


def publish_args(ix, stack, *args):
    return ["publish", "--repository-url", ix.url, "--trusted-root", stack.trusted_root,
            "--signing-config", stack.signing_config, *args]


def audit_text(home):
    logs = home / ".hwb" / "logs"
    return "".join(p.read_text() for p in logs.glob("*.jsonl")) if logs.exists() else ""


def masked(output):
    return [l[len("::add-mask::"):] for l in output.splitlines() if l.startswith("::add-mask::")]


def json_doc(out):
    """The hwb.publish/1 document: from its first line "{" to the end."""
    lines = out.splitlines()
    return json.loads("\n".join(lines[lines.index("{"):]))


def claims_of(jwt):
    p = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))


def state(ix):
    return json.loads(ix.get("/_control/state"))


def mints(ix):
    return [e for e in ix.log() if e.get("path") == "/_/oidc/mint-token"]


def build_or_make(run_hwb, tmp_path):
    """The sample project built by hwb build (when the sandbox works here),
    else a wheel and an sdist made by hand."""
    out = tmp_path / "dist"
    p = subprocess.run([str(SANDBOX), "--probe"], capture_output=True, text=True) \
        if SANDBOX.exists() else None
    if p is not None and p.returncode == 0:
        src = tmp_path / "src"
        shutil.copytree(PROJECTS / "build-intree", src)
        env = dict(os.environ, GIT_AUTHOR_DATE="2024-01-02T03:04:05Z",
                   GIT_COMMITTER_DATE="2024-01-02T03:04:05Z")
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
            subprocess.run(cmd, cwd=src, check=True, env=env)
        r = run_hwb("build", src, "--outdir", out, timeout=300)
        assert r.returncode == 0, r
        return out, "intree-sample", "1.2.0", "intree_sample"
    out.mkdir()
    make_wheel(out, name="tpsample", version="1.0")
    make_sdist(out, name="tpsample", version="1.0")
    return out, "tpsample", "1.0", "tpsample"


def test_trusted_publishing_with_attestations_pip_install_and_provenance(
        run_hwb, trusted, sigstore_stack, tmp_path, home):
    dist, project, version, module = build_or_make(run_hwb, tmp_path)
    files = sorted(p.name for p in dist.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--attestations",
                                            "--format", "json", dist), gha(sigstore_stack))
    assert rc == 0, out
    lines = out.splitlines()
    # GitHub Actions: the masks come before any other line, the minted
    # token's among them
    first_other = next(i for i, l in enumerate(lines) if not l.startswith("::add-mask::"))
    secrets = masked(out)
    assert first_other >= 2, out
    assert any(s.startswith("pypi-") for s in masked("\n".join(lines[:first_other]))), out
    doc = json_doc(out)
    assert doc["auth"] == "trusted-publishing" and doc["uploaded"] == len(files), doc
    assert doc["publisher"]["issuer"] == ISS
    assert doc["publisher"]["identity"].endswith(f"{REPO}/.github/workflows/{WORKFLOW}"
                                                 "@refs/tags/v1.0.0"), doc
    assert all(f["attested"] and f["attestation_log_index"] >= 0 for f in doc["files"]), doc
    # the attestations stay beside the distributions (PEP 740's convention)
    for f in files:
        att = json.loads((dist / (f + ".publish.attestation")).read_text())
        assert att["version"] == 1 and att["envelope"]["signature"], att
    # the index verified and kept them (@sigstore/verify, in the index)
    whl = next(f for f in files if f.endswith(".whl"))
    simple = json.loads(trusted.get(f"/simple/{project}/",
                                    accept="application/vnd.pypi.simple.v1+json"))
    entry = next(f for f in simple["files"] if f["filename"] == whl)
    assert entry["provenance"], simple
    prov = tmp_path / "provenance.json"
    prov.write_bytes(trusted.get(entry["provenance"]))
    assert json.loads(prov.read_text())["attestation_bundles"][0]["publisher"]["repository"] \
        == REPO
    # real pip installs the release from the index
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin/pip"), "install", "--index-url",
                          f"{trusted.base}/simple/", "--no-deps", "--no-cache-dir",
                          f"{project}=={version}"], capture_output=True, text=True, timeout=180)
    assert pip.returncode == 0, pip.stderr
    p = subprocess.run([str(venv / "bin/python"), "-c",
                        f"import importlib.metadata as m; print(m.version('{project}'))"],
                       capture_output=True, text=True)
    assert p.stdout.strip() == version, p
    # hwb verify pypi checks the provenance the index serves
    r = run_hwb("verify", "pypi", dist / whl, "--provenance", prov, "--repository", REPO,
                "--workflow", WORKFLOW, "--trusted-root", sigstore_stack.trusted_root)
    assert r.returncode == 0, r
    # a provenance for another file does not verify
    other = tmp_path / "other.whl"
    shutil.copy(dist / whl, other)
    with open(other, "ab") as fh:
        fh.write(b"\0")
    r = run_hwb("verify", "pypi", other, "--provenance", prov, "--repository", REPO,
                "--workflow", WORKFLOW, "--trusted-root", sigstore_stack.trusted_root)
    assert r.returncode != 0, r
    # no token in the output, the audit log or the files hwb wrote
    assert len(secrets) >= 3, out  # the index's OIDC token, the minted one, Sigstore's
    record = audit_text(home)
    assert "publish.completed" in record and '"trusted-publishing"' in record, record
    assert ISS in record and f"{REPO}/.github/workflows/{WORKFLOW}" in record, record
    written = record + "".join((dist / (f + ".publish.attestation")).read_text() for f in files)
    shown = "\n".join(l for l in lines if not l.startswith("::add-mask::"))
    for s in secrets:
        assert s not in shown, "a token was printed"
        assert s not in written, "a token reached the audit log or an attestation"


def test_token_lifetime_short_remints_with_fresh_oidc_tokens(trusted, sigstore_stack,
                                                             tmp_path, home):
    # minted tokens living 30 s: less than the 60 s margin before every file
    trusted.config(minted_lifetime=30)
    dist = tmp_path / "dist"
    dist.mkdir()
    make_wheel(dist, name="remint", version="1.0")
    make_sdist(dist, name="remint", version="1.0")
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--no-check", "--format",
                                            "json", dist), gha(sigstore_stack))
    assert rc == 0, out
    # --no-check's warning too comes after the minted token's mask
    lines = out.splitlines()
    warn = next(i for i, l in enumerate(lines) if "--no-check" in l)
    first_minted = next(i for i, l in enumerate(lines) if l.startswith("::add-mask::pypi-"))
    assert first_minted < warn and all(l.startswith("::add-mask::") for l in lines[:warn]), out
    assert [m["status"] for m in mints(trusted)] == [200, 200, 200], trusted.log()
    # each exchange used its own OIDC token (the index refuses a reused one)
    assert len(state(trusted)["used_jti"]) == 3
    assert len([s for s in masked(out) if s.startswith("pypi-")]) == 3, out


def test_minted_token_that_would_expire_mid_release_is_replaced(trusted, sigstore_stack,
                                                                tmp_path, home):
    """62 s tokens and a first upload slowed to ~3 s: before the second
    file less than 60 s remain, so hwb mints again (a fresh OIDC token)."""
    trusted.config(minted_lifetime=62)
    trusted.faults({"path": "/legacy/", "action": "slow", "bytes_per_second": 400, "times": 1})
    dist = tmp_path / "dist"
    dist.mkdir()
    make_wheel(dist, name="expiring", version="1.0")
    make_sdist(dist, name="expiring", version="1.0")
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--format", "json", dist),
                         gha(sigstore_stack))
    assert rc == 0, out
    assert len(mints(trusted)) == 2, trusted.log()
    assert len(state(trusted)["used_jti"]) == 2


def explain_claims(text):
    for claim in ("sub=repo:hwb-test/sample:ref:refs/tags/v1.0.0", "repository=hwb-test/sample",
                  "repository_owner=hwb-test",
                  "workflow_ref=hwb-test/sample/.github/workflows/release.yml@refs/tags/v1.0.0",
                  "job_workflow_ref=hwb-test/sample/.github/workflows/release.yml@refs/tags/v1.0.0",
                  "ref=refs/tags/v1.0.0", "environment=pypi"):
        assert claim in text, (claim, text)


def test_publisher_that_does_not_match_is_explained_with_the_claims(trusted, sigstore_stack,
                                                                    tmp_path, home):
    trusted.config(publishers=[{"repository": REPO, "workflow": "publish.yml",
                                "environment": "pypi"}])
    w = make_wheel(tmp_path, name="mismatch")
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, w), gha(sigstore_stack))
    assert rc == 1 and "HWB-P014" in out and "invalid-publisher" in out, out
    explain_claims(out)
    assert trusted.uploads() == []


def token_file(stack, tmp_path, name="oidc.jwt", **claims):
    p = tmp_path / name
    p.write_text(stack.token("github", **claims))
    return p


def test_expired_token(trusted, sigstore_stack, tmp_path, home):
    w = make_wheel(tmp_path, name="expired")
    now = int(time.time())
    # expired 30 s ago: within hwb's clock-skew leeway, refused by the index
    tok = token_file(sigstore_stack, tmp_path, aud="pypi", iat=now - 630, nbf=now - 630,
                     exp=now - 30)
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--identity-token", tok, w),
                         {})
    assert rc == 1 and "HWB-P014" in out and "invalid-token" in out, out
    assert "expired" in out
    explain_claims(out)
    # expired an hour ago: hwb does not even send it
    tok = token_file(sigstore_stack, tmp_path, aud="pypi", iat=now - 4200, nbf=now - 4200,
                     exp=now - 3600)
    n = len(mints(trusted))
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--identity-token", tok, w),
                         {})
    assert rc != 0 and "HWB-O" in out and "expired" in out, out
    assert len(mints(trusted)) == n and trusted.uploads() == []


def test_wrong_audience(trusted, sigstore_stack, tmp_path, home):
    w = make_wheel(tmp_path, name="audience")
    tok = token_file(sigstore_stack, tmp_path, aud="sigstore")
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--identity-token", tok, w),
                         {})
    assert rc != 0 and "HWB-O" in out and "pypi" in out and "aud" in out, out
    assert mints(trusted) == [] and trusted.uploads() == []


def mint_directly(ix, token):
    import urllib.error
    import urllib.request
    req = urllib.request.Request(ix.base + "/_/oidc/mint-token", method="POST",
                                 data=json.dumps({"token": token}).encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_the_index_checks_tokens_as_pypi_does(trusted, sigstore_stack):
    """The index's own OIDC side, without hwb (which refuses most of these
    before sending them): signature against the issuer's JWKS, audience,
    expiry, issuer, publisher, and reuse."""
    now = int(time.time())
    good = sigstore_stack.token("github", aud="pypi")
    status, doc = mint_directly(trusted, good)
    assert status == 200 and doc["success"] and doc["token"].startswith("pypi-"), doc
    assert doc["expires"] >= now + 890
    assert mint_directly(trusted, good)[1]["errors"][0]["code"] == "invalid-reuse-token"
    h, p, sig = sigstore_stack.token("github", aud="pypi").split(".")
    forged = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    forged["repository"] = "someone/else"
    p2 = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    cases = [
        (f"{h}.{p2}.{sig}", "invalid-token"),                           # signature
        (sigstore_stack.token("github", aud="sigstore"), "invalid-token"),  # audience
        (sigstore_stack.token("github", aud="pypi", iat=now - 700, nbf=now - 700,
                              exp=now - 100), "invalid-token"),          # expired
        (sigstore_stack.token("gitlab", aud="pypi"), "invalid-payload"),  # issuer
        (sigstore_stack.token("github", aud="pypi", repository="hwb-test/other",
                              job_workflow_ref="hwb-test/other/.github/workflows/"
                              "release.yml@refs/tags/v1"), "invalid-publisher"),
        (sigstore_stack.token("github", aud="pypi", environment="staging"),
         "invalid-publisher"),
        ("not-a-jwt", "invalid-payload"),
    ]
    for token, code in cases:
        status, doc = mint_directly(trusted, token)
        assert status == 422 and doc["errors"][0]["code"] == code, (code, doc)


def test_reused_oidc_token_is_refused_by_the_index(trusted, sigstore_stack, tmp_path, home):
    tok = token_file(sigstore_stack, tmp_path, aud="pypi")
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--identity-token", tok,
                                            make_wheel(tmp_path, name="reuse", version="1.0")), {})
    assert rc == 0, out
    (tmp_path / "second").mkdir()
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--identity-token", tok,
                                            make_wheel(tmp_path / "second", name="reuse",
                                                       version="1.1")), {})
    assert rc == 1 and "HWB-P014" in out and "invalid-reuse-token" in out, out
    assert "fresh OIDC token" in out
    assert [m["status"] for m in mints(trusted)] == [200, 422]


@pytest.mark.parametrize("mode,code,words", [("absent", "HWB-P012", "does not support"),
                                             ("disabled", "HWB-P013", "switched off")])
def test_index_without_trusted_publishing(trusted, sigstore_stack, tmp_path, home, mode, code,
                                          words):
    trusted.config(oidc=mode)
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack,
                                            make_wheel(tmp_path, name="noauth")),
                         gha(sigstore_stack))
    assert rc == 3 and code in out and words in out, out
    assert trusted.uploads() == []


def test_no_id_token_permission_and_fork(trusted, sigstore_stack, tmp_path, home):
    w = make_wheel(tmp_path, name="perm")
    # GitHub Actions without `id-token: write`: no request URL at all
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--trusted-publishing",
                                            "always", w),
                         {"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_EVENT_NAME": "push"})
    assert rc != 0 and "id-token: write" in out, out
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"repo": {
        "full_name": "someone/sample", "fork": True}}}}))
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--trusted-publishing",
                                            "always", w),
                         {"GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_REPOSITORY": REPO,
                          "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)})
    assert rc != 0 and "fork" in out and "someone/sample" in out, out
    # auto without any CI token: the credentials error, not an exchange
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, w), {})
    assert rc == 3 and "HWB-P016" in out, out
    assert mints(trusted) == [] and trusted.uploads() == []


def test_attestations_with_a_password_are_refused_before_signing(trusted, sigstore_stack,
                                                                 tmp_path, home):
    w = make_wheel(tmp_path, name="pwatt")
    sigstore_stack.clear_requests()
    rc, out = run_merged(home, publish_args(trusted, sigstore_stack, "--attestations", w),
                         gha(sigstore_stack, HWB_PASSWORD="pypi-some-api-token-value"))
    assert rc == 2 and "HWB-P015" in out, out
    assert not (tmp_path / (w.name + ".publish.attestation")).exists()
    assert [r for r in sigstore_stack.requests() if r["service"] in ("fulcio", "rekor")] == []
    assert trusted.uploads() == []


def test_no_child_process_sees_a_token(trusted, sigstore_stack, tmp_path, home):
    """hwb publish runs no child at all: strace -f records every execve and
    every process (not thread) it creates during a whole trusted release
    with attestations; each execve's argv and environment is kept too."""
    if not shutil.which("strace"):
        pytest.skip("strace is not installed (make deps)")
    dist = tmp_path / "dist"
    dist.mkdir()
    make_wheel(dist, name="nochild", version="1.0")
    log = tmp_path / "strace.txt"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
           "LANG": "C.UTF-8", **gha(sigstore_stack),
           # LeakSanitizer cannot run under ptrace
           "ASAN_OPTIONS": "allocator_may_return_null=1:detect_leaks=0"}
    p = subprocess.run(["strace", "-f", "-qq", "-s", "100000", "-v", "-o", str(log),
                        "-e", "trace=execve,execveat,fork,vfork,clone,clone3",
                        HWB, *map(str, publish_args(trusted, sigstore_stack, "--attestations",
                                                    "--format", "json", dist))],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout
    trace = log.read_text()
    execs = [l for l in trace.splitlines() if re.search(r"\bexecve(at)?\(", l)]
    assert len(execs) == 1 and HWB in execs[0], execs  # hwb itself, nothing else
    forks = [l for l in trace.splitlines()
             if re.search(r"\b(fork|vfork)\(", l) or
             (re.search(r"\bclone3?\(", l) and "CLONE_THREAD" not in l)]
    assert forks == [], forks
    # what hwb obtained (OIDC tokens, minted tokens, headers made of them),
    # not the runner's request token that its own environment carries
    request_token = env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
    secrets = [s for s in masked(p.stdout) if request_token not in s]
    assert len(secrets) >= 3 and any(s.startswith("pypi-") for s in secrets), p.stdout
    for s in secrets:
        assert s not in trace


def test_a_file_changed_after_its_attestation_is_not_uploaded(trusted, sigstore_stack,
                                                             tmp_path, home):
    """Both attestations are made before the first upload; while the first
    file goes up (slowed down), the second changes on disk: its streamed
    sha256 is not the attested one, so hwb stops that upload."""
    dist = tmp_path / "dist"
    dist.mkdir()
    payload = os.urandom(200000)
    target = dist / "changed-1.0-py3-none-manylinux1_x86_64.whl"
    make_wheel(dist, name="changed", version="1.0", payload=payload).rename(target)
    make_wheel(dist, name="changed", version="1.0")
    # the first upload (py3-none-any sorts first; about 12 KB with its
    # attestation) takes about 2.5 s
    trusted.faults({"path": "/legacy/", "action": "slow", "bytes_per_second": 5000, "times": 1})
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8",
         "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
         **gha(sigstore_stack)}
    proc = subprocess.Popen([HWB, *map(str, publish_args(trusted, sigstore_stack, "--no-check",
                                                         "--attestations", "--format", "json",
                                                         dist))],
                            env=e, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    att = dist / (target.name + ".publish.attestation")
    deadline = time.time() + 120
    while not (att.exists() and trusted.log() and
               any(x.get("path") == "/legacy/" for x in trusted.log())):
        assert time.time() < deadline and proc.poll() is None, proc.communicate()[0]
        time.sleep(0.05)
    data = bytearray(target.read_bytes())
    at = data.find(payload[5000:5064])
    assert at > 0
    data[at] ^= 0xFF  # same size, other bytes
    target.write_bytes(bytes(data))
    out = proc.communicate(timeout=300)[0]
    assert proc.returncode == 1, out
    doc = json_doc(out)
    status = {f["file"]: f for f in doc["files"]}
    assert status["changed-1.0-py3-none-any.whl"]["status"] == "uploaded", doc
    bad = status[target.name]
    assert bad["status"] == "failed" and bad["error"]["code"] == "HWB-P003", doc
    assert "changed while it was being uploaded" in bad["error"]["message"]
    assert target.name not in json.loads(trusted.get("/_control/state"))["files"]


def test_attestations_take_the_trust_of_hwb_trust_update(run_hwb, trusted, sigstore_stack,
                                                         tmp_path, home):
    # hwb publish --attestations signs with the trust hwb sign would use: the
    # TUF cache that `hwb trust update` filled (here with the local stack's),
    # not the embedded production one (which would send the token to
    # fulcio.sigstore.dev; this machine reaches nothing but loopback).
    import pathlib
    from tuf_repo import TufRepo, unavailable as tuf_unavailable
    why = tuf_unavailable()
    if why:
        pytest.skip(f"TUF repository: {why}")
    repo = TufRepo(tmp_path / "tufrepo")
    repo.init(targets={"trusted_root.json": pathlib.Path(sigstore_stack.trusted_root),
                       "signing_config.v0.2.json":
                           pathlib.Path(sigstore_stack.signing_config)})
    repo.start()
    # the user's configuration names the TUF repository (Sigstore's, normally)
    (home / ".config" / "hwb").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "hwb" / "config.toml").write_text(f'[trust]\ntuf-url = "{repo.url}"\n')
    try:
        r = run_hwb("trust", "update", "--tuf-url", repo.url, "--tuf-root",
                    repo.dir / "repo" / "1.root.json")
        assert r.returncode == 0, r
        dist, *_ = build_or_make(run_hwb, tmp_path)
        rc, out = run_merged(home, ["publish", "--repository-url", trusted.url,
                                    "--attestations", "--format", "json", dist],
                             gha(sigstore_stack))
    finally:
        repo.stop()
    assert rc == 0, out
    doc = json_doc(out)
    assert doc["files"] and all(f["attested"] and f["attestation_log_index"] >= 0
                                for f in doc["files"]), doc
