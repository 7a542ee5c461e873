# SPDX-License-Identifier: Apache-2.0
"""The local index of tests/tools/pypi_server.py as a pytest fixture, and
the distributions the publish tests upload (built by hand, or by hwb)."""
import io
import json
import os
import subprocess
import sys
import tarfile
import time
import urllib.request

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests"))
import wheelgen_meta  # noqa: E402

SERVER = ROOT / "tests" / "tools" / "pypi_server.py"
TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAtdGVzdC1hcGktdG9rZW4tZm9yLWh3Yg"


class Index:
    def __init__(self, store):
        self.proc = subprocess.Popen(["/usr/bin/python3", str(SERVER), str(store)],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/legacy/"
        self.store = store
        self.config(api_tokens=[TOKEN])

    def _post(self, path, doc):
        req = urllib.request.Request(self.base + path, data=json.dumps(doc).encode(),
                                     method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def get(self, path, accept=None):
        req = urllib.request.Request(self.base + path)
        if accept:
            req.add_header("Accept", accept)
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read()

    def config(self, **kw):
        return self._post("/_control/config", kw)

    def faults(self, *faults):
        return self._post("/_control/faults", list(faults))

    def log(self):
        return json.loads(self.get("/_control/log"))

    def uploads(self):
        return [e for e in self.log() if e.get("path") == "/legacy/" and "status" in e]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def index(tmp_path):
    ix = Index(tmp_path / "index")
    yield ix
    ix.stop()


RICH_FIELDS = ["Classifier: Programming Language :: Python :: 3",
               "Classifier: License :: OSI Approved :: Apache Software License",
               "Requires-Dist: requests>=2", "Requires-Dist: rich; extra == 'cli'",
               "Provides-Extra: cli", "Requires-Python: >=3.8",
               "Project-URL: Source, https://example.test/src", "Keywords: a,b",
               "Author-email: Dev <dev@example.test>", "License: Apache-2.0",
               "Description-Content-Type: text/markdown"]


def make_wheel(directory, name="sample", version="1.0", fields=None, body="# Sample\n\nHello.\n",
               payload=None):
    dist = f"{name}-{version}"
    meta = wheelgen_meta.metadata(RICH_FIELDS if fields is None else fields, body=body,
                                  name=name, ver=version)
    files = wheelgen_meta.base(dist=dist, meta=meta)
    files = {k.replace("sample/", f"{name}/") if k.startswith("sample/") else k: v
             for k, v in files.items()}
    if payload is not None:
        files[f"{name}/blob.bin"] = payload
    path = directory / f"{dist}-py3-none-any.whl"
    path.write_bytes(wheelgen_meta.write_wheel(files))
    return path


def make_big_wheel(directory, size, name="bigpkg", version="1.0"):
    """A wheel holding `size` random bytes, stored (incompressible), with
    Metadata-Version 2.1 so that Debian's twine 4.0.2 reads it."""
    import zipfile
    import hashlib
    import base64
    dist = f"{name}-{version}"
    path = directory / f"{dist}-py3-none-any.whl"
    blob = os.urandom(size)
    members = {f"{name}/__init__.py": b"", f"{name}/blob.bin": blob,
               f"{dist}.dist-info/METADATA": wheelgen_meta.metadata(name=name, ver=version),
               f"{dist}.dist-info/WHEEL": wheelgen_meta.wheel_file()}
    rows = []
    for p, d in members.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
        rows.append(f"{p},sha256={h},{len(d)}")
    rows.append(f"{dist}.dist-info/RECORD,,")
    members[f"{dist}.dist-info/RECORD"] = ("\n".join(rows) + "\n").encode()
    with zipfile.ZipFile(path, "w") as z:
        for p, d in members.items():
            zi = zipfile.ZipInfo(p, date_time=(1980, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_STORED if p.endswith(".bin") else zipfile.ZIP_DEFLATED
            z.writestr(zi, d)
    return path


def make_sdist(directory, name="sample", version="1.0", fields=None, body="# Sample\n\nHello.\n"):
    dist = f"{name}-{version}"
    meta = wheelgen_meta.metadata(RICH_FIELDS if fields is None else fields, body=body,
                                  name=name, ver=version)
    path = directory / f"{dist}.tar.gz"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
        for member, data in ((f"{dist}/PKG-INFO", meta),
                             (f"{dist}/pyproject.toml",
                              b"[build-system]\nrequires = []\nbuild-backend = 'x'\n"
                              b"[project]\nname = '" + name.encode() + b"'\nversion = '"
                              + version.encode() + b"'\n"),
                             (f"{dist}/{name}/__init__.py", b"")):
            ti = tarfile.TarInfo(member)
            ti.size, ti.mtime, ti.mode = len(data), 0, 0o644
            t.addfile(ti, io.BytesIO(data))
    path.write_bytes(buf.getvalue())
    return path


def wait_for(pred, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False
