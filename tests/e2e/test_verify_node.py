# SPDX-License-Identifier: Apache-2.0
"""Cross-check with sigstore-js: the same bundles through @sigstore/verify
(tests/node/verify.js) and hwb verify, with the same trusted root and
identity, must give the same outcome."""
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import ROOT

DATA = ROOT / "testdata" / "sigstore"
NODE_MODULES = ROOT / "tests" / "node" / "node_modules" / "@sigstore" / "verify"
PROD = ROOT / "pkg" / "sign" / "trust" / "production" / "trusted_root.json"
STAGING = ROOT / "pkg" / "sign" / "trust" / "staging" / "trusted_root.json"
GH_ISS = "https://token.actions.githubusercontent.com"
GH_ID = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
CONF = DATA / "conformance" / "bundle-verify"
CONF_ID = ("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
           ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main")

CASES = [
    # name, trusted root, identity, issuer, artifact, bundle, verifies
    ("github-wheel", PROD, GH_ID, GH_ISS, DATA / "real/bundle_v3_github.whl",
     DATA / "real/bundle_v3_github.whl.sigstore", True),
    ("github-wheel-other-identity", PROD, GH_ID.replace("v0.1.2", "v0.1.3"), GH_ISS,
     DATA / "real/bundle_v3_github.whl", DATA / "real/bundle_v3_github.whl.sigstore", False),
    ("staging-email", STAGING, "william@yossarian.net", "https://github.com/login/oauth",
     DATA / "real/bundle_v3.txt", DATA / "real/bundle_v3.txt.sigstore", True),
    ("cve-2022-36056", STAGING, "william@yossarian.net", "https://github.com/login/oauth",
     DATA / "real/bundle_cve_2022_36056.txt", DATA / "real/bundle_cve_2022_36056.txt.sigstore",
     False),
    ("wrong-file", PROD, GH_ID, GH_ISS, DATA / "real/bundle_v3.txt",
     DATA / "real/bundle_v3_github.whl.sigstore", False),
]
for case in ("happy-path-v0.2", "happy-path-v0.3", "happy-path-intoto-in-dsse-v3",
             "rekor2-happy-path", "rekor2-dsse-happy-path", "checkpoint-wrong-roothash_fail",
             "inclusion-proof-corrupted-hash_fail", "wrong-hashedrekord-cert-and-sig_fail"):
    root = CONF / case / "trusted_root.json"
    CASES.append((case, root if root.exists() else PROD, CONF_ID, GH_ISS, CONF / "a.txt",
                  CONF / case / "bundle.sigstore.json", not case.endswith("_fail")))


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_same_outcome_as_sigstore_js(run_hwb, case):
    if not shutil.which("node") or not NODE_MODULES.exists():
        pytest.skip("needs node and tests/node/node_modules (make deps)")
    name, root, ident, iss, artifact, bundle, verifies = case
    node = subprocess.run(["node", str(ROOT / "tests/node/verify.js"), str(root), ident, iss,
                           str(artifact), str(bundle)], capture_output=True, text=True,
                          timeout=60)
    hwb = run_hwb("verify", artifact, "--bundle", bundle, "--trusted-root", root,
                  "--cert-identity", ident, "--cert-oidc-issuer", iss)
    assert (node.returncode == 0) == verifies, node.stderr
    assert (hwb.returncode == 0) == verifies, hwb
