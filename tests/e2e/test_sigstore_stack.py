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
import subprocess
import time
import urllib.parse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtensionOID

from conftest import ROOT
from sigstore_stack import SigstoreStack

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


def test_stops_when_stdin_closes(sigstore_stack, tmp_path):
    # (sigstore_stack: skip or fail as every stack test does when node is missing)
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


# --- transparency logs -------------------------------------------------------
def test_rekor_v2_sequential_entries_with_real_proofs(sigstore_stack):
    s = sigstore_stack
    seen = []
    for _ in range(9):
        status, _, raw = http_call("POST", f"{s.info['rekor2']}/api/v2/log/entries", rekor2_request())
        assert status == 201, raw
        e = json.loads(raw)
        assert e["kindVersion"] == {"kind": "hashedrekord", "version": "0.0.2"}
        assert "integratedTime" not in e and "inclusionPromise" not in e
        body = base64.b64decode(e["canonicalizedBody"])
        # rekor-tiles: protojson of the Entry, RFC 8785 canonical (sorted keys, no spaces)
        parsed = json.loads(body)
        assert body == json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
        assert parsed["kind"] == "hashedrekord" and parsed["apiVersion"] == "0.0.2"
        assert parsed["spec"]["hashedRekordV002"]["data"]["algorithm"] == "SHA2_256"
        p = e["inclusionProof"]
        index, size = int(e.get("logIndex", 0)), int(p["treeSize"])
        assert index == int(p.get("logIndex", 0)) and size == index + 1
        seen.append(index)
        root = base64.b64decode(p["rootHash"])
        assert rfc6962_verify(index, size, body, [base64.b64decode(h) for h in p["hashes"]], root)
        key, tl = tlog_key(s, base64.b64decode(e["logId"]["keyId"]))
        signed, sigs = split_note(p["checkpoint"]["envelope"])
        origin = s.info["rekor2"].removeprefix("http://")
        assert signed.decode() == f"{origin}\n{size}\n{p['rootHash']}\n"
        (dash, name, sig), = sigs
        assert dash == "\u2014" and name == origin
        sig = base64.b64decode(sig)
        assert sig[:4] == base64.b64decode(tl["logId"]["keyId"])[:4]
        assert isinstance(key, ed25519.Ed25519PublicKey)
        key.verify(sig[4:], signed)
    assert seen == list(range(seen[0], seen[0] + 9))


def test_rekor_v1_entries_set_proof_checkpoint(sigstore_stack):
    s = sigstore_stack
    last = None
    for _ in range(6):
        status, _, raw = http_call("POST", f"{s.info['rekor']}/api/v1/log/entries", rekor1_request())
        assert status == 201, raw
        (uuid, e), = json.loads(raw).items()
        body = base64.b64decode(e["body"])
        assert uuid == hashlib.sha256(b"\x00" + body).hexdigest()
        key, tl = tlog_key(s, bytes.fromhex(e["logID"]))
        canon = json.dumps({"body": e["body"], "integratedTime": e["integratedTime"], "logID": e["logID"],
                            "logIndex": e["logIndex"]}, sort_keys=True, separators=(",", ":")).encode()
        key.verify(base64.b64decode(e["verification"]["signedEntryTimestamp"]), canon, ec.ECDSA(hashes.SHA256()))
        p = e["verification"]["inclusionProof"]
        assert p["logIndex"] == e["logIndex"] and p["treeSize"] == e["logIndex"] + 1
        assert rfc6962_verify(p["logIndex"], p["treeSize"], body, [bytes.fromhex(h) for h in p["hashes"]],
                              bytes.fromhex(p["rootHash"]))
        signed, ((dash, name, sig),) = split_note(p["checkpoint"])
        lines = signed.decode().split("\n")
        assert lines[1] == str(p["treeSize"]) and base64.b64decode(lines[2]).hex() == p["rootHash"]
        sig = base64.b64decode(sig)
        assert sig[:4] == bytes.fromhex(e["logID"])[:4]
        key.verify(sig[4:], signed, ec.ECDSA(hashes.SHA256()))
        if last is not None:
            assert e["logIndex"] == last + 1
        last = e["logIndex"]


