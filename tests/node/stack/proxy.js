// SPDX-License-Identifier: Apache-2.0
// The fault proxy: requests sent to it reach the stack unchanged, except that
// faults queued through the control API are applied to the next requests of
// their service: transport faults here (status, delay, reset, truncate,
// malformed), semantic ones (foreign_chain, bad_sct, other_identity,
// other_artifact) handed to the service in a header only this proxy sets.
'use strict';
const http = require('http');

const TRANSPORT = new Set(['status', 'delay', 'reset', 'truncate', 'malformed']);
const SEMANTIC = {
  foreign_chain: ['fulcio'], bad_sct: ['fulcio'], other_identity: ['fulcio'],
  other_artifact: ['rekor', 'rekor2'],
};
const SERVICES = new Set(['fulcio', 'rekor', 'rekor2', 'tsa', 'oauth', 'gha', 'gcp', 'oidc']);

// Validates a fault from the control API; returns it normalised or throws.
function checkFault(f) {
  if (!f || typeof f !== 'object') throw new Error('a fault is a JSON object');
  if (!SERVICES.has(f.service)) throw new Error(`unknown service ${f.service}`);
  if (!TRANSPORT.has(f.action) && !SEMANTIC[f.action]) throw new Error(`unknown action ${f.action}`);
  if (SEMANTIC[f.action] && !SEMANTIC[f.action].includes(f.service))
    throw new Error(`${f.action} applies to ${SEMANTIC[f.action].join('/')} only`);
  if (f.action === 'status' && !Number.isInteger(f.status)) throw new Error('action status needs an integer status');
  if (f.action === 'delay' && !(f.ms >= 0)) throw new Error('action delay needs ms');
  const times = f.times === undefined ? 1 : f.times;
  if (!Number.isInteger(times) || times < 1) throw new Error('times must be a positive integer');
  return { ...f, times };
}

class FaultProxy {
  // target: {port}; serviceOf(pathname) -> name; record(entry) appends to the request log.
  constructor({ targetPort, serviceOf, record }) {
    this.targetPort = targetPort;
    this.serviceOf = serviceOf;
    this.record = record;
    this.faults = [];
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  take(service) {
    const i = this.faults.findIndex((f) => f.service === service);
    if (i < 0) return null;
    const f = this.faults[i];
    if (--f.times === 0) this.faults.splice(i, 1);
    return f;
  }

  async handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    const service = this.serviceOf(pathname);
    const fault = service ? this.take(service) : null;
    const log = (status) => this.record({
      service, method: req.method, path: pathname, status, ms: 0, via_proxy: true, fault: fault.action,
    });
    if (fault?.action === 'status') {
      const headers = { 'Content-Type': 'application/json' };
      if (fault.retry_after !== undefined) headers['Retry-After'] = String(fault.retry_after);
      log(fault.status);
      res.writeHead(fault.status, headers);
      res.end(JSON.stringify({ code: fault.status, message: `injected fault: status ${fault.status}` }));
      return;
    }
    if (fault?.action === 'reset') {
      log(0);
      req.socket.destroy();
      return;
    }
    if (fault?.action === 'malformed') {
      log(200);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{not json');
      return;
    }
    if (fault?.action === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    const headers = { ...req.headers, 'x-hwb-stack-via-proxy': '1', host: `127.0.0.1:${this.targetPort}` };
    if (fault && SEMANTIC[fault.action]) headers['x-hwb-stack-fault'] = fault.action;
    const up = http.request({ host: '127.0.0.1', port: this.targetPort, method: req.method, path: req.url, headers });
    up.on('error', () => req.socket.destroy());
    up.on('response', async (ur) => {
      const parts = [];
      for await (const c of ur) parts.push(c);
      const answer = Buffer.concat(parts);
      const h = { ...ur.headers };
      delete h['transfer-encoding'];
      h['content-length'] = String(answer.length);
      res.writeHead(ur.statusCode, h);
      if (fault?.action === 'truncate') {
        // Announce the whole answer, send half, then cut the connection.
        res.write(answer.subarray(0, Math.floor(answer.length / 2)), () => req.socket.destroy());
        return;
      }
      res.end(answer);
    });
    up.end(body);
  }
}

module.exports = { FaultProxy, checkFault, SEMANTIC };
