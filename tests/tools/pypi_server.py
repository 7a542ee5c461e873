#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A local package index that behaves like PyPI's upload side, for the
tests of `hwb publish` (Python stdlib + Debian's python3-cryptography).

Usage: pypi_server.py DIR. Listens on 127.0.0.1 at a free port, prints the
port on stdout, keeps uploaded files in DIR, serves until killed.

Behaviour follows warehouse (pypi/warehouse @6b62157: forklift/legacy.py,
forklift/metadata.py, oidc/views.py, attestations/services.py,
api/integrity.py); messages are worded as warehouse words them:

  POST /legacy/                 the upload API: multipart parsed as it
                                streams, the file written to disk and
                                hashed (sha256, blake2b-256, md5) chunk by
                                chunk; HTTP Basic (__token__ + an API token
                                or a minted token); digests checked; every
                                metadata field checked against the file's
                                own METADATA / PKG-INFO; "File already
                                exists" rules (identical: 200; other
                                content: 400, or 409 in conflict mode);
                                PEP 740 attestations verified by
                                tests/node/verify.js (@sigstore/verify) plus
                                the publisher policy, only under trusted
                                publishing
  GET  /_/oidc/audience         {"audience": ...}; 404 or 403 by mode
  POST /_/oidc/mint-token       a real ES256/RS256 JWT checked against its
                                issuer's JWKS, aud, exp/nbf, jti reuse and
                                the configured publishers; 422 with
                                warehouse's error codes
  GET  /simple/, /simple/NAME/  PEP 503 HTML, PEP 691 JSON by Accept
  GET  /files/FILE              the file
  GET  /integrity/P/V/F/provenance   the PEP 740 provenance object

