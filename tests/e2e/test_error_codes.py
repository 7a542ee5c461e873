# SPDX-License-Identifier: Apache-2.0
"""Every error code used in the source is documented in docs/errors.md, once."""
import re

from conftest import ROOT

CODE = re.compile(r'"(HWB-[A-Z][0-9]{3})"')
ROW = re.compile(r"^\|\s*(HWB-[A-Z][0-9]{3})\s*\|", re.M)


def source_codes():
    codes = {}
    for base in ("pkg", "cmd"):
        for path in (ROOT / base).rglob("*.[ch]"):
            for m in CODE.finditer(path.read_text(errors="replace")):
                codes.setdefault(m.group(1), path.relative_to(ROOT))
    return codes


def test_every_code_is_documented():
    documented = set(ROW.findall((ROOT / "docs" / "errors.md").read_text()))
    missing = {c: str(p) for c, p in source_codes().items() if c not in documented}
    assert not missing, f"codes missing from docs/errors.md: {missing}"


def test_no_code_documented_twice():
    rows = ROW.findall((ROOT / "docs" / "errors.md").read_text())
    dupes = {c for c in rows if rows.count(c) > 1}
    assert not dupes


def test_codes_are_found():
    # Guards the scan itself: the CLI's codes must be seen.
    assert "HWB-U001" in source_codes()
