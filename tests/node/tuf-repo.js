#!/usr/bin/env node
// tuf-repo.js: builds TUF repositories for hwb's tests with tuf-js's
// @tufjs/models (Metadata, Signature: canonical JSON and signing are
// theirs). Usage: node tuf-repo.js DIR < OPS.json
// DIR/state.json keeps the keys and versions between runs; DIR/repo/ is
// what the tests serve over HTTP (N.root.json, timestamp.json,
// N.snapshot.json, N.targets.json, N.ROLE.json, targets/HASH.NAME).
// OPS is a JSON array of operations:
//   {"op":"key","name":K,"type":"ecdsa"|"ecdsa-hex"|"ecdsa-compressed"|
//    "ed25519"|"ed25519-pem"}
//   {"op":"root","roles":{ROLE:{"keys":[K...],"threshold":N}},
//    "sign":[K...] (default: the old and new root keys),
//    "expires":"+7d"|ISO, "version":N (default next), "consistent":bool}
//   {"op":"target","name":NAME,"file":PATH}|{...,"content":STRING}
//   {"op":"delegate","role":R,"keys":[K...],"threshold":N,
//    "paths":[...],"terminating":bool}  (targets of R: "target" with "role")
//   {"op":"targets"|"snapshot"|"timestamp","expires":...,"sign":[K...],
//    "version":N,"hashes":bool, snapshot: "meta":{NAME:VERSION}}
//   {"op":"publish"}: targets, snapshot, timestamp with their defaults.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Metadata, MetadataKind, Signature } = require('@tufjs/models');
const { canonicalize } = require('@tufjs/canonical-json');

const dir = process.argv[2];
const repo = path.join(dir, 'repo');
const statePath = path.join(dir, 'state.json');
fs.mkdirSync(path.join(repo, 'targets'), { recursive: true });
const state = fs.existsSync(statePath)
  ? JSON.parse(fs.readFileSync(statePath, 'utf8'))
  : { keys: {}, roles: {}, versions: { root: 0, targets: 0, snapshot: 0, timestamp: 0 },
      consistent: true, targets: {}, delegations: [], dtargets: {} };

function expiry(spec) {
  if (spec && !spec.startsWith('+') && !spec.startsWith('-')) return spec;
  const days = spec ? parseInt(spec, 10) : 30;
  const d = new Date(Date.now() + days * 86400000);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function makeKey(name, type) {
  let pair, pub;
  if (type === 'ed25519' || type === 'ed25519-pem') {
    pair = crypto.generateKeyPairSync('ed25519');
    const der = pair.publicKey.export({ format: 'der', type: 'spki' });
    pub = { keytype: 'ed25519', scheme: 'ed25519',
            keyval: { public: type === 'ed25519-pem'
              ? pair.publicKey.export({ format: 'pem', type: 'spki' })
              : der.subarray(der.length - 32).toString('hex') } };
  } else if (type === 'ecdsa-compressed') {
    // a PEM SubjectPublicKeyInfo holding the compressed point (02/03 || x)
    pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const y = Buffer.from(jwk.y, 'base64url');
    const der = Buffer.concat([
      Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
      Buffer.from([y[y.length - 1] & 1 ? 3 : 2]), Buffer.from(jwk.x, 'base64url')]);
    const b64 = der.toString('base64').match(/.{1,64}/g).join('\n');
    pub = { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256',
            keyval: { public: `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n` } };
  } else {
    pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const keyval = type === 'ecdsa-hex'
      ? pair.publicKey.export({ format: 'jwk' })
      : pair.publicKey.export({ format: 'pem', type: 'spki' });
    pub = { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256',
            keyval: { public: typeof keyval === 'string' ? keyval
              : '04' + Buffer.from(keyval.x, 'base64url').toString('hex') +
                Buffer.from(keyval.y, 'base64url').toString('hex') } };
  }
  const keyid = crypto.createHash('sha256').update(canonicalize(pub)).digest('hex');
  state.keys[name] = { pub, keyid, type,
    priv: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }) };
}

function sign(kind, signed, signers) {
  const md = Metadata.fromJSON(kind, { signed, signatures: [] });
  for (const name of signers) {
    const k = state.keys[name];
    md.sign((data) => {
      const priv = crypto.createPrivateKey(k.priv);
      const sig = crypto.sign(k.type.startsWith('ed25519') ? null : 'sha256', data, priv);
      return new Signature({ keyID: k.keyid, sig: sig.toString('hex') });
    }, true);
  }
  return JSON.stringify(md.toJSON(), null, 1);
}

function write(name, text) {
  fs.writeFileSync(path.join(repo, name), text);
  return text;
}

function roleKeys(names) {
  return names.map((n) => state.keys[n].keyid);
}

function fileInfo(text) {
  const b = Buffer.from(text);
  return { length: b.length,
           hashes: { sha256: crypto.createHash('sha256').update(b).digest('hex') } };
}

