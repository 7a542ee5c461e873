// SPDX-License-Identifier: Apache-2.0
// A local Sigstore stack for hwb's tests, on 127.0.0.1 only:
//   node sigstore-stack.js --dir DIR
// serves Fulcio, Rekor v1 and v2, a TSA, OIDC issuers (GitHub Actions, an
// OAuth provider, GitLab, Google) with the token endpoints hwb reads, a fault
// proxy and a control API; writes DIR/trusted_root.json, signing_config.json,
// signing_config.proxy.json and stack.json, prints "ready", and stops on
// SIGTERM or when its stdin closes (so a killed test run leaves nothing).
// The interface is documented in tests/node/README.md.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { initializeCTLog, initializeTSA, rekorHandler, rekorV2Handler } = require('@sigstore/mock');
const { FulcioCA } = require('./stack/ca');
const { signingCert } = require('./stack/fulcio');
const { Issuers, OAuthProvider } = require('./stack/oidc');
const { FaultProxy, checkFault } = require('./stack/proxy');
const { RekorV1Log, RekorV2Log } = require('./stack/tlog');
const { wrapTSA } = require('./stack/tsa');
const { trustedRoot, signingConfig } = require('./stack/trust');

const MAX_BODY = 16 << 20;
const ecKeys = (curve) => crypto.generateKeyPairSync('ec', { namedCurve: curve });

function serviceOf(pathname) {
  const first = pathname.split('/')[1] || '';
  return ['fulcio', 'rekor', 'rekor2', 'tsa', 'oauth', 'gha', 'gcp', 'oidc'].includes(first) ? first : null;
}

