# SPDX-License-Identifier: Apache-2.0
"""TUF repositories for the tests: made by tests/node/tuf-repo.js (tuf-js's
@tufjs/models) and served over HTTP on 127.0.0.1 by a thread of the test
process, which can also misbehave on purpose (endless or slow answers,
files that change between two requests)."""
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import threading
import time

ROOT = pathlib.Path(os.environ.get("HWB_ROOT", pathlib.Path(__file__).resolve().parents[2]))
NODE_DIR = ROOT / "tests" / "node"
TARGETS = ("trusted_root.json", "signing_config.v0.2.json")

ROLES = {
    "root": {"keys": ["root1"], "threshold": 1},
    "timestamp": {"keys": ["ts1"], "threshold": 1},
    "snapshot": {"keys": ["sn1"], "threshold": 1},
    "targets": {"keys": ["tg1"], "threshold": 1},
}


def unavailable():
    if not shutil.which("node"):
        return "node is not installed"
    if not (NODE_DIR / "node_modules" / "@tufjs" / "models").is_dir():
        return "tests/node/node_modules is missing (run make deps)"
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    # Keep-alive, as the CDNs that serve TUF repositories do: both clients
    # (hwb's libcurl, tuf-js's fetch) reuse one connection for a whole update.
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: without this, Nagle's algorithm
    # holds the body until the client's delayed ACK (40 ms per request).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        repo = self.server.repo
        name = self.path.split("?")[0].lstrip("/")
        repo.requests.append(name)
        hook = repo.hooks.get(name)
        if hook == "endless":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"{" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                return
        if hook == "slow":  # the right length, one byte every 0.3 s
            data = (repo.served / name).read_bytes()
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            try:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    time.sleep(0.3)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        path = repo.served / name
        if ".." in name or not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if callable(hook):
            hook()


class TufRepo:
    """One repository: .run(ops) adds to it, .url serves it."""

    def __init__(self, tmp):
        self.dir = pathlib.Path(tmp)
        self.served = self.dir / "repo"
        self.requests = []
        self.hooks = {}
        self.server = None

    def run(self, *ops):
        subprocess.run(["node", str(NODE_DIR / "tuf-repo.js"), str(self.dir)],
                       input=json.dumps(list(ops)), text=True, check=True,
                       capture_output=True, timeout=60)
        return self

    def init(self, key_types=None, targets=None, **root):
        """Keys root1, ts1, sn1, tg1 (types from key_types), root v1, the
        targets (name -> text or Path) and a first publication."""
        types = {"root1": "ecdsa", "ts1": "ed25519", "sn1": "ecdsa-hex", "tg1": "ecdsa"}
        types.update(key_types or {})
        ops = [{"op": "key", "name": n, "type": t} for n, t in types.items()]
        ops.append({"op": "root", "roles": ROLES, **root})
        for name, value in (targets or {t: "{\"%s\": 1}" % t for t in TARGETS}).items():
            ops.append(self.target_op(name, value))
        ops.append({"op": "publish"})
        return self.run(*ops)

    @staticmethod
    def target_op(name, value, role=None):
        op = {"op": "target", "name": name}
        if isinstance(value, pathlib.Path):
            op["file"] = str(value)
        else:
            op["content"] = value
        if role:
            op["role"] = role
        return op

    def file(self, name):
        return self.served / name

    def start(self):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.repo = self
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.server.server_address[1]

    @property
    def cache_name(self):
        return "127.0.0.1_%d" % self.server.server_address[1]


def snapshot_tree(path):
    """Every file under path with its bytes and mtime: 'the cache as it was'."""
    out = {}
    for p in sorted(pathlib.Path(path).rglob("*")):
        if p.is_file() and p.name != ".lock":
            out[str(p.relative_to(path))] = (p.read_bytes(), p.stat().st_mtime_ns)
    return out
