# SPDX-License-Identifier: Apache-2.0
"""hwb check: zip framing and RECORD. Every crafted wheel in
testdata/wheels/bad/ (written by tests/wheelgen.py) must give exactly the
codes EXPECTED.json lists; real wheels must pass; the command line behaves
as documented (exit statuses, text and JSON output, --select/--ignore)."""
import base64
import hashlib
import json
import pathlib
import random
import subprocess
import sys
import zlib

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests"))
import wheelgen  # noqa: E402

BAD = ROOT / "testdata" / "wheels" / "bad"
GOOD = sorted((ROOT / "testdata" / "wheels" / "good").glob("*.whl")) + sorted(
    pathlib.Path("/usr/share/python-wheels").glob("*.whl"))
EXPECTED = json.loads((BAD / "EXPECTED.json").read_text())
# Codes owned by the zip reader and RECORD; the content checks add others.
OWN = {f"HWB-W{n:03d}" for n in range(1, 40)}


def expected(name):
    v = EXPECTED[name]
    return (v["codes"], v["args"]) if isinstance(v, dict) else (v, [])


def check_json(run_hwb, *args):
    r = run_hwb("check", "--format", "json", *args)
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.check/1"
    return r, doc


def test_committed_bad_wheels_are_what_the_generator_writes():
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "wheelgen.py"), "check",
                        str(BAD)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_enough_crafted_wheels():
    assert len(EXPECTED) >= 35
    covered = {c for name in EXPECTED for c in expected(name)[0]}
    # Every container and RECORD rule that a wheel can show has a case.
    assert OWN - covered == {"HWB-W029", "HWB-W030"}
    # Each case, named wNNN_..., shows its own rule HWB-WNNN; other codes
    # in its list are consequences the content checks add.
    for name in EXPECTED:
        assert "HWB-" + name[:4].upper() in expected(name)[0], name


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_wheel(run_hwb, name):
    codes, args = expected(name)
    r, doc = check_json(run_hwb, *args, BAD / name)
    found = doc["files"][0]["findings"]
    assert sorted({f["code"] for f in found}) == sorted(codes), found
    errors = [f for f in found if f["severity"] == "error"]
    assert r.returncode == (1 if errors else 0)
    assert doc["passed"] is (not errors)
    for f in found:
        assert f["message"] and "\n" not in f["message"]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_wheel_passes(run_hwb, path):
    r, doc = check_json(run_hwb, path)
    errors = [f for f in doc["files"][0]["findings"] if f["severity"] == "error"]
    assert not errors
    assert r.returncode == 0
    assert doc["files"][0]["members"] > 0
    assert doc["files"][0]["bytes_checked"] > 0


