// SPDX-License-Identifier: Apache-2.0
// The stack's OIDC issuers (ES256 keys held here), the tokens they mint, and
// the token sources hwb reads: the GitHub Actions token endpoint, the Google
// Cloud metadata server and an OAuth 2.0 provider with PKCE S256
// (protocols.md H and J).
'use strict';
const crypto = require('crypto');
const jose = require('jose');

const GITHUB = 'https://token.actions.githubusercontent.com';
const GITLAB = 'https://gitlab.com';
const GOOGLE = 'https://accounts.google.com';

const b64url = (b) => Buffer.from(b).toString('base64url');

// The GitHub Actions claims of a tag push of hwb-test/sample's release workflow.
function defaultGithubClaims() {
  const ref = 'refs/tags/v1.0.0';
  const workflow = `hwb-test/sample/.github/workflows/release.yml@${ref}`;
  const sha = 'a'.repeat(40);
  return {
    sub: `repo:hwb-test/sample:ref:${ref}`,
    repository: 'hwb-test/sample',
    repository_id: '100000001',
    repository_owner: 'hwb-test',
    repository_owner_id: '200000002',
    repository_visibility: 'public',
    workflow: 'release',
    workflow_ref: workflow,
    workflow_sha: sha,
    job_workflow_ref: workflow,
    job_workflow_sha: sha,
    ref,
    ref_type: 'tag',
    sha,
    event_name: 'push',
    run_id: '3000000003',
    run_number: '7',
    run_attempt: '1',
    actor: 'maintainer',
    actor_id: '400000004',
    environment: 'pypi',
    runner_environment: 'github-hosted',
  };
}

function defaultGitlabClaims() {
  const ref = 'v1.0.0';
  return {
    sub: 'project_path:hwb-test/sample:ref_type:tag:ref:v1.0.0',
    namespace_id: '500000005',
    namespace_path: 'hwb-test',
    project_id: '600000006',
    project_path: 'hwb-test/sample',
    project_visibility: 'public',
    pipeline_id: '700000007',
    pipeline_source: 'push',
    job_id: '800000008',
    ref,
    ref_type: 'tag',
    ref_protected: 'true',
    environment: 'pypi',
    ci_config_ref_uri: `gitlab.com/hwb-test/sample//.gitlab-ci.yml@refs/tags/${ref}`,
    ci_config_sha: 'b'.repeat(40),
    sha: 'b'.repeat(40),
    runner_environment: 'gitlab-hosted',
  };
}

class Issuers {
  // base: the stack's base URL; the OAuth issuer is base + '/oauth'.
  constructor(base) {
    this.oauthIssuer = `${base}/oauth`;
    this.names = { github: GITHUB, oauth: this.oauthIssuer, gitlab: GITLAB, google: GOOGLE };
    // kind decides the certificate identity (ca.js / fulcio.js)
    this.kinds = { [GITHUB]: 'github', [this.oauthIssuer]: 'email', [GITLAB]: 'gitlab', [GOOGLE]: 'email' };
    this.keys = {};
    for (const iss of Object.values(this.names)) {
      const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const kid = crypto.createHash('sha256').update(iss).digest('hex').slice(0, 16);
      this.keys[iss] = { ...pair, kid };
    }
    this.githubClaims = defaultGithubClaims();
    this.oauthUser = 'maintainer@example.test';
  }

  resolve(issuer) {
    const iss = this.names[issuer] || issuer;
    if (!this.keys[iss]) throw new Error(`unknown issuer ${issuer}`);
    return iss;
  }

  defaults(iss) {
    switch (this.kinds[iss]) {
      case 'github': return { ...this.githubClaims };
      case 'gitlab': return defaultGitlabClaims();
      default:
        if (iss === GOOGLE) {
          const email = 'publisher@hwb-test.iam.gserviceaccount.com';
          return { sub: '110000000000000000001', email, email_verified: true, azp: '110000000000000000001' };
        }
        // sub = email: sigstore-js proves possession over the email claim,
        // hwb over whatever Fulcio asks; both agree this way.
        return { sub: this.oauthUser, email: this.oauthUser, email_verified: true };
    }
  }

  async mint(issuer, claims = {}) {
    const iss = this.resolve(issuer);
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss, aud: 'sigstore', iat: now, nbf: now, exp: now + 600,
      jti: crypto.randomUUID(), ...this.defaults(iss), ...claims,
    };
    for (const k of Object.keys(payload)) if (payload[k] === null) delete payload[k];
    const { privateKey, kid } = this.keys[iss];
    return new jose.SignJWT(payload)
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .sign(privateKey);
  }

  // Verifies a token as Fulcio does: known issuer, signature, aud sigstore,
  // exp/nbf. Returns the claims; throws with a message otherwise.
  async verify(token) {
    let iss;
    try {
      iss = jose.decodeJwt(token).iss;
    } catch (e) {
      throw new Error(`the identity token is not a JWT: ${e.message}`);
    }
    if (!this.keys[iss]) throw new Error(`the token's issuer ${iss} is not trusted`);
    const { payload } = await jose.jwtVerify(token, this.keys[iss].publicKey, {
      issuer: iss, audience: 'sigstore', algorithms: ['ES256'],
    });
    return payload;
  }

  jwks(iss) {
    const k = this.keys[iss];
    if (!k) return null;
    const jwk = k.publicKey.export({ format: 'jwk' });
    return { keys: [{ ...jwk, kid: k.kid, alg: 'ES256', use: 'sig' }] };
  }
}

