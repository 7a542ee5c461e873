#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A simple package index for tests/e2e/test_lock.py (Python stdlib only).

Usage: index_server.py WHEELDIR. Listens on 127.0.0.1 at a free port, prints
the port on stdout and serves the wheels of WHEELDIR until killed:

  /simple/NAME/            PEP 691 JSON when the Accept header asks for
                           application/vnd.pypi.simple.v1+json, else PEP 503
                           HTML (hashes in the #sha256= fragment)
  /html/simple/NAME/       always PEP 503 HTML
  /tampered/simple/NAME/   JSON whose sha256 values are wrong: an index that
                           lies about its files (hwb must refuse them)
  /files/FILE              the wheel's bytes
  /requests                how many requests each path got (JSON)
"""
import hashlib
import html
import http.server
import json
import os
import re
import sys
import threading

WHEELS = {}
COUNTS = {}
LOCK = threading.Lock()


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def load(directory):
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".whl"):
            continue
        path = os.path.join(directory, fn)
        with open(path, "rb") as f:
            data = f.read()
        WHEELS.setdefault(normalize(fn.split("-")[0]), []).append(
            (fn, data, hashlib.sha256(data).hexdigest()))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        with LOCK:
            COUNTS[path] = COUNTS.get(path, 0) + 1
        if path == "/requests":
            with LOCK:
                body = json.dumps(COUNTS).encode()
            return self.send(200, body, "application/json")
        m = re.fullmatch(r"(?:/html|/tampered)?/files/([^/]+)", path)
        if m:
            for files in WHEELS.values():
                for fn, data, _ in files:
                    if fn == m.group(1):
                        return self.send(200, data, "application/octet-stream")
            return self.send(404, b"no such file", "text/plain")
        m = re.fullmatch(r"(/html|/tampered)?/simple/([^/]+)/", path)
        if not m:
            return self.send(404, b"not found", "text/plain")
        mode, name = m.group(1) or "", normalize(m.group(2))
        files = WHEELS.get(name)
        if files is None:
            return self.send(404, b"no such project", "text/plain")
        wants_json = "application/vnd.pypi.simple.v1+json" in self.headers.get("Accept", "")
        if mode == "/html" or (not wants_json and mode != "/tampered"):
            links = "".join(
                '<a href="../../files/%s#sha256=%s" data-requires-python="%s">%s</a><br/>\n'
                % (html.escape(fn), sha, html.escape(">=3.7"), html.escape(fn))
                for fn, _, sha in files)
            body = ("<!DOCTYPE html><html><body><h1>Links for %s</h1>\n%s</body></html>"
                    % (html.escape(name), links)).encode()
            return self.send(200, body, "application/vnd.pypi.simple.v1+html")
        out = []
        for fn, data, sha in files:
            if mode == "/tampered":
                sha = hashlib.sha256(data + b"tampered").hexdigest()
            out.append({"filename": fn, "url": "/files/" + fn,
                        "hashes": {"sha256": sha}, "size": len(data),
                        "requires-python": ">=3.7"})
        body = json.dumps({"meta": {"api-version": "1.1"}, "name": name,
                           "files": out}).encode()
        return self.send(200, body, "application/vnd.pypi.simple.v1+json")


def main():
    load(sys.argv[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