def test_rekor_v1_refuses_unknown_kinds(sigstore_stack):
    status, _, raw = http_call("POST", f"{sigstore_stack.info['rekor']}/api/v1/log/entries",
                               {"kind": "rekord", "apiVersion": "0.0.1", "spec": {}})
    assert status == 400 and b"unsupported entry kind" in raw


# --- timestamp authority -----------------------------------------------------
def test_tsa_answers_der_requests(sigstore_stack, tmp_path):
    s = sigstore_stack
    root = json.loads(s.trusted_root.read_text())["timestampAuthorities"][0]["certChain"]["certificates"]
    pem = lambda d: x509.load_der_x509_certificate(base64.b64decode(d["rawBytes"])).public_bytes(
        serialization.Encoding.PEM)
    (tmp_path / "int.pem").write_bytes(pem(root[0]))
    (tmp_path / "root.pem").write_bytes(pem(root[1]))
    sig = os.urandom(71)
    digest = hashlib.sha256(sig).hexdigest()
    subprocess.run(["openssl", "ts", "-query", "-digest", digest, "-sha256", "-cert", "-out",
                    str(tmp_path / "req.tsq")], check=True, capture_output=True)
    status, headers, raw = http_call("POST", s.info["tsa"], (tmp_path / "req.tsq").read_bytes(),
                                     {"Content-Type": "application/timestamp-query"})
    assert status == 201 and headers["Content-Type"] == "application/timestamp-reply"
    (tmp_path / "resp.tsr").write_bytes(raw)
    # the nonce, the imprint and the signature, checked by OpenSSL
    p = subprocess.run(["openssl", "ts", "-verify", "-queryfile", str(tmp_path / "req.tsq"), "-in",
                        str(tmp_path / "resp.tsr"), "-CAfile", str(tmp_path / "root.pem"), "-untrusted",
                        str(tmp_path / "int.pem")], capture_output=True, text=True)
    assert p.returncode == 0 and "Verification: OK" in p.stdout, p.stdout + p.stderr
    status, _, raw = http_call("POST", s.info["tsa"], b"\x30\x03garbage",
                               {"Content-Type": "application/timestamp-query"})
    assert status == 400


def test_tsa_answers_sigstore_js_json(sigstore_stack):
    status, _, raw = http_call("POST", sigstore_stack.info["tsa"], {
        "artifactHash": b64(hashlib.sha256(b"x").digest()), "hashAlgorithm": "sha256", "certificates": True,
        "nonce": 42})
    assert status == 201 and raw[:1] == b"\x30"


# --- Fulcio --------------------------------------------------------------------
def test_fulcio_github_identity(sigstore_stack):
    status, raw, key = fulcio(sigstore_stack, sigstore_stack.token("github"))
    assert status == 201, raw
    leaf, inter, root = leaf_of(raw)
    assert leaf.subject == x509.Name([])
    san = leaf.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    assert san.critical and san.value.get_values_for_type(x509.UniformResourceIdentifier) == [GH_ID]
    assert leaf.public_key().public_numbers() == key.public_key().public_numbers()
    ext = {e.oid.dotted_string: e.value.value for e in leaf.extensions
           if e.oid.dotted_string.startswith("1.3.6.1.4.1.57264.1.")}
    assert ext["1.3.6.1.4.1.57264.1.1"] == GH_ISS.encode()
    assert ext["1.3.6.1.4.1.57264.1.8"][2:] == GH_ISS.encode()  # DER UTF8String
    assert ext["1.3.6.1.4.1.57264.1.12"][2:] == b"https://github.com/hwb-test/sample"
    assert ext["1.3.6.1.4.1.57264.1.18"][2:] == GH_ID.encode()
    assert leaf.extensions.get_extension_for_oid(ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS)
    chain = json.loads(sigstore_stack.trusted_root.read_text())["certificateAuthorities"][0]["certChain"]
    assert [base64.b64decode(c["rawBytes"]) for c in chain["certificates"]] == \
        [c.public_bytes(serialization.Encoding.DER) for c in (inter, root)]


