// SPDX-License-Identifier: Apache-2.0
// Verify Sigstore bundles with sigstore-js (@sigstore/verify), the peer that
// hwb verify is cross-checked and benchmarked against.
//   node verify.js TRUSTED_ROOT IDENTITY ISSUER ARTIFACT BUNDLE [ARTIFACT BUNDLE]...
// Prints "verified ARTIFACT" per pair; exits 1 at the first refusal.
'use strict';
const fs = require('fs');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

function main(argv) {
  if (argv.length < 5 || (argv.length - 3) % 2) {
    console.error('usage: node verify.js TRUSTED_ROOT IDENTITY ISSUER ARTIFACT BUNDLE...');
    return 2;
  }
  const [rootPath, identity, issuer] = argv;
  const root = TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath, 'utf8')));
  const verifier = new Verifier(toTrustMaterial(root), { tlogThreshold: 1, ctlogThreshold: 1 });
  const policy = { subjectAlternativeName: identity, extensions: { issuer } };
  for (let i = 3; i < argv.length; i += 2) {
    const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(argv[i + 1], 'utf8')));
    try {
      verifier.verify(toSignedEntity(bundle, fs.readFileSync(argv[i])), policy);
    } catch (e) {
      console.error(`refused ${argv[i]}: ${e.code || ''} ${e.message}`);
      return 1;
    }
    console.log(`verified ${argv[i]}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