// The OAuth 2.0 authorization-code flow with PKCE S256 of the stack's own
// issuer; it approves at once as the configured user.
class OAuthProvider {
  constructor(issuers, jwksUrl) {
    this.issuers = issuers;
    this.jwksUrl = jwksUrl;
    this.codes = new Map();
  }

  discovery() {
    const iss = this.issuers.oauthIssuer;
    return {
      issuer: iss,
      authorization_endpoint: `${iss}/auth`,
      token_endpoint: `${iss}/token`,
      jwks_uri: `${this.jwksUrl}?iss=${encodeURIComponent(iss)}`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['openid', 'email'],
      grant_types_supported: ['authorization_code'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    };
  }

  // GET /auth: -> {status, headers, body}
  authorize(q) {
    const bad = (msg) => ({ status: 400, json: { error: 'invalid_request', error_description: msg } });
    if (q.get('client_id') !== 'sigstore') return bad('client_id must be sigstore');
    if (q.get('response_type') !== 'code') return bad('response_type must be code');
    if (!q.get('code_challenge') || q.get('code_challenge_method') !== 'S256')
      return bad('PKCE with code_challenge_method S256 is required');
    const redirect = q.get('redirect_uri') || '';
    const oob = redirect === 'urn:ietf:wg:oauth:2.0:oob';
    let url;
    if (!oob) {
      try {
        url = new URL(redirect);
      } catch {
        return bad('redirect_uri is not an URL');
      }
      if (url.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
        return bad('redirect_uri must be a loopback http URL or urn:ietf:wg:oauth:2.0:oob');
    }
    const code = b64url(crypto.randomBytes(24));
    this.codes.set(code, {
      challenge: q.get('code_challenge'), redirect, nonce: q.get('nonce') || undefined,
      email: this.issuers.oauthUser, used: false, expires: Date.now() + 600_000,
    });
    if (oob) {
      return {
        status: 200, type: 'text/html',
        body: `<html><body><p>Enter this code:</p><code id="code">${code}</code></body></html>`,
      };
    }
    url.searchParams.set('code', code);
    if (q.get('state') !== null) url.searchParams.set('state', q.get('state'));
    return { status: 302, headers: { Location: url.toString() }, body: '' };
  }

  // POST /token (form): -> {status, json}
  async token(form, authorization) {
    const fail = (error, description, status = 400) => ({ status, json: { error, error_description: description } });
    let client = form.get('client_id');
    const m = /^Basic\s+(.+)$/i.exec(authorization || '');
    if (m) {
      const [id, secret] = Buffer.from(m[1], 'base64').toString().split(':');
      if (secret) return fail('invalid_client', 'the client secret must be empty', 401);
      client = decodeURIComponent(id);
    }
    if (client !== 'sigstore') return fail('invalid_client', 'client_id must be sigstore', 401);
    if (form.get('grant_type') !== 'authorization_code')
      return fail('unsupported_grant_type', 'grant_type must be authorization_code');
    const entry = this.codes.get(form.get('code') || '');
    if (!entry) return fail('invalid_grant', 'unknown authorization code');
    if (entry.used) return fail('invalid_grant', 'the authorization code was already used');
    entry.used = true; // a code is spent by its first exchange, good or bad
    if (Date.now() > entry.expires) return fail('invalid_grant', 'the authorization code expired');
    if (form.get('redirect_uri') !== null && form.get('redirect_uri') !== entry.redirect)
      return fail('invalid_grant', 'redirect_uri differs from the authorization request');
    const verifier = form.get('code_verifier') || '';
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier))
      return fail('invalid_grant', 'code_verifier missing or malformed');
    const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
    if (challenge !== entry.challenge) return fail('invalid_grant', 'code_verifier does not match the code_challenge');
    const idToken = await this.issuers.mint('oauth', {
      sub: entry.email, email: entry.email, email_verified: true, nonce: entry.nonce,
    });
    return {
      status: 200,
      json: { access_token: b64url(crypto.randomBytes(32)), id_token: idToken, token_type: 'Bearer', expires_in: 600 },
    };
  }
}

module.exports = { Issuers, OAuthProvider, GITHUB, GITLAB, GOOGLE };
