# SPDX-License-Identifier: Apache-2.0
"""hwb sign and hwb attest against the local Sigstore stack (127.0.0.1):
every bundle verifies with hwb verify AND with @sigstore/verify, on Rekor v1
and v2; token sources; PEP 740; faults injected by the stack's proxy are
retried or refused with nothing written; no token or key leaks."""
import base64
import json
import os
import pathlib
import signal
import subprocess
import time

import pytest

from conftest import ROOT

GH_ISS = "https://token.actions.githubusercontent.com"
GH_ID = "https://github.com/hwb-test/sample/.github/workflows/release.yml@refs/tags/v1.0.0"
EMAIL = "maintainer@example.test"


def node_verify(stack, identity, issuer, *pairs):
    r = subprocess.run(["node", str(ROOT / "tests/node/verify.js"), str(stack.trusted_root),
                        identity, issuer, *map(str, pairs)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.fixture
def files(tmp_path):
    out = []
    for i in range(3):
        p = tmp_path / f"artifact-{i}.txt"
        p.write_bytes(os.urandom(64) + b"artifact %d\n" % i)
        out.append(p)
    return out


def stack_flags(stack, proxy=False):
    cfg = stack.signing_config_proxy if proxy else stack.signing_config
    return ["--trusted-root", stack.trusted_root, "--signing-config", cfg]


def sign(run_hwb, stack, *args, token=None, proxy=False, env=None, **kw):
    """hwb sign with an e-mail token on stdin unless the caller passes env."""
    if token is None and env is None:
        token = stack.token("oauth", email=EMAIL, sub="maintainer")
    extra = ["--identity-token", "-"] if token else []
    return run_hwb("sign", *args, *extra, *stack_flags(stack, proxy), input=token,
                   env=env, **kw)


def hwb_verify(run_hwb, stack, artifact, identity=EMAIL, issuer=None, bundle=None):
    issuer = issuer or stack.info["oauth_issuer"]
    extra = ["--bundle", bundle] if bundle else []
    return run_hwb("verify", artifact, *extra, "--trusted-root", stack.trusted_root,
                   "--cert-identity", identity, "--cert-oidc-issuer", issuer)


@pytest.mark.parametrize("rekor", ["1", "2"])
def test_sign_verifies_with_hwb_and_sigstore_js(run_hwb, sigstore_stack, files, rekor):
    r = sign(run_hwb, sigstore_stack, *files, "--rekor-version", rekor, "--format", "json")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.sign/1" and doc["signed"] == 3 and doc["identity"] == EMAIL
    kinds = {x["entry_kind"] for x in doc["results"]}
    assert kinds == {"hashedrekord 0.0.%d" % int(rekor)}
    if rekor == "2":
        assert all(x["timestamps"] >= 1 for x in doc["results"])
    certs = set()
    for f in files:
        bundle = json.loads(pathlib.Path(f"{f}.sigstore.json").read_text())
        assert bundle["mediaType"] == "application/vnd.dev.sigstore.bundle.v0.3+json"
        certs.add(bundle["verificationMaterial"]["certificate"]["rawBytes"])
        v = hwb_verify(run_hwb, sigstore_stack, f)
        assert v.returncode == 0, v
    assert len(certs) == 1, "one certificate serves every file of a call"
    node_verify(sigstore_stack, EMAIL, sigstore_stack.info["oauth_issuer"],
                *[x for f in files for x in (f, f"{f}.sigstore.json")])
    # a byte changed in the file: both verifiers refuse
    files[0].write_bytes(files[0].read_bytes() + b"x")
    assert hwb_verify(run_hwb, sigstore_stack, files[0]).returncode == 1


def test_bundle_flag_output_dir_and_sig_cert(run_hwb, sigstore_stack, files, tmp_path):
    out = tmp_path / "b.json"
    r = sign(run_hwb, sigstore_stack, files[0], "--bundle", out, "--rekor-version", "1",
             "--sig-cert")
    assert r.returncode == 0, r
    assert hwb_verify(run_hwb, sigstore_stack, files[0], bundle=out).returncode == 0
    sig = pathlib.Path(f"{files[0]}.sig").read_text()
    cert = pathlib.Path(f"{files[0]}.cert").read_text()
    assert base64.b64decode(sig.strip()) and cert.startswith("-----BEGIN CERTIFICATE-----")
    outdir = tmp_path / "sigs"
    r = sign(run_hwb, sigstore_stack, *files[1:], "--output-dir", outdir)
    assert r.returncode == 0, r
    assert sorted(p.name for p in outdir.iterdir()) == [
        "artifact-1.txt.sigstore.json", "artifact-2.txt.sigstore.json"]
    # usage errors, refused before a token is looked at
    r = run_hwb("sign", *files, "--bundle", out)
    assert r.returncode == 2 and "HWB-S031" in r.stderr
    r = run_hwb("sign", files[0], "--sig-cert", "--rekor-version", "2")
    assert r.returncode == 2 and "only be checked through the bundle" in r.stderr


def test_github_actions_token_source(run_hwb, sigstore_stack, files):
    env = sigstore_stack.gha_env()
    r = sign(run_hwb, sigstore_stack, files[0], env=env)
    assert r.returncode == 0, r
    assert f"signing as {GH_ID}" in r.stderr and "GitHub Actions" in r.stderr
    v = run_hwb("verify", files[0], "--trusted-root", sigstore_stack.trusted_root,
                "--repository", "hwb-test/sample", "--workflow", "release.yml")
    assert v.returncode == 0, v
    node_verify(sigstore_stack, GH_ID, GH_ISS, files[0], f"{files[0]}.sigstore.json")


def test_sigstore_id_token_variable(run_hwb, sigstore_stack, files):
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    r = sign(run_hwb, sigstore_stack, files[0], env={"SIGSTORE_ID_TOKEN": token})
    assert r.returncode == 0, r
    assert "SIGSTORE_ID_TOKEN" in r.stderr
    assert token not in r.stdout + r.stderr


def test_claims_checked_before_anything_is_sent(run_hwb, sigstore_stack, files):
    sigstore_stack.clear_requests()
    expired = sigstore_stack.token("oauth", email=EMAIL, exp=int(time.time()) - 3600,
                                   iat=int(time.time()) - 4000)
    r = sign(run_hwb, sigstore_stack, files[0], token=expired)
    assert r.returncode == 3 and "HWB-O" in r.stderr, r
    other = sigstore_stack.token("oauth", email=EMAIL, aud="pypi")
    r = sign(run_hwb, sigstore_stack, files[0], token=other)
    assert r.returncode == 3 and "sigstore" in r.stderr, r
    assert not [q for q in sigstore_stack.requests() if q["service"] == "fulcio"]
    assert not pathlib.Path(f"{files[0]}.sigstore.json").exists()


@pytest.mark.parametrize("rekor", ["1", "2"])
def test_attest_statement_verifies(run_hwb, sigstore_stack, files, tmp_path, rekor):
    pred = tmp_path / "pred.json"
    pred.write_text('{"buildType": "https://example.test/build", "n": 1}')
    out = tmp_path / "att.sigstore.json"
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    r = run_hwb("attest", *files[:2], "--predicate-type", "https://example.test/p/v1",
                "--predicate", pred, "--bundle", out, "--rekor-version", rekor,
                "--identity-token", "-", *stack_flags(sigstore_stack), input=token)
    assert r.returncode == 0, r
    b = json.loads(out.read_text())
    st = json.loads(base64.b64decode(b["dsseEnvelope"]["payload"]))
    assert st["predicateType"] == "https://example.test/p/v1" and st["predicate"]["n"] == 1
    assert [s["name"] for s in st["subject"]] == [files[0].name, files[1].name]
    for f in files[:2]:
        assert hwb_verify(run_hwb, sigstore_stack, f, bundle=out).returncode == 0
    node_verify(sigstore_stack, EMAIL, sigstore_stack.info["oauth_issuer"], files[1], out)


def attestation_to_bundle(att):
    """pypi-attestations' to_bundle: a v0.3 DSSE bundle from a PEP 740 object."""
    return {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "certificate": {"rawBytes": att["verification_material"]["certificate"]},
            "tlogEntries": att["verification_material"]["transparency_entries"][:1],
        },
        "dsseEnvelope": {
            "payload": att["envelope"]["statement"],
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": att["envelope"]["signature"]}],
        },
    }


def test_attest_pypi(run_hwb, sigstore_stack, tmp_path):
    dist = tmp_path / "sample-1.0.0-py3-none-any.whl"
    dist.write_bytes(os.urandom(300))
    r = run_hwb("attest", "--pypi", dist, *stack_flags(sigstore_stack),
                env=sigstore_stack.gha_env())
    assert r.returncode == 0, r
    att = json.loads(pathlib.Path(f"{dist}.publish.attestation").read_text())
    assert att["version"] == 1
    st = json.loads(base64.b64decode(att["envelope"]["statement"]))
    assert st["predicateType"] == "https://docs.pypi.org/attestations/publish/v1"
    assert st["subject"][0]["name"] == dist.name
    v = run_hwb("verify", "pypi", dist, "--trusted-root", sigstore_stack.trusted_root,
                "--repository", "hwb-test/sample", "--workflow", "release.yml")
    assert v.returncode == 0, v
    v = run_hwb("verify", "pypi", dist, "--trusted-root", sigstore_stack.trusted_root,
                "--repository", "hwb-test/other", "--workflow", "release.yml")
    assert v.returncode == 1
    bundle = tmp_path / "att.bundle.json"
    bundle.write_text(json.dumps(attestation_to_bundle(att)))
    node_verify(sigstore_stack, GH_ID, GH_ISS, dist, bundle)


def test_attest_provenance(run_hwb, sigstore_stack, tmp_path):
    whl = tmp_path / "sample-1.0.0-py3-none-any.whl"
    whl.write_bytes(os.urandom(100))
    import hashlib
    prov = tmp_path / "sample-1.0.0.provenance.json"
    prov.write_text(json.dumps({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": whl.name, "digest": {"sha256": hashlib.sha256(
            whl.read_bytes()).hexdigest()}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {"buildDefinition": {"buildType": "x"}, "runDetails": {}}}))
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    r = run_hwb("attest", "--provenance", prov, "--identity-token", "-",
                *stack_flags(sigstore_stack), input=token)
    assert r.returncode == 0, r
    out = tmp_path / "sample-1.0.0.provenance.sigstore.json"
    assert hwb_verify(run_hwb, sigstore_stack, whl, bundle=out).returncode == 0