def test_fulcio_email_identity_and_body_token(sigstore_stack):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    token = sigstore_stack.token("oauth")
    proof = b64(key.sign(EMAIL.encode(), ec.ECDSA(hashes.SHA256())))
    status, _, raw = http_call("POST", f"{sigstore_stack.info['fulcio']}/api/v2/signingCert", {
        "credentials": {"oidcIdentityToken": token},
        "publicKeyRequest": {"publicKey": {"algorithm": "ECDSA", "content": pem}, "proofOfPossession": proof}})
    assert status == 201, raw
    leaf = leaf_of(raw)[0]
    san = leaf.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert san.get_values_for_type(x509.RFC822Name) == [EMAIL]
    # a proof over something else than the email is refused
    bad = b64(key.sign(b"other", ec.ECDSA(hashes.SHA256())))
    status, _, raw = http_call("POST", f"{sigstore_stack.info['fulcio']}/api/v2/signingCert", {
        "credentials": {"oidcIdentityToken": token},
        "publicKeyRequest": {"publicKey": {"algorithm": "ECDSA", "content": pem}, "proofOfPossession": bad}})
    assert status == 400 and b"proofOfPossession" in raw


def test_fulcio_gitlab_identity(sigstore_stack):
    status, raw, _ = fulcio(sigstore_stack, sigstore_stack.token("gitlab"))
    assert status == 201, raw
    leaf = leaf_of(raw)[0]
    ext = {e.oid.dotted_string: e.value.value for e in leaf.extensions
           if e.oid.dotted_string.startswith("1.3.6.1.4.1.57264.1.")}
    assert ext["1.3.6.1.4.1.57264.1.8"][2:] == b"https://gitlab.com"
    assert ext["1.3.6.1.4.1.57264.1.12"][2:] == b"https://gitlab.com/hwb-test/sample"
    assert ext["1.3.6.1.4.1.57264.1.18"][2:] == \
        b"https://gitlab.com/hwb-test/sample//.gitlab-ci.yml@refs/tags/v1.0.0"


@pytest.mark.parametrize("case", ["expired", "audience", "signature", "issuer", "none", "unverified-email"])
def test_fulcio_refuses_bad_tokens(sigstore_stack, case):
    s = sigstore_stack
    if case == "expired":
        token = s.token("github", iat=int(time.time()) - 1200, nbf=int(time.time()) - 1200,
                        exp=int(time.time()) - 600)
    elif case == "audience":
        token = s.token("github", aud="pypi")
    elif case == "signature":
        h, p, sig = s.token("github").split(".")
        other = base64.urlsafe_b64encode(json.dumps(
            {**jwt_claims(f"{h}.{p}.x"), "sub": "forged"}).encode()).rstrip(b"=").decode()
        token = f"{h}.{other}.{sig}"
    elif case == "issuer":
        token = s.token("github", iss="https://issuer.invalid")
    elif case == "unverified-email":
        token = s.token("oauth", email_verified=False)
    else:
        token = ""
    status, raw, _ = fulcio(s, token)
    want = 400 if case == "unverified-email" else 401
    assert status == want, raw
    assert json.loads(raw)["message"]


def test_fulcio_refuses_a_csr_without_proof(sigstore_stack):
    key, csr_b64 = new_csr()
    der = x509.load_pem_x509_csr(base64.b64decode(csr_b64)).public_bytes(serialization.Encoding.DER)
    tampered = bytearray(der)
    tampered[-3] ^= 0x01  # inside the signature
    pem = b"-----BEGIN CERTIFICATE REQUEST-----\n" + base64.encodebytes(bytes(tampered)) + \
        b"-----END CERTIFICATE REQUEST-----\n"
    status, raw, _ = fulcio(sigstore_stack, sigstore_stack.token("github"), csr=(key, b64(pem)))
    assert status == 400, raw


# --- control API: faults through the proxy -----------------------------------
@pytest.fixture
def stack(sigstore_stack):
    sigstore_stack.clear_faults()
    yield sigstore_stack
    sigstore_stack.clear_faults()


def proxied(stack, key):
    return stack.info[key].replace(stack.info["base"], stack.info["proxy"])


