// SPDX-License-Identifier: Apache-2.0
// The stack's two transparency logs. Both are served through @sigstore/mock's
// rekorHandler/rekorV2Handler (which call log()/logV2()), but unlike the mock's
// TLog they keep a real RFC 6962 tree with sequential indexes, so inclusion
// proofs and checkpoints are those of a log of any size.
//  - Rekor v1: ECDSA P-256 key, log ID = SHA-256(DER SPKI); canonical bodies
//    as rekor writes them (hashedrekord 0.0.1, dsse 0.0.1 with envelopeHash /
//    payloadHash / signatures), SET over the RFC 8785 JSON of body,
//    integratedTime, logID, logIndex (protocols.md B).
//  - Rekor v2: Ed25519 key, origin = base URL without scheme, log ID =
//    SHA-256(origin || 0x0A || 0x01 || key) (protocols.md design constraint 3),
//    entries hashedrekord 0.0.2 serialised as rekor-tiles does (protojson of the
//    Entry message, then RFC 8785: sigstore/rekor-tiles internal/server/service.go).
'use strict';
const crypto = require('crypto');
const canonicalize = require('canonicalize');
const { HashAlgorithm } = require('@sigstore/protobuf-specs');
const { Entry } = require('@sigstore/protobuf-specs/rekor/v2');
const { MerkleTree } = require('./merkle');

const sha256hex = (b) => crypto.createHash('sha256').update(b).digest('hex');
const b64 = (b) => Buffer.from(b).toString('base64');

// A signed note (C2SP signed-note, protocols.md B): body, blank line, one
// signature line "— name base64(keyhint || signature)".
function signedNote(body, name, keyHint, sign) {
  const sig = Buffer.concat([keyHint, sign(Buffer.from(body))]);
  return `${body}\n\u2014 ${name} ${sig.toString('base64')}\n`;
}

// Rebuilds the entry so that it is logged for another artifact (the
// "other_artifact" fault): same signature, different digest.
const otherDigest = (hex) => sha256hex(Buffer.from(`other artifact than ${hex}`));

class RekorV1Log {
  constructor({ host, keyPair }) {
    this.tree = new MerkleTree();
    this.host = host;
    this.treeID = crypto.randomInt(2 ** 47);
    this.privateKey = keyPair.privateKey;
    this.publicKey = keyPair.publicKey.export({ format: 'der', type: 'spki' });
    this.logID = crypto.createHash('sha256').update(this.publicKey).digest();
    this.fault = null; // set per request by the server
  }

  // The body rekor stores for a proposed entry.
  canonicalBody(p) {
    if (p.kind === 'hashedrekord' && p.apiVersion === '0.0.1') {
      const s = p.spec || {};
      const hash = s.data?.hash || {};
      if (hash.algorithm !== 'sha256' || !/^[0-9a-f]{64}$/.test(hash.value || ''))
        throw new Error('hashedrekord: spec.data.hash must be sha256 with a lowercase hex value');
      if (!s.signature?.content || !s.signature?.publicKey?.content)
        throw new Error('hashedrekord: spec.signature.content and publicKey.content are required');
      const value = this.fault === 'other_artifact' ? otherDigest(hash.value) : hash.value;
      return {
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: { hash: { algorithm: 'sha256', value } },
          signature: { content: s.signature.content, publicKey: { content: s.signature.publicKey.content } },
        },
      };
    }
    if (p.kind === 'dsse' && p.apiVersion === '0.0.1') {
      const pc = p.spec?.proposedContent || {};
      if (typeof pc.envelope !== 'string' || !Array.isArray(pc.verifiers) || pc.verifiers.length !== 1)
        throw new Error('dsse: spec.proposedContent needs an envelope string and one verifier');
      const env = JSON.parse(pc.envelope);
      if (!Array.isArray(env.signatures) || env.signatures.length < 1)
        throw new Error('dsse: the envelope has no signature');
      let payloadHash = sha256hex(Buffer.from(env.payload, 'base64'));
      if (this.fault === 'other_artifact') payloadHash = otherDigest(payloadHash);
      return {
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: sha256hex(Buffer.from(pc.envelope)) },
          payloadHash: { algorithm: 'sha256', value: payloadHash },
          signatures: env.signatures.map((s) => ({ signature: s.sig, verifier: pc.verifiers[0] })),
        },
      };
    }
    throw new Error(`unsupported entry kind ${p.kind} ${p.apiVersion} (hashedrekord 0.0.1 and dsse 0.0.1 are)`);
  }

  checkpoint(size) {
    const body = `${this.host} - ${this.treeID}\n${size}\n${b64(this.tree.root(size))}\n`;
    return signedNote(body, this.host, this.logID.subarray(0, 4),
      (data) => crypto.sign('sha256', data, this.privateKey));
  }

  // Called by @sigstore/mock's rekorHandler with the parsed request body.
  async log(proposedEntry) {
    const body = Buffer.from(canonicalize(this.canonicalBody(proposedEntry)));
    const logIndex = this.tree.append(body);
    const size = this.tree.size;
    const integratedTime = Math.floor(Date.now() / 1000);
    const logID = this.logID.toString('hex');
    const set = crypto.sign('sha256', Buffer.from(canonicalize({
      body: body.toString('base64'), integratedTime, logID, logIndex,
    })), this.privateKey);
    const uuid = sha256hex(Buffer.concat([Buffer.from([0]), body]));
    return {
      [uuid]: {
        body: body.toString('base64'),
        integratedTime,
        logID,
        logIndex,
        verification: {
          signedEntryTimestamp: set.toString('base64'),
          inclusionProof: {
            logIndex,
            treeSize: size,
            rootHash: this.tree.root(size).toString('hex'),
            hashes: this.tree.proof(logIndex, size).map((h) => h.toString('hex')),
            checkpoint: this.checkpoint(size),
          },
        },
      },
    };
  }
}

