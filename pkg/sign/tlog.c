/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlog.c: the transparency log steps: RFC 6962 inclusion proof, the signed
 * checkpoint (C2SP signed note, ECDSA for Rekor v1, Ed25519 for Rekor v2)
 * and the signed entry timestamp (SET) of Rekor v1. body.c compares the
 * logged body with the bundle.
 */
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/core/json.h"
#include "pkg/sign/internal.h"

static void node_hash(const uint8_t *l, const uint8_t *r, uint8_t out[32])
{
	uint8_t buf[65];

	buf[0] = 1;
	memcpy(buf + 1, l, 32);
	memcpy(buf + 33, r, 32);
	hwb_sign__sha256(buf, sizeof(buf), out);
}

static int bitlen(uint64_t x)
{
	int n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

static int proof_fail(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V014",
		      "inclusion proof %s", what);
	return hwb_error_hint(err, "the bundle's log entry is damaged or forged");
}

int hwb_sign__merkle_verify(const struct hwb_sign__entry *e,
			    struct hwb_error *err)
{
	const uint8_t *p = (const uint8_t *)e->hashes.ptr;
	size_t n = e->hashes.len / 32, i;
	uint64_t index = (uint64_t)e->proof_index, size = (uint64_t)e->tree_size;
	struct hwb_buf leaf = HWB_BUF_INIT;
	uint8_t h[32];
	int inner, border;

	if (index >= size)
		return proof_fail(err, "has a log index outside its tree size");
	inner = bitlen(index ^ (size - 1));
	border = __builtin_popcountll(index >> inner);
	if (n != (size_t)(inner + border))
		return proof_fail(err, "has the wrong number of hashes for its index and size");
	hwb_buf_putc(&leaf, 0);
	hwb_buf_put(&leaf, e->body.ptr, e->body.len);
	if (hwb_buf_check(&leaf, err))
		return -1;
	hwb_sign__sha256(leaf.ptr, leaf.len, h);
	hwb_buf_release(&leaf);
	for (i = 0; i < n; i++) {
		if (i < (size_t)inner && !((index >> i) & 1))
			node_hash(h, p + 32 * i, h);
		else
			node_hash(p + 32 * i, h, h);
	}
	if (memcmp(h, e->root_hash, 32))
		return proof_fail(err, "does not match the root hash");
	return 0;
}

static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl : NULL;
}

int hwb_sign__note_parse(const char *text, size_t len,
			 struct hwb_sign__note *out)
{
	const char *p = text, *end = text + len, *nl, *blank = NULL;
	struct hwb_buf root = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	for (i = 0; i + 1 < len; i++)
		if (text[i] == '\n' && text[i + 1] == '\n') {
			blank = text + i;
			break;
		}
	if (!blank || len > HWB_SIGN__MAX_NOTE)
		return -1;
	out->body_len = (size_t)(blank - text) + 1;
	end = blank + 1;
	/* origin */
	if (!(nl = next_line(p, end)) || nl == p ||
	    (size_t)(nl - p) >= sizeof(out->origin))
		return -1;
	memcpy(out->origin, p, (size_t)(nl - p));
	p = nl + 1;
	/* tree size: decimal, no leading zeros but "0" */
	if (!(nl = next_line(p, end)) || nl == p || nl - p > 19 ||
	    (*p == '0' && nl - p > 1))
		return -1;
	for (; p < nl; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		out->size = out->size * 10 + (uint64_t)(*p - '0');
	}
	p = nl + 1;
	/* root hash */
	if (!(nl = next_line(p, end)) ||
	    hwb_base64_decode(&root, p, (size_t)(nl - p), HWB_B64_STD, &ignored) ||
	    root.len != 32)
		goto cleanup;
	memcpy(out->root, root.ptr, 32);
	rc = 0;
cleanup:
	hwb_buf_release(&root);
	return rc;
}

static int checkpoint_fail(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V015", "checkpoint %s", what);
	return hwb_error_hint(err, "the bundle's log checkpoint is damaged or forged");
}