def test_text_output_one_line_per_finding(run_hwb):
    path = BAD / "w006_cve_2025_54368_local_name-1.0-py3-none-any.whl"
    r = run_hwb("check", path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines == [l for l in lines if l.startswith(f"{path}: HWB-W")]
    assert any(l.startswith(f"{path}: HWB-W006 error w006_cve_2025_54368_local_name/core.py: ")
               for l in lines)
    assert "failed" in r.stderr


def test_control_characters_never_reach_the_terminal(run_hwb):
    r = run_hwb("check", BAD / "w012_control_character-1.0-py3-none-any.whl")
    assert r.returncode == 1
    assert "\x1b" not in r.stdout and "\x1b" not in r.stderr
    assert "core?[2J.py" in r.stdout


def test_ignore_cannot_hide_framing_errors(run_hwb):
    path = BAD / "w004_trailing_data-1.0-py3-none-any.whl"
    r, doc = check_json(run_hwb, "--ignore", "W004", "--select", "W03", path)
    assert r.returncode == 1
    assert [f["code"] for f in doc["files"][0]["findings"]] == ["HWB-W004"]
    assert doc["files"][0]["findings"][0]["firm"] is True


def test_ignore_and_strict_on_warnings(run_hwb):
    path = BAD / "w101_world_writable-1.0-py3-none-any.whl"
    assert run_hwb("check", path).returncode == 0
    assert run_hwb("check", "--strict", path).returncode == 1
    r, doc = check_json(run_hwb, "--strict", "--ignore", "HWB-W101", path)
    assert r.returncode == 0 and doc["files"][0]["findings"] == []
    r, doc = check_json(run_hwb, "--strict", "--select", "W0,W99", "--ignore", "W01", path)
    assert r.returncode == 0


@pytest.mark.parametrize("name,severity", [
    ("w014_case_collision", "error"), ("w014_nfc_nfd_collision", "error"),
    ("w014_full_case_fold", "error"), ("w100_setuid_mode", "error"),
    ("w101_world_writable", "warning"), ("w102_extra_field_65000", "error"),
    ("w102_extra_field_warning", "warning")])
def test_hardening_findings_have_their_severity(run_hwb, name, severity):
    r, doc = check_json(run_hwb, BAD / f"{name}-1.0-py3-none-any.whl")
    assert {f["severity"] for f in doc["files"][0]["findings"]} == {severity}, doc
    assert r.returncode == (1 if severity == "error" else 0)


def test_several_files_worst_status_wins(run_hwb, tmp_path):
    missing = tmp_path / "missing-1.0-py3-none-any.whl"
    r, doc = check_json(run_hwb, GOOD[0], BAD / "w004_trailing_data-1.0-py3-none-any.whl",
                        missing)
    assert r.returncode == 3
    assert [f["passed"] for f in doc["files"]] == [True, False, False]
    assert doc["files"][2]["error"]["code"] == "HWB-W029"
    assert doc["passed"] is False


def test_usage_errors(run_hwb, tmp_path):
    r = run_hwb("check")
    assert r.returncode == 2 and "HWB-U008" in r.stderr
    r = run_hwb("check", "--ignore", "E501", GOOD[0])
    assert r.returncode == 2 and "HWB-U009" in r.stderr
    other = tmp_path / "notes.zip"
    other.write_bytes(b"PK")
    r = run_hwb("check", other)
    assert r.returncode == 2 and "HWB-W030" in r.stderr


def test_unreadable_file_is_status_3(run_hwb, tmp_path):
    r = run_hwb("check", tmp_path / "gone-1.0-py3-none-any.whl")
    assert r.returncode == 3 and "HWB-W029" in r.stderr
    link = tmp_path / "link-1.0-py3-none-any.whl"
    link.symlink_to(GOOD[0])
    r = run_hwb("check", link)
    assert r.returncode == 3 and "HWB-W029" in r.stderr
    d = tmp_path / "dir-1.0-py3-none-any.whl"
    d.mkdir()
    assert run_hwb("check", d).returncode == 3


def test_limits_from_the_command_line(run_hwb):
    path = GOOD[0]
    r, doc = check_json(run_hwb, "--max-member-size", "10", path)
    assert r.returncode == 1
    assert {f["code"] for f in doc["files"][0]["findings"]} >= {"HWB-W018"}
    r, doc = check_json(run_hwb, "--threads", "1", path)
    assert r.returncode == 0


@pytest.mark.parametrize("algo", ["sha384", "sha512"])
def test_record_with_stronger_hashes(run_hwb, tmp_path, algo):
    """RECORD may use any sha256-or-better algorithm hwb knows; the digest
    is computed in the same pass, and a changed file is still caught."""
    def rows(entries, di):
        out = []
        for e in entries:
            d = base64.urlsafe_b64encode(hashlib.new(algo, e.data).digest()).rstrip(b"=")
            out.append(f"{e.name},{algo}={d.decode()},{len(e.data)}")
        return ("\n".join(out + [f"{di}/RECORD,,"]) + "\n").encode()

    for tamper in (False, True):
        entries, di = wheelgen.base_entries("strong")
        rec = rows(entries, di)
        if tamper:
            entries[1].data = entries[1].data.replace(b"42", b"43")
        entries.append(wheelgen.Entry(f"{di}/RECORD", rec))
        path = tmp_path / "strong-1.0-py3-none-any.whl"
        path.write_bytes(wheelgen.make_zip(entries))
        r, doc = check_json(run_hwb, path)
        found = [(f["code"], f["member"]) for f in doc["files"][0]["findings"]]
        assert found == ([("HWB-W039", "strong/core.py")] if tamper else []), found


# The data-heavy tests run the release build: under ASan they would time
# the sanitizer, not hwb; the small cases above cover the same code there.
RELEASE = str(ROOT / "hwb")


def check_release(*args):
    r = subprocess.run([RELEASE, "check", "--format", "json", *map(str, args)],
                       capture_output=True, text=True, timeout=300,
                       env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    return r, json.loads(r.stdout)


def test_streamed_member_checked_like_whole_ones(tmp_path):
    """A member over the 64 MiB whole-member cap is streamed through zlib;
    CRC-32 and size still match, and RECORD's digest catches a changed
    byte."""
    data = random.Random(7).randbytes(65 << 20)
    changed = data[:-1] + bytes([data[-1] ^ 1])
    entries, di = wheelgen.base_entries("big", {"big/__init__.py": b"",
                                                "big/blob.bin": data})
    rec = wheelgen.record_for(entries, di)
    entries[1].data = changed
    entries[1].raw = wheelgen.deflate(changed, 1)
    entries.append(wheelgen.Entry(f"{di}/RECORD", rec))
    path = tmp_path / "big-1.0-py3-none-any.whl"
    path.write_bytes(wheelgen.make_zip(entries))
    r, doc = check_release(path)
    found = doc["files"][0]["findings"]
    assert [(f["code"], f["member"]) for f in found] == [("HWB-W039", "big/blob.bin")]
    assert doc["files"][0]["bytes_checked"] >= len(data)


BIG = (4 << 30) + 4096


@pytest.fixture(scope="module")
def zeros_sums():
    """CRC-32 and RECORD digest of BIG zero bytes, computed once."""
    crc, sha, chunk, left = 0, hashlib.sha256(), bytes(1 << 24), BIG
    while left:
        n = min(left, len(chunk))
        view = memoryview(chunk)[:n]
        crc = zlib.crc32(view, crc)
        sha.update(view)
        left -= n
    return crc, "sha256=" + base64.urlsafe_b64encode(sha.digest()).rstrip(b"=").decode()


def sparse_zip64_wheel(path, big, sums, local_zip64=True):
    """A wheel with a stored member of `big` zero bytes written as a hole,
    so the file passes 4 GiB (ZIP64 sizes, offsets and end records) without
    using the disk."""
    crc, digest = sums
    entries, di = wheelgen.base_entries("huge")
    rec = wheelgen.record_for(entries, di, extra_rows=[f"huge/zeros.bin,{digest},{big}"])
    entries.append(wheelgen.Entry(f"{di}/RECORD", rec))
    with open(path, "wb") as f:
        offsets = []
        for e in entries:
            offsets.append(f.tell())
            f.write(wheelgen.local_header(e, e.payload(), 0) + e.payload())
        zoff = f.tell()
        hdr = wheelgen.Entry("huge/zeros.bin", method=0)
        hdr.central.update(crc=crc, csize=big, usize=big)
        local = dict(crc=crc, csize=big, usize=big) if local_zip64 else dict(
            crc=crc, csize=big & 0xFFFFFFFF, usize=big & 0xFFFFFFFF)
        if local_zip64:
            local.update(csize=0xFFFFFFFF, usize=0xFFFFFFFF,
                         extra=wheelgen.zip64_extra(big, big))
        hdr.local.update(local)
        f.write(wheelgen.local_header(hdr, b"", 0))
        f.seek(big, 1)                                   # the hole
        cd_start = f.tell()
        cd = b"".join(wheelgen.central_header(e, e.payload(), o)
                      for e, o in zip(entries, offsets))
        hdr.zip64 = True
        cd += wheelgen.central_header(hdr, b"", zoff)
        f.write(cd)
        rec_off = f.tell()
        n = len(entries) + 1
        f.write(wheelgen.struct.pack("<IQHHIIQQQQ", wheelgen.EOCD64, 44, wheelgen.UNIX, 45,
                                     0, 0, n, n, len(cd), cd_start))
        f.write(wheelgen.struct.pack("<IIQI", wheelgen.LOC64, 0, rec_off, 1))
        f.write(wheelgen.struct.pack("<IHHHHIIH", wheelgen.EOCD, 0, 0, n, n, len(cd),
                                     0xFFFFFFFF, 0))


def test_sparse_zip64_wheel_over_4gib(tmp_path, zeros_sums):
    path = tmp_path / "huge-1.0-py3-none-any.whl"
    sparse_zip64_wheel(path, BIG, zeros_sums)
    assert path.stat().st_size > BIG and path.stat().st_blocks * 512 < (1 << 20)
    r, doc = check_release("--max-member-size", 8 << 30, path)
    assert doc["files"][0]["findings"] == [], doc
    assert r.returncode == 0
    assert doc["files"][0]["bytes_checked"] >= BIG


def test_sparse_zip64_local_header_without_sizes(run_hwb, tmp_path, zeros_sums):
    """wheel #692: a 4 GiB+ member whose local header lacks its ZIP64 sizes."""
    path = tmp_path / "huge-1.0-py3-none-any.whl"
    sparse_zip64_wheel(path, BIG, zeros_sums, local_zip64=False)
    r, doc = check_json(run_hwb, "--max-member-size", str(8 << 30), path)
    assert r.returncode == 1
    assert {f["code"] for f in doc["files"][0]["findings"]} == {"HWB-W007"}
