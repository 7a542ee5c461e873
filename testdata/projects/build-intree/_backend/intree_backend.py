# SPDX-License-Identifier: Apache-2.0
"""A minimal in-tree PEP 517 backend with no requirements, for hwb's build
tests. It writes its archives with the standard library only, in a
deliberately careless way (file order from os.walk, mtimes from disk, the
builder's umask) so that hwb's normalisation has work to do."""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME, VERSION = "intree_sample", "1.2.0"
DIST = f"{NAME}-{VERSION}"


def _files():
    for root, dirs, files in os.walk("src"):
        for f in files:
            if not f.endswith(".pyc"):
                path = os.path.join(root, f)
                yield path, os.path.relpath(path, "src")


def _record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{name},sha256={digest.decode()},{len(data)}\n"


def get_requires_for_build_wheel(config_settings=None):
    print("intree: get_requires_for_build_wheel", config_settings, flush=True)
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print("intree: build_wheel", config_settings, flush=True)
    name = f"{DIST}-py3-none-any.whl"
    record = ""
    meta = f"Metadata-Version: 2.1\nName: intree-sample\nVersion: {VERSION}\n".encode()
    wheel = b"Wheel-Version: 1.0\nGenerator: intree\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for path, arc in _files():
            data = open(path, "rb").read()
            z.writestr(arc, data)
            record += _record_line(arc, data)
        for arc, data in ((f"{DIST}.dist-info/METADATA", meta), (f"{DIST}.dist-info/WHEEL", wheel)):
            z.writestr(arc, data)
            record += _record_line(arc, data)
        record += f"{DIST}.dist-info/RECORD,,\n"
        z.writestr(f"{DIST}.dist-info/RECORD", record)
    return name


def build_sdist(sdist_directory, config_settings=None):
    print("intree: build_sdist", flush=True)
    name = f"{DIST}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as t:
        for path in ("pyproject.toml", "_backend/intree_backend.py"):
            t.add(path, arcname=f"{DIST}/{path}")
        for path, arc in _files():
            t.add(path, arcname=f"{DIST}/{path}")
        pkg = f"Metadata-Version: 2.1\nName: intree-sample\nVersion: {VERSION}\n".encode()
        info = tarfile.TarInfo(f"{DIST}/PKG-INFO")
        info.size = len(pkg)
        t.addfile(info, io.BytesIO(pkg))
    return name
