# SPDX-License-Identifier: Apache-2.0
"""The local Sigstore stack (tests/node/sigstore-stack.js) checked against the
real clients: bundles that sigstore-js signs against it verify with
@sigstore/verify and with hwb verify given the stack's trusted root; its logs
give real inclusion proofs and signed checkpoints; the TSA answers DER
requests; Fulcio verifies tokens and proofs of possession; every control-API
action (faults through the proxy, tokens, GitHub/GCP/OAuth token sources,
request log) does what tests/node/README.md says."""
import base64
import hashlib
import http.client
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtensionOID, NameOID

from conftest import ROOT
from sigstore_stack import SigstoreStack, unavailable

NODE = ROOT / "tests" / "node"
GH_ISS = "https://token.actions.githubusercontent.com"
GH_ID = "https://github.com/hwb-test/sample/.github/workflows/release.yml@refs/tags/v1.0.0"
EMAIL = "maintainer@example.test"


# --- helpers ---------------------------------------------------------------
def http_call(method, url, body=None, headers=None, timeout=30):
    """-> (status, headers, raw body); never raises on HTTP status."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    path = u.path + (f"?{u.query}" if u.query else "")
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, dict(r.getheaders()), data


def b64(b):
    return base64.b64encode(b).decode()


def jwt_claims(token):
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def jwt_verifies(stack, token):
    """Checks an ES256 JWT against the stack's JWKS for its issuer."""
    head, payload, sig = token.split(".")
    iss = jwt_claims(token)["iss"]
    status, _, raw = http_call("GET", f"{stack.info['jwks_url']}?iss={urllib.parse.quote(iss)}")
    assert status == 200
    jwk = json.loads(raw)["keys"][0]
    num = lambda v: int.from_bytes(base64.urlsafe_b64decode(v + "=" * (-len(v) % 4)), "big")
    key = ec.EllipticCurvePublicNumbers(num(jwk["x"]), num(jwk["y"]), ec.SECP256R1()).public_key()
    raw_sig = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    der = encode_dss_signature(int.from_bytes(raw_sig[:32], "big"), int.from_bytes(raw_sig[32:], "big"))
    try:
        key.verify(der, f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
        return True
    except Exception:
        return False


def rfc6962_verify(index, size, leaf, proof, root):
    """RFC 6962 / protocols.md B inclusion check, written independently of the stack."""
    h = lambda *p: hashlib.sha256(b"".join(p)).digest()
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    if len(proof) != inner + border:
        return False
    r = h(b"\x00", leaf)
    for i, p in enumerate(proof):
        if i < inner:
            r = h(b"\x01", r, p) if (index >> i) & 1 == 0 else h(b"\x01", p, r)
        else:
            r = h(b"\x01", p, r)
    return r == root


def split_note(note):
    body, _, sigs = note.partition("\n\n")
    return (body + "\n").encode(), [line.split(" ") for line in sigs.strip("\n").split("\n")]


def tlog_key(stack, keyid):
    root = json.loads(stack.trusted_root.read_text())
    for t in root["tlogs"]:
        if base64.b64decode(t["logId"]["keyId"]) == keyid:
            return serialization.load_der_public_key(base64.b64decode(t["publicKey"]["rawBytes"])), t
    raise AssertionError("log ID not in trusted_root.json")


def new_csr():
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder().subject_name(x509.Name([]))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .sign(key, hashes.SHA256()))
    return key, b64(csr.public_bytes(serialization.Encoding.PEM))


def fulcio(stack, token, base=None, csr=None):
    """CSR variant, token as Bearer (what sigstore-python and hwb send)."""
    key, csr_b64 = csr or new_csr()
    url = f"{base or stack.info['fulcio']}/api/v2/signingCert"
    status, _, raw = http_call("POST", url, {"certificateSigningRequest": csr_b64},
                               {"Authorization": f"Bearer {token}"})
    return status, raw, key


def leaf_of(raw):
    pems = json.loads(raw)["signedCertificateEmbeddedSct"]["chain"]["certificates"]
    return [x509.load_pem_x509_certificate(p.encode()) for p in pems]


def rekor2_request(digest=None):
    """A hashedrekord 0.0.2 request signed by a fresh Fulcio certificate-less
    key (the stack's v2 log, like the mock's, does not check the signature)."""
    digest = digest or os.urandom(32)
    return {"hashedRekordRequestV002": {
        "digest": b64(digest),
        "signature": {"content": b64(os.urandom(70)), "verifier": {
            "x509Certificate": {"rawBytes": b64(b"\x30\x03\x02\x01\x01")},
            "keyDetails": "PKIX_ECDSA_P256_SHA_256"}}}}


def rekor1_request(digest_hex=None):
    return {"kind": "hashedrekord", "apiVersion": "0.0.1", "spec": {
        "signature": {"content": b64(os.urandom(70)), "publicKey": {"content": b64(b"-----BEGIN CERTIFICATE-----\n")}},
        "data": {"hash": {"algorithm": "sha256", "value": digest_hex or os.urandom(32).hex()}}}}


