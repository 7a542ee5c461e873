# SPDX-License-Identifier: Apache-2.0
"""hwb verify on bundles whose protobuf JSON omits scalars at their zero
value (as sigstore-js writes them): a valid bundle logged as entry 0 of a
private instance (tests/sigstore_forge.py) without any logIndex verifies;
an absent message (checkpoint, certificate) or a zero value that breaks a
check (tree size 0, no integrated time, no root hash) is refused by the
step it breaks."""
import copy
import json
import sys
import time

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests"))
import sigstore_forge  # noqa: E402

ARTIFACT = b"log index zero\n"


@pytest.fixture(scope="module")
def forged():
    return sigstore_forge.forge(ARTIFACT, int(time.time()) - 3600)


def verify(run_hwb, tmp_path, bundle, root, *extra):
    (tmp_path / "a.txt").write_bytes(ARTIFACT)
    (tmp_path / "a.txt.sigstore.json").write_text(json.dumps(bundle))
    (tmp_path / "root.json").write_text(json.dumps(root))
    return run_hwb("verify", tmp_path / "a.txt", "--trusted-root", tmp_path / "root.json",
                   "--cert-identity", sigstore_forge.IDENTITY,
                   "--cert-oidc-issuer", sigstore_forge.ISSUER, *extra)


def entry(bundle):
    return bundle["verificationMaterial"]["tlogEntries"][0]


def test_entry_zero_without_log_index_verifies(run_hwb, tmp_path, forged):
    bundle, root = forged
    e = entry(bundle)
    assert "logIndex" not in e and "logIndex" not in e["inclusionProof"]
    assert "hashes" not in e["inclusionProof"]
    r = verify(run_hwb, tmp_path, bundle, root, "--format", "json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["results"][0]["log_index"] == 0


def test_explicit_zero_and_null_verify_alike(run_hwb, tmp_path, forged):
    bundle = copy.deepcopy(forged[0])
    entry(bundle)["logIndex"] = "0"
    entry(bundle)["inclusionProof"]["logIndex"] = None
    entry(bundle)["inclusionProof"]["hashes"] = []
    r = verify(run_hwb, tmp_path, bundle, forged[1])
    assert r.returncode == 0, r


def test_the_set_still_binds_the_index(run_hwb, tmp_path, forged):
    """index 0 read from absence is what the SET signed; another is refused."""
    bundle = copy.deepcopy(forged[0])
    entry(bundle)["logIndex"] = "1"
    r = verify(run_hwb, tmp_path, bundle, forged[1])
    assert r.returncode == 1 and "HWB-V016:" in r.stderr, r


@pytest.mark.parametrize("change, code, words", [
    # absent messages stay errors
    (lambda e, vm: e["inclusionProof"].pop("checkpoint"), "HWB-V004", "checkpoint"),
    (lambda e, vm: e.pop("inclusionProof"), "HWB-V004", "inclusion proof"),
    (lambda e, vm: vm.pop("x509CertificateChain"), "HWB-V004", "no certificate"),
    (lambda e, vm: e.pop("logId"), "HWB-V004", "logId"),
    # absent bytes are empty and fail their checks
    (lambda e, vm: e["inclusionProof"].pop("rootHash"), "HWB-V004", "rootHash"),
    (lambda e, vm: vm["x509CertificateChain"]["certificates"][0].pop("rawBytes"), "HWB-V004",
     "certificate"),
    (lambda e, vm: e.pop("canonicalizedBody"), "HWB-V004", "canonicalizedBody"),
    # tree size 0 holds no entry: the proof fails
    (lambda e, vm: e["inclusionProof"].pop("treeSize"), "HWB-V014", "tree size"),
    # no integrated time: the promise gives no time, and there is no other
    (lambda e, vm: e.pop("integratedTime"), "HWB-V010", "no trusted signing time"),
    # an empty SET is no promise: no trusted time either
    (lambda e, vm: e["inclusionPromise"].pop("signedEntryTimestamp"), "HWB-V004",
     "neither an inclusion promise nor a timestamp"),
], ids=["no-checkpoint", "no-proof", "no-certificate", "no-log-id", "no-root-hash",
        "no-certificate-bytes", "no-body", "no-tree-size", "no-integrated-time", "no-set"])
def test_absent_fields_refused_by_their_step(run_hwb, tmp_path, forged, change, code, words):
    bundle = copy.deepcopy(forged[0])
    change(entry(bundle), bundle["verificationMaterial"])
    r = verify(run_hwb, tmp_path, bundle, forged[1])
    assert r.returncode == 1, r
    assert f"{code}:" in r.stderr and words in r.stderr, r
