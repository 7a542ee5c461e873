#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""HTTPS test server for tests/unit/test_http.c (Python stdlib only).

Usage: httpd.py DIR. Generates a throwaway CA and a server certificate for
IP 127.0.0.1 into DIR (ca.pem is the bundle the test trusts) with the openssl
CLI, listens on 127.0.0.1 at a free port, prints the port on stdout and serves
until killed. Behaviour is chosen by path; `id=` in the query names a counter
so that a test can ask how many requests arrived (/count?id=...):

  /ok                               200 "ok"
  /status/CODE                      answers CODE
  /status/503-then-200?id=&n=N      503 for the first N requests, then /echo
  /status/429?id=&after=S           429 with Retry-After: S once, then 200
  /slow?ms=N                        waits N ms, then 200
  /big?n=N[&chunked=1]              N bytes, with or without Content-Length
  /redirect?to=URL                  302 to URL (default /ok)
  /redirect-loop                    302 to itself
  /echo                             the request as JSON (method, path,
                                    headers, body, multipart form parts)
  /drop                             closes the connection without answering
"""
import email.parser
import email.policy
import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

COUNTS = {}
LOCK = threading.Lock()


def make_certs(d):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, cwd=d,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days",
        "1", "-subj", "/CN=hwb test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj",
        "/CN=127.0.0.1")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "extendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey",
        "ca.key", "-CAcreateserial", "-days", "1", "-out", "server.pem",
        "-extfile", "server.ext")


def count(ident):
    with LOCK:
        COUNTS[ident] = COUNTS.get(ident, 0) + 1
        return COUNTS[ident]


def form_parts(ctype, body):
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    parts = []
    for p in msg.iter_parts():
        parts.append({
            "name": p.get_param("name", header="content-disposition"),
            "filename": p.get_filename(),
            "content_type": p.get_content_type(),
            "value": p.get_payload(decode=True).decode("latin-1"),
        })
    return parts


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n) if n else b""

    def echo(self, body):
        doc = {"method": self.command, "path": self.path,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body.decode("latin-1")}
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("multipart/form-data"):
            doc["form"] = form_parts(ctype, body)
        self.answer(200, json.dumps(doc).encode(),
                    [("Content-Type", "application/json")])

    def big(self, q):
        n = int(q.get("n", "0"))
        if q.get("chunked") != "1":
            return self.answer(200, b"x" * n)
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while n > 0:
            k = min(n, 4096)
            self.wfile.write(b"%x\r\n%s\r\n" % (k, b"x" * k))
            n -= k
        self.wfile.write(b"0\r\n\r\n")

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        body = self.read_body()
        n = count(q["id"]) if "id" in q and path != "/count" else 0
        if path == "/count":
            return self.answer(200, str(COUNTS.get(q["id"], 0)).encode())
        if path == "/ok":
            return self.answer(200, b"ok", [("Content-Type", "text/plain")])
        if path == "/echo":
            return self.echo(body)
        if path == "/status/503-then-200":
            if n <= int(q.get("n", "1")):
                return self.answer(503, b"busy\n")
            return self.echo(body)
        if path == "/status/429":
            if n <= 1:
                return self.answer(429, b"slow down\n",
                                   [("Retry-After", q.get("after", "1"))])
            return self.answer(200, b"ok")
        if path.startswith("/status/"):
            code = int(path[len("/status/"):])
            return self.answer(code, b"answer %d\nsecond line" % code)
        if path == "/slow":
            time.sleep(int(q.get("ms", "1000")) / 1000)
            return self.answer(200, b"slow")
        if path == "/big":
            return self.big(q)
        if path == "/redirect":
            return self.answer(302, b"", [("Location", q.get("to", "/ok"))])
        if path == "/redirect-loop":
            return self.answer(302, b"", [("Location", "/redirect-loop")])
        if path == "/drop":
            self.close_connection = True
            return self.connection.shutdown(2)
        return self.answer(404, b"no such path\n")

    do_GET = handle_any
    do_POST = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # Clients that hang up (size caps, refused certificates) are expected.
        pass


def main():
    d = sys.argv[1]
    make_certs(d)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "server.pem"),
                        os.path.join(d, "server.key"))
    server = Server(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
