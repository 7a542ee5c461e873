#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A Rekor v1 search stub on 127.0.0.1 for hwb verify --online tests: it
serves the log entries of Sigstore bundles, converted back to Rekor's API
form, through POST /api/v1/index/retrieve and GET /api/v1/log/entries/UUID.
    rekor_stub.py BUNDLE...   prints "PORT\\n" when ready, serves until killed.
"""
import base64
import hashlib
import http.server
import json
import sys


def api_entry(tle):
    """A bundle TransparencyLogEntry back in Rekor v1's response form."""
    hexb = lambda b: base64.b64decode(b).hex()
    proof = tle["inclusionProof"]
    return {
        "body": tle["canonicalizedBody"],
        "integratedTime": int(tle["integratedTime"]),
        "logID": hexb(tle["logId"]["keyId"]),
        "logIndex": int(tle["logIndex"]),
        "verification": {
            "signedEntryTimestamp": tle["inclusionPromise"]["signedEntryTimestamp"],
            "inclusionProof": {
                "logIndex": int(proof["logIndex"]),
                "rootHash": hexb(proof["rootHash"]),
                "treeSize": int(proof["treeSize"]),
                "hashes": [hexb(h) for h in proof["hashes"]],
                "checkpoint": proof["checkpoint"]["envelope"],
            },
        },
    }


def load(paths):
    by_hash, by_uuid = {}, {}
    for path in paths:
        with open(path) as f:
            bundle = json.load(f)
        for tle in bundle["verificationMaterial"]["tlogEntries"]:
            body = json.loads(base64.b64decode(tle["canonicalizedBody"]))
            digest = body["spec"]["data"]["hash"]["value"]
            uuid = hashlib.sha256(base64.b64decode(tle["canonicalizedBody"])).hexdigest()
            by_uuid[uuid] = api_entry(tle)
            by_hash.setdefault("sha256:" + digest, []).append(uuid)
    return by_hash, by_uuid


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, doc):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        if self.path != "/api/v1/index/retrieve":
            return self.reply(404, {"code": 404, "message": "not found"})
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.reply(200, self.server.by_hash.get(req.get("hash", ""), []))

    def do_GET(self):
        prefix = "/api/v1/log/entries/"
        uuid = self.path[len(prefix):] if self.path.startswith(prefix) else None
        if uuid not in self.server.by_uuid:
            return self.reply(404, {"code": 404, "message": "entry not found"})
        self.reply(200, {uuid: self.server.by_uuid[uuid]})

    def log_message(self, *args):
        pass


def main(argv):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.by_hash, server.by_uuid = load(argv[1:])
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv)