function send(res, status, body, type = 'application/json', headers = {}) {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': type, ...headers });
  res.end(data);
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function writeJSON(dir, name, value) {
  const tmp = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(tmp, path.join(dir, name));
}

async function start(dir) {
  const server = http.createServer();
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  const urls = {
    base,
    fulcio: `${base}/fulcio`,
    rekor: `${base}/rekor`,
    rekor2: `${base}/rekor2`,
    tsa: `${base}/tsa/api/v1/timestamp`,
    oauth_issuer: `${base}/oauth`,
    gha_token_url: `${base}/gha/token?api-version=2.0`,
    gcp_metadata_url: `${base}/gcp`,
    control: `${base}/_control`,
    jwks_url: `${base}/oidc/jwks`,
  };

  const [ca, foreignCA, ctLog, foreignCTLog, tsa] = await Promise.all([
    FulcioCA.create('fulcio'),
    FulcioCA.create('foreign fulcio'),
    initializeCTLog(ecKeys('P-256')),
    initializeCTLog(ecKeys('P-256')),
    initializeTSA(ecKeys('P-256')),
  ]);
  const issuers = new Issuers(base);
  const oauth = new OAuthProvider(issuers, urls.jwks_url);
  const v1 = new RekorV1Log({ host: `127.0.0.1:${port}`, keyPair: ecKeys('P-256') });
  const v2 = new RekorV2Log({ origin: urls.rekor2.replace(/^http:\/\//, ''), keyPair: crypto.generateKeyPairSync('ed25519') });
  const v1Handler = rekorHandler(v1);
  const v2Handler = rekorV2Handler(v2);
  const tsaService = wrapTSA(tsa);
  const ghaRequestToken = crypto.randomBytes(24).toString('base64url');
  const stack = { issuers, ca, foreignCA, ctLog, foreignCTLog };
  const requests = [];
  const record = (e) => requests.push(e);
  const started = process.hrtime.bigint();

  const proxy = new FaultProxy({ targetPort: port, serviceOf, record });
  const proxyPort = await listen(proxy.server);
  const proxyBase = `http://127.0.0.1:${proxyPort}`;

  // A log entry under the v1/v2 handlers, with the proxy's semantic fault.
  async function logWith(log, handler, body, fault) {
    log.fault = fault;
    const pending = handler.fn(body.toString());
    log.fault = null; // log()/logV2() read it before their first await
    const r = await pending;
    return { status: r.statusCode, body: r.response, type: r.contentType || 'text/plain' };
  }

  async function control(req, res, url, body) {
    const json = () => JSON.parse(body.toString() || 'null');
    const route = `${req.method} ${url.pathname.slice('/_control'.length)}`;
    switch (route) {
      case 'POST /token': {
        const { issuer = 'github', claims = {} } = json() || {};
        return send(res, 200, { token: await issuers.mint(issuer, claims) });
      }
      case 'POST /gha-claims':
        issuers.githubClaims = json();
        return send(res, 200, { ok: true });
      case 'POST /oauth-user':
        issuers.oauthUser = json().email;
        return send(res, 200, { ok: true });
      case 'POST /faults': {
        const list = json();
        const faults = (Array.isArray(list) ? list : [list]).map(checkFault);
        proxy.faults.push(...faults);
        return send(res, 200, { faults: proxy.faults });
      }
      case 'GET /faults':
        return send(res, 200, proxy.faults);
      case 'DELETE /faults':
        proxy.faults.length = 0;
        return send(res, 200, { ok: true });
      case 'GET /requests':
        return send(res, 200, requests);
      case 'DELETE /requests':
        requests.length = 0;
        return send(res, 200, { ok: true });
      default:
        return send(res, 404, { error: `no control action ${route}` });
    }
  }

  // -> {status, body, type, headers} for a service request.
  async function serve(req, url, body, fault) {
    const p = url.pathname;
    const r = (status, b, type = 'application/json', headers = {}) => ({ status, body: b, type, headers });
    if (req.method === 'POST' && p === '/fulcio/api/v2/signingCert') {
      const out = await signingCert(stack, req.headers, body, fault);
      return r(out.status, out.json);
    }
    if (req.method === 'POST' && p === '/rekor/api/v1/log/entries') return logWith(v1, v1Handler, body, fault);
    if (req.method === 'POST' && p === '/rekor2/api/v2/log/entries') {
      let text = body.toString();
      // protojson accepts the proto field name too (rekor-tiles CLIENTS.md uses it)
      text = text.replace('"hashedRekordRequestV0_0_2"', '"hashedRekordRequestV002"');
      return logWith(v2, v2Handler, text, fault);
    }
    if (req.method === 'POST' && p === '/tsa/api/v1/timestamp') {
      const out = await tsaService.handle(req.headers['content-type'], body);
      return r(out.status, out.body, out.type);
    }
    if (req.method === 'GET' && p === '/oauth/.well-known/openid-configuration') return r(200, oauth.discovery());
    if (req.method === 'GET' && p === '/oauth/auth') {
      const out = oauth.authorize(url.searchParams);
      return r(out.status, out.json || out.body, out.json ? 'application/json' : out.type || 'text/plain', out.headers);
    }
    if (req.method === 'POST' && p === '/oauth/token') {
      const out = await oauth.token(new URLSearchParams(body.toString()), req.headers.authorization);
      return r(out.status, out.json);
    }
    if (req.method === 'GET' && p === '/oidc/jwks') {
      const jwks = issuers.jwks(url.searchParams.get('iss'));
      return jwks ? r(200, jwks) : r(404, { error: 'unknown issuer' });
    }
    if (req.method === 'GET' && p === '/gha/token') {
      const m = /^bearer\s+(\S+)$/i.exec(req.headers.authorization || '');
      if (!m || m[1] !== ghaRequestToken) return r(401, { message: 'Bad credentials' });
      const aud = url.searchParams.get('audience') || `https://github.com/${issuers.githubClaims.repository_owner}`;
      return r(200, { count: 1, value: await issuers.mint('github', { aud }) });
    }
    if (req.method === 'GET' && p === '/gcp/computeMetadata/v1/instance/service-accounts/default/identity') {
      if (req.headers['metadata-flavor'] !== 'Google') return r(403, 'Missing Metadata-Flavor:Google header.', 'text/plain');
      const aud = url.searchParams.get('audience');
      if (!aud) return r(400, 'non-empty audience parameter required', 'text/plain');
      return r(200, await issuers.mint('google', { aud }), 'text/plain');
    }
    return r(404, { code: 5, message: `no such endpoint: ${req.method} ${p}` });
  }

  server.on('request', async (req, res) => {
    // busy: from the request's arrival to the last byte of the answer, in
    // ms since the stack started (the bench takes the union of these)
    const arrived = Number(process.hrtime.bigint() - started) / 1e6;
    const chunks = [];
    let size = 0;
    for await (const c of req) {
      size += c.length;
      if (size > MAX_BODY) return send(res, 413, { message: 'body too large' });
      chunks.push(c);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, base);
    try {
      if (url.pathname.startsWith('/_control/')) {
        try {
          return await control(req, res, url, body);
        } catch (e) {
          return send(res, 400, { error: e.message });
        }
      }
      const service = serviceOf(url.pathname);
      const viaProxy = req.headers['x-hwb-stack-via-proxy'] === '1';
      const fault = viaProxy ? req.headers['x-hwb-stack-fault'] || null : null;
      const t0 = process.hrtime.bigint();
      const out = await serve(req, url, body, fault);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (service) {
        const entry = { service, method: req.method, path: url.pathname, query: url.search, status: out.status, ms, via_proxy: viaProxy, busy_from: arrived };
        res.on('finish', () => { entry.busy_until = Number(process.hrtime.bigint() - started) / 1e6; });
        record(entry);
      }
      send(res, out.status, out.body, out.type, out.headers);
    } catch (e) {
      send(res, 500, { code: 13, message: `stack error: ${e.message}` });
    }
  });

  const start = new Date(Date.now() - 3600 * 1000);
  const proxied = (u) => u.replace(base, proxyBase);
  const proxyUrls = Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, proxied(v)]));
  fs.mkdirSync(dir, { recursive: true });
  writeJSON(dir, 'trusted_root.json', trustedRoot({ urls, ca, ctLog, v1, v2, tsa, start }));
  writeJSON(dir, 'signing_config.json', signingConfig(urls, start));
  writeJSON(dir, 'signing_config.proxy.json', signingConfig(proxyUrls, start));
  writeJSON(dir, 'stack.json', {
    ...urls,
    proxy: proxyBase,
    gha_request_token: ghaRequestToken,
    issuers: issuers.names,
    rekor2_origin: v2.origin,
    pid: process.pid,
  });
  return () => {
    server.close();
    proxy.server.close();
  };
}

async function main(argv) {
  const i = argv.indexOf('--dir');
  if (i < 0 || !argv[i + 1]) {
    console.error('usage: node sigstore-stack.js --dir DIR');
    return 2;
  }
  const stop = await start(path.resolve(argv[i + 1]));
  const quit = () => {
    stop();
    process.exit(0);
  };
  process.on('SIGTERM', quit);
  process.on('SIGINT', quit);
  process.stdin.on('end', quit);
  process.stdin.on('close', quit);
  process.stdin.on('error', quit);
  process.stdin.resume();
  process.stdout.write('ready\n');
  return undefined;
}

main(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
}, (e) => {
  console.error(`sigstore-stack: ${e.stack || e}`);
  process.exit(1);
});
