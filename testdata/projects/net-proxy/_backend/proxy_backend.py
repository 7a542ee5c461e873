# SPDX-License-Identifier: Apache-2.0
"""A backend that needs the network, for hwb's --allow-network test. It
asks hwb's CONNECT proxy (HTTPS_PROXY) for tunnels to an allowed and to a
refused target, and tries a direct connection, printing each outcome."""
import errno
import os
import socket


def _via_proxy(proxy, target):
    host, port = proxy.rsplit("/", 1)[-1].rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=5)
    try:
        s.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target, target)).encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b"\r\n")[0].decode()
        if " 200 " in status and not body:
            body = s.recv(4096)
        return status, body.decode(errors="replace")
    finally:
        s.close()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    port = int((config_settings or {})["port"])
    proxy = os.environ.get("HTTPS_PROXY", "")
    print("proxy-test: HTTPS_PROXY=%s" % proxy, flush=True)
    for target in ("127.0.0.1:%d" % port, "127.0.0.1:%d" % (port + 1), "example.com:443"):
        status, body = _via_proxy(proxy, target)
        print("proxy-test: %s -> %s %s" % (target, status, body.strip()), flush=True)
    s = socket.socket()
    try:
        s.connect(("10.0.0.1", 443))
        print("proxy-test: direct CONNECTED", flush=True)
    except OSError as e:
        print("proxy-test: direct %s" % errno.errorcode.get(e.errno), flush=True)
    raise SystemExit(0)


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
