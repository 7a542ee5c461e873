# SPDX-License-Identifier: Apache-2.0
"""Escape test: a backend that writes outside its output directory: into
the system directories, the root, the source tree (which must be a copy)
and the host path of the source given with -C origin=PATH."""
import os


def _write(path):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("evil")
        return "WROTE"
    except OSError as e:
        return type(e).__name__ + ":" + (e.strerror or "")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    origin = (config_settings or {}).get("origin", "/nonexistent")
    targets = ["/usr/evil", "/etc/evil", "/evil", "/bin/evil",
               os.path.join(origin, "evil-in-origin"),
               os.path.join(os.getcwd(), "evil-in-copy"),
               "/proc/sys/kernel/hostname", "/dev/evil"]
    for t in targets:
        print("evil-write: %s %s" % (t, _write(t)), flush=True)
    raise SystemExit(0)


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
