# SPDX-License-Identifier: Apache-2.0
"""Escape test: a backend that phones home. It tries the host's loopback
listener (port from -C port=N) and two outside addresses, and prints the
errno of each attempt."""
import errno
import socket


def _try(host, port):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(3)
    try:
        s.connect((host, port))
        return "CONNECTED"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
    finally:
        s.close()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    port = int((config_settings or {}).get("port", "9"))
    for host, p in (("127.0.0.1", port), ("8.8.8.8", 53), ("1.1.1.1", 443),
                    ("::1", port)):
        print("evil-network: %s:%d %s" % (host, p, _try(host, p)), flush=True)
    raise SystemExit(0)


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
