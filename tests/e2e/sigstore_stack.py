# SPDX-License-Identifier: Apache-2.0
"""The local Sigstore stack (tests/node/sigstore-stack.js) from Python: start
it, read its files, mint tokens, queue faults, read the request log. The
fixture `sigstore_stack` in conftest.py starts one per test session."""
import json
import pathlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request

NODE_DIR = pathlib.Path(__file__).resolve().parents[1] / "node"
SCRIPT = NODE_DIR / "sigstore-stack.js"


def unavailable():
    """Why the stack cannot run here (None when it can)."""
    if not shutil.which("node"):
        return "node is not installed (make deps)"
    if not (NODE_DIR / "node_modules" / "@sigstore" / "mock").is_dir():
        return "tests/node/node_modules is missing (make deps)"
    return None


class SigstoreStack:
    def __init__(self, tmpdir):
        self.dir = pathlib.Path(tmpdir)
        self.proc = None
        self.info = None
        self.trusted_root = self.dir / "trusted_root.json"
        self.signing_config = self.dir / "signing_config.json"
        self.signing_config_proxy = self.dir / "signing_config.proxy.json"
        self.startup_seconds = None

    def start(self, timeout=30):
        self.dir.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.dir / "stack.stderr", "w+b")
        t0 = time.monotonic()
        # stdin stays a pipe we hold: when this process dies, the stack stops.
        self.proc = subprocess.Popen(
            ["node", str(SCRIPT), "--dir", str(self.dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
        )
        line = self._readline(timeout)
        if line != b"ready\n":
            self.stop()
            self._stderr.seek(0)
            raise RuntimeError(f"sigstore stack did not start: {line!r} {self._stderr.read().decode()}")
        self.startup_seconds = time.monotonic() - t0
        self.info = json.loads((self.dir / "stack.json").read_text())
        return self

    def _readline(self, timeout):
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            return b""
        return self.proc.stdout.readline()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                self.proc.wait(10)
        if self.proc:
            self.proc.stdout.close()
        if getattr(self, "_stderr", None):
            self._stderr.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- control API -------------------------------------------------------
    def control(self, method, action, body=None):
        """Calls {control}/ACTION; returns (status, decoded JSON)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.info['control']}/{action}", data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def _ok(self, method, action, body=None):
        status, out = self.control(method, action, body)
        if status != 200:
            raise RuntimeError(f"stack control {action}: {status} {out}")
        return out

    def token(self, issuer="github", **claims):
        """A JWT from ISSUER ("github", "oauth", "gitlab", "google" or an
        issuer URL); CLAIMS override the defaults (None removes a claim)."""
        return self._ok("POST", "token", {"issuer": issuer, "claims": claims})["token"]

    def fault(self, **fault):
        return self._ok("POST", "faults", [fault])

    def clear_faults(self):
        return self._ok("DELETE", "faults")

    def requests(self):
        return self._ok("GET", "requests")

    def clear_requests(self):
        return self._ok("DELETE", "requests")

    def set_gha_claims(self, claims):
        return self._ok("POST", "gha-claims", claims)

    def set_oauth_user(self, email):
        return self._ok("POST", "oauth-user", {"email": email})

    def gha_env(self, audience_ok=True):
        """The environment of a GitHub Actions job with `id-token: write`;
        audience_ok=False gives a wrong request token (the endpoint answers 401)."""
        return {
            "ACTIONS_ID_TOKEN_REQUEST_URL": self.info["gha_token_url"],
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN":
                self.info["gha_request_token"] if audience_ok else "wrong-request-token",
        }
