# SPDX-License-Identifier: Apache-2.0
"""An in-tree backend that cannot build sdists (UnsupportedOperation, so
the frontend builds the wheel from the tree) and whose wheel embeds random
bytes, so two builds differ: hwb's --verify-reproducible must notice."""
import base64
import hashlib
import os
import zipfile


class UnsupportedOperation(Exception):
    pass


def build_sdist(sdist_directory, config_settings=None):
    raise UnsupportedOperation("no sdists here")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = "noisy-0.1-py3-none-any.whl"
    files = {
        "noisy.py": b"NONCE = %r\n" % os.urandom(8).hex(),
        "noisy-0.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: noisy\nVersion: 0.1\n",
        "noisy-0.1.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: noisy\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = ""
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for arc, data in files.items():
            z.writestr(arc, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record += "%s,sha256=%s,%d\n" % (arc, digest, len(data))
        z.writestr("noisy-0.1.dist-info/RECORD", record + "noisy-0.1.dist-info/RECORD,,\n")
    return name
