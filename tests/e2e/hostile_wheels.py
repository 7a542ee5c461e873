# SPDX-License-Identifier: Apache-2.0
"""Wheels that two zip parsers read differently, made with zipfile and byte
patching: hwb check reads the central directory and accounts for every
byte; libarchive (which unpacked wheels before pkg/wheel's reader) follows
the local headers and corrects offsets on its own. Each maker returns the
wheel's bytes; in each, what a local-header reader sees declares
`Requires-Dist: sneaky`, what the central directory holds does not (or
holds nothing readable)."""
import base64
import hashlib
import io
import struct
import zipfile

DATE = (2024, 1, 2, 3, 4, 5)
EVIL_METADATA = b"Metadata-Version: 2.1\nName: hostile\nVersion: 1.0\nRequires-Dist: sneaky\n"


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def zip_bytes(members, stored=()):
    """A zip of members ({name: bytes}) in order, deflated unless stored."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, DATE)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            z.writestr(info, data)
    return buf.getvalue()


def wheel_members(name, version, files, requires=()):
    """The members of a valid pure wheel: files, METADATA, WHEEL, RECORD."""
    di = f"{name}-{version}.dist-info"
    members = dict(files)
    members[f"{di}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires)).encode()
    members[f"{di}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: hwb-tests\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = "".join(_record_line(n, d) for n, d in members.items()) + f"{di}/RECORD,,\n"
    members[f"{di}/RECORD"] = record.encode()
    return members


def wheel(name, version, files, requires=()):
    return zip_bytes(wheel_members(name, version, files, requires))


def _local_offsets(data):
    return {i.filename: i.header_offset for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}


def _central_records(data):
    eocd = data.rfind(b"PK\x05\x06")
    count, = struct.unpack_from("<H", data, eocd + 10)
    pos, = struct.unpack_from("<I", data, eocd + 16)
    out = {}
    for _ in range(count):
        nlen, elen, clen = struct.unpack_from("<HHH", data, pos + 28)
        out[data[pos + 46:pos + 46 + nlen].decode()] = pos
        pos += 46 + nlen + elen + clen
    return out


def rename_local_headers(data, renames):
    """Write another name (same length) into the local headers of members
    {central name: local name}: CVE-2025-54368's confusion."""
    offsets = _local_offsets(data)
    out = bytearray(data)
    for old, new in renames.items():
        assert len(old) == len(new)
        at = offsets[old] + 30
        assert out[at:at + len(old)] == old.encode()
        out[at:at + len(old)] = new.encode()
    return bytes(out)


def local_name_confusion():
    """METADATA and METADATB swap names in their local headers: the central
    directory's METADATA has no requirement, the local one requires sneaky."""
    di = "hostile-1.0.dist-info"
    data = wheel("hostile", "1.0", {"hostile/__init__.py": b"X = 1\n",
                                     f"{di}/METADATB": EVIL_METADATA})
    return rename_local_headers(data, {f"{di}/METADATA": f"{di}/METADATB",
                                       f"{di}/METADATB": f"{di}/METADATA"})


def prepended_data():
    """A stub and a clean wheel before the evil wheel, whose offsets were
    not moved: hwb finds no central directory where the end record says,
    libarchive shifts every offset by the stub's length and reads the evil
    wheel (a self-extracting archive's layout)."""
    stub = b"#!/bin/sh\nexit 0\n" + wheel("hostile", "1.0", {"hostile/__init__.py": b"X = 1\n"})
    return stub + wheel("hostile", "1.0", {"hostile/__init__.py": b"X = 1\n"}, ["sneaky"])


def overlapping_members():
    """METADATA's central record points inside the stored data of another
    member, which holds a whole local entry of an evil METADATA."""
    di = "hostile-1.0.dist-info"
    meta = f"{di}/METADATA"
    entry = zip_bytes({meta: EVIL_METADATA}, stored={meta})
    entry = entry[:30 + len(meta) + len(EVIL_METADATA)]
    members = wheel_members("hostile", "1.0", {"hostile/__init__.py": b"X = 1\n",
                                                "hostile/blob.bin": entry})
    # The central record must describe the entry it points at (else the
    # headers disagree, W007, before any overlap is seen).
    members[meta] = EVIL_METADATA
    data = zip_bytes(members, stored={"hostile/blob.bin", meta})
    inside = _local_offsets(data)["hostile/blob.bin"] + 30 + len("hostile/blob.bin")
    assert data[inside:inside + len(entry)] == entry
    out = bytearray(data)
    struct.pack_into("<I", out, _central_records(data)[meta] + 42, inside)
    return bytes(out)


# (maker, the finding of hwb check that names the confusion)
CASES = {
    "local-name-confusion": (local_name_confusion, "HWB-W006"),
    "prepended-data": (prepended_data, "HWB-W009"),
    "overlapping-members": (overlapping_members, "HWB-W017"),
}


def wheelhouse(path, case):
    """A find-links directory: the hostile wheel of case and a clean sneaky
    wheel (so a reader that saw the evil METADATA could resolve it)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "hostile-1.0-py3-none-any.whl").write_bytes(CASES[case][0]())
    (path / "sneaky-1.0-py3-none-any.whl").write_bytes(
        wheel("sneaky", "1.0", {"sneaky.py": b"print('sneaky')\n"}))
    return path
