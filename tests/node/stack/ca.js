// SPDX-License-Identifier: Apache-2.0
// The stack's Fulcio certificate authority: a root and an intermediate
// (ECDSA P-384, as Fulcio's), issuing short-lived leaves with Fulcio's profile
// (protocols.md A): empty subject, one critical SAN (e-mail or URI), KeyUsage
// digitalSignature, EKU codeSigning, the 1.3.6.1.4.1.57264.1.* extensions and
// an embedded SCT from a CT log (@sigstore/mock's CTLog signs it). The mock's
// own CA only issues URI SANs from one self-signed root, hence this module.
'use strict';
require('reflect-metadata');
const crypto = require('crypto');
const x509 = require('@peculiar/x509');
const asn1js = require('asn1js');

const webcrypto = crypto.webcrypto;
x509.cryptoProvider.set(webcrypto);

const P384 = { name: 'ECDSA', namedCurve: 'P-384' };
const ECDSA_SHA384 = { name: 'ECDSA', hash: 'SHA-384' };
const OID_SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';
const HOUR = 3600 * 1000;

const randomSerial = () => {
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f;
  b[0] |= 0x01; // positive, no leading zero byte to trim
  return b.toString('hex');
};

async function caCert({ subject, issuer, publicKey, signingKey, issuerKey, pathLength, notBefore }) {
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 24 * 365 * HOUR),
    signingAlgorithm: ECDSA_SHA384,
    publicKey,
    signingKey,
    extensions: [
      new x509.BasicConstraintsExtension(true, pathLength, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      // OpenSSL's strict mode (hwb's) wants an AKI in every non-root CA.
      await x509.AuthorityKeyIdentifierExtension.create(issuerKey),
    ],
  });
}

// The SCT list extension (RFC 6962 3.3): a TLS vector of one SCT, wrapped in
// an OCTET STRING. pkijs's SignedCertificateTimestamp.toStream() (the mock
// CTLog's output) already carries the SCT's own u16 length prefix.
function sctListExtension(sct) {
  const entry = Buffer.from(sct);
  const list = Buffer.concat([Buffer.from([entry.length >> 8, entry.length & 0xff]), entry]);
  const value = new asn1js.OctetString({ valueHex: list }).toBER(false);
  return new x509.Extension(OID_SCT_LIST, false, value);
}

function claimExtension({ oid, value, legacy }) {
  const der = legacy ? Buffer.from(value) : new asn1js.Utf8String({ value }).toBER(false);
  return new x509.Extension(oid, false, der);
}

class FulcioCA {
  static async create(name) {
    const notBefore = new Date(Date.now() - HOUR);
    const rootKeys = await webcrypto.subtle.generateKey(P384, true, ['sign', 'verify']);
    const intKeys = await webcrypto.subtle.generateKey(P384, true, ['sign', 'verify']);
    const rootName = `CN=${name} root,O=hwb-test`;
    const intName = `CN=${name} intermediate,O=hwb-test`;
    const root = await caCert({
      subject: rootName, issuer: rootName, publicKey: rootKeys.publicKey,
      signingKey: rootKeys.privateKey, issuerKey: rootKeys.publicKey, pathLength: 1, notBefore,
    });
    const intermediate = await caCert({
      subject: intName, issuer: rootName, publicKey: intKeys.publicKey,
      signingKey: rootKeys.privateKey, issuerKey: rootKeys.publicKey, pathLength: 0, notBefore,
    });
    const issuerSpki = Buffer.from(await webcrypto.subtle.exportKey('spki', intKeys.publicKey));
    return new FulcioCA({ root, intermediate, intKeys, issuerSpki, notBefore });
  }

  constructor({ root, intermediate, intKeys, issuerSpki, notBefore }) {
    this.root = root;
    this.intermediate = intermediate;
    this.intKeys = intKeys;
    this.issuerID = crypto.createHash('sha256').update(issuerSpki).digest();
    this.notBefore = notBefore;
  }

  // DER certificates from the intermediate up, as trusted_root.json lists them.
  get chainDER() {
    return [Buffer.from(this.intermediate.rawData), Buffer.from(this.root.rawData)];
  }

  // spki: DER SubjectPublicKeyInfo (ECDSA P-256); san: {type: 'email'|'url',
  // value}; extensions: [{oid, value, legacy}]; ctLog: @sigstore/mock CTLog.
  async issue({ spki, san, extensions, ctLog }) {
    const alg = { name: 'ECDSA', namedCurve: 'P-256' };
    const publicKey = await webcrypto.subtle.importKey('spki', spki, alg, true, ['verify']);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    const tbs = {
      serialNumber: randomSerial(),
      issuer: this.intermediate.subject,
      notBefore: now,
      notAfter: new Date(now.getTime() + 10 * 60 * 1000),
      signingAlgorithm: ECDSA_SHA384,
      publicKey,
      signingKey: this.intKeys.privateKey,
      extensions: [
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.intKeys.publicKey),
        new x509.SubjectAlternativeNameExtension([san], true),
        ...extensions.map(claimExtension),
      ],
    };
    // The precertificate's TBS is the final TBS without the SCT extension:
    // the SCT signs it (RFC 6962 3.2), the verifier rebuilds it.
    const pre = await x509.X509CertificateGenerator.create(tbs);
    const sct = await ctLog.log(pre.rawData, this.issuerID);
    tbs.extensions.push(sctListExtension(sct));
    const leaf = await x509.X509CertificateGenerator.create(tbs);
    return [Buffer.from(leaf.rawData), ...this.chainDER];
  }
}

const toPEM = (der) =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

module.exports = { FulcioCA, toPEM };
