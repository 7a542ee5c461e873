# SPDX-License-Identifier: Apache-2.0
"""Escape test: a backend that tries the calls a sandbox escape needs
(ptrace, mount, unshare, setns, a user namespace via clone) and prints the
errno of each."""
import ctypes
import errno
import os

CLONE_NEWUSER = 0x10000000
PTRACE_ATTACH = 16


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    libc = ctypes.CDLL(None, use_errno=True)
    calls = {
        "ptrace": lambda: libc.ptrace(PTRACE_ATTACH, 1, None, None),
        "mount": lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None),
        "unshare": lambda: libc.unshare(CLONE_NEWUSER),
        "setns": lambda: libc.setns(os.open("/proc/self/ns/net", os.O_RDONLY), 0),
        "chroot": lambda: libc.chroot(b"/tmp"),
    }
    for name, call in calls.items():
        try:
            rc = call()
            err = ctypes.get_errno()
        except OSError as e:
            rc, err = -1, e.errno
        print("evil-syscalls: %s rc=%d %s" % (name, rc, errno.errorcode.get(err, "0") if rc else "OK"), flush=True)
    raise SystemExit(0)


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
