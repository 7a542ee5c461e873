#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""wheelgen_meta: writes wheels that are valid zip files with a correct RECORD
(Python's zipfile) but break one content rule of `hwb check`: filename,
WHEEL, METADATA, layout, check-wheel-contents findings, secrets, .pth files
and manylinux ELF policy (codes HWB-W044..HWB-W095).

    wheelgen_meta.py write DIR    write every case and EXPECTED_META.json
    wheelgen_meta.py check DIR    exit 1 unless DIR holds exactly that

DIR is testdata/wheels/bad/meta. Each case starts from a small valid wheel and
changes one thing; it lives in DIR/<case>/ under the wheel filename it needs
(the filename is checked too). EXPECTED_META.json maps each case's path to
the codes hwb reports for it. Output is
deterministic: fixed timestamps and modes, zlib level 9, sorted JSON.
Other tests import it: build_elf(), write_wheel().
"""
import io
import json
import pathlib
import struct
import sys
import zipfile

from wheelgen import record_hash

FILE = 0o100644
EXEC = 0o100755

# Placeholders would not count as leaks; these look random, as real ones do.
GITHUB_TOKEN = "ghp_" + "q7Vd2Xk9LmP4sT8wZr1Bn6Hc3Jy5Gf0Ae2Ku"
AWS_KEY_ID = "AKIA" + "Q4RZ7TY2WX5N8KMB"
PEM_KEY = ("-----BEGIN RSA PRIVATE KEY-----\n"
           "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
           "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
           "-----END RSA PRIVATE KEY-----\n")


def write_wheel(files, modes=None):
    """A wheel from {path: bytes}; RECORD is computed and written last (pass
    the dist-info directory as files['.dist-info'] or let it be found)."""
    modes = modes or {}
    dist_info = next(p.split("/")[0] for p in files
                     if p.split("/")[0].endswith(".dist-info"))
    record = f"{dist_info}/RECORD"
    rows = [f"{p},{record_hash(d)},{len(d)}" for p, d in files.items()]
    rows.append(f"{record},,")
    members = dict(files)
    members[record] = ("\n".join(rows) + "\n").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=9) as z:
        for path, data in members.items():
            zi = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            zi.create_system = 3
            zi.external_attr = modes.get(path, FILE) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data, compresslevel=9)
    return out.getvalue()


def metadata(fields=None, body="", version="2.1", name="sample", ver="1.0"):
    lines = [f"Metadata-Version: {version}", f"Name: {name}", f"Version: {ver}",
             "Summary: A sample project for hwb's tests"]
    lines += fields or []
    text = "\n".join(lines) + "\n"
    if body:
        text += "\n" + body
    return text.encode()


def wheel_file(tags=("py3-none-any",), purelib="true", extra=(),
               version="1.0"):
    lines = [f"Wheel-Version: {version}", "Generator: wheelgen_meta 1.0",
             f"Root-Is-Purelib: {purelib}"]
    lines += [f"Tag: {t}" for t in tags]
    lines += list(extra)
    return ("\n".join(lines) + "\n").encode()


def base(dist="sample-1.0", meta=None, wheel=None, pkg=True):
    files = {}
    if pkg:
        files["sample/__init__.py"] = b"__version__ = '1.0'\n"
        files["sample/core.py"] = b"def answer():\n    return 42\n"
    files[f"{dist}.dist-info/METADATA"] = meta if meta is not None else metadata()
    files[f"{dist}.dist-info/WHEEL"] = wheel if wheel is not None else wheel_file()
    return files


def build_elf(machine=62, is_64=True, le=True, needed=("libc.so.6",),
              versions=("GLIBC_2.2.5",), elf_class=None):
    """A minimal shared object: ELF header, PT_LOAD over the file,
    PT_DYNAMIC, a string table, one Verneed (libc.so.6) whose Vernaux are
    versions, the dynamic section."""
    e = "<" if le else ">"
    w = "Q" if is_64 else "I"
    eh, ph = (64, 56) if is_64 else (52, 32)
    vaddr = 0x10000
    strtab = b"\0"
    offs = {}
    for s in list(needed) + ["libc.so.6"] + list(versions):
        if s not in offs:
            offs[s] = len(strtab)
            strtab += s.encode() + b"\0"
    str_off = eh + 2 * ph
    vn_off = (str_off + len(strtab) + 7) & ~7
    vn = struct.pack(e + "HHIII", 1, len(versions), offs["libc.so.6"], 16, 0)
    for i, v in enumerate(versions):
        last = i == len(versions) - 1
        vn += struct.pack(e + "IHHII", 0, 0, 2 + i, offs[v], 0 if last else 16)
    dyn_off = vn_off + len(vn)
    dyn = [(1, offs[n]) for n in needed]
    dyn += [(5, vaddr + str_off), (10, len(strtab))]
    if versions:
        dyn += [(0x6FFFFFFE, vaddr + vn_off), (0x6FFFFFFF, 1)]
    dyn.append((0, 0))
    dyn_bytes = b"".join(struct.pack(e + w + w, t, v) for t, v in dyn)
    total = dyn_off + len(dyn_bytes)
    ident = b"\x7fELF" + bytes([elf_class or (2 if is_64 else 1),
                                1 if le else 2, 1]) + b"\0" * 9
    if is_64:
        header = ident + struct.pack(e + "HHIQQQIHHHHHH", 3, machine, 1, 0, eh,
                                     0, 0, eh, ph, 2, 0, 0, 0)
        phdrs = struct.pack(e + "IIQQQQQQ", 1, 5, 0, vaddr, vaddr, total, total,
                            0x1000)
        phdrs += struct.pack(e + "IIQQQQQQ", 2, 6, dyn_off, vaddr + dyn_off,
                             vaddr + dyn_off, len(dyn_bytes), len(dyn_bytes), 8)
    else:
        header = ident + struct.pack(e + "HHIIIIIHHHHHH", 3, machine, 1, 0, eh,
                                     0, 0, eh, ph, 2, 0, 0, 0)
        phdrs = struct.pack(e + "IIIIIIII", 1, 0, vaddr, vaddr, total, total,
                            5, 0x1000)
        phdrs += struct.pack(e + "IIIIIIII", 2, dyn_off, vaddr + dyn_off,
                             vaddr + dyn_off, len(dyn_bytes), len(dyn_bytes),
                             6, 4)
    out = header + phdrs + strtab
    out += b"\0" * (vn_off - len(out)) + vn + dyn_bytes
    assert len(out) == total
    return out


def platlib(tag, elf, name="sample/_speedups.so"):
    files = base(wheel=wheel_file(tags=(tag,), purelib="false"))
    files[name] = elf
    return files


# Each case: (filename, files, modes, codes).
def cases():
    c = []

    def add(fname, files, codes, modes=None):
        c.append((fname, files, modes or {}, codes))

    std = "sample-1.0-py3-none-any.whl"
    # 30: the filename.
    add("w044_four_parts/sample-1.0-py3-none.whl", base(), ["HWB-W044"])
    add("w045_name_not_escaped/sample__x-1.0-py3-none-any.whl",
        base(dist="sample__x-1.0", meta=metadata(name="sample__x")), ["HWB-W045"])
    add("w046_version/sample-1.0.x-py3-none-any.whl", base(), ["HWB-W046"])
    add("w047_build_tag/sample-1.0-x1-py3-none-any.whl",
        base(wheel=wheel_file(extra=["Build: x1"])), ["HWB-W047"])
    add("w048_tag_characters/sample-1.0-py3-none-any!.whl",
        base(wheel=wheel_file(tags=("py3-none-any!",))), ["HWB-W048"])
    add("w049_linux_tag/sample-1.0-py3-none-linux_x86_64.whl",
        base(wheel=wheel_file(tags=("py3-none-linux_x86_64",))), ["HWB-W049"])
    # 28, 29: WHEEL.
    add("w050_duplicate_key/" + std,
        base(wheel=wheel_file(extra=["Root-Is-Purelib: true"])), ["HWB-W050"])
    add("w050_no_wheel_version/" + std,
        base(wheel=b"Generator: x\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        ["HWB-W050"])
    add("w051_major/" + std, base(wheel=wheel_file(version="2.0")), ["HWB-W051"])
    add("w052_minor/" + std, base(wheel=wheel_file(version="1.9")), ["HWB-W052"])
    add("w053_purelib_spelling/" + std, base(wheel=wheel_file(purelib="True")),
        ["HWB-W053"])
    add("w054_tags/" + std, base(wheel=wheel_file(tags=("py2-none-any",))),
        ["HWB-W054"])
    add("w055_build/" + std, base(wheel=wheel_file(extra=["Build: 2"])),
        ["HWB-W055"])
    # 31: METADATA.
    add("w056_repeated_name/" + std, base(meta=metadata(["Name: sample"])),
        ["HWB-W056"])
    add("w056_not_a_header/" + std,
        base(meta=metadata(["this line has no colon"])), ["HWB-W056"])
    add("w057_metadata_version/" + std, base(meta=metadata(version="3.0")),
        ["HWB-W057"])
    add("w058_name/" + std, base(meta=metadata(name="other")), ["HWB-W058"])
    add("w059_version/" + std, base(meta=metadata(ver="1.1")), ["HWB-W059"])
    add("w060_requires_dist/" + std,
        base(meta=metadata(["Requires-Dist: bad req ((("])), ["HWB-W060"])
    add("w061_requires_python/" + std,
        base(meta=metadata(["Requires-Python: =>3.8"])), ["HWB-W061"])
    add("w062_content_type/" + std,
        base(meta=metadata(["Description-Content-Type: text/html"])),
        ["HWB-W062"])
    add("w063_newer_field/" + std,
        base(meta=metadata(["License-Expression: MIT"])), ["HWB-W063"])
    files = base(meta=metadata(["License-File: LICENSE"]))
    files["sample-1.0.dist-info/LICENSE"] = b"MIT License\n"
    add("w064_license_file_21/" + std, files, ["HWB-W064"])
    add("w065_license_twice/" + std,
        base(meta=metadata(["License: MIT", "License-Expression: MIT"],
                           version="2.4")), ["HWB-W065"])
    add("w066_dynamic_version/" + std,
        base(meta=metadata(["Dynamic: Version"], version="2.2")), ["HWB-W066"])
    add("w067_unknown_field/" + std, base(meta=metadata(["Fav-Color: blue"])),
        ["HWB-W067"])
    add("w068_license_file_missing/" + std,
        base(meta=metadata(["License-File: LICENSE"], version="2.4")),
        ["HWB-W068"])
    # 22-26: layout.
    add("w069_dist_info_name/" + std, base(dist="other-1.0"), ["HWB-W069"])
    files = base()
    files["extra-2.0.dist-info/METADATA"] = metadata(name="extra", ver="2.0")
    add("w069_two_dist_infos/" + std, files, ["HWB-W069"])
    files = base()
    files["other-1.0.data/data/share/x.txt"] = b"x\n"
    add("w070_data_name/" + std, files, ["HWB-W070"])
    files = base()
    del files["sample-1.0.dist-info/METADATA"]
    add("w071_no_metadata/" + std, files, ["HWB-W071"])
    files = base()
    files["sample-1.0.data/bogus/x.txt"] = b"x\n"
    add("w072_unknown_scheme/" + std, files, ["HWB-W072"])
    files = base()
    files["sample-1.0.data/loose.txt"] = b"x\n"
    add("w072_file_in_data/" + std, files, ["HWB-W072"])
    files = base()
    files["sample-1.0.data/purelib/sample_extra.py"] = b"X = 1\n"
    add("w073_purelib_in_purelib_wheel/" + std, files, ["HWB-W073", "HWB-W085"])
    add("w074_executable_module/" + std, base(), ["HWB-W074"],
        {"sample/core.py": EXEC})
    files = base()
    files["sample-1.0.data/scripts/sub/tool"] = b"#!python\nprint(1)\n"
    add("w075_nested_script/" + std, files, ["HWB-W075"],
        {"sample-1.0.data/scripts/sub/tool": EXEC})
    files = base()
    files["sample-1.0.data/scripts/tool"] = b"#!/usr/bin/python3\nprint(1)\n"
    add("w076_shebang/" + std, files, ["HWB-W076"],
        {"sample-1.0.data/scripts/tool": EXEC})
    # 26, 33: check-wheel-contents.
    files = base()
    files["sample/__pycache__/core.cpython-311.pyc"] = b"\xa7\r\r\n" + b"\0" * 12
    add("w077_bytecode/" + std, files, ["HWB-W077"])
    files = base()
    files["sample/a.py"] = files["sample/b.py"] = b"VALUE = 'same contents'\n"
    add("w078_duplicates/" + std, files, ["HWB-W078"])
    files = base()
    files["README.txt"] = b"read me\n"
    add("w079_top_level_file/" + std, files, ["HWB-W079", "HWB-W085"])
    files = base()
    files["sample/my-module/x.py"] = b"X = 1\n"
    add("w080_not_importable/" + std, files, ["HWB-W080"])
    files = base()
    files["tests/__init__.py"] = b""
    files["tests/test_core.py"] = b"def test(): pass\n"
    add("w081_tests_at_top/" + std, files, ["HWB-W081", "HWB-W085"])
    files = base()
    files["__init__.py"] = b"X = 1\n"
    add("w082_init_at_top/" + std, files, ["HWB-W082"])
    files = base(pkg=False)
    files["sample-1.0.data/scripts/tool"] = b"#!python\nprint(1)\n"
    add("w083_empty_library/" + std, files, ["HWB-W083"],
        {"sample-1.0.data/scripts/tool": EXEC})
    add("w084_only_dist_info/" + std, base(pkg=False), ["HWB-W083", "HWB-W084"])
    files = base()
    files["other/__init__.py"] = b"Y = 2\n"
    add("w085_two_packages/" + std, files, ["HWB-W085"])
    files = base()
    files["sample_assets/logo.svg"] = b"<svg/>\n"
    add("w086_dir_without_modules/" + std, files, ["HWB-W085", "HWB-W086"])
    # 32: secrets, .pth.
    files = base()
    files["sample/settings.py"] = f"TOKEN = '{GITHUB_TOKEN}'\n".encode()
    add("w087_github_token/" + std, files, ["HWB-W087"])
    files = base()
    files["sample/__pycache__/settings.cpython-311.pyc"] = (
        b"\xa7\r\r\n" + b"\0" * 12 + b"\xe3\x00\xda" + bytes([20])
        + AWS_KEY_ID.encode() + b"N")
    add("w087_aws_key_in_pyc/" + std, files, ["HWB-W077", "HWB-W087"])
    files = base()
    files["sample/data/server.pem"] = PEM_KEY.encode()
    add("w087_private_key/" + std, files, ["HWB-W087"])
    files = base()
    files["sample/.env"] = b"DEBUG=1\n"
    add("w088_dotenv/" + std, files, ["HWB-W088"])
    files = base()
    files["sample/.pypirc"] = b"[pypi]\nusername = __token__\n"
    add("w088_pypirc/" + std, files, ["HWB-W088"])
    files = base()
    files["sample_hook.pth"] = b"import sample\n"
    add("w089_pth_import/" + std, files, ["HWB-W089"])
    files = base()
    files["zzz_evil.pth"] = (b"import base64;exec(base64.b64decode("
                             b"'cHJpbnQoMSk='))\n")
    add("w090_pth_payload/" + std, files, ["HWB-W090"])
    # 34: manylinux and musllinux binaries.
    many = "sample-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"
    tag = "cp311-cp311-manylinux_2_17_x86_64"
    add("w091_wrong_machine/" + many, platlib(tag, build_elf(machine=183)),
        ["HWB-W091"])
    add("w092_external_library/" + many,
        platlib(tag, build_elf(needed=("libfoo.so.1", "libc.so.6"))),
        ["HWB-W092"])
    add("w093_glibc_too_new/" + many,
        platlib(tag, build_elf(versions=("GLIBC_2.2.5", "GLIBC_2.34"))),
        ["HWB-W093"])
    musl = "sample-1.0-cp311-cp311-musllinux_1_2_x86_64.whl"
    add("w094_glibc_in_musllinux/" + musl,
        platlib("cp311-cp311-musllinux_1_2_x86_64",
                build_elf(needed=("libc.musl-x86_64.so.1",),
                          versions=("GLIBC_2.17",))),
        ["HWB-W094"])
    add("w095_malformed_elf/" + many, platlib(tag, build_elf(elf_class=7)),
        ["HWB-W095"])
    good = platlib(tag, build_elf(needed=("libm.so.6", "libc.so.6"),
                                  versions=("GLIBC_2.2.5", "GLIBC_2.17")))
    add("ok_manylinux/" + many, good, [])
    return c


def render():
    out = {}
    for fname, files, modes, codes in cases():
        assert fname not in out, fname
        out[fname] = (write_wheel(files, modes), sorted(codes))
    return out


def write(directory):
    directory = pathlib.Path(directory)
    expected = {}
    for name, (data, codes) in render().items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expected[name] = codes
    (directory / "EXPECTED_META.json").write_text(
        json.dumps(expected, indent=2, sort_keys=True) + "\n")


def check(directory):
    directory = pathlib.Path(directory)
    bad = []
    expected = json.loads((directory / "EXPECTED_META.json").read_text())
    rendered = render()
    if set(expected) != set(rendered):
        bad.append("EXPECTED_META.json lists other files")
    for name, (data, codes) in rendered.items():
        path = directory / name
        if not path.exists() or path.read_bytes() != data:
            bad.append(f"{name} differs")
        if expected.get(name) != codes:
            bad.append(f"{name}: codes differ")
    have = {str(p.relative_to(directory)) for p in directory.glob("*/*.whl")}
    bad += [f"{name} is not written by the generator"
            for name in sorted(have - set(rendered))]
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        sys.exit(check(sys.argv[2]))