def test_fault_status_applies_times_then_passes(stack):
    stack.fault(service="rekor2", action="status", status=503, times=2)
    url = f"{proxied(stack, 'rekor2')}/api/v2/log/entries"
    assert [http_call("POST", url, rekor2_request())[0] for _ in range(3)] == [503, 503, 201]
    # direct requests never see the proxy's faults
    stack.fault(service="rekor2", action="status", status=500)
    assert http_call("POST", f"{stack.info['rekor2']}/api/v2/log/entries", rekor2_request())[0] == 201
    assert http_call("POST", url, rekor2_request())[0] == 500


def test_fault_429_retry_after(stack):
    stack.fault(service="fulcio", action="status", status=429, retry_after=3)
    status, headers, _ = http_call("POST", f"{proxied(stack, 'fulcio')}/api/v2/signingCert", {})
    assert status == 429 and headers["Retry-After"] == "3"


def test_fault_delay(stack):
    stack.fault(service="tsa", action="delay", ms=400)
    body = {"artifactHash": b64(os.urandom(32)), "hashAlgorithm": "sha256"}
    t0 = time.monotonic()
    status, _, _ = http_call("POST", proxied(stack, "tsa"), body)
    assert status == 201 and time.monotonic() - t0 >= 0.4


def test_fault_reset(stack):
    stack.fault(service="rekor", action="reset")
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        http_call("POST", f"{proxied(stack, 'rekor')}/api/v1/log/entries", rekor1_request())


def test_fault_truncate(stack):
    stack.fault(service="rekor", action="truncate")
    with pytest.raises(http.client.IncompleteRead):
        http_call("POST", f"{proxied(stack, 'rekor')}/api/v1/log/entries", rekor1_request())


def test_fault_malformed(stack):
    stack.fault(service="oauth", action="malformed")
    status, _, raw = http_call("GET", f"{proxied(stack, 'oauth_issuer')}/.well-known/openid-configuration")
    assert status == 200 and raw == b"{not json"
    with pytest.raises(ValueError):
        json.loads(raw)


def test_fault_validation(stack):
    for bad in ({"service": "nope", "action": "status", "status": 500},
                {"service": "tsa", "action": "explode"},
                {"service": "tsa", "action": "foreign_chain"},
                {"service": "fulcio", "action": "status"},
                {"service": "fulcio", "action": "delay", "ms": 1, "times": 0}):
        status, out = stack.control("POST", "faults", [bad])
        assert status == 400 and "error" in out, (bad, status, out)


def fulcio_via_proxy(stack, fault):
    stack.fault(service="fulcio", action=fault)
    status, raw, _ = fulcio(stack, stack.token("github"), base=proxied(stack, "fulcio"))
    assert status == 201, raw
    return leaf_of(raw)


def test_fault_foreign_chain(stack):
    leaf, inter, root = fulcio_via_proxy(stack, "foreign_chain")
    trusted = json.loads(stack.trusted_root.read_text())["certificateAuthorities"][0]["certChain"]
    trusted = [base64.b64decode(c["rawBytes"]) for c in trusted["certificates"]]
    assert root.public_bytes(serialization.Encoding.DER) not in trusted
    assert leaf.issuer == inter.subject
    inter.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes, ec.ECDSA(hashes.SHA384()))


def test_fault_bad_sct(stack):
    leaf, _, _ = fulcio_via_proxy(stack, "bad_sct")
    scts = leaf.extensions.get_extension_for_oid(ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS).value
    known = {base64.b64decode(c["logId"]["keyId"]) for c in json.loads(stack.trusted_root.read_text())["ctlogs"]}
    assert len(scts) == 1 and scts[0].log_id not in known
    status, raw, _ = fulcio(stack, stack.token("github"), base=proxied(stack, "fulcio"))
    good = leaf_of(raw)[0].extensions.get_extension_for_oid(ExtensionOID.PRECERT_SIGNED_CERTIFICATE_TIMESTAMPS)
    assert good.value[0].log_id in known


def test_fault_other_identity(stack):
    leaf = fulcio_via_proxy(stack, "other_identity")[0]
    san = leaf.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) != [GH_ID]


