# SPDX-License-Identifier: Apache-2.0
"""Runs tests/tools/toml-decoder.c (the toml-test decoder interface) over the
TOML corpus in testdata/toml: every valid/*.toml must decode to the tagged
JSON in the matching .json (compared by type and meaning, as toml-test
does), every invalid/*.toml must exit 1 with the HWB code listed in
testdata/toml/invalid-codes.json."""
import datetime
import decimal
import json
import math
import re
import subprocess

import pytest

from conftest import ROOT, TOOLS

DECODER = TOOLS / "toml-decoder"
DATA = ROOT / "testdata" / "toml"
VALID = sorted((DATA / "valid").glob("*.toml"))
INVALID = sorted((DATA / "invalid").glob("*.toml"))
CODES = json.loads((DATA / "invalid-codes.json").read_text())

DT = re.compile(
    r"^(?:(\d{4})-(\d{2})-(\d{2}))?[Tt ]?"
    r"(?:(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})?$"
)


def decode(path):
    return subprocess.run(
        [str(DECODER)], input=path.read_bytes(), capture_output=True, timeout=30
    )


def datetime_meaning(kind, text):
    """A comparable form: offset date-times as UTC instants (with the
    fraction as a Decimal), local values as their fields."""
    m = DT.match(text)
    assert m, f"not an RFC 3339 {kind}: {text!r}"
    y, mo, d, h, mi, s, frac, off = m.groups()
    fraction = decimal.Decimal("0." + (frac or "0"))
    if kind == "date-local":
        return (y, mo, d)
    if kind == "time-local":
        return (h, mi, s, fraction)
    if kind == "datetime-local":
        return (y, mo, d, h, mi, s, fraction)
    minutes = 0
    if off not in ("Z", "z"):
        minutes = (int(off[1:3]) * 60 + int(off[4:6])) * (-1 if off[0] == "-" else 1)
    # Leap second 60 and year 0 are outside Python's datetime: count
    # seconds from the date's ordinal by hand.
    days = (datetime.date(2000, int(mo), int(d)).toordinal()
            - datetime.date(2000, 1, 1).toordinal()) + int(y) * 366
    seconds = ((days * 24 + int(h)) * 60 + int(mi) - minutes) * 60 + int(s)
    return (seconds, fraction)


def meaning(value):
    """Reduce tagged JSON to what toml-test compares."""
    if isinstance(value, list):
        return [meaning(v) for v in value]
    if set(value) == {"type", "value"} and isinstance(value["value"], str):
        kind, text = value["type"], value["value"]
        if kind == "integer":
            return (kind, int(text))
        if kind == "float":
            f = float(text)
            return (kind, "nan" if math.isnan(f) else f)
        if kind in ("datetime", "datetime-local", "date-local", "time-local"):
            return (kind, datetime_meaning(kind, text))
        return (kind, text)
    return {k: meaning(v) for k, v in value.items()}


def test_corpus_is_broad():
    assert len(VALID) + len(INVALID) >= 150
    assert len(VALID) >= 100 and len(INVALID) >= 150
    assert {p.stem for p in INVALID} == set(CODES)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid(path):
    proc = decode(path)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    got = json.loads(proc.stdout)
    want = json.loads(path.with_suffix(".json").read_text())
    assert meaning(got) == meaning(want)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid(path):
    proc = decode(path)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == b""
    err = proc.stderr.decode(errors="replace")
    # One line: "<stdin>:LINE:COL: HWB-T0xx: message (fix: ...)".
    assert re.match(r"^<stdin>:\d+:\d+: HWB-T\d{3}: .+\n$", err), err
    assert CODES[path.stem] in err


def test_interface_examples():
    """The examples of the toml-test README, byte for byte in meaning."""
    cases = {
        b"a = 42": {"a": {"type": "integer", "value": "42"}},
        b"[tbl]\na = 42": {"tbl": {"a": {"type": "integer", "value": "42"}}},
        b'a = ["a", 2]': {"a": [{"type": "string", "value": "a"},
                                {"type": "integer", "value": "2"}]},
        b"": {},
        b"a = []\nb = {}": {"a": [], "b": {}},
    }
    for text, want in cases.items():
        proc = subprocess.run([str(DECODER)], input=text, capture_output=True, timeout=30)
        assert proc.returncode == 0
        assert json.loads(proc.stdout) == want
