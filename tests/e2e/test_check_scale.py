# SPDX-License-Identifier: Apache-2.0
"""hwb check on crafted wheels whose shape once made it quadratic: tens of
thousands of top-level packages, License-File lines or WHEEL fields, and a
member made of one credential prefix repeated. Each must give its findings
well within the timeout (a regression guard against denial of service, not a
speed claim: the figures are in `make bench`)."""
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from wheelgen_meta import base, metadata, wheel_file, write_wheel  # noqa: E402

# Generous for the AddressSanitizer build; the quadratic versions took
# minutes on these inputs.
TIMEOUT = 60


def wheel(tmp_path, files):
    path = tmp_path / "sample-1.0-py3-none-any.whl"
    path.write_bytes(write_wheel(files))
    return path


def codes(result):
    return sorted({line.split()[1] for line in result.stdout.splitlines()
                   if line.split()[1:2] and line.split()[1].startswith("HWB-")})


def test_many_top_level_packages(run_hwb, tmp_path):
    files = base()
    files.update({f"t{i}/__init__.py": b"" for i in range(60000)})
    r = run_hwb("check", wheel(tmp_path, files), timeout=TIMEOUT)
    assert "HWB-W085" in codes(r), r.stdout[-500:]


def test_many_license_files(run_hwb, tmp_path):
    n = 40000
    fields = [f"License-File: L{i}" for i in range(n)] + ["License-File: missing"]
    files = base(meta=metadata(fields, version="2.4"))
    files.update({f"sample-1.0.dist-info/licenses/L{i}": b"l%d" % i
                  for i in range(n)})
    r = run_hwb("check", wheel(tmp_path, files), timeout=TIMEOUT)
    assert codes(r) == ["HWB-W068"], r.stdout[-500:]


def test_many_wheel_fields(run_hwb, tmp_path):
    extra = [f"X-{i}: y" for i in range(50000)] + ["Generator: u"]
    files = base(wheel=wheel_file(extra=extra))
    r = run_hwb("check", wheel(tmp_path, files), timeout=TIMEOUT)
    assert codes(r) == ["HWB-W050"], r.stdout[-500:]


@pytest.mark.parametrize("unit", [b"pypi-", b"eyJ-", b"ghp_", b"-----BEGIN ",
                                  b"-----BEGIN RSA PRIVATE KEY-----\n"])
def test_repeated_credential_prefix(run_hwb, tmp_path, unit):
    files = base()
    files["sample/core.py"] = b"X = '" + unit * ((1 << 20) // len(unit)) + b"'\n"
    r = run_hwb("check", wheel(tmp_path, files), timeout=TIMEOUT)
    # A PEM header repeated without a key body is no key; nothing else
    # here is a credential either.
    assert "HWB-W087" not in codes(r), r.stdout[-500:]
    assert r.returncode == 0, r.stdout[-500:]