@pytest.mark.parametrize("service", ["rekor", "rekor2"])
def test_fault_other_artifact(stack, service):
    stack.fault(service=service, action="other_artifact")
    if service == "rekor2":
        digest = os.urandom(32)
        status, _, raw = http_call("POST", f"{proxied(stack, 'rekor2')}/api/v2/log/entries", rekor2_request(digest))
        body = json.loads(base64.b64decode(json.loads(raw)["canonicalizedBody"]))
        logged = base64.b64decode(body["spec"]["hashedRekordV002"]["data"]["digest"])
        assert status == 201 and logged != digest and len(logged) == 32
    else:
        digest = os.urandom(32).hex()
        status, _, raw = http_call("POST", f"{proxied(stack, 'rekor')}/api/v1/log/entries", rekor1_request(digest))
        (e,) = json.loads(raw).values()
        logged = json.loads(base64.b64decode(e["body"]))["spec"]["data"]["hash"]["value"]
        assert status == 201 and logged != digest


# --- control API: token sources ----------------------------------------------
@pytest.mark.parametrize("issuer", ["github", "oauth", "gitlab", "google"])
def test_token_minting(sigstore_stack, issuer):
    token = sigstore_stack.token(issuer, extra="x")
    c = jwt_claims(token)
    assert c["iss"] == sigstore_stack.info["issuers"][issuer]
    assert c["aud"] == "sigstore" and c["extra"] == "x" and c["exp"] - c["iat"] == 600
    assert jwt_verifies(sigstore_stack, token)
    if issuer == "github":
        assert c["repository"] == "hwb-test/sample" and c["environment"] == "pypi"
        assert c["job_workflow_ref"] == GH_ID.removeprefix("https://github.com/")
    if issuer in ("oauth", "google"):
        assert c["email_verified"] is True and "@" in c["email"]
    assert "sub" not in jwt_claims(sigstore_stack.token(issuer, sub=None))


def test_github_token_endpoint(sigstore_stack):
    env = sigstore_stack.gha_env()
    url = env["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=pypi"
    status, _, raw = http_call("GET", url, headers={"Authorization": f"bearer {env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}"})
    assert status == 200
    c = jwt_claims(json.loads(raw)["value"])
    assert c["iss"] == GH_ISS and c["aud"] == "pypi" and c["sub"] == "repo:hwb-test/sample:ref:refs/tags/v1.0.0"
    bad = sigstore_stack.gha_env(audience_ok=False)
    status, _, _ = http_call("GET", url, headers={"Authorization": f"bearer {bad['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}"})
    assert status == 401
    assert http_call("GET", url)[0] == 401


def test_github_claims_override(sigstore_stack):
    env = sigstore_stack.gha_env()
    claims = jwt_claims(sigstore_stack.token("github"))
    try:
        sigstore_stack.set_gha_claims({**claims, "repository": "hwb-test/other", "iss": None, "aud": None})
        status, _, raw = http_call("GET", env["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=sigstore",
                                   headers={"Authorization": f"Bearer {env['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}"})
        assert status == 200 and jwt_claims(json.loads(raw)["value"])["repository"] == "hwb-test/other"
    finally:
        sigstore_stack.set_gha_claims({k: v for k, v in claims.items()
                                       if k not in ("iss", "aud", "iat", "nbf", "exp", "jti", "extra")})


def test_gcp_metadata(sigstore_stack):
    url = (f"{sigstore_stack.info['gcp_metadata_url']}/computeMetadata/v1/instance/service-accounts/default/"
           "identity?audience=pypi&format=full")
    status, _, raw = http_call("GET", url, headers={"Metadata-Flavor": "Google"})
    assert status == 200
    c = jwt_claims(raw.decode())
    assert c["iss"] == "https://accounts.google.com" and c["aud"] == "pypi" and c["email_verified"] is True
    assert http_call("GET", url)[0] == 403


# --- control API: OAuth ----------------------------------------------------------
def pkce():
    verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(stack, challenge, redirect="http://localhost:5555/auth/callback"):
    q = urllib.parse.urlencode({"response_type": "code", "client_id": "sigstore", "redirect_uri": redirect,
                                "scope": "openid email", "state": "st4te", "nonce": "n0nce",
                                "code_challenge": challenge, "code_challenge_method": "S256"})
    return http_call("GET", f"{stack.info['oauth_issuer']}/auth?{q}")


def exchange(stack, code, verifier, basic=True, redirect="http://localhost:5555/auth/callback"):
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": redirect}
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if basic:
        headers["Authorization"] = "Basic " + b64(b"sigstore:")
    else:
        form["client_id"] = "sigstore"
    status, _, raw = http_call("POST", f"{stack.info['oauth_issuer']}/token",
                               urllib.parse.urlencode(form).encode(), headers)
    return status, json.loads(raw)


def test_oauth_flow_with_pkce(sigstore_stack):
    s = sigstore_stack
    status, _, raw = http_call("GET", f"{s.info['oauth_issuer']}/.well-known/openid-configuration")
    disc = json.loads(raw)
    assert status == 200 and disc["issuer"] == s.info["oauth_issuer"]
    assert disc["code_challenge_methods_supported"] == ["S256"]
    assert disc["token_endpoint"] == f"{s.info['oauth_issuer']}/token"
    verifier, challenge = pkce()
    status, headers, _ = authorize(s, challenge)
    assert status == 302
    loc = urllib.parse.urlsplit(headers["Location"])
    q = dict(urllib.parse.parse_qsl(loc.query))
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == "http://localhost:5555/auth/callback"
    assert q["state"] == "st4te"
    status, out = exchange(s, q["code"], verifier)
    assert status == 200 and out["token_type"] == "Bearer" and out["access_token"]
    c = jwt_claims(out["id_token"])
    assert c["iss"] == s.info["oauth_issuer"] and c["aud"] == "sigstore" and c["email"] == EMAIL
    assert c["email_verified"] is True and c["nonce"] == "n0nce"
    assert jwt_verifies(s, out["id_token"])
    # the code is spent
    status, out = exchange(s, q["code"], verifier)
    assert status == 400 and out["error"] == "invalid_grant"


def test_oauth_wrong_verifier_and_oob(sigstore_stack):
    s = sigstore_stack
    verifier, challenge = pkce()
    status, headers, _ = authorize(s, challenge)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))["code"]
    status, out = exchange(s, code, pkce()[0])
    assert status == 400 and out["error"] == "invalid_grant" and "code_verifier" in out["error_description"]
    verifier, challenge = pkce()
    oob = "urn:ietf:wg:oauth:2.0:oob"
    status, _, page = authorize(s, challenge, redirect=oob)
    assert status == 200
    code = page.decode().split('<code id="code">')[1].split("</code>")[0]
    status, out = exchange(s, code, verifier, basic=False, redirect=oob)
    assert status == 200 and jwt_claims(out["id_token"])["email"] == EMAIL


