# SPDX-License-Identifier: Apache-2.0
"""Tampered copies of valid bundles (tests/sigstore_tamper.py): each must be
refused with the code of the verification step that sees the change first."""
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests"))
import sigstore_tamper  # noqa: E402

CASES = list(sigstore_tamper.cases(ROOT))


def test_generator_covers_every_kind_of_change():
    names = {c.name for c in CASES}
    for kind in ("signature-bit", "proof-hash-bit", "checkpoint-signature-bit", "set-bit",
                 "sct-bit", "certificate-signature-bit", "identity-swapped",
                 "ca-expired-before-signing", "v2-timestamp-bit", "dsse-signature-bit"):
        assert kind in names
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tampered_bundle_refused(run_hwb, tmp_path, case):
    d = case.write(tmp_path)
    r = run_hwb("verify", *case.args(d))
    assert r.returncode == 1, r
    assert f"{case.want}:" in r.stderr, r


def test_untampered_sources_verify(run_hwb, tmp_path):
    seen = set()
    for case in CASES:
        if case.source.name in seen:
            continue
        seen.add(case.source.name)
        clean = sigstore_tamper.Case("clean-" + case.source.name, case.source, None)
        d = clean.write(tmp_path)
        r = run_hwb("verify", *clean.args(d))
        assert r.returncode == 0, r
    assert len(seen) == 4
