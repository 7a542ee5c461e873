// SPDX-License-Identifier: Apache-2.0
// Fulcio's POST /api/v2/signingCert as the real service answers it
// (protocols.md A; sigstore/fulcio fulcio.proto): the token from
// "Authorization: Bearer" (or the body's credentials.oidcIdentityToken) is
// VERIFIED, the public key comes from a CSR (whose signature is the proof of
// possession) or from publicKeyRequest (proof = signature over the token's
// email or sub), and the identity is mapped as Fulcio maps it.
'use strict';
require('reflect-metadata');
const crypto = require('crypto');
const x509 = require('@peculiar/x509');
const { toPEM } = require('./ca');

const OID = (n) => `1.3.6.1.4.1.57264.1.${n}`;
const GH = 'https://github.com';

class FulcioError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Extensions and SAN for a verified token, per issuer kind.
function identity(kind, claims) {
  const ext = [];
  const add = (n, value, legacy = false) => {
    if (value !== undefined && value !== null && value !== '') ext.push({ oid: OID(n), value: String(value), legacy });
  };
  add(1, claims.iss, true);
  add(8, claims.iss);
  if (kind === 'email') {
    if (!claims.email) throw new FulcioError(400, 'the token has no email claim');
    if (claims.email_verified !== true) throw new FulcioError(400, 'the token\'s email is not verified');
    return { san: { type: 'email', value: claims.email }, challenge: claims.email, ext };
  }
  if (kind === 'github') {
    for (const c of ['job_workflow_ref', 'repository', 'sha', 'ref', 'workflow_ref'])
      if (!claims[c]) throw new FulcioError(400, `the GitHub token has no ${c} claim`);
    add(2, claims.event_name, true);
    add(3, claims.sha, true);
    add(4, claims.workflow, true);
    add(5, claims.repository, true);
    add(6, claims.ref, true);
    add(9, `${GH}/${claims.job_workflow_ref}`);
    add(10, claims.job_workflow_sha);
    add(11, claims.runner_environment);
    add(12, `${GH}/${claims.repository}`);
    add(13, claims.sha);
    add(14, claims.ref);
    add(15, claims.repository_id);
    add(16, claims.repository_owner && `${GH}/${claims.repository_owner}`);
    add(17, claims.repository_owner_id);
    add(18, `${GH}/${claims.workflow_ref}`);
    add(19, claims.workflow_sha);
    add(20, claims.event_name);
    if (claims.run_id && claims.run_attempt)
      add(21, `${GH}/${claims.repository}/actions/runs/${claims.run_id}/attempts/${claims.run_attempt}`);
    add(22, claims.repository_visibility);
    return { san: { type: 'url', value: `${GH}/${claims.job_workflow_ref}` }, challenge: claims.sub, ext };
  }
  if (kind === 'gitlab') {
    for (const c of ['ci_config_ref_uri', 'project_path', 'sha'])
      if (!claims[c]) throw new FulcioError(400, `the GitLab token has no ${c} claim`);
    const base = 'https://gitlab.com';
    const ref = claims.ref_type === 'tag' ? `refs/tags/${claims.ref}` : `refs/heads/${claims.ref}`;
    add(9, `https://${claims.ci_config_ref_uri}`);
    add(10, claims.ci_config_sha);
    add(11, claims.runner_environment);
    add(12, `${base}/${claims.project_path}`);
    add(13, claims.sha);
    add(14, claims.ref && ref);
    add(15, claims.project_id);
    add(16, claims.namespace_path && `${base}/${claims.namespace_path}`);
    add(17, claims.namespace_id);
    add(18, `https://${claims.ci_config_ref_uri}`);
    add(19, claims.ci_config_sha);
    add(20, claims.pipeline_source);
    add(21, claims.job_id && `${base}/${claims.project_path}/-/jobs/${claims.job_id}`);
    add(22, claims.project_visibility);
    return { san: { type: 'url', value: `https://${claims.ci_config_ref_uri}` }, challenge: claims.sub, ext };
  }
  if (!claims.sub) throw new FulcioError(400, 'the token has no sub claim');
  return { san: { type: 'url', value: claims.sub }, challenge: claims.sub, ext };
}

const pemToDER = (pem) => Buffer.from(pem.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, ''), 'base64');

// -> DER SPKI of the key to certify, after checking the proof of possession.
async function requestKey(body, challenge) {
  if (body.certificateSigningRequest) {
    let pem = Buffer.from(body.certificateSigningRequest, 'base64').toString();
    if (!pem.includes('-----BEGIN')) pem = body.certificateSigningRequest;
    let csr;
    try {
      csr = new x509.Pkcs10CertificateRequest(pem);
    } catch (e) {
      throw new FulcioError(400, `certificateSigningRequest is not a PEM PKCS#10 CSR: ${e.message}`);
    }
    if (!(await csr.verify())) throw new FulcioError(400, 'the CSR signature (proof of possession) does not verify');
    return Buffer.from(csr.publicKey.rawData);
  }
  const pk = body.publicKeyRequest;
  if (!pk?.publicKey?.content || !pk.proofOfPossession)
    throw new FulcioError(400, 'either certificateSigningRequest or publicKeyRequest with proofOfPossession is required');
  let key;
  try {
    key = crypto.createPublicKey(pk.publicKey.content);
  } catch (e) {
    throw new FulcioError(400, `publicKeyRequest.publicKey is not a PEM public key: ${e.message}`);
  }
  const ok = crypto.verify('sha256', Buffer.from(String(challenge)), key, Buffer.from(pk.proofOfPossession, 'base64'));
  if (!ok) throw new FulcioError(400, 'proofOfPossession is not a signature of the token\'s subject');
  return key.export({ format: 'der', type: 'spki' });
}

// stack: {issuers, ca, foreignCA, ctLog, foreignCTLog}; fault: null or a
// semantic fault name. Returns {status, json}.
async function signingCert(stack, headers, raw, fault) {
  try {
    let body;
    try {
      body = JSON.parse(raw.toString() || '{}');
    } catch {
      throw new FulcioError(400, 'the request body is not JSON');
    }
    const m = /^Bearer\s+(\S+)$/i.exec(headers.authorization || '');
    const token = m ? m[1] : body.credentials?.oidcIdentityToken;
    if (!token) throw new FulcioError(401, 'no identity token (Authorization: Bearer or credentials.oidcIdentityToken)');
    let claims;
    try {
      claims = await stack.issuers.verify(token);
    } catch (e) {
      throw new FulcioError(401, `the identity token was refused: ${e.message}`);
    }
    const id = identity(stack.issuers.kinds[claims.iss], claims);
    const spki = await requestKey(body, id.challenge);
    if (fault === 'other_identity')
      id.san = id.san.type === 'email' ? { type: 'email', value: 'someone-else@example.test' }
        : { type: 'url', value: 'https://github.com/someone-else/other/.github/workflows/x.yml@refs/heads/main' };
    const chain = await (fault === 'foreign_chain' ? stack.foreignCA : stack.ca).issue({
      spki, san: id.san, extensions: id.ext,
      ctLog: fault === 'bad_sct' ? stack.foreignCTLog : stack.ctLog,
    });
    return {
      status: 201,
      json: { signedCertificateEmbeddedSct: { chain: { certificates: chain.map(toPEM) } } },
    };
  } catch (e) {
    const status = e instanceof FulcioError ? e.status : 500;
    return { status, json: { code: status === 401 ? 16 : status === 400 ? 3 : 13, message: e.message } };
  }
}

module.exports = { signingCert, pemToDER };