def test_oauth_user_and_refusals(sigstore_stack):
    s = sigstore_stack
    try:
        s.set_oauth_user("other@example.test")
        verifier, challenge = pkce()
        _, headers, _ = authorize(s, challenge)
        code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers["Location"]).query))["code"]
        assert jwt_claims(exchange(s, code, verifier)[1]["id_token"])["email"] == "other@example.test"
    finally:
        s.set_oauth_user(EMAIL)
    assert authorize(s, "")[0] == 400  # PKCE is required
    assert authorize(s, pkce()[1], redirect="https://evil.example/cb")[0] == 400


# --- control API: request log ------------------------------------------------------
def test_request_log(stack):
    stack.clear_requests()
    http_call("POST", f"{stack.info['rekor2']}/api/v2/log/entries", rekor2_request())
    http_call("POST", f"{proxied(stack, 'rekor')}/api/v1/log/entries", rekor1_request())
    stack.fault(service="tsa", action="status", status=503)
    http_call("POST", proxied(stack, "tsa"), b"", {"Content-Type": "application/timestamp-query"})
    log = stack.requests()
    assert [(e["service"], e["method"], e["path"], e["status"], e["via_proxy"]) for e in log] == [
        ("rekor2", "POST", "/rekor2/api/v2/log/entries", 201, False),
        ("rekor", "POST", "/rekor/api/v1/log/entries", 201, True),
        ("tsa", "POST", "/tsa/api/v1/timestamp", 503, True),
    ]
    assert all(isinstance(e["ms"], (int, float)) and e["ms"] >= 0 for e in log)
    assert log[0]["ms"] > 0 and log[2].get("fault") == "status"
    stack.clear_requests()
    assert stack.requests() == []
