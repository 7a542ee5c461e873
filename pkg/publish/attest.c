/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest.c: `hwb publish --attestations` makes the PEP 740 publish
 * attestations itself, as `hwb attest --pypi` does: one in-toto statement
 * per distribution (subject: its file name and sha256, predicate type
 * publish/v1), signed in a DSSE envelope with a Sigstore certificate for
 * the CI's identity and logged in Rekor v1, then turned into PEP 740's
 * attestation object and written to DIST.publish.attestation beside the
 * distribution (the convention twine and gh-action-pypi-publish read).
 * The signer's OIDC token (audience "sigstore") comes from the same
 * ambient CI source as the index's.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/core/fileio.h"
#include "pkg/core/log.h"
#include "pkg/core/oidc.h"
#include "pkg/publish/internal.h"
#include "pkg/sign/sign.h"

static int open_signer(const struct hwb_publish_options *o, struct hwb_signer **out,
		       struct hwb_error *err)
{
	struct hwb_oidc_options oo = { 0 };
	struct hwb_oidc_token tok = HWB_OIDC_TOKEN_INIT;
	struct hwb_sign_options so = { 0 };
	int rc;

	if (o->sign)
		so = *o->sign;
	so.rekor_version = 1; /* PEP 740: PyPI needs Rekor v1's integrated time */
	if (!so.http)
		so.http = o->http;
	oo.audience = "sigstore";
	oo.gcp_metadata_url = o->gcp_metadata_url;
	oo.exp_leeway_s = -1;
	oo.http = o->http;
	if (hwb_oidc_token_get(&tok, &oo, err)) {
		hwb_oidc_token_release(&tok);
		return -1;
	}
	hwb_log_info("attesting as %s (issuer %s), token from %s", tok.claims.identity,
		     tok.claims.iss, hwb_oidc_source_name(tok.source));
	rc = hwb_signer_new(out, &so, &tok, err);
	hwb_oidc_token_release(&tok);
	return rc;
}

static int attest_one(struct hwb_signer *s, struct hwb_publish_file *f,
		      struct hwb_error *err)
{
	struct hwb_buf pep740 = HWB_BUF_INIT;
	struct hwb_sign_result res;
	char *out = hwb_strdup_printf("%s.publish.attestation", f->path);
	int rc = -1;

	if (!out)
		return hwb_error_oom(err);
	if (hwb_sign_pep740(s, f->filename, f->sha256, &pep740, &res, err) ||
	    hwb_file_write_atomic(out, pep740.ptr, pep740.len, 0644, err))
		goto cleanup;
	f->attestation_log_index = res.log_index;
	hwb_log_info("attested %s: %s (log index %lld)", f->filename, out,
		     (long long)res.log_index);
	rc = 0;
cleanup:
	free(out);
	hwb_buf_release(&pep740);
	return rc;
}

int hwb_publish__attest(const struct hwb_publish_options *o,
			struct hwb_publish_file *files, size_t n,
			struct hwb_error *err)
{
	struct hwb_signer *s = NULL;
	size_t i;
	int rc = -1;

	if (open_signer(o, &s, err))
		goto cleanup;
	for (i = 0; i < n; i++)
		if (hwb_publish__digests(&files[i], err) || attest_one(s, &files[i], err))
			goto cleanup;
	rc = 0;
cleanup:
	hwb_signer_free(s);
	return rc;
}