class RekorV2Log {
  constructor({ origin, keyPair }) {
    this.tree = new MerkleTree();
    this.origin = origin;
    this.privateKey = keyPair.privateKey;
    this.publicKey = keyPair.publicKey.export({ format: 'der', type: 'spki' });
    const raw = this.publicKey.subarray(this.publicKey.length - 32);
    this.logID = crypto.createHash('sha256')
      .update(Buffer.concat([Buffer.from(origin), Buffer.from([0x0a, 0x01]), raw])).digest();
    this.fault = null;
  }

  checkpoint(size) {
    const body = `${this.origin}\n${size}\n${b64(this.tree.root(size))}\n`;
    return signedNote(body, this.origin, this.logID.subarray(0, 4),
      (data) => crypto.sign(null, data, this.privateKey));
  }

  // Called by @sigstore/mock's rekorV2Handler with a parsed CreateEntryRequest.
  async logV2(request) {
    if (request?.spec?.$case !== 'hashedRekordRequestV002')
      throw new Error('only hashedRekordRequestV002 entries are supported by this log');
    const hr = request.spec.hashedRekordRequestV002;
    if (hr.digest.length !== 32) throw new Error('digest must be 32 bytes (SHA2_256)');
    if (!hr.signature?.content?.length || !hr.signature.verifier?.verifier)
      throw new Error('missing signature or verifier');
    const digest = this.fault === 'other_artifact'
      ? Buffer.from(otherDigest(hr.digest.toString('hex')), 'hex') : hr.digest;
    const entry = Entry.toJSON({
      kind: 'hashedrekord',
      apiVersion: '0.0.2',
      spec: {
        spec: {
          $case: 'hashedRekordV002',
          hashedRekordV002: {
            signature: hr.signature,
            data: { algorithm: HashAlgorithm.SHA2_256, digest },
          },
        },
      },
    });
    const body = Buffer.from(canonicalize(entry));
    const logIndex = this.tree.append(body);
    const size = this.tree.size;
    return {
      logIndex: String(logIndex),
      logId: { keyId: this.logID },
      kindVersion: { kind: 'hashedrekord', version: '0.0.2' },
      integratedTime: '0',
      inclusionPromise: undefined,
      inclusionProof: {
        logIndex: String(logIndex),
        rootHash: this.tree.root(size),
        treeSize: String(size),
        hashes: this.tree.proof(logIndex, size),
        checkpoint: { envelope: this.checkpoint(size) },
      },
      canonicalizedBody: body,
    };
  }
}

module.exports = { RekorV1Log, RekorV2Log };
