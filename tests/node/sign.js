// SPDX-License-Identifier: Apache-2.0
// Sign files with sigstore-js (npm sigstore's @sigstore/sign) against the
// local stack: hwb's peer for interoperability checks and benchmarks.
//   node sign.js --stack DIR --token-file F [--rekor-version 1|2] [--tsa] [--dsse] FILE...
// Writes FILE.sigstore.json per FILE (bundle v0.3). --dsse signs an in-toto
// statement whose one subject is FILE (predicate: PyPI's publish/v1).
// Rekor v2 entries carry no time, so --rekor-version 2 always asks the TSA;
// --tsa adds a timestamp to Rekor v1 bundles too. Prints the milliseconds
// each file took; exits 1 at the first failure.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const sign = require('@sigstore/sign');
// The @sigstore/bundle that @sigstore/sign was built with.
const { bundleToJSON } = require(require.resolve('@sigstore/bundle', {
  paths: [path.dirname(require.resolve('@sigstore/sign'))],
}));

function parse(argv) {
  const o = { rekorVersion: 1, dsse: false, tsa: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--stack') o.stack = argv[++i];
    else if (a === '--token-file') o.tokenFile = argv[++i];
    else if (a === '--rekor-version') o.rekorVersion = Number(argv[++i]);
    else if (a === '--dsse') o.dsse = true;
    else if (a === '--tsa') o.tsa = true;
    else o.files.push(a);
  }
  if (!o.stack || !o.tokenFile || !o.files.length || ![1, 2].includes(o.rekorVersion)) return null;
  return o;
}

function statement(file) {
  const digest = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: path.basename(file), digest: { sha256: digest } }],
    predicateType: 'https://docs.pypi.org/attestations/publish/v1',
    predicate: null,
  });
}

async function main(argv) {
  const o = parse(argv);
  if (!o) {
    console.error('usage: node sign.js --stack DIR --token-file F [--rekor-version 1|2] [--tsa] [--dsse] FILE...');
    return 2;
  }
  const info = JSON.parse(fs.readFileSync(path.join(o.stack, 'stack.json'), 'utf8'));
  const token = fs.readFileSync(o.tokenFile, 'utf8').trim();
  const fetchOpts = { retry: { retries: 0 }, timeout: 20000 };
  const witnesses = [new sign.RekorWitness({
    rekorBaseURL: o.rekorVersion === 2 ? info.rekor2 : info.rekor,
    majorApiVersion: o.rekorVersion,
    entryType: 'dsse',
    ...fetchOpts,
  })];
  if (o.rekorVersion === 2 || o.tsa) witnesses.push(new sign.TSAWitness({ tsaBaseURL: info.tsa, ...fetchOpts }));
  const options = {
    signer: new sign.FulcioSigner({
      fulcioBaseURL: info.fulcio,
      identityProvider: { getToken: async () => token },
      ...fetchOpts,
    }),
    witnesses,
  };
  const builder = o.dsse ? new sign.DSSEBundleBuilder(options) : new sign.MessageSignatureBundleBuilder(options);
  for (const file of o.files) {
    const t0 = process.hrtime.bigint();
    const artifact = o.dsse
      ? { data: Buffer.from(statement(file)), type: 'application/vnd.in-toto+json' }
      : { data: fs.readFileSync(file) };
    let bundle;
    try {
      bundle = await builder.create(artifact);
    } catch (e) {
      console.error(`sign.js: ${file}: ${e.code || ''} ${e.message}${e.cause ? ` (${e.cause.message})` : ''}`);
      return 1;
    }
    fs.writeFileSync(`${file}.sigstore.json`, `${JSON.stringify(bundleToJSON(bundle))}\n`);
    console.log(`signed ${file} ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`);
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
