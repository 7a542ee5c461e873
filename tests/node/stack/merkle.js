// SPDX-License-Identifier: Apache-2.0
// An RFC 6962 Merkle tree over log entries, for the stack's transparency
// logs: leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right)
// (RFC 6962 section 2.1), inclusion proofs per section 2.1.1 for any size.
'use strict';
const crypto = require('crypto');

const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

// Largest power of two smaller than n (n > 1).
function split(n) {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

class MerkleTree {
  constructor() {
    this.leaves = []; // leaf hashes
    this.cache = new Map(); // "start:end" -> subtree hash of complete subtrees
  }

  get size() {
    return this.leaves.length;
  }

  // Appends an entry, returns its index.
  append(entry) {
    this.leaves.push(sha256(LEAF, entry));
    return this.leaves.length - 1;
  }

  // MTH(D[start:end]); complete (power of two) subtrees never change, so they
  // are cached and a proof costs O(log n) hashes once the log is warm.
  hash(start, end) {
    const n = end - start;
    if (n === 1) return this.leaves[start];
    const complete = (n & (n - 1)) === 0;
    const key = `${start}:${end}`;
    if (complete && this.cache.has(key)) return this.cache.get(key);
    const k = split(n);
    const h = sha256(NODE, this.hash(start, start + k), this.hash(start + k, end));
    if (complete) this.cache.set(key, h);
    return h;
  }

  root(size = this.size) {
    return size === 0 ? sha256() : this.hash(0, size);
  }

  // PATH(m, D[start:end]) of RFC 6962 2.1.1: the sibling hashes from the leaf
  // up to the root.
  proof(index, size = this.size, start = 0) {
    const n = size - start;
    if (n <= 1) return [];
    const k = split(n);
    const m = index - start;
    if (m < k) return [...this.proof(index, start + k, start), this.hash(start + k, size)];
    return [...this.proof(index, size, start + k), this.hash(start, start + k)];
  }
}

// Verification per protocols.md B (used by the stack's own tests of itself).
function verifyInclusion(index, size, leafHash, proof, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(NODE, p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = sha256(NODE, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

module.exports = { MerkleTree, verifyInclusion, sha256, leafHash: (e) => sha256(LEAF, e) };
