// SPDX-License-Identifier: Apache-2.0
// The timestamp authority: @sigstore/mock's TSA signs; its tsaHandler parses
// only sigstore-js's JSON request, so a DER TimeStampReq (RFC 3161 2.4.1,
// Content-Type application/timestamp-query, what hwb sends) is parsed here
// and the same fields are passed to the TSA. The nonce is kept as the exact
// DER INTEGER (the mock would pass it through a JS number).
'use strict';
const asn1js = require('asn1js');
const pkijs = require('pkijs');
const { tsaHandler } = require('@sigstore/mock');

const OID_TSA_POLICY = '1.3.6.1.4.1.57264.2';

function wrapTSA(tsa) {
  const tstInfo = tsa.tstInfo.bind(tsa);
  // The mock builds the nonce from a number; put back the request's INTEGER.
  // genTime in whole seconds, as sigstore/timestamp-authority writes it (Go's
  // asn1 "generalized" format has no fraction); the mock's ".48Z"-style
  // fractions are refused by @sigstore/core's parser (it wants 3 digits).
  tsa.tstInfo = (req) => {
    const json = !('nonceInteger' in req);
    const info = tstInfo(json ? req : { ...req, nonce: 0 });
    info.genTime = new Date(Math.floor(Date.now() / 1000) * 1000);
    if (json) return info;
    if (req.nonceInteger) info.nonce = req.nonceInteger;
    else delete info.nonce;
    return info;
  };
  const json = tsaHandler(tsa);
  return {
    // -> {status, body: Buffer|string, type}
    async handle(contentType, raw) {
      if (/^application\/timestamp-query/i.test(contentType || '')) {
        let req;
        try {
          const asn = asn1js.fromBER(new Uint8Array(raw).buffer);
          if (asn.offset === -1) throw new Error('not DER');
          req = new pkijs.TimeStampReq({ schema: asn.result });
        } catch (e) {
          return { status: 400, body: `the body is not a DER TimeStampReq: ${e.message}`, type: 'text/plain' };
        }
        if (req.version !== 1) return { status: 400, body: 'TimeStampReq version must be 1', type: 'text/plain' };
        const resp = await tsa.timestamp({
          artifactHash: Buffer.from(req.messageImprint.hashedMessage.valueBlock.valueHexView),
          hashAlgorithmOID: req.messageImprint.hashAlgorithm.algorithmId,
          nonceInteger: req.nonce ? new asn1js.Integer({ valueHex: req.nonce.valueBlock.valueHexView }) : undefined,
          policyOID: req.reqPolicy || OID_TSA_POLICY,
          certReq: req.certReq ?? false,
        });
        return { status: 201, body: resp, type: 'application/timestamp-reply' };
      }
      const r = await json.fn(raw.toString());
      return { status: r.statusCode, body: r.response, type: r.contentType || 'text/plain' };
    },
  };
}

module.exports = { wrapTSA };