function doRoot(op) {
  const old = state.roles.root ? state.roles.root.keys : [];
  for (const [r, v] of Object.entries(op.roles || {})) state.roles[r] = v;
  if (op.consistent !== undefined) state.consistent = op.consistent;
  state.versions.root = op.version || state.versions.root + 1;
  const keys = {}, roles = {};
  for (const r of ['root', 'timestamp', 'snapshot', 'targets']) {
    roles[r] = { keyids: roleKeys(state.roles[r].keys), threshold: state.roles[r].threshold };
    for (const n of state.roles[r].keys) keys[state.keys[n].keyid] = state.keys[n].pub;
  }
  const signed = { _type: 'root', spec_version: '1.0.31', version: state.versions.root,
                   expires: expiry(op.expires || '+365'), keys, roles,
                   consistent_snapshot: state.consistent };
  const signers = op.sign || [...new Set([...old, ...state.roles.root.keys])];
  const text = write(`${state.versions.root}.root.json`, sign(MetadataKind.Root, signed, signers));
  if (!op.version) write('root.json', text);
}

function targetEntry(t) {
  const data = t.file ? fs.readFileSync(t.file) : Buffer.from(t.content);
  const info = { length: data.length, hashes: {
    sha256: crypto.createHash('sha256').update(data).digest('hex'),
    sha512: crypto.createHash('sha512').update(data).digest('hex') } };
  const slash = t.name.lastIndexOf('/');
  for (const h of Object.values(info.hashes)) {
    const file = t.name.slice(0, slash + 1) + h + '.' + t.name.slice(slash + 1);
    fs.mkdirSync(path.dirname(path.join(repo, 'targets', file)), { recursive: true });
    fs.writeFileSync(path.join(repo, 'targets', file), data);
  }
  fs.writeFileSync(path.join(repo, 'targets', t.name.replace(/\//g, '_')), data);
  return info;
}

function doTargets(op) {
  state.versions.targets = op.version || state.versions.targets + 1;
  const signed = { _type: 'targets', spec_version: '1.0.31', version: state.versions.targets,
                   expires: expiry(op.expires), targets: state.targets };
  if (state.delegations.length) {
    const keys = {};
    for (const d of state.delegations)
      for (const n of d.keys) keys[state.keys[n].keyid] = state.keys[n].pub;
    signed.delegations = { keys, roles: state.delegations.map((d) => ({
      name: d.role, keyids: roleKeys(d.keys), threshold: d.threshold,
      paths: d.paths, terminating: !!d.terminating })) };
  }
  const text = write(`${state.versions.targets}.targets.json`,
                     sign(MetadataKind.Targets, signed, op.sign || state.roles.targets.keys));
  write('targets.json', text);
  state.meta = { 'targets.json': { version: state.versions.targets, text } };
  for (const d of state.delegations) {
    d.version = (d.version || 0) + 1;
    const ds = { _type: 'targets', spec_version: '1.0.31', version: d.version,
                 expires: expiry(op.expires), targets: state.dtargets[d.role] || {} };
    const dt = write(`${d.version}.${d.role}.json`, sign(MetadataKind.Targets, ds, d.keys));
    state.meta[`${d.role}.json`] = { version: d.version, text: dt };
  }
}

function doSnapshot(op) {
  state.versions.snapshot = op.version || state.versions.snapshot + 1;
  const meta = {};
  for (const [n, m] of Object.entries(state.meta))
    meta[n] = op.hashes ? { version: m.version, ...fileInfo(m.text) } : { version: m.version };
  // "meta": {"targets.json": N} lists another version (rollback tests)
  for (const [n, v] of Object.entries(op.meta || {})) meta[n] = { version: v };
  const signed = { _type: 'snapshot', spec_version: '1.0.31', version: state.versions.snapshot,
                   expires: expiry(op.expires), meta };
  state.snapText = write(`${state.versions.snapshot}.snapshot.json`,
                         sign(MetadataKind.Snapshot, signed, op.sign || state.roles.snapshot.keys));
  write('snapshot.json', state.snapText);
}

function doTimestamp(op) {
  state.versions.timestamp = op.version || state.versions.timestamp + 1;
  const sm = { version: state.versions.snapshot };
  if (op.hashes !== false) Object.assign(sm, fileInfo(state.snapText));
  const signed = { _type: 'timestamp', spec_version: '1.0.31', version: state.versions.timestamp,
                   expires: expiry(op.expires || '+1'), meta: { 'snapshot.json': sm } };
  write('timestamp.json', sign(MetadataKind.Timestamp, signed,
                               op.sign || state.roles.timestamp.keys));
}

const ops = JSON.parse(fs.readFileSync(0, 'utf8'));
for (const op of ops) {
  switch (op.op) {
    case 'key': makeKey(op.name, op.type || 'ecdsa'); break;
    case 'root': doRoot(op); break;
    case 'target':
      if (op.role) (state.dtargets[op.role] = state.dtargets[op.role] || {})[op.name] = targetEntry(op);
      else state.targets[op.name] = targetEntry(op);
      break;
    case 'delegate': state.delegations.push({ role: op.role, keys: op.keys, threshold: op.threshold || 1,
                                              paths: op.paths, terminating: op.terminating }); break;
    case 'targets': doTargets(op); break;
    case 'snapshot': doSnapshot(op); break;
    case 'timestamp': doTimestamp(op); break;
    case 'publish': doTargets({}); doSnapshot({}); doTimestamp({}); break;
    default: throw new Error(`unknown op ${op.op}`);
  }
}
fs.writeFileSync(statePath, JSON.stringify(state));
