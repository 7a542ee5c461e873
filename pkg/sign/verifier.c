/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verifier.c: the public entry points of verification: a verifier made
 * once (trust root and policy loaded), then one call per artifact, which
 * finds and reads the bundle and runs the algorithm of verify.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/fileio.h"
#include "pkg/sign/internal.h"

#define MAX_TRUSTED_ROOT ((size_t)4 << 20)

int hwb_verifier_new(struct hwb_verifier **out,
		     const struct hwb_verify_options *opts,
		     struct hwb_error *err)
{
	struct hwb_verifier *v = calloc(1, sizeof(*v));
	struct hwb_buf text = HWB_BUF_INIT;
	const char *embedded;
	size_t len;
	int rc = -1;

	*out = NULL;
	if (!v)
		return hwb_error_oom(err);
	v->opts = *opts;
	if (opts->trusted_root) {
		if (hwb_file_read_all(opts->trusted_root, MAX_TRUSTED_ROOT, &text, err) ||
		    hwb_sign__trust_parse(&v->trust, text.ptr, text.len,
					  opts->trusted_root, err))
			goto cleanup;
	} else if (opts->trusted_root_json) {
		if (hwb_sign__trust_parse(&v->trust, opts->trusted_root_json,
					  opts->trusted_root_len,
					  opts->trusted_root_name ? opts->trusted_root_name
								  : "(trusted root)",
					  err))
			goto cleanup;
	} else {
		embedded = hwb_verify_embedded_root(opts->staging, &len);
		if (hwb_sign__trust_parse(&v->trust, embedded, len,
					  opts->staging ? "(embedded staging root)"
							: "(embedded production root)",
					  err))
			goto cleanup;
	}
	if (hwb_sign__policy_prepare(v, err))
		goto cleanup;
	*out = v;
	v = NULL;
	rc = 0;
cleanup:
	hwb_verifier_free(v);
	hwb_buf_release(&text);
	return rc;
}

void hwb_verifier_free(struct hwb_verifier *v)
{
	if (!v)
		return;
	hwb_sign__trust_release(&v->trust);
	hwb_sign__policy_release(v);
	EVP_PKEY_free(v->key);
	free(v);
}

/*
 * FILE.sigstore.json, else FILE.sigstore, else (a distribution) where hwb
 * sign puts its bundle, DIR-signatures/NAME.sigstore.json: the first that
 * exists.
 */
static int read_bundle(const char *artifact, const char *bundle,
		       struct hwb_buf *path, struct hwb_buf *text,
		       struct hwb_error *err)
{
	static const char *const suffixes[] = { ".sigstore.json", ".sigstore" };
	size_t i;

	if (bundle) {
		hwb_buf_set(path, bundle, strlen(bundle));
		return hwb_buf_check(path, err) ||
		       hwb_file_read_all(bundle, HWB_SIGN__MAX_BUNDLE, text, err);
	}
	for (i = 0; i < 3; i++) {
		hwb_buf_clear(path);
		if (i < 2)
			hwb_buf_printf(path, "%s%s", artifact, suffixes[i]);
		else if (!hwb_sign_is_distribution(artifact))
			break;
		else if (hwb_sign_output_path(artifact, ".sigstore.json", path))
			return hwb_error_oom(err);
		if (hwb_buf_check(path, err))
			return -1;
		hwb_error_clear(err);
		errno = 0;
		if (!hwb_file_read_all(path->ptr, HWB_SIGN__MAX_BUNDLE, text, err))
			return 0;
		if (errno != ENOENT)
			return -1;
	}
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-V001",
		      "no bundle for %s: neither %s.sigstore.json nor %s.sigstore exists%s",
		      artifact, artifact, artifact,
		      hwb_sign_is_distribution(artifact)
			      ? ", nor one in the directory's -signatures sibling" : "");
	return hwb_error_hint(err, "download the bundle next to the file, or give --bundle FILE");
}

int hwb_verify_bundle(struct hwb_verifier *v, const char *artifact,
		      const char *bundle, struct hwb_verify_result *res,
		      struct hwb_error *err)
{
	struct hwb_sign__bundle b;
	struct hwb_sign__artifact a;
	struct hwb_buf path = HWB_BUF_INIT, text = HWB_BUF_INIT;
	int rc = -1;

	hwb_sign__bundle_init(&b);
	if (hwb_sign__artifact_load(&a, artifact, err))
		goto cleanup;
	if (!a.path && !bundle) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-V009",
			      "a digest-only artifact needs --bundle FILE");
		hwb_error_hint(err, "give the bundle with --bundle");
		goto cleanup;
	}
	if (read_bundle(artifact, bundle, &path, &text, err) ||
	    hwb_sign__bundle_parse(&b, text.ptr, text.len, path.ptr, err) ||
	    hwb_sign__verify_parsed(v, &b, &a, path.ptr, res, err))
		goto cleanup;
	rc = 0;
cleanup:
	hwb_sign__bundle_release(&b);
	hwb_buf_release(&path);
	hwb_buf_release(&text);
	return rc;
}