def test_conformance_client_sign_bundle(sigstore_stack, files, tmp_path):
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    out = tmp_path / "c.sigstore.json"
    env = dict(os.environ, HWB_BIN=os.environ.get("HWB_BIN", str(ROOT / "hwb")),
               HOME=str(tmp_path))
    r = subprocess.run(["sh", str(ROOT / "tests/conformance/client"), "sign-bundle",
                        "--identity-token", token, "--bundle", str(out),
                        "--trusted-root", str(sigstore_stack.trusted_root),
                        "--signing-config", str(sigstore_stack.signing_config),
                        str(files[0])], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["sh", str(ROOT / "tests/conformance/client"), "verify-bundle",
                        "--bundle", str(out), "--certificate-identity", EMAIL,
                        "--certificate-oidc-issuer", sigstore_stack.info["oauth_issuer"],
                        "--trusted-root", str(sigstore_stack.trusted_root), str(files[0])],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr


# --- faults through the stack's proxy ---------------------------------------

RETRIED = [
    ("fulcio", {"action": "status", "status": 500}),
    ("rekor2", {"action": "status", "status": 503}),
    ("tsa", {"action": "status", "status": 429, "retry_after": 1}),
    ("fulcio", {"action": "reset"}),
]


@pytest.mark.parametrize("service,fault", RETRIED, ids=[f"{s}-{f['action']}-{f.get('status', '')}"
                                                        for s, f in RETRIED])
def test_transient_faults_are_retried(run_hwb, sigstore_stack, files, service, fault):
    sigstore_stack.clear_faults()
    sigstore_stack.clear_requests()
    sigstore_stack.fault(service=service, times=1, **fault)
    r = sign(run_hwb, sigstore_stack, files[0], proxy=True)
    sigstore_stack.clear_faults()
    assert r.returncode == 0, r
    seen = [q for q in sigstore_stack.requests() if q["service"] == service and q["via_proxy"]]
    assert len(seen) >= 2, seen
    assert hwb_verify(run_hwb, sigstore_stack, files[0]).returncode == 0


REFUSED = [
    ("fulcio", {"action": "status", "status": 500, "times": 10}, 4, "Fulcio"),
    ("rekor2", {"action": "delay", "ms": 4000, "times": 10}, 4, "Rekor"),
    # a cut answer is a broken transfer: retried, then refused
    ("fulcio", {"action": "truncate", "times": 10}, 4, "Fulcio"),
    ("fulcio", {"action": "malformed"}, 4, "HWB-S021"),
    ("rekor2", {"action": "malformed"}, 4, "HWB-S025"),
    ("tsa", {"action": "malformed"}, 4, "HWB-S026"),
    ("fulcio", {"action": "foreign_chain"}, 1, "HWB-S023"),
    ("fulcio", {"action": "bad_sct"}, 1, "HWB-S023"),
    ("fulcio", {"action": "other_identity"}, 1, "HWB-S024"),
    ("rekor2", {"action": "other_artifact"}, 1, "HWB-S027"),
]


@pytest.mark.parametrize("service,fault,status,code", REFUSED,
                         ids=[f"{s}-{f['action']}" for s, f, _, _ in REFUSED])
def test_bad_answers_are_refused_and_nothing_written(run_hwb, sigstore_stack, files,
                                                    service, fault, status, code):
    sigstore_stack.clear_faults()
    sigstore_stack.fault(service=service, **fault)
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    r = run_hwb("sign", files[0], "--identity-token", "-", "--rekor-version", "2",
                *stack_flags(sigstore_stack, proxy=True), input=token,
                env={"HWB_HTTP_TIMEOUT": "2", "HWB_HTTP_RETRIES": "1"})
    sigstore_stack.clear_faults()
    assert r.returncode == status, r
    assert code in r.stderr, r
    assert not list(files[0].parent.glob("*.sigstore.json*")), "no bundle, no partial file"
    assert token not in r.stderr


# --- secrets -----------------------------------------------------------------

def private_scalar_in(data, pubnums):
    """1 when some 32-byte window of data is the private key of pubnums."""
    from cryptography.hazmat.primitives.asymmetric import ec
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    for i in range(0, max(0, len(data) - 31)):
        d = int.from_bytes(data[i:i + 32], "big")
        if 0 < d < order:
            pub = ec.derive_private_key(d, ec.SECP256R1()).public_key().public_numbers()
            if pub.x == pubnums.x:
                return True
    return False


def test_no_token_or_key_anywhere(run_hwb, sigstore_stack, files, home, tmp_path):
    from cryptography import x509
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    r = run_hwb("sign", files[0], "--identity-token", "-", "--sig-cert", "--rekor-version", "1",
                *stack_flags(sigstore_stack), input=token, env={"TMPDIR": str(tmpdir)})
    assert r.returncode == 0, r
    assert token not in r.stdout + r.stderr
    bundle = json.loads(pathlib.Path(f"{files[0]}.sigstore.json").read_text())
    cert = x509.load_der_x509_certificate(base64.b64decode(
        bundle["verificationMaterial"]["certificate"]["rawBytes"]))
    pub = cert.public_key().public_numbers()
    written = [p for p in tmp_path.rglob("*") if p.is_file()] + \
        [p for p in home.rglob("*") if p.is_file()]
    audit = [p for p in written if "audit" in p.name]
    assert audit, "an audit record per signature"
    rec = [json.loads(x) for x in audit[0].read_text().splitlines()]
    assert any(x.get("event") == "sign.completed" for x in rec)
    for p in written:
        data = p.read_bytes()
        assert token.encode() not in data, p
        assert token.split(".")[2].encode() not in data, p
        assert b"PRIVATE KEY" not in data, p
        if p.stat().st_size < 20000:
            assert not private_scalar_in(data, pub), p


def test_sigkill_leaves_no_partial_bundle(sigstore_stack, tmp_path):
    many = []
    for i in range(48):  # six rounds of hwb's eight signatures in flight
        p = tmp_path / f"f{i}.txt"
        p.write_bytes(b"x%d" % i)
        many.append(str(p))
    sigstore_stack.clear_faults()
    sigstore_stack.fault(service="rekor2", action="delay", ms=300, times=100)
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    env = dict(os.environ, HOME=str(tmp_path))
    hwb = os.environ.get("HWB_BIN", str(ROOT / "hwb"))
    proc = subprocess.Popen([hwb, "sign", *many, "--identity-token", "-",
                             *map(str, stack_flags(sigstore_stack, proxy=True))],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    proc.stdin.write(token.encode())
    proc.stdin.close()
    deadline = time.time() + 60
    while time.time() < deadline and not list(tmp_path.glob("*.sigstore.json")):
        time.sleep(0.05)
    time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sigstore_stack.clear_faults()
    done = sorted(tmp_path.glob("*.sigstore.json"))
    assert 1 <= len(done) < len(many)
    for b in done:
        json.loads(b.read_text())  # whole, parseable
    leftovers = [p.name for p in tmp_path.iterdir() if ".sigstore.json" in p.name
                 and not p.name.endswith(".sigstore.json")]
    assert not leftovers, leftovers


def test_distributions_keep_dist_clean_for_twine(run_hwb, sigstore_stack, tmp_path):
    """Bundles of wheels and sdists go to dist-signatures/, so that dist/
    holds only distributions and `twine upload dist/*` (which refuses any
    other file as an unknown distribution format) still works; hwb verify
    finds them there."""
    import sys
    sys.path.insert(0, str(ROOT / "tests"))
    import wheelgen
    dist = tmp_path / "dist"
    dist.mkdir()
    whl = dist / "sample-1.0-py3-none-any.whl"
    whl.write_bytes(wheelgen.wheel("sample"))
    r = sign(run_hwb, sigstore_stack, whl, "--rekor-version", "1", "--sig-cert", cwd=tmp_path)
    assert r.returncode == 0, r
    assert [p.name for p in dist.iterdir()] == [whl.name]
    sigs = sorted(p.name for p in (tmp_path / "dist-signatures").iterdir())
    assert sigs == [whl.name + ".cert", whl.name + ".sig", whl.name + ".sigstore.json"]
    assert hwb_verify(run_hwb, sigstore_stack, whl).returncode == 0
    # what gh-action-pypi-publish runs over dist/* before uploading
    t = subprocess.run(["twine", "check", *map(str, dist.iterdir())],
                       capture_output=True, text=True, timeout=120)
    assert "Checking" in t.stdout and "Unknown distribution format" not in t.stdout, t.stdout


def test_laptop_signs_through_the_browser(run_hwb, sigstore_stack, files, tmp_path):
    """No token anywhere and not in CI: hwb sign runs the OAuth flow against
    the signing config's issuer (a browser stand-in follows the redirect to
    hwb's localhost callback) and signs as the signed-in user."""
    browser = tmp_path / "browser.sh"
    browser.write_text('#!/bin/sh\nenv > "$(dirname "$0")/browser.env"\n'
                       'exec curl -sSfL --max-time 30 -o /dev/null "$1"\n')
    browser.chmod(0o755)
    r = sign(run_hwb, sigstore_stack, files[0], env={"BROWSER": str(browser)})
    assert r.returncode == 0, r
    assert f"signing as {EMAIL}" in r.stderr and "browser sign-in" in r.stderr
    assert hwb_verify(run_hwb, sigstore_stack, files[0]).returncode == 0
    seen = (tmp_path / "browser.env").read_text()
    assert "ID_TOKEN" not in seen
    # in CI the browser is never tried: the missing token is explained
    r = sign(run_hwb, sigstore_stack, files[1], env={"BROWSER": str(browser), "CI": "true"})
    assert r.returncode == 3 and "HWB-O011" in r.stderr, r
