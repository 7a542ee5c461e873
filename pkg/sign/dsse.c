/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dsse.c: DSSE envelopes: the pre-authentication encoding that is actually
 * signed, and the in-toto statement check that binds the envelope to the
 * artifact (one subject's sha256 must be the artifact's digest).
 */
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

#define INTOTO_TYPE "application/vnd.in-toto+json"

int hwb_sign__pae(struct hwb_buf *out, const struct hwb_buf *type,
		  const struct hwb_buf *payload)
{
	hwb_buf_clear(out);
	hwb_buf_printf(out, "DSSEv1 %zu ", type->len);
	hwb_buf_put(out, type->ptr, type->len);
	hwb_buf_printf(out, " %zu ", payload->len);
	return hwb_buf_put(out, payload->ptr, payload->len);
}

static int statement_fail(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V019",
		      "the DSSE envelope %s", what);
	return hwb_error_hint(err, "verify the file the attestation was made for");
}

static int subject_matches(json_t *subject, const char *hex)
{
	json_t *d = json_object_get(json_object_get(subject, "digest"), "sha256");

	return json_is_string(d) && json_string_length(d) == 64 &&
	       !strcasecmp(json_string_value(d), hex);
}

int hwb_sign__statement_check(const struct hwb_buf *payload_type,
			      const struct hwb_buf *payload,
			      const struct hwb_sign__artifact *a,
			      struct hwb_error *err)
{
	struct hwb_buf hex = HWB_BUF_INIT;
	json_t *st = NULL, *subjects, *item;
	const char *type;
	size_t i;
	int rc = -1, found = 0;

	if (payload_type->len != strlen(INTOTO_TYPE) ||
	    memcmp(payload_type->ptr, INTOTO_TYPE, payload_type->len)) {
		statement_fail(err, "payload is not an in-toto statement");
		goto cleanup;
	}
	st = json_loadb(payload->ptr, payload->len, JSON_REJECT_DUPLICATES, NULL);
	type = json_string_value(json_object_get(st, "_type"));
	if (!type || (strcmp(type, "https://in-toto.io/Statement/v1") &&
		      strcmp(type, "https://in-toto.io/Statement/v0.1"))) {
		statement_fail(err, "payload is not an in-toto statement");
		goto cleanup;
	}
	if (hwb_hex_encode(&hex, a->sha256, 32)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	subjects = json_object_get(st, "subject");
	json_array_foreach(subjects, i, item)
		found |= subject_matches(item, hex.ptr);
	if (!found) {
		statement_fail(err, "statement names no subject with the artifact's sha256");
		goto cleanup;
	}
	rc = 0;
cleanup:
	json_decref(st);
	hwb_buf_release(&hex);
	return rc;
}