Test control (JSON): POST /_control/config merges settings (see CONFIG),
POST /_control/faults appends faults, GET /_control/log lists the requests
with the server's own handling time per upload, GET /_control/state shows
the minted tokens and used jtis. The sizes and times are bounded: a body
over max_body is refused unread, a stalled client times out.
"""
import base64
import hashlib
import hmac
import html
import http.server
import json
import os
import queue
import re
import secrets
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.path.join(os.path.dirname(HERE), "node")

CONFIG = {
    "api_tokens": [],            # passwords accepted with user __token__
    "oidc": "enabled",           # enabled | disabled (403) | absent (404)
    "audience": "pypi",
    "issuers": {},               # ISS -> {"jwks_url": URL} or {"jwks": {...}}
    "publishers": [],            # {"kind": "GitHub", "repository", "workflow",
                                 #  "environment": str|None}
    "minted_lifetime": 900,      # seconds a minted token lives
    "leeway": 0,                 # seconds of clock skew on exp/nbf
    "conflict": 400,             # status for "File already exists"
    "trusted_root": None,        # for attestations (verify.js)
    "max_body": 256 << 20,
    "max_field": 4 << 20,
}
FAULTS = []      # {"path": "/legacy/", "action": "status"|"reset"|"slow", ...}
LOG = []
MINTED = {}      # token -> {"expires", "publisher", "claims"}
USED_JTI = set()
JWKS_CACHE = {}
FILES = {}       # filename -> {"project", "version", "sha256", "blake2_256",
                 #              "path", "provenance"}
LOCK = threading.Lock()
STORE = None

HELP = "http://127.0.0.1/help/"


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def b64url(s):
    s = s.encode() if isinstance(s, str) else s
    return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))


class HTTPError(Exception):
    def __init__(self, status, message, body=None):
        super().__init__(message)
        self.status, self.message, self.body = status, message, body


# ---- multipart/form-data, parsed as it streams --------------------------

class Multipart:
    """Reads a multipart body of `length` bytes from rfile. Text fields are
    kept (bounded); the part with a filename goes to a temporary file in
    STORE and is hashed chunk by chunk, as warehouse does."""

    # 1 MiB reads: warehouse's 8 KiB chunks come from a body its WSGI
    # stack has already buffered; here the socket is read directly, and
    # small reads would only add interpreter overhead per byte
    CHUNK = 1 << 20

    def __init__(self, rfile, length, boundary, on_chunk=None):
        self.rfile, self.left = rfile, length
        self.delim = b"\r\n--" + boundary
        self.buf = b"\r\n"  # the first boundary has no CRLF before it
        self.fields = {}
        self.file = None
        self.on_chunk = on_chunk
        self.field_bytes = 0

    def _fill(self):
        if self.left <= 0:
            return False
        data = self.rfile.read(min(self.CHUNK, self.left))
        if not data:
            raise HTTPError(400, "Upload body ended early.")
        self.left -= len(data)
        self.buf += data
        if self.on_chunk:
            self.on_chunk(len(data))
        return True

    def _until(self, sep, limit):
        while True:
            i = self.buf.find(sep)
            if i >= 0:
                out, self.buf = self.buf[:i], self.buf[i + len(sep):]
                return out
            if len(self.buf) > limit:
                raise HTTPError(400, "Malformed multipart body (part too large).")
            if not self._fill():
                raise HTTPError(400, "Malformed multipart body.")

    def parse(self):
        self._until(self.delim, self.CHUNK)
        while True:
            while len(self.buf) < 2 and self._fill():
                pass
            if self.buf[:2] == b"--":
                break
            head = self._until(b"\r\n\r\n", 16384)
            name, filename = None, None
            for line in head.split(b"\r\n"):
                k, _, v = line.decode("utf-8", "replace").partition(":")
                if k.strip().lower() == "content-disposition":
                    m = re.search(r'\bname="([^"]*)"', v)
                    name = m.group(1) if m else None
                    m = re.search(r'\bfilename="([^"]*)"', v)
                    filename = m.group(1) if m else None
            if name is None:
                raise HTTPError(400, "Malformed multipart body (part without a name).")
            if filename is not None:
                self._stream_file(name, filename)
            else:
                value = self._until(self.delim, CONFIG["max_field"])
                self.field_bytes += len(value)
                if self.field_bytes > CONFIG["max_field"]:
                    raise HTTPError(400, "Upload metadata too large.")
                self.fields.setdefault(name, []).append(value.decode("utf-8", "replace"))
        while self.left > 0:  # the epilogue
            self.rfile.read(min(self.CHUNK, self.left))
            self.left -= min(self.CHUNK, self.left)

    def _stream_file(self, name, filename):
        if self.file is not None:
            raise HTTPError(400, "More than one file in the upload.")
        fd, path = tempfile.mkstemp(dir=STORE, prefix=".upload-")
        hashers = {"md5": hashlib.md5(), "sha256": hashlib.sha256(),
                   "blake2_256": hashlib.blake2b(digest_size=32)}
        # md5 and blake2b (the slow two) each on a thread of its own:
        # hashlib lets go of the GIL for big buffers, so they run beside
        # the socket reads, the disk writes and sha256 here
        queues = [queue.Queue(maxsize=8) for _ in range(2)]

        def side(h, q):
            while (c := q.get()) is not None:
                h.update(c)
        workers = [threading.Thread(target=side, args=(hashers[k], q), daemon=True)
                   for k, q in zip(("md5", "blake2_256"), queues)]
        for w in workers:
            w.start()
        size, keep = 0, len(self.delim)
        try:
            with os.fdopen(fd, "wb") as f:
                while True:
                    i = self.buf.find(self.delim)
                    end = i if i >= 0 else max(0, len(self.buf) - keep)
                    chunk = self.buf[:end]
                    if chunk:
                        f.write(chunk)
                        for q in queues:
                            q.put(chunk)
                        hashers["sha256"].update(chunk)
                        size += len(chunk)
                    if i >= 0:
                        self.buf = self.buf[i + len(self.delim):]
                        break
                    self.buf = self.buf[end:]
                    if not self._fill():
                        os.unlink(path)
                        raise HTTPError(400, "Malformed multipart body.")
        finally:
            for q, w in zip(queues, workers):
                q.put(None)
                w.join()
        self.file = {"field": name, "filename": filename, "path": path, "size": size,
                     "hashes": {k: h.hexdigest() for k, h in hashers.items()}}


# ---- the distribution's own metadata ------------------------------------

def parse_metadata(text):
    """RFC 822 headers as (name, value) pairs and the body."""
    fields, body, last = [], "", None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        line = line.rstrip("\r")
        if line == "":
            body = "\n".join(lines[i + 1:])
            break
        if line[:1] in (" ", "\t") and last is not None:
            fields[last] = (fields[last][0], fields[last][1] + "\n" + line.strip())
            continue
        k, _, v = line.partition(":")
        fields.append((k.strip().lower(), v.strip()))
        last = len(fields) - 1
    return fields, body


def dist_metadata(path, filename):
    if filename.endswith(".whl"):
        stem = "-".join(filename[:-4].split("-")[:2])
        with zipfile.ZipFile(path) as z:
            try:
                return z.read(stem + ".dist-info/METADATA").decode()
            except KeyError:
                raise HTTPError(400, f"Wheel '{filename}' does not contain the required "
                                f"METADATA file: {stem}.dist-info/METADATA")
    if filename.endswith(".tar.gz"):
        top = filename[:-7]
        with tarfile.open(path, "r:gz") as t:
            try:
                return t.extractfile(top + "/PKG-INFO").read().decode()
            except (KeyError, AttributeError):
                raise HTTPError(400, "Invalid distribution file. PKG-INFO not found")
    raise HTTPError(400, "Invalid file extension: Use .tar.gz or .whl (see "
                    "https://packaging.python.org/specifications/ for more information).")


# warehouse forklift/metadata.py: form field -> core metadata header; the
# list fields may repeat. "description" is the body or Description.
SINGLE = {"metadata_version": "metadata-version", "name": "name", "version": "version",
          "summary": "summary", "home_page": "home-page", "author": "author",
          "author_email": "author-email", "maintainer": "maintainer",
          "maintainer_email": "maintainer-email", "license": "license",
          "license_expression": "license-expression", "keywords": "keywords",
          "download_url": "download-url", "requires_python": "requires-python",
          "description_content_type": "description-content-type"}
MULTI = {"classifiers": "classifier", "platform": "platform",
         "supported_platform": "supported-platform", "requires_dist": "requires-dist",
         "provides_dist": "provides-dist", "obsoletes_dist": "obsoletes-dist",
         "requires_external": "requires-external", "project_urls": "project-url",
         "provides_extra": "provides-extra", "dynamic": "dynamic",
         "license_file": "license-file", "requires": "requires",
         "import_name": "import-name", "import_namespace": "import-namespace",
         "provides": "provides", "obsoletes": "obsoletes"}


def check_metadata(form, path, filename):
    fields, body = parse_metadata(dist_metadata(path, filename))
    get = lambda h: [v for k, v in fields if k == h]
    name, version = (get("name") or [""])[0], (get("version") or [""])[0]
    fname = form.get("name", [""])[0]
    if normalize(name) != normalize(fname):
        raise HTTPError(400, f"Start filename for {fname!r} with "
                        f"{normalize(name).replace('-', '_')!r}.")
    if version != form.get("version", [""])[0]:
        raise HTTPError(400, f"Version in filename should be {version!r} not "
                        f"{form.get('version', [''])[0]!r}.")
    if filename.endswith(".whl"):
        fn_name, fn_ver = filename.split("-")[:2]
        if fn_name != normalize(name).replace("-", "_") or fn_ver != version:
            raise HTTPError(400, f"Filename {filename!r} should contain the normalized "
                            f"project name {normalize(name).replace('-', '_')!r}.")
    for fld, hdr in SINGLE.items():
        have = [v for v in form.get(fld, []) if v != ""]
        want = get(hdr)[:1]
        if have != want:
            raise HTTPError(400, f"{(have or [''])[0]!r} is an invalid value for "
                            f"{hdr.title()}. Error: it does not match the "
                            "distribution's metadata.")
    for fld, hdr in MULTI.items():
        if [v for v in form.get(fld, []) if v != ""] != get(hdr):
            raise HTTPError(400, f"Invalid value for {fld}. Error: it does not match "
                            "the distribution's metadata.")
    desc = (get("description") or [body.rstrip("\n") if body.strip() else ""])[0]
    if form.get("description", [""])[0].rstrip("\n") != desc.rstrip("\n"):
        raise HTTPError(400, "Invalid value for description. Error: it does not "
                        "match the distribution's metadata.")
    return normalize(name), version


# ---- OIDC: JWT verification against an issuer's JWKS ----------------------

def jwks_for(iss):
    conf = CONFIG["issuers"].get(iss)
    if conf is None:
        return None
    if "jwks" in conf:
        return conf["jwks"]
    with LOCK:
        if iss in JWKS_CACHE:
            return JWKS_CACHE[iss]
    url = conf["jwks_url"]
    if not url.startswith("http://127.0.0.1"):
        raise ValueError("JWKS only from loopback")
    with urllib.request.urlopen(url, timeout=10) as r:
        jwks = json.loads(r.read(1 << 20))
    with LOCK:
        JWKS_CACHE[iss] = jwks
    return jwks


def public_key(jwk):
    n = lambda k: int.from_bytes(b64url(jwk[k]), "big")
    if jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        return ec.EllipticCurvePublicNumbers(n("x"), n("y"), ec.SECP256R1()).public_key()
    if jwk.get("kty") == "RSA":
        return rsa.RSAPublicNumbers(n("e"), n("n")).public_key()
    raise ValueError("unsupported key type")


def verify_jwt(token):
    """The claims of a JWT whose signature, aud and times hold; raises
    ValueError naming what does not."""
    try:
        h64, p64, s64 = token.split(".")
        header, claims, sig = json.loads(b64url(h64)), json.loads(b64url(p64)), b64url(s64)
    except Exception:
        raise ValueError("malformed JWT")
    jwks = jwks_for(claims.get("iss"))
    if jwks is None:
        raise LookupError("unknown trusted publishing issuer")
    keys = [k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")] \
        or jwks.get("keys", [])
    signed, ok = f"{h64}.{p64}".encode(), False
    for jwk in keys:
        try:
            key = public_key(jwk)
            if header.get("alg") == "ES256" and isinstance(key, ec.EllipticCurvePublicKey):
                if len(sig) != 64:
                    break
                der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"),
                                                 int.from_bytes(sig[32:], "big"))
                key.verify(der, signed, ec.ECDSA(hashes.SHA256()))
            elif header.get("alg") == "RS256" and isinstance(key, rsa.RSAPublicKey):
                key.verify(sig, signed, padding.PKCS1v15(), hashes.SHA256())
            else:
                continue
            ok = True
            break
        except Exception:
            continue
    if not ok:
        raise ValueError("signature verification failed")
    now, leeway = time.time(), CONFIG["leeway"]
    aud = claims.get("aud")
    if CONFIG["audience"] not in (aud if isinstance(aud, list) else [aud]):
        raise ValueError("audience mismatch")
    if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] + leeway < now:
        raise ValueError("token expired")
    if claims.get("nbf", 0) - leeway > now or claims.get("iat", 0) - leeway - 60 > now:
        raise ValueError("token not yet valid")
    return claims


def find_publisher(claims):
    """warehouse oidc/models/github.py, reduced: repository, workflow
    (from job_workflow_ref) and environment must match one publisher."""
    for p in CONFIG["publishers"]:
        if p.get("issuer", "https://token.actions.githubusercontent.com") != claims.get("iss"):
            continue
        if not claims.get("job_workflow_ref"):
            raise LookupError("The job_workflow_ref claim is empty")
        if claims.get("repository", "").lower() != p["repository"].lower():
            continue
        prefix = f"{p['repository']}/.github/workflows/{p['workflow']}@"
        if not claims["job_workflow_ref"].lower().startswith(prefix.lower()):
            continue
        if p.get("environment") and claims.get("environment", "").lower() != p["environment"].lower():
            continue
        return p
    raise LookupError("Publisher with matching claims was not found")


def mint(body):
    def invalid(code, description):
        return 422, {"message": "Token request failed",
                     "errors": [{"code": code, "description": description}]}
    try:
        token = json.loads(body)["token"]
        if not isinstance(token, str):
            raise TypeError
    except Exception as e:
        return invalid("invalid-payload", f"token: field required ({type(e).__name__})")
    try:
        iss = json.loads(b64url(token.split(".")[1])).get("iss")
    except Exception:
        return invalid("invalid-payload", "malformed JWT")
    if iss not in CONFIG["issuers"]:
        return invalid("invalid-payload", "unknown trusted publishing issuer")
    try:
        claims = verify_jwt(token)
    except (ValueError, LookupError):
        return invalid("invalid-token", "malformed or invalid token")
    try:
        publisher = find_publisher(claims)
    except LookupError as e:
        return invalid("invalid-publisher", f"valid token, but no corresponding publisher ({e})")
    with LOCK:
        jti = claims.get("jti")
        if jti and jti in USED_JTI:
            return invalid("invalid-reuse-token", "invalid token: already used")
        if jti:
            USED_JTI.add(jti)
        minted = "pypi-" + secrets.token_urlsafe(48)
        expires = int(time.time()) + int(CONFIG["minted_lifetime"])
        MINTED[minted] = {"expires": expires, "publisher": publisher, "claims": claims}
    return 200, {"success": True, "token": minted, "expires": expires}


# ---- PEP 740 attestations -------------------------------------------------

OID_ISSUER = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
OID_SOURCE_REPO = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.12")
OID_SOURCE_DIGEST = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.13")
OID_SOURCE_REF = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.14")
PREDICATES = ("https://docs.pypi.org/attestations/publish/v1", "https://slsa.dev/provenance/v1")


def der_utf8(value):
    """The value of a Fulcio v2 extension: a DER UTF8String."""
    if len(value) >= 2 and value[0] == 0x0C:
        n, off = value[1], 2
        if n & 0x80:
            k = n & 0x7F
            n, off = int.from_bytes(value[2:2 + k], "big"), 2 + k
        return value[off:off + n].decode()
    return value.decode()


def cert_ext(cert, oid):
    try:
        return der_utf8(cert.extensions.get_extension_for_oid(oid).value.value)
    except x509.ExtensionNotFound:
        return ""


def check_attestations(text, upload, publisher):
    """pypi-attestations' verification, done without hwb: each attestation
    becomes a v0.3 bundle verified by @sigstore/verify against the trusted
    root, then the statement and the GitHub publisher policy are checked."""
    def bad(msg):
        raise HTTPError(400, f"Invalid attestations supplied during upload: {msg}")
    if publisher is None:
        bad("Attestations are only supported when using Trusted Publishing")
    try:
        atts = json.loads(text)
        assert isinstance(atts, list)
    except Exception as e:
        bad(f"Malformed attestations: {e}")
    if not atts:
        bad("Malformed attestations: an empty attestation set is not permitted")
    if len(atts) > len(PREDICATES):
        bad(f"A maximum of {len(PREDICATES)} attestations per file are supported")
    seen = set()
    for att in atts:
        try:
            cert_der = base64.b64decode(att["verification_material"]["certificate"])
            entry = att["verification_material"]["transparency_entries"][0]
            statement_raw = base64.b64decode(att["envelope"]["statement"])
            signature = att["envelope"]["signature"]
            statement = json.loads(statement_raw)
            cert = x509.load_der_x509_certificate(cert_der)
        except Exception as e:
            bad(f"Malformed attestations: {e}")
        bundle = {
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"certificate": {"rawBytes": base64.b64encode(cert_der).decode()},
                                     "tlogEntries": [entry]},
            "dsseEnvelope": {"payload": base64.b64encode(statement_raw).decode(),
                             "payloadType": "application/vnd.in-toto+json",
                             "signatures": [{"sig": signature}]},
        }
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        uris = san.get_values_for_type(x509.UniformResourceIdentifier)
        identity = uris[0] if uris else ""
        issuer = cert_ext(cert, OID_ISSUER)
        with tempfile.TemporaryDirectory(dir=STORE) as tmp:
            bpath = os.path.join(tmp, "bundle.json")
            with open(bpath, "w") as f:
                json.dump(bundle, f)
            p = subprocess.run(["node", os.path.join(NODE_DIR, "verify.js"), CONFIG["trusted_root"],
                                identity, issuer, upload["path"], bpath],
                               capture_output=True, text=True, timeout=60)
        if p.returncode:
            bad("Could not verify the uploaded artifact using the included attestation: "
                + p.stderr.strip()[:300])
        subj = statement.get("subject") or []
        if len(subj) != 1 or subj[0].get("name") != upload["filename"] or \
                subj[0].get("digest", {}).get("sha256") != upload["hashes"]["sha256"]:
            bad("Could not verify the uploaded artifact using the included attestation: "
                "subject does not match distribution")
        ptype = statement.get("predicateType")
        if ptype not in PREDICATES:
            bad(f"Attestation with unsupported predicate type: {ptype}")
        if ptype in seen:
            bad(f"Multiple attestations for the same file with the same predicate type "
                f"({ptype}) are not supported")
        seen.add(ptype)
        repo, wf = publisher["repository"], publisher["workflow"]
        ref = cert_ext(cert, OID_SOURCE_REF) or cert_ext(cert, OID_SOURCE_DIGEST)
        want = f"https://github.com/{repo}/.github/workflows/{wf}@{ref}"
        if issuer != "https://token.actions.githubusercontent.com" or \
                cert_ext(cert, OID_SOURCE_REPO) != f"https://github.com/{repo}" or identity != want:
            bad("Could not verify the uploaded artifact using the included attestation: "
                f"certificate's Build Config URI ({identity}) does not match expected "
                f"Trusted Publisher ({wf} @ {repo})")
    return {"publisher": {"kind": "GitHub", "repository": publisher["repository"],
                          "workflow": publisher["workflow"],
                          "environment": publisher.get("environment")},
            "attestations": atts}


# ---- the HTTP side --------------------------------------------------------

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json", reason=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        # warehouse puts its message in the status line too (_exc_with_message)
        self.send_response(status, reason)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def fault(self, path):
        with LOCK:
            for f in FAULTS:
                if path.startswith(f.get("path", "/legacy/")) and f.get("times", 1) > 0:
                    f["times"] = f.get("times", 1) - 1
                    return dict(f)
        return None

    def drain(self):
        left = int(self.headers.get("Content-Length") or 0)
        while left > 0:
            n = len(self.rfile.read(min(1 << 16, left)))
            if not n:
                break
            left -= n

    def reset(self):
        # SO_LINGER 0: close() sends RST, as a crashed proxy would
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self):
        path = self.path.split("?")[0]
        LOG.append({"method": "GET", "path": path})
        if path == "/_control/log":
            return self.send(200, LOG)
        if path == "/_control/state":
            with LOCK:
                return self.send(200, {"minted": len(MINTED), "used_jti": sorted(USED_JTI),
                                       "files": {k: {x: v[x] for x in ("sha256", "blake2_256")}
                                                 for k, v in FILES.items()}})
        if path == "/_/oidc/audience":
            if CONFIG["oidc"] == "absent":
                return self.send(404, b"404 Not Found", "text/plain")
            if CONFIG["oidc"] == "disabled":
                return self.send(403, {"message": "Trusted publishing functionality not enabled"})
            return self.send(200, {"audience": CONFIG["audience"]})
        m = re.fullmatch(r"/files/([^/]+)", path)
        if m and m.group(1) in FILES:
            with open(FILES[m.group(1)]["path"], "rb") as f:
                return self.send(200, f.read(), "application/octet-stream")
        m = re.fullmatch(r"/integrity/([^/]+)/([^/]+)/([^/]+)/provenance", path)
        if m:
            rec = FILES.get(m.group(3))
            if not rec or rec["project"] != normalize(m.group(1)) or rec["version"] != m.group(2) \
                    or not rec["provenance"]:
                return self.send(404, {"message": f"No provenance available for {m.group(3)}"})
            return self.send(200, {"version": 1, "attestation_bundles": [rec["provenance"]]},
                             "application/vnd.pypi.integrity.v1+json")
        if path == "/simple/":
            names = sorted({r["project"] for r in FILES.values()})
            return self.simple_root(names)
        m = re.fullmatch(r"/simple/([^/]+)/", path)
        if m:
            return self.simple_project(normalize(m.group(1)))
        return self.send(404, b"404 Not Found", "text/plain")

    def wants_json(self):
        return "application/vnd.pypi.simple.v1+json" in self.headers.get("Accept", "")

    def simple_root(self, names):
        if self.wants_json():
            return self.send(200, {"meta": {"api-version": "1.1"},
                                   "projects": [{"name": n} for n in names]},
                             "application/vnd.pypi.simple.v1+json")
        links = "".join(f'<a href="/simple/{n}/">{n}</a>\n' for n in names)
        return self.send(200, f"<!DOCTYPE html><html><body>\n{links}</body></html>",
                         "application/vnd.pypi.simple.v1+html")

    def simple_project(self, name):
        files = sorted((fn, r) for fn, r in FILES.items() if r["project"] == name)
        if not files:
            return self.send(404, b"404 Not Found", "text/plain")
        prov = lambda fn, r: (f"/integrity/{name}/{r['version']}/{fn}/provenance"
                              if r["provenance"] else None)
        if self.wants_json():
            out = [{"filename": fn, "url": f"/files/{fn}", "hashes": {"sha256": r["sha256"]},
                    "requires-python": r.get("requires_python"), "size": r["size"],
                    "provenance": prov(fn, r)} for fn, r in files]
            return self.send(200, {"meta": {"api-version": "1.3"}, "name": name, "files": out,
                                   "versions": sorted({r["version"] for _, r in files})},
                             "application/vnd.pypi.simple.v1+json")
        links = ""
        for fn, r in files:
            rp = r.get("requires_python")
            attrs = f' data-requires-python="{html.escape(rp)}"' if rp else ""
            if r["provenance"]:
                attrs += f' data-provenance="{prov(fn, r)}"'
            links += f'<a href="/files/{fn}#sha256={r["sha256"]}"{attrs}>{html.escape(fn)}</a><br/>\n'
        return self.send(200, f"<!DOCTYPE html><html><body><h1>Links for {name}</h1>\n"
                         f"{links}</body></html>", "application/vnd.pypi.simple.v1+html")

    def do_POST(self):
        path = self.path.split("?")[0]
        length = int(self.headers.get("Content-Length") or -1)
        if path.startswith("/_control/"):
            body = json.loads(self.rfile.read(length) or b"null")
            with LOCK:
                if path == "/_control/config":
                    CONFIG.update(body)
                elif path == "/_control/faults":
                    FAULTS.extend(body)
                elif path == "/_control/reset-faults":
                    FAULTS.clear()
            return self.send(200, {"ok": True})
        entry = {"method": "POST", "path": path}
        LOG.append(entry)
        f = self.fault(path)
        if f and f["action"] == "status":
            self.drain()
            entry["status"] = f["status"]
            return self.send(f["status"], f"{f['status']} Fault injected", "text/plain",
                             reason="Fault injected")
        if path == "/_/oidc/mint-token":
            if length < 0 or length > 1 << 16:
                return self.send(400, {"message": "bad request"})
            status, body = mint(self.rfile.read(length))
            entry["status"] = status
            return self.send(status, body)
        if path == "/redirect/":  # a moved upload URL
            self.drain()
            self.send_response(301)
            self.send_header("Location", "/legacy/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path.rstrip("/") != "/legacy":
            self.drain()
            return self.send(404, b"404 Not Found", "text/plain")
        start = time.monotonic()
        try:
            status, msg = self.upload(length, f)
        except HTTPError as e:
            status, msg = e.status, e.message
        except ConnectionError:
            return
        entry.update(status=status, message=msg, server_seconds=time.monotonic() - start)
        if status == 0:
            return
        self.send(status, f"{status} {msg}\n\n{msg}\n" if status != 200 else "OK",
                  "text/plain", reason=msg if status != 200 else None)

    def authenticate(self):
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                user, pw = "", ""
            if user == "__token__":
                with LOCK:
                    m = MINTED.get(pw)
                if m and m["expires"] > time.time():
                    return "trusted", m["publisher"]
                if any(hmac.compare_digest(pw, t) for t in CONFIG["api_tokens"]):
                    return "token", None
        raise HTTPError(403, "Invalid or non-existent authentication information. "
                        f"See {HELP}#invalid-auth for more information.")

    def upload(self, length, fault):
        if length < 0:
            raise HTTPError(411, "Length Required")
        if length > CONFIG["max_body"]:
            raise HTTPError(413, "Request Entity Too Large")
        m = re.search(r'boundary="?([^";]+)"?', self.headers.get("Content-Type", ""))
        if not self.headers.get("Content-Type", "").startswith("multipart/form-data") or not m:
            raise HTTPError(400, "Invalid upload: not multipart/form-data")
        on_chunk = None
        if fault and fault["action"] == "reset":
            seen = [0]

            def on_chunk(n):
                seen[0] += n
                if seen[0] >= fault.get("after_bytes", 1 << 20):
                    self.reset()
                    raise ConnectionError("fault: reset")
        elif fault and fault["action"] == "slow":
            def on_chunk(n):
                time.sleep(n / fault.get("bytes_per_second", 1 << 20))
        parts = Multipart(self.rfile, length, m.group(1).encode(), on_chunk)
        try:
            parts.parse()
            return self.accept(parts)
        finally:
            if parts.file and os.path.exists(parts.file["path"]):
                os.unlink(parts.file["path"])

    def accept(self, parts):
        form, up = parts.fields, parts.file
        kind, publisher = self.authenticate()
        if form.get(":action", [""])[0] != "file_upload":
            raise HTTPError(400, "Invalid value for :action.")
        if form.get("protocol_version", ["1"])[0] != "1":
            raise HTTPError(400, "Unknown protocol version.")
        for fld in ("metadata_version", "name", "version", "filetype"):
            if not form.get(fld, [""])[0]:
                raise HTTPError(400, f"Error: {fld}: This field is required.")
        if form["filetype"][0] not in ("bdist_wheel", "sdist"):
            raise HTTPError(400, "Invalid value for filetype. Error: Unknown type of file.")
        if up is None or up["field"] != "content":
            raise HTTPError(400, "Upload payload does not have a file.")
        pyv = form.get("pyversion", [""])[0]
        if form["filetype"][0] == "sdist" and pyv not in ("", "source"):
            raise HTTPError(400, "The only valid Python version for a sdist is 'source'.")
        if form["filetype"][0] == "bdist_wheel" and not pyv:
            raise HTTPError(400, "Python version is required for binary distribution uploads.")
        if not form.get("sha256_digest", [""])[0] and not form.get("md5_digest", [""])[0]:
            raise HTTPError(400, "Include at least one message digest.")
        for d in ("md5", "sha256", "blake2_256"):
            given = form.get(f"{d}_digest", [""])[0]
            if given and not hmac.compare_digest(given.lower(), up["hashes"][d]):
                raise HTTPError(400, "The digest supplied does not match a digest "
                                "calculated from the uploaded file.")
        filename = up["filename"]
        if "/" in filename or "\\" in filename:
            raise HTTPError(400, "Cannot upload a file with '/' or '\\' in the name.")
        with LOCK:
            rec = FILES.get(filename) or next(
                (r for r in FILES.values() if r["blake2_256"] == up["hashes"]["blake2_256"]), None)
        if rec is not None:
            if rec["filename"] == filename and rec["sha256"] == up["hashes"]["sha256"] and \
                    rec["blake2_256"] == up["hashes"]["blake2_256"]:
                return 200, "OK"
            raise HTTPError(CONFIG["conflict"],
                            f"File already exists ({filename!r}, with blake2_256 hash "
                            f"{up['hashes']['blake2_256']!r}). See {HELP}#file-name-reuse "
                            "for more information.")
        project, version = check_metadata(form, up["path"], filename)
        provenance = None
        if "attestations" in form:
            provenance = check_attestations(form["attestations"][0], up, publisher)
        final = os.path.join(STORE, filename)
        os.replace(up["path"], final)
        with LOCK:
            FILES[filename] = {"filename": filename, "project": project, "version": version,
                               "sha256": up["hashes"]["sha256"], "size": up["size"],
                               "blake2_256": up["hashes"]["blake2_256"], "path": final,
                               "requires_python": form.get("requires_python", [None])[0],
                               "provenance": provenance, "auth": kind}
        return 200, "OK"


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64


def main():
    global STORE
    STORE = os.path.abspath(sys.argv[1])
    os.makedirs(STORE, exist_ok=True)
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
