#!/usr/bin/env node
// tuf-client.js: tuf-js's Updater as the peer client of hwb's TUF tests and
// benchmark. Usage: node tuf-client.js URL ROOT_JSON DIR [--repeat N] TARGET...
// Starts from ROOT_JSON in a fresh DIR/metadata, refreshes, downloads each
// TARGET into DIR/targets and prints {"TARGET": "sha256 hex", ...,
// "root_version": N}. With --repeat N it runs N fresh updates and prints
// also "seconds" (per update, the mean) for the benchmark.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Updater } = require('tuf-js');

async function once(url, root, dir, targets) {
  fs.rmSync(dir, { recursive: true, force: true });
  const metadataDir = path.join(dir, 'metadata');
  const targetDir = path.join(dir, 'targets');
  fs.mkdirSync(metadataDir, { recursive: true });
  fs.mkdirSync(targetDir, { recursive: true });
  fs.copyFileSync(root, path.join(metadataDir, 'root.json'));
  const updater = new Updater({ metadataDir, metadataBaseUrl: url, targetDir,
                                targetBaseUrl: url + '/targets' });
  await updater.refresh();
  const out = {};
  for (const t of targets) {
    const info = await updater.getTargetInfo(t);
    if (!info) throw new Error(`no target ${t}`);
    const file = await updater.downloadTarget(info, path.join(targetDir, t));
    out[t] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  const rootDoc = JSON.parse(fs.readFileSync(path.join(metadataDir, 'root.json')));
  out.root_version = rootDoc.signed.version;
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  let repeat = 0;
  const i = args.indexOf('--repeat');
  if (i >= 0) { repeat = parseInt(args[i + 1], 10); args.splice(i, 2); }
  const [url, root, dir, ...targets] = args;
  let out;
  if (repeat) {
    const t0 = process.hrtime.bigint();
    for (let n = 0; n < repeat; n++) out = await once(url, root, dir, targets);
    out.seconds = Number(process.hrtime.bigint() - t0) / 1e9 / repeat;
  } else {
    out = await once(url, root, dir, targets);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { process.stderr.write(`tuf-js: ${e.message}\n`); process.exit(1); });
