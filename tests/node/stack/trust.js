// SPDX-License-Identifier: Apache-2.0
// The files the stack writes: trusted_root.json (protocols.md D) and signing
// config v0.2 (protocols.md C), both in protobuf-JSON (base64 bytes, RFC 3339
// times, enums by name).
'use strict';

const b64 = (b) => Buffer.from(b).toString('base64');
const OPERATOR = 'hwb-test';

function trustedRoot({ urls, ca, ctLog, v1, v2, tsa, start }) {
  const validFor = { start: start.toISOString() };
  const key = (raw, keyDetails) => ({ rawBytes: b64(raw), keyDetails, validFor });
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: urls.rekor, hashAlgorithm: 'SHA2_256',
        publicKey: key(v1.publicKey, 'PKIX_ECDSA_P256_SHA_256'), logId: { keyId: b64(v1.logID) },
      },
      {
        baseUrl: urls.rekor2, hashAlgorithm: 'SHA2_256',
        publicKey: key(v2.publicKey, 'PKIX_ED25519'), logId: { keyId: b64(v2.logID) },
      },
    ],
    certificateAuthorities: [{
      subject: { organization: OPERATOR, commonName: 'fulcio root' },
      uri: urls.fulcio,
      certChain: { certificates: ca.chainDER.map((d) => ({ rawBytes: b64(d) })) },
      validFor,
    }],
    ctlogs: [{
      baseUrl: `${urls.base}/ctlog`, hashAlgorithm: 'SHA2_256',
      publicKey: key(ctLog.publicKey, 'PKIX_ECDSA_P256_SHA_256'), logId: { keyId: b64(ctLog.logID) },
    }],
    timestampAuthorities: [{
      subject: { organization: OPERATOR, commonName: 'tsa' },
      uri: urls.tsa,
      certChain: { certificates: [tsa.intCertificate, tsa.rootCertificate].map((d) => ({ rawBytes: b64(d) })) },
      validFor,
    }],
  };
}

function signingConfig(urls, start) {
  const svc = (url, majorApiVersion) => ({
    url, majorApiVersion, validFor: { start: start.toISOString() }, operator: OPERATOR,
  });
  return {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [svc(urls.fulcio, 1)],
    oidcUrls: [svc(urls.oauth_issuer, 1)],
    rekorTlogUrls: [svc(urls.rekor2, 2), svc(urls.rekor, 1)],
    tsaUrls: [svc(urls.tsa, 1)],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  };
}

module.exports = { trustedRoot, signingConfig };