/* Does one "— name b64" signature line verify with the log's key? */
static int signature_line_ok(const struct hwb_sign__log *log,
			     const struct hwb_sign__note *note,
			     const char *text, const char *line, size_t len)
{
	static const char dash[] = "\xe2\x80\x94 ";
	const char *sp, *end = line + len;
	struct hwb_buf sig = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	int ok = 0;

	if (len < sizeof(dash) || memcmp(line, dash, sizeof(dash) - 1))
		return 0;
	line += sizeof(dash) - 1;
	if (!(sp = memchr(line, ' ', (size_t)(end - line))))
		return 0;
	if (hwb_base64_decode(&sig, sp + 1, (size_t)(end - sp - 1), HWB_B64_STD,
			      &ignored) || sig.len < 5 ||
	    memcmp(sig.ptr, log->log_id, 4))
		goto cleanup;
	/* Rekor v2 signs as its origin, whose name the key ID commits to */
	if (log->keytype == HWB_SIGN__KEY_ED25519 &&
	    ((size_t)(sp - line) != strlen(note->origin) ||
	     memcmp(line, note->origin, (size_t)(sp - line))))
		goto cleanup;
	ok = !hwb_sign__verify_sig(log->key, (const uint8_t *)sig.ptr + 4,
				   sig.len - 4, (const uint8_t *)text,
				   note->body_len, 0);
cleanup:
	hwb_buf_release(&sig);
	return ok;
}

static int origin_matches_log(const struct hwb_sign__log *log,
			      const char *origin)
{
	const char *url = log->base_url;
	size_t n;

	if (log->keytype != HWB_SIGN__KEY_ED25519)
		return 1; /* v1 origins are "<host> - <tree id>" per shard */
	if (!strncmp(url, "https://", 8))
		url += 8;
	else if (!strncmp(url, "http://", 7))
		url += 7;
	n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	return strlen(origin) == n && !memcmp(origin, url, n);
}

int hwb_sign__checkpoint_verify(const struct hwb_sign__log *log,
				const struct hwb_sign__entry *e,
				struct hwb_error *err)
{
	const char *text = e->checkpoint.ptr, *p, *end, *nl;
	struct hwb_sign__note note;
	int ok = 0;

	if (hwb_sign__note_parse(text, e->checkpoint.len, &note))
		return checkpoint_fail(err, "is malformed (origin, size and root hash lines)");
	end = text + e->checkpoint.len;
	for (p = text + note.body_len + 1; p < end && !ok; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		ok = signature_line_ok(log, &note, text, p, (size_t)(nl - p));
	}
	if (!ok)
		return checkpoint_fail(err, "carries no valid signature of the entry's log (key hint and signature)");
	if (!origin_matches_log(log, note.origin))
		return checkpoint_fail(err, "origin is not the log's");
	if (note.size != (uint64_t)e->tree_size)
		return checkpoint_fail(err, "tree size differs from the inclusion proof's");
	if (memcmp(note.root, e->root_hash, 32))
		return checkpoint_fail(err, "root hash differs from the inclusion proof's");
	return 0;
}

int hwb_sign__set_verify(const struct hwb_sign__log *log,
			 const struct hwb_sign__entry *e,
			 struct hwb_error *err)
{
	struct hwb_buf b64 = HWB_BUF_INIT, hex = HWB_BUF_INIT, canon = HWB_BUF_INIT;
	json_t *doc = NULL;
	int rc = -1;

	if (hwb_base64_encode(&b64, e->body.ptr, e->body.len, HWB_B64_STD) ||
	    hwb_hex_encode(&hex, e->log_id, 32)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	doc = json_pack("{s:s%, s:I, s:s%, s:I}", "body", b64.ptr, b64.len,
			"integratedTime", (json_int_t)e->integrated_time,
			"logID", hex.ptr, hex.len,
			"logIndex", (json_int_t)e->log_index);
	if (!doc) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_json_canonicalize_value(&canon, doc, err))
		goto cleanup;
	if (hwb_sign__verify_sig(log->key, (const uint8_t *)e->set.ptr, e->set.len,
				 (const uint8_t *)canon.ptr, canon.len, 0)) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V016",
			      "the signed entry timestamp (SET) does not verify with the log's key");
		hwb_error_hint(err, "the entry's body, time or index was changed after logging");
		goto cleanup;
	}
	rc = 0;
cleanup:
	json_decref(doc);
	hwb_buf_release(&b64);
	hwb_buf_release(&hex);
	hwb_buf_release(&canon);
	return rc;
}