# --- start-up, files, lifetime -----------------------------------------------
def test_starts_fast_and_writes_its_files(sigstore_stack):
    s = sigstore_stack
    print(f"sigstore stack ready in {s.startup_seconds:.2f} s")
    assert s.startup_seconds < 15
    for name in ("trusted_root.json", "signing_config.json", "signing_config.proxy.json", "stack.json"):
        assert (s.dir / name).is_file()
    for key in ("base", "proxy", "fulcio", "rekor", "rekor2", "tsa", "oauth_issuer", "gha_token_url",
                "gcp_metadata_url", "control", "jwks_url"):
        assert s.info[key].startswith("http://127.0.0.1:"), key
    sc = json.loads(s.signing_config.read_text())
    assert sc["mediaType"] == "application/vnd.dev.sigstore.signingconfig.v0.2+json"
    assert [(u["url"], u["majorApiVersion"]) for u in sc["rekorTlogUrls"]] == \
        [(s.info["rekor2"], 2), (s.info["rekor"], 1)]
    assert sc["tsaUrls"][0]["url"] == s.info["tsa"] and sc["caUrls"][0]["url"] == s.info["fulcio"]
    assert sc["oidcUrls"][0]["url"] == s.info["oauth_issuer"]
    proxied = json.loads(s.signing_config_proxy.read_text())
    assert proxied["caUrls"][0]["url"] == s.info["fulcio"].replace(s.info["base"], s.info["proxy"])


def test_listens_on_loopback_only(sigstore_stack):
    pid = sigstore_stack.proc.pid
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in open(table).read().splitlines()[1:]:
            f = line.split()
            if f[3] == "0A" and f[9] in inodes:  # LISTEN
                listening.append(f[1].split(":")[0])
    assert len(listening) == 2  # the services and the proxy
    assert all(a == "0100007F" for a in listening), listening


def test_stops_when_stdin_closes(tmp_path):
    if unavailable():
        pytest.skip(unavailable())
    stack = SigstoreStack(tmp_path / "s").start()
    pid = stack.proc.pid
    stack.proc.stdin.close()
    stack.proc.wait(10)
    assert stack.proc.returncode == 0
    with pytest.raises(OSError):
        os.kill(pid, 0)
    stack.stop()


def test_trusted_root_log_ids(sigstore_stack):
    root = json.loads(sigstore_stack.trusted_root.read_text())
    v1, v2 = root["tlogs"]
    der = base64.b64decode(v1["publicKey"]["rawBytes"])
    assert base64.b64decode(v1["logId"]["keyId"]) == hashlib.sha256(der).digest()
    raw = serialization.load_der_public_key(base64.b64decode(v2["publicKey"]["rawBytes"])).public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    origin = sigstore_stack.info["rekor2"].removeprefix("http://")
    assert v2["publicKey"]["keyDetails"] == "PKIX_ED25519"
    assert base64.b64decode(v2["logId"]["keyId"]) == hashlib.sha256(origin.encode() + b"\n\x01" + raw).digest()
    assert len(root["certificateAuthorities"][0]["certChain"]["certificates"]) == 2
    assert len(root["timestampAuthorities"][0]["certChain"]["certificates"]) == 2


# --- interoperability: sigstore-js signs, sigstore-js and hwb verify ------------
@pytest.fixture(scope="module")
def js_bundles(sigstore_stack, tmp_path_factory):
    """Bundles signed by sigstore-js against the stack: message signatures on
    Rekor v1 and v2, DSSE on v1. Entries are logged first so that no bundle
    sits at index 0 only (protobuf JSON would omit a zero index)."""
    d = tmp_path_factory.mktemp("js-sign")
    tok = d / "token"
    tok.write_text(sigstore_stack.token("github"))
    warm = d / "warm.txt"
    warm.write_text("warm-up")
    out = {}
    for version, dsse in ((1, False), (2, False), (1, True)):
        args = ["--rekor-version", str(version)] + (["--dsse"] if dsse else [])
        run_sign(sigstore_stack, tok, args, [warm])
        files = []
        for i in range(3):
            f = d / f"v{version}{'-dsse' if dsse else ''}-{i}.txt"
            f.write_bytes(os.urandom(64))
            files.append(f)
        run_sign(sigstore_stack, tok, args, files)
        out[(version, dsse)] = files
    return out


def run_sign(stack, token_file, args, files):
    p = subprocess.run(["node", str(NODE / "sign.js"), "--stack", str(stack.dir), "--token-file",
                        str(token_file), *args, *map(str, files)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


@pytest.mark.parametrize("version,dsse", [(1, False), (2, False), (1, True)])
def test_sigstore_js_bundles_verify_with_sigstore_js(sigstore_stack, js_bundles, version, dsse):
    files = js_bundles[(version, dsse)]
    pairs = [str(x) for f in files for x in (f, f"{f}.sigstore.json")]
    p = subprocess.run(["node", str(NODE / "verify.js"), str(sigstore_stack.trusted_root), GH_ID, GH_ISS, *pairs],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.count("verified") == len(files)
    for f in files:
        entry = json.loads(open(f"{f}.sigstore.json").read())["verificationMaterial"]["tlogEntries"][0]
        assert int(entry["logIndex"]) > 0
        assert entry["kindVersion"] == {"kind": "dsse" if dsse else "hashedrekord",
                                        "version": "0.0.2" if version == 2 else "0.0.1"}


@pytest.mark.parametrize("version,dsse", [(1, False), (2, False), (1, True)])
def test_sigstore_js_bundles_verify_with_hwb(sigstore_stack, js_bundles, run_hwb, version, dsse):
    for f in js_bundles[(version, dsse)]:
        r = run_hwb("verify", f, "--bundle", f"{f}.sigstore.json", "--trusted-root", sigstore_stack.trusted_root,
                    "--cert-identity", GH_ID, "--cert-oidc-issuer", GH_ISS)
        assert r.returncode == 0, r


def test_hwb_refuses_a_stack_bundle_for_another_identity(sigstore_stack, js_bundles, run_hwb):
    f = js_bundles[(2, False)][0]
    r = run_hwb("verify", f, "--bundle", f"{f}.sigstore.json", "--trusted-root", sigstore_stack.trusted_root,
                "--cert-identity", GH_ID.replace("v1.0.0", "v9"), "--cert-oidc-issuer", GH_ISS)
    assert r.returncode != 0 and "HWB-" in r.stderr
