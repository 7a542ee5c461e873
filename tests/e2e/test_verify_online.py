# SPDX-License-Identifier: Apache-2.0
"""hwb verify FILE --signature --certificate --online against a Rekor search
stub on 127.0.0.1 (tests/tools/rekor_stub.py) serving the entries of real
bundles."""
import base64
import json
import socket
import subprocess
import sys

import pytest

from conftest import ROOT

REAL = ROOT / "testdata" / "sigstore" / "real"
STUB = ROOT / "tests" / "tools" / "rekor_stub.py"
GH = ["--repository", "trailofbits/rfc8785.py", "--workflow", "release.yml"]
STAGING_ID = ["--staging", "--cert-identity", "william@yossarian.net",
              "--cert-oidc-issuer", "https://github.com/login/oauth"]


@pytest.fixture(scope="module")
def rekor():
    proc = subprocess.Popen([sys.executable, str(STUB), str(REAL / "bundle_v3_github.whl.sigstore"),
                             str(REAL / "bundle_v3.txt.sigstore")], stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline())
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def detach(tmp_path, bundle, sig=None):
    """The signature (base64) and certificate (PEM) of a bundle, as files."""
    b = json.loads(bundle.read_text())
    vm = b["verificationMaterial"]
    raw = (vm.get("certificate") or vm["x509CertificateChain"]["certificates"][0])["rawBytes"]
    text = base64.b64encode(base64.b64decode(raw)).decode()
    pem = "-----BEGIN CERTIFICATE-----\n" + "\n".join(
        text[i:i + 64] for i in range(0, len(text), 64)) + "\n-----END CERTIFICATE-----\n"
    s, c = tmp_path / "f.sig", tmp_path / "f.crt"
    s.write_text((sig or b["messageSignature"]["signature"]) + "\n")
    c.write_text(pem)
    return s, c


def test_online_github_wheel(run_hwb, rekor, tmp_path):
    s, c = detach(tmp_path, REAL / "bundle_v3_github.whl.sigstore")
    r = run_hwb("verify", REAL / "bundle_v3_github.whl", "--signature", s, "--certificate", c,
                "--online", "--rekor-url", rekor, *GH, "--format", "json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["results"][0]["log_index"] == 79605083


def test_online_staging_and_base64_certificate(run_hwb, rekor, tmp_path):
    s, c = detach(tmp_path, REAL / "bundle_v3.txt.sigstore")
    c.write_text(base64.b64encode(c.read_bytes()).decode())
    r = run_hwb("verify", REAL / "bundle_v3.txt", "--signature", s, "--certificate", c,
                "--online", "--rekor-url", rekor, *STAGING_ID)
    assert r.returncode == 0, r


def test_offline_detached_is_refused(run_hwb, tmp_path):
    s, c = detach(tmp_path, REAL / "bundle_v3_github.whl.sigstore")
    r = run_hwb("verify", REAL / "bundle_v3_github.whl", "--signature", s, "--certificate", c, *GH)
    assert r.returncode == 2 and "HWB-V030" in r.stderr, r


def test_online_no_entry(run_hwb, rekor):
    # the staging a.txt signature was logged, but not in our stub's log
    r = run_hwb("verify", REAL / "a.txt", "--signature", REAL / "a.txt.sig", "--certificate",
                REAL / "a.txt.crt", "--online", "--rekor-url", rekor, "--staging",
                "--cert-identity-regexp", ".", "--cert-oidc-issuer-regexp", ".")
    assert r.returncode == 1 and "HWB-V028" in r.stderr, r


def test_online_tampered_signature(run_hwb, rekor, tmp_path):
    b = json.loads((REAL / "bundle_v3_github.whl.sigstore").read_text())
    sig = bytearray(base64.b64decode(b["messageSignature"]["signature"]))
    sig[-3] ^= 1
    s, c = detach(tmp_path, REAL / "bundle_v3_github.whl.sigstore",
                  base64.b64encode(bytes(sig)).decode())
    r = run_hwb("verify", REAL / "bundle_v3_github.whl", "--signature", s, "--certificate", c,
                "--online", "--rekor-url", rekor, *GH)
    assert r.returncode == 1 and "HWB-V018" in r.stderr, r


def test_online_wrong_identity(run_hwb, rekor, tmp_path):
    s, c = detach(tmp_path, REAL / "bundle_v3_github.whl.sigstore")
    r = run_hwb("verify", REAL / "bundle_v3_github.whl", "--signature", s, "--certificate", c,
                "--online", "--rekor-url", rekor, "--repository", "evil/fork",
                "--workflow", "release.yml")
    assert r.returncode == 1 and "HWB-V023" in r.stderr, r


def test_online_rekor_down(run_hwb, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    s, c = detach(tmp_path, REAL / "bundle_v3_github.whl.sigstore")
    r = run_hwb("verify", REAL / "bundle_v3_github.whl", "--signature", s, "--certificate", c,
                "--online", "--rekor-url", f"http://127.0.0.1:{port}", *GH,
                timeout=120)
    assert r.returncode == 4, r
