# SPDX-License-Identifier: Apache-2.0
"""hwb check on crafted wheels whose shape once made it quadratic: tens of
thousands of top-level packages, License-File lines or WHEEL fields, and a
member made of one credential prefix repeated. Each must give its findings
well within the timeout (a regression guard against denial of service, not a
speed claim: the figures are in `make bench`)."""
import base64
import hashlib
import zipfile

import pytest

# Generous for the AddressSanitizer build; the quadratic versions took
# minutes on these inputs.
TIMEOUT = 60

WHEEL = b"Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def row(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{name},sha256={digest.decode()},{len(data)}"


def wheel(path, files, metadata=b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\n",
          wheel_file=WHEEL):
    di = "big-1.0.dist-info/"
    rows = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [*files, (di + "METADATA", metadata), (di + "WHEEL", wheel_file)]:
            z.writestr(name, data)
            rows.append(row(name, data))
        rows.append(di + "RECORD,,")
        z.writestr(di + "RECORD", "\n".join(rows) + "\n")
    return path


def codes(result):
    return sorted({line.split()[1] for line in result.stdout.splitlines()
                   if line.split()[1:2] and line.split()[1].startswith("HWB-")})


def test_many_top_level_packages(run_hwb, tmp_path):
    files = [(f"t{i}/__init__.py", b"") for i in range(60000)]
    r = run_hwb("check", wheel(tmp_path / "big-1.0-py3-none-any.whl", files),
                timeout=TIMEOUT)
    assert "HWB-W085" in codes(r), r.stdout[-500:]


def test_many_license_files(run_hwb, tmp_path):
    n = 40000
    meta = (b"Metadata-Version: 2.4\nName: big\nVersion: 1.0\n"
            + b"".join(b"License-File: L%d\n" % i for i in range(n))
            + b"License-File: missing\n")
    files = [("big/__init__.py", b"")] + [
        (f"big-1.0.dist-info/licenses/L{i}", b"l%d" % i) for i in range(n)]
    r = run_hwb("check", wheel(tmp_path / "big-1.0-py3-none-any.whl", files, meta),
                timeout=TIMEOUT)
    assert codes(r) == ["HWB-W068"], r.stdout[-500:]


def test_many_wheel_fields(run_hwb, tmp_path):
    fields = WHEEL + b"".join(b"X-%d: y\n" % i for i in range(50000)) + b"Generator: u\n"
    r = run_hwb("check", wheel(tmp_path / "big-1.0-py3-none-any.whl",
                               [("big/__init__.py", b"")], wheel_file=fields),
                timeout=TIMEOUT)
    assert codes(r) == ["HWB-W050"], r.stdout[-500:]


@pytest.mark.parametrize("unit", [b"pypi-", b"eyJ-", b"ghp_", b"-----BEGIN ",
                                  b"-----BEGIN RSA PRIVATE KEY-----\n"])
def test_repeated_credential_prefix(run_hwb, tmp_path, unit):
    data = b"X = '" + unit * ((1 << 20) // len(unit)) + b"'\n"
    r = run_hwb("check", wheel(tmp_path / "big-1.0-py3-none-any.whl",
                               [("big/__init__.py", data)]),
                timeout=TIMEOUT)
    # A PEM header repeated without a key body is no key; nothing else
    # here is a credential either.
    assert "HWB-W087" not in codes(r), r.stdout[-500:]
    assert r.returncode == 0, r.stdout[-500:]
