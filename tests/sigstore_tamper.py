# SPDX-License-Identifier: Apache-2.0
"""Tamper generator for hwb verify: from valid Sigstore bundles (and their
trusted roots) it derives broken copies, one change each: a bit flipped in a
signature, a proof hash, the checkpoint, the SET, the SCT, a certificate or a
timestamp; identities swapped; authority validity windows moved so that the
signing time falls outside them. Each case names the HWB-V code that must
refuse it (the step of the verification order that sees the change first).

Library: cases(root) yields Case objects; case.write(dir) writes
bundle.sigstore.json and trusted_root.json. Command line:
    sigstore_tamper.py REPO_ROOT OUTDIR   writes one directory per case.
"""
import base64
import copy
import hashlib
import json
import pathlib
import sys

GH_ISS = "https://token.actions.githubusercontent.com"
CONF_ID = ("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
           ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main")
GH_ID = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"


def b64(data):
    return base64.b64encode(data).decode()


def unb64(text):
    return base64.b64decode(text)


def flip(data, index, bit=0):
    """data with one bit flipped; a negative index counts from the end."""
    out = bytearray(data)
    out[index] ^= 1 << bit
    return bytes(out)


def flip_b64(text, index, bit=0):
    return b64(flip(unb64(text), index, bit))


class Source:
    """A valid bundle with what verifies it."""

    def __init__(self, name, bundle, root, artifact, identity, issuer):
        self.name, self.bundle, self.root = name, bundle, root
        self.artifact, self.identity, self.issuer = artifact, identity, issuer


class Case:
    def __init__(self, name, source, want, bundle=None, root=None, identity=None,
                 issuer=None):
        self.name, self.source, self.want = name, source, want
        self.bundle = bundle if bundle is not None else source.bundle
        self.root = root if root is not None else source.root
        self.identity = identity or source.identity
        self.issuer = issuer or source.issuer

    def write(self, outdir):
        d = pathlib.Path(outdir) / self.name
        d.mkdir(parents=True, exist_ok=True)
        (d / "bundle.sigstore.json").write_text(json.dumps(self.bundle, indent=1))
        (d / "trusted_root.json").write_text(json.dumps(self.root, indent=1))
        return d

    def args(self, d):
        return [str(self.source.artifact), "--bundle", str(d / "bundle.sigstore.json"),
                "--trusted-root", str(d / "trusted_root.json"), "--cert-identity",
                self.identity, "--cert-oidc-issuer", self.issuer]


def entry(b):
    return b["verificationMaterial"]["tlogEntries"][0]


def leaf_path(b):
    vm = b["verificationMaterial"]
    if "certificate" in vm:
        return vm["certificate"]
    return vm["x509CertificateChain"]["certificates"][0]


def sct_offset(der):
    """Offset of the first SCT's signature bytes inside the certificate."""
    oid = bytes.fromhex("060a2b06010401d679020402")  # 1.3.6.1.4.1.11129.2.4.2
    at = der.index(oid) + len(oid)
    # OCTET STRING (ext value) > OCTET STRING > u16 list len, u16 sct len, sct
    return at + 16


def tweak(b, fn):
    b = copy.deepcopy(b)
    fn(b)
    return b


def checkpoint_flip_sig(b):
    e = entry(b)["inclusionProof"]["checkpoint"]
    text = e["envelope"]
    body, sigs = text.split("\n\n", 1)
    first, rest = sigs.split("\n", 1)
    dash, name, sig = first.split(" ")
    e["envelope"] = body + "\n\n" + " ".join([dash, name, flip_b64(sig, -2)]) + "\n" + rest


def checkpoint_flip_hint(b):
    e = entry(b)["inclusionProof"]["checkpoint"]
    body, sigs = e["envelope"].split("\n\n", 1)
    first, rest = sigs.split("\n", 1)
    dash, name, sig = first.split(" ")
    e["envelope"] = body + "\n\n" + " ".join([dash, name, flip_b64(sig, 0)]) + "\n" + rest


def checkpoint_change_origin(b):
    e = entry(b)["inclusionProof"]["checkpoint"]
    e["envelope"] = "x" + e["envelope"]


def set_validity(root, kind, field, value, match=None):
    root = copy.deepcopy(root)
    for item in root[kind]:
        where = item["publicKey"] if "publicKey" in item else item
        if match is None or match(item):
            where.setdefault("validFor", {})[field] = value
    return root


def message_cases(src):
    """Cases on a hashedrekord bundle with an inclusion promise (Rekor v1)."""
    b, root = src.bundle, src.root
    cert = unb64(leaf_path(b)["rawBytes"])
    yield Case("signature-bit", src, "HWB-V018", tweak(b, lambda x: x["messageSignature"].update(
        signature=flip_b64(x["messageSignature"]["signature"], -3))))
    yield Case("message-digest-bit", src, "HWB-V019", tweak(b, lambda x: x["messageSignature"][
        "messageDigest"].update(digest=flip_b64(x["messageSignature"]["messageDigest"]["digest"], 5))))
    yield Case("proof-hash-bit", src, "HWB-V014", tweak(b, lambda x: entry(x)["inclusionProof"][
        "hashes"].__setitem__(1, flip_b64(entry(x)["inclusionProof"]["hashes"][1], 7))))
    yield Case("proof-root-bit", src, "HWB-V014", tweak(b, lambda x: entry(x)["inclusionProof"]
                                                        .update(rootHash=flip_b64(entry(x)["inclusionProof"]["rootHash"], 0))))
    yield Case("proof-hash-dropped", src, "HWB-V014", tweak(b, lambda x: entry(x)["inclusionProof"]["hashes"].pop()))
    yield Case("body-bit", src, "HWB-V014", tweak(b, lambda x: entry(x).update(
        canonicalizedBody=flip_b64(entry(x)["canonicalizedBody"], 30))))
    yield Case("checkpoint-signature-bit", src, "HWB-V015", tweak(b, checkpoint_flip_sig))
    yield Case("checkpoint-key-hint-bit", src, "HWB-V015", tweak(b, checkpoint_flip_hint))
    yield Case("checkpoint-origin", src, "HWB-V015", tweak(b, checkpoint_change_origin))
    yield Case("set-bit", src, "HWB-V016", tweak(b, lambda x: entry(x)["inclusionPromise"].update(
        signedEntryTimestamp=flip_b64(entry(x)["inclusionPromise"]["signedEntryTimestamp"], -4))))
    yield Case("integrated-time-moved", src, "HWB-V016", tweak(b, lambda x: entry(x).update(
        integratedTime=str(int(entry(x)["integratedTime"]) + 1))))
    yield Case("log-index-moved", src, "HWB-V016", tweak(b, lambda x: entry(x).update(
        logIndex=str(int(entry(x)["logIndex"]) + 1))))
    yield Case("log-id-bit", src, "HWB-V024", tweak(b, lambda x: entry(x)["logId"].update(
        keyId=flip_b64(entry(x)["logId"]["keyId"], 3))))
    yield Case("kind-version-changed", src, "HWB-V020", tweak(b, lambda x: entry(x)["kindVersion"]
                                                            .update(version="0.0.2")))
    yield Case("certificate-signature-bit", src, "HWB-V011", tweak(b, lambda x: leaf_path(x).update(
        rawBytes=b64(flip(cert, -5)))))
    # The CA signs the SCT inside the certificate, so a flipped SCT breaks
    # the chain (step 1) before the SCT step sees it.
    yield Case("sct-bit", src, "HWB-V011", tweak(b, lambda x: leaf_path(x).update(
        rawBytes=b64(flip(cert, sct_offset(cert) + 20)))))
    # The SCT step itself: the CT log keys of the trust root.
    no_ct = copy.deepcopy(root)
    no_ct["ctlogs"] = []
    yield Case("sct-log-unknown", src, "HWB-V012", root=no_ct)
    other_key = copy.deepcopy(root)
    for log in other_key["ctlogs"]:
        log["publicKey"]["rawBytes"] = root["tlogs"][0]["publicKey"]["rawBytes"]
    yield Case("sct-log-key-wrong", src, "HWB-V012", root=other_key)
    yield Case("identity-swapped", src, "HWB-V021", identity=src.identity + "x")
    yield Case("issuer-swapped", src, "HWB-V022", issuer="https://accounts.google.com")
    # Times out of validity: the windows of the trust root's authorities.
    t = int(entry(b)["integratedTime"])
    before = "2021-01-01T00:00:00Z"
    yield Case("ca-expired-before-signing", src, "HWB-V011",
               root=set_validity(root, "certificateAuthorities", "end", before))
    yield Case("tlog-key-expired-before-entry", src, "HWB-V024",
               root=set_validity(root, "tlogs", "end", iso(t - 1)))
    yield Case("tlog-key-valid-from-after-entry", src, "HWB-V024",
               root=set_validity(root, "tlogs", "start", iso(t + 1)))
    yield Case("no-fulcio-ca", src, "HWB-V011", root=dict(root, certificateAuthorities=[]))
    yield Case("media-type", src, "HWB-V003", tweak(b, lambda x: x.update(
        mediaType="application/vnd.dev.sigstore.bundle+json;version=0.9")))
    yield Case("no-promise-no-timestamp", src, "HWB-V004", tweak(b, lambda x: entry(x).pop(
        "inclusionPromise")))


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rekor2_cases(src):
    """Cases on a Rekor v2 bundle: Ed25519 checkpoint, RFC 3161 timestamp."""
    b, root = src.bundle, src.root
    ts = lambda x: x["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
    yield Case("v2-signature-bit", src, "HWB-V010", tweak(b, lambda x: x["messageSignature"].update(
        signature=flip_b64(x["messageSignature"]["signature"], -3))))
    yield Case("v2-timestamp-bit", src, "HWB-V010", tweak(b, lambda x: ts(x).update(
        signedTimestamp=flip_b64(ts(x)["signedTimestamp"], -10))))
    yield Case("v2-checkpoint-signature-bit", src, "HWB-V015", tweak(b, checkpoint_flip_sig))
    yield Case("v2-checkpoint-origin", src, "HWB-V015", tweak(b, checkpoint_change_origin))
    yield Case("v2-proof-hash-bit", src, "HWB-V014", tweak(b, lambda x: entry(x)["inclusionProof"][
        "hashes"].__setitem__(0, flip_b64(entry(x)["inclusionProof"]["hashes"][0], 1))))
    yield Case("v2-body-bit", src, "HWB-V014", tweak(b, lambda x: entry(x).update(
        canonicalizedBody=flip_b64(entry(x)["canonicalizedBody"], 40))))
    yield Case("v2-tsa-expired-before-timestamp", src, "HWB-V010",
               root=set_validity(root, "timestampAuthorities", "end", "2025-01-01T00:00:00Z"))
    yield Case("v2-no-tsa", src, "HWB-V010", root=dict(root, timestampAuthorities=[]))


def dsse_cases(src):
    b = src.bundle
    env = lambda x: x["dsseEnvelope"]
    yield Case("dsse-signature-bit", src, "HWB-V018", tweak(b, lambda x: env(x)["signatures"][0].update(
        sig=flip_b64(env(x)["signatures"][0]["sig"], -3))))
    yield Case("dsse-payload-bit", src, "HWB-V018", tweak(b, lambda x: env(x).update(
        payload=flip_b64(env(x)["payload"], 10))))
    yield Case("dsse-payload-type", src, "HWB-V018", tweak(b, lambda x: env(x).update(
        payloadType="application/json")))
    yield Case("dsse-two-signatures", src, "HWB-V004", tweak(b, lambda x: env(x)["signatures"].append(
        env(x)["signatures"][0])))


def cases(repo):
    repo = pathlib.Path(repo)
    data = repo / "testdata" / "sigstore"
    prod = json.loads((repo / "pkg/sign/trust/production/trusted_root.json").read_text())
    load = lambda p: json.loads(p.read_text())
    conf = data / "conformance" / "bundle-verify"
    wheel = Source("wheel", load(data / "real" / "bundle_v3_github.whl.sigstore"), prod,
                   data / "real" / "bundle_v3_github.whl", GH_ID, GH_ISS)
    v03 = Source("v03", load(conf / "happy-path-v0.3" / "bundle.sigstore.json"), prod,
                 conf / "a.txt", CONF_ID, GH_ISS)
    rekor2 = Source("rekor2", load(conf / "rekor2-happy-path" / "bundle.sigstore.json"),
                    load(conf / "rekor2-happy-path" / "trusted_root.json"), conf / "a.txt",
                    CONF_ID, GH_ISS)
    dsse = Source("dsse", load(conf / "happy-path-intoto-in-dsse-v3" / "bundle.sigstore.json"),
                  prod, conf / "a.txt", CONF_ID, GH_ISS)
    for c in message_cases(wheel):
        yield c
    for c in message_cases(v03):
        c.name = "v03-" + c.name
        yield c
    yield from rekor2_cases(rekor2)
    yield from dsse_cases(dsse)
    yield Case("dsse-proof-hash-bit", dsse, "HWB-V014", tweak(dsse.bundle, lambda x: entry(x)[
        "inclusionProof"]["hashes"].__setitem__(2, flip_b64(entry(x)["inclusionProof"]["hashes"][2], 3))))
    yield Case("dsse-set-bit", dsse, "HWB-V016", tweak(dsse.bundle, lambda x: entry(x)[
        "inclusionPromise"].update(signedEntryTimestamp=flip_b64(
            entry(x)["inclusionPromise"]["signedEntryTimestamp"], -4))))


def main(argv):
    if len(argv) != 3:
        print("usage: sigstore_tamper.py REPO_ROOT OUTDIR", file=sys.stderr)
        return 2
    n = 0
    for c in cases(argv[1]):
        d = c.write(argv[2])
        (d / "expect").write_text(c.want + "\n")
        n += 1
    print(f"{n} tampered bundles in {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
