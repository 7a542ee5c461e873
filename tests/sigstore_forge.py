# SPDX-License-Identifier: Apache-2.0
"""A private Sigstore instance for tests: a Fulcio-like CA, a CT log and a
Rekor v1 log, each a fresh P-256 key, and a v0.2 bundle they make for an
artifact, logged as entry 0 of a one-leaf tree. The real instances never give
log index 0 (their logs are large), and a protobuf JSON writer such as
sigstore-js omits fields at their default value: this makes such a bundle,
valid in every byte, with its trusted root.

forge(artifact_bytes, now) -> (bundle dict, trusted root dict); the bundle
omits every scalar at its zero value, as protobuf JSON writers do.
IDENTITY and ISSUER are the policy that verifies it.
"""
import base64
import datetime
import hashlib
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

IDENTITY = "forge@example.test"
ISSUER = "https://issuer.example.test"
LOG_URL = "https://rekor.forge.test"
SCT_OID = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")


def b64(data):
    return base64.b64encode(data).decode()


def spki(key):
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(key, data):
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def der_len(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def when(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).replace(tzinfo=None)


def make_root(key):
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "forge.test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "forge root")])
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(datetime.datetime(2020, 1, 1))
            .not_valid_after(datetime.datetime(2040, 1, 1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))


def leaf_builder(root, root_key, leaf_key, t):
    """Fulcio's profile: empty subject, e-mail SAN, codeSigning, issuer extensions."""
    issuer = ISSUER.encode()
    return (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(root.subject)
            .public_key(leaf_key.public_key()).serial_number(0x5157)
            .not_valid_before(when(t - 60)).not_valid_after(when(t + 600))
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(IDENTITY)]),
                           critical=True)
            .add_extension(x509.UnrecognizedExtension(
                x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1"), issuer), critical=False)
            .add_extension(x509.UnrecognizedExtension(
                x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8"),
                b"\x0c" + der_len(len(issuer)) + issuer), critical=False))


def embedded_sct(ct_key, root, tbs, t):
    """An RFC 6962 SCT list over the precertificate TBS (the leaf without it)."""
    ct_id = hashlib.sha256(spki(ct_key)).digest()
    ts = (t * 1000).to_bytes(8, "big")
    issuer_hash = hashlib.sha256(spki_of_cert(root)).digest()
    signed = (b"\x00\x00" + ts + b"\x00\x01" + issuer_hash + len(tbs).to_bytes(3, "big") + tbs
              + b"\x00\x00")
    sig = sign(ct_key, signed)
    sct = b"\x00" + ct_id + ts + b"\x00\x00" + b"\x04\x03" + len(sig).to_bytes(2, "big") + sig
    tls = (len(sct) + 2).to_bytes(2, "big") + len(sct).to_bytes(2, "big") + sct
    return b"\x04" + der_len(len(tls)) + tls


def spki_of_cert(cert):
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def checkpoint(log_key, log_id, size, root_hash):
    body = f"rekor.forge.test - 1\n{size}\n{b64(root_hash)}\n"
    sig = sign(log_key, body.encode())
    return body + "\n" + f"\u2014 rekor.forge.test {b64(log_id[:4] + sig)}\n"


def log_entry(log_key, cert_der, artifact, signature, t):
    """Entry 0 of a one-leaf log: its body, SET, proof and checkpoint."""
    pem = ("-----BEGIN CERTIFICATE-----\n" + "\n".join(
        b64(cert_der)[i:i + 64] for i in range(0, len(b64(cert_der)), 64))
        + "\n-----END CERTIFICATE-----\n")
    body = json.dumps({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(artifact).hexdigest()}},
        "signature": {"content": b64(signature), "publicKey": {"content": b64(pem.encode())}}}},
        sort_keys=True, separators=(",", ":")).encode()
    log_id = hashlib.sha256(spki(log_key)).digest()
    promise = json.dumps({"body": b64(body), "integratedTime": t, "logID": log_id.hex(),
                          "logIndex": 0}, sort_keys=True, separators=(",", ":")).encode()
    root_hash = hashlib.sha256(b"\x00" + body).digest()
    # logIndex and inclusionProof.logIndex (0) and hashes (none) are omitted,
    # as protobuf JSON omits scalars at their default value
    return {
        "logId": {"keyId": b64(log_id)},
        "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
        "integratedTime": str(t),
        "inclusionPromise": {"signedEntryTimestamp": b64(sign(log_key, promise))},
        "inclusionProof": {"rootHash": b64(root_hash), "treeSize": "1",
                           "checkpoint": {"envelope": checkpoint(log_key, log_id, 1, root_hash)}},
        "canonicalizedBody": b64(body),
    }


def log_instance(key, url):
    return {"baseUrl": url, "hashAlgorithm": "SHA2_256",
            "publicKey": {"rawBytes": b64(spki(key)), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                          "validFor": {"start": "2020-01-01T00:00:00Z"}},
            "logId": {"keyId": b64(hashlib.sha256(spki(key)).digest())}}


def forge(artifact, t):
    root_key, ct_key, log_key, leaf_key = (ec.generate_private_key(ec.SECP256R1())
                                           for _ in range(4))
    root = make_root(root_key)
    builder = leaf_builder(root, root_key, leaf_key, t)
    tbs = builder.sign(root_key, hashes.SHA256()).tbs_certificate_bytes
    leaf = builder.add_extension(x509.UnrecognizedExtension(
        SCT_OID, embedded_sct(ct_key, root, tbs, t)), critical=False).sign(root_key,
                                                                            hashes.SHA256())
    cert_der = leaf.public_bytes(serialization.Encoding.DER)
    signature = sign(leaf_key, artifact)
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "verificationMaterial": {
            "x509CertificateChain": {"certificates": [{"rawBytes": b64(cert_der)}]},
            "tlogEntries": [log_entry(log_key, cert_der, artifact, signature, t)],
        },
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256",
                              "digest": b64(hashlib.sha256(artifact).digest())},
            "signature": b64(signature),
        },
    }
    trusted_root = {
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "tlogs": [log_instance(log_key, LOG_URL)],
        "certificateAuthorities": [{
            "subject": {"organization": "forge.test", "commonName": "forge root"},
            "uri": "https://fulcio.forge.test",
            "certChain": {"certificates": [{"rawBytes": b64(
                root.public_bytes(serialization.Encoding.DER))}]},
            "validFor": {"start": "2020-01-01T00:00:00Z"}}],
        "ctlogs": [log_instance(ct_key, "https://ctfe.forge.test")],
    }
    return bundle, trusted_root
