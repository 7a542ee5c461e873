/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: who must have signed. The identity policy (SAN and OIDC issuer,
 * exact or regular expression), the GitHub/GitLab/Google publisher policies
 * (PEP 740 and `--repository/--workflow`), and the managed-key policy. With
 * no policy at all, nothing verifies.
 */
#include <openssl/pem.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/fileio.h"
#include "pkg/sign/internal.h"

#define GITHUB_ISSUER "https://token.actions.githubusercontent.com"
#define GITLAB_ISSUER "https://gitlab.com"
#define GOOGLE_ISSUER "https://accounts.google.com"

enum fulcio_oid {
	OID_SOURCE_REPO = 12,
	OID_SOURCE_DIGEST = 13,
	OID_SOURCE_REF = 14,
	OID_BUILD_CONFIG = 18,
};

static int usage(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_USAGE, "HWB-V007", "%s", what);
	return hwb_error_hint(err, "give --cert-identity and --cert-oidc-issuer, "
			      "--repository and --workflow, or --key");
}

static int compile(void **out, const char *re, struct hwb_error *err)
{
	regex_t *r = calloc(1, sizeof(*r));

	if (!r)
		return hwb_error_oom(err);
	if (regcomp(r, re, REG_EXTENDED | REG_NOSUB)) {
		free(r);
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-V007",
			      "'%.200s' is not a valid regular expression", re);
		return hwb_error_hint(err, "use POSIX extended syntax");
	}
	*out = r;
	return 0;
}

static int load_key(struct hwb_verifier *v, const char *path,
		    struct hwb_error *err)
{
	struct hwb_buf pem = HWB_BUF_INIT;
	BIO *bio = NULL;
	int rc = -1;

	if (hwb_file_read_all(path, 1u << 20, &pem, err))
		goto cleanup;
	if (!(bio = BIO_new_mem_buf(pem.ptr, (int)pem.len)) ||
	    !(v->key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL))) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-V008",
			      "not a PEM public key");
		hwb_error_hint(err, "give the signer's public key (-----BEGIN PUBLIC KEY-----)");
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	rc = 0;
cleanup:
	BIO_free(bio);
	hwb_buf_release(&pem);
	return rc;
}

int hwb_sign__policy_prepare(struct hwb_verifier *v, struct hwb_error *err)
{
	const struct hwb_verify_policy *p = &v->opts.policy;

	switch (p->kind) {
	case HWB_POLICY_IDENTITY:
		if (!p->identity == !p->identity_regexp ||
		    !p->issuer == !p->issuer_regexp)
			return usage(err, "an identity policy needs one identity and one issuer");
		if (p->identity_regexp && compile(&v->identity_re, p->identity_regexp, err))
			return -1;
		if (p->issuer_regexp && compile(&v->issuer_re, p->issuer_regexp, err))
			return -1;
		return 0;
	case HWB_POLICY_GITHUB:
	case HWB_POLICY_GITLAB:
		if (!p->repository || !p->workflow || !strchr(p->repository, '/'))
			return usage(err, "a publisher policy needs --repository OWNER/REPO and --workflow FILE");
		return 0;
	case HWB_POLICY_GOOGLE:
		if (!p->identity || !strchr(p->identity, '@'))
			return usage(err, "the Google policy needs the service account's e-mail");
		return 0;
	case HWB_POLICY_KEY:
		if (!p->key_path)
			return usage(err, "the key policy needs --key PEM");
		return load_key(v, p->key_path, err);
	default:
		return usage(err, "no verification policy: hwb never verifies without knowing who must have signed");
	}
}

void hwb_sign__policy_release(struct hwb_verifier *v)
{
	if (v->identity_re)
		regfree(v->identity_re);
	if (v->issuer_re)
		regfree(v->issuer_re);
	free(v->identity_re);
	free(v->issuer_re);
	v->identity_re = v->issuer_re = NULL;
}

static int equals(const struct hwb_buf *b, const char *s)
{
	return b->len == strlen(s) && !memcmp(b->ptr, s, b->len);
}

static int fail(struct hwb_error *err, const char *code, const char *what,
		const struct hwb_buf *got, const char *want)
{
	hwb_error_set(err, HWB_KIND_FAILED, code,
		      "%s: the certificate has '%.300s', the policy wants '%.300s'",
		      what, got->len ? got->ptr : "(none)", want);
	return hwb_error_hint(err, "the file was signed by someone else, or the policy is wrong");
}

static int suffix_is(const struct hwb_buf *cfg, size_t n,
		     const struct hwb_buf *value)
{
	return value->len && cfg->len - n == value->len &&
	       !memcmp(cfg->ptr + n, value->ptr, value->len);
}

/* Build Config URI: PEP 740 wants ".../WF@<ref or digest>", else ".../WF@". */
static int build_config_ok(const struct hwb_verifier *v, X509 *leaf,
			   const char *prefix, struct hwb_error *err)
{
	struct hwb_buf cfg = HWB_BUF_INIT, ref = HWB_BUF_INIT, sha = HWB_BUF_INIT;
	size_t n = strlen(prefix);
	int rc = -1, ok;

	if (hwb_sign__fulcio_ext(leaf, OID_BUILD_CONFIG, &cfg) ||
	    hwb_sign__fulcio_ext(leaf, OID_SOURCE_REF, &ref) ||
	    hwb_sign__fulcio_ext(leaf, OID_SOURCE_DIGEST, &sha)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	ok = cfg.len >= n && !memcmp(cfg.ptr, prefix, n) &&
	     (!v->opts.policy.pep740 || suffix_is(&cfg, n, &ref) ||
	      suffix_is(&cfg, n, &sha));
	if (!ok) {
		fail(err, "HWB-V023", "the workflow (Build Config URI) differs", &cfg,
		     prefix);
		goto cleanup;
	}
	if (v->opts.policy.ref && !equals(&ref, v->opts.policy.ref)) {
		fail(err, "HWB-V023", "the source ref differs", &ref, v->opts.policy.ref);
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_buf_release(&cfg);
	hwb_buf_release(&ref);
	hwb_buf_release(&sha);
	return rc;
}

static int publisher_check(const struct hwb_verifier *v, X509 *leaf,
			   const struct hwb_buf *issuer, struct hwb_error *err)
{
	const struct hwb_verify_policy *p = &v->opts.policy;
	int gitlab = p->kind == HWB_POLICY_GITLAB;
	const char *host = gitlab ? "https://gitlab.com/" : "https://github.com/";
	struct hwb_buf repo = HWB_BUF_INIT, want = HWB_BUF_INIT;
	int rc = -1;

	if (!equals(issuer, gitlab ? GITLAB_ISSUER : GITHUB_ISSUER)) {
		fail(err, "HWB-V022", "the OIDC issuer differs", issuer,
		     gitlab ? GITLAB_ISSUER : GITHUB_ISSUER);
		goto cleanup;
	}
	hwb_buf_printf(&want, "%s%s", host, p->repository);
	if (hwb_sign__fulcio_ext(leaf, OID_SOURCE_REPO, &repo) ||
	    hwb_buf_check(&want, err))
		goto cleanup;
	if (!equals(&repo, want.ptr)) {
		fail(err, "HWB-V023", "the source repository differs", &repo, want.ptr);
		goto cleanup;
	}
	hwb_buf_printf(&want, gitlab ? "//%s@" : "/.github/workflows/%s@",
		       p->workflow);
	if (hwb_buf_check(&want, err))
		goto cleanup;
	rc = build_config_ok(v, leaf, want.ptr, err);
cleanup:
	hwb_buf_release(&repo);
	hwb_buf_release(&want);
	return rc;
}

static int identity_check(const struct hwb_verifier *v,
			  const struct hwb_buf *san, const struct hwb_buf *issuer,
			  struct hwb_error *err)
{
	const struct hwb_verify_policy *p = &v->opts.policy;

	if (p->identity && !equals(san, p->identity))
		return fail(err, "HWB-V021", "the signer identity differs", san,
			    p->identity);
	if (p->identity_regexp && regexec(v->identity_re, san->ptr, 0, NULL, 0))
		return fail(err, "HWB-V021", "the signer identity does not match",
			    san, p->identity_regexp);
	if (p->issuer && !equals(issuer, p->issuer))
		return fail(err, "HWB-V022", "the OIDC issuer differs", issuer,
			    p->issuer);
	if (p->issuer_regexp && regexec(v->issuer_re, issuer->ptr, 0, NULL, 0))
		return fail(err, "HWB-V022", "the OIDC issuer does not match",
			    issuer, p->issuer_regexp);
	return 0;
}

int hwb_sign__policy_check(const struct hwb_verifier *v, X509 *leaf,
			   struct hwb_verify_result *res, struct hwb_error *err)
{
	const struct hwb_verify_policy *p = &v->opts.policy;
	struct hwb_buf san = HWB_BUF_INIT, issuer = HWB_BUF_INIT;
	int rc = -1;

	if (hwb_sign__leaf_san(leaf, &san) || memchr(san.ptr, 0, san.len)) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V021",
			      "the signing certificate has no usable subject alternative name");
		hwb_error_hint(err, "the certificate was not issued by Fulcio");
		goto cleanup;
	}
	if (hwb_sign__leaf_issuer(leaf, &issuer) || memchr(issuer.ptr, 0, issuer.len)) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V022",
			      "the signing certificate's OIDC issuer extension is malformed");
		hwb_error_hint(err, "the certificate was not issued by Fulcio");
		goto cleanup;
	}
	snprintf(res->identity, sizeof(res->identity), "%s", san.ptr);
	snprintf(res->issuer, sizeof(res->issuer), "%s", issuer.ptr);
	if (p->kind == HWB_POLICY_IDENTITY)
		rc = identity_check(v, &san, &issuer, err);
	else if (p->kind == HWB_POLICY_GITHUB || p->kind == HWB_POLICY_GITLAB)
		rc = publisher_check(v, leaf, &issuer, err);
	else if (p->kind == HWB_POLICY_GOOGLE)
		rc = !equals(&san, p->identity)
			     ? fail(err, "HWB-V021", "the service account differs",
				    &san, p->identity)
		     : !equals(&issuer, GOOGLE_ISSUER)
			     ? fail(err, "HWB-V022", "the OIDC issuer differs",
				    &issuer, GOOGLE_ISSUER)
			     : 0;
	else
		rc = usage(err, "a key policy cannot verify a certificate: the bundle was signed by an identity");
cleanup:
	hwb_buf_release(&san);
	hwb_buf_release(&issuer);
	return rc;
}
