/* SPDX-License-Identifier: Apache-2.0 */
/*
 * credentials.c: what a release could sign and upload with here, found
 * without fetching or reading a token: the OIDC source for signing
 * (audience "sigstore") and for trusted publishing ("pypi"), and whether
 * an API token is in the environment (only whether the variable is set:
 * its value is never read, so it cannot reach the report).
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/doctor/internal.h"

/* The upload's password variables, in the order hwb publish reads them. */
static const char *const token_variables[] = { "HWB_PASSWORD",
					       "TWINE_PASSWORD" };

static const char *source_name(enum hwb_oidc_source s)
{
	return s == HWB_OIDC_NONE ? "none" : hwb_oidc_source_name(s);
}

static int oidc(struct hwb_doctor_report *r)
{
	r->oidc_sigstore = hwb_oidc_ambient_source("sigstore", NULL);
	r->oidc_pypi = hwb_oidc_ambient_source("pypi", NULL);
	if (r->oidc_sigstore != HWB_OIDC_NONE)
		return hwb_doctor__add(r, "oidc", HWB_DOCTOR_OK, NULL, NULL,
				       "signing: %s; trusted publishing: %s "
				       "(no token fetched)",
				       source_name(r->oidc_sigstore),
				       source_name(r->oidc_pypi));
	return hwb_doctor__add(r, "oidc", HWB_DOCTOR_OK, NULL, NULL,
			       "no CI identity here (SIGSTORE_ID_TOKEN, GitHub "
			       "Actions' id-token, Google Cloud): signing uses "
			       "the browser sign-in; trusted publishing: %s",
			       source_name(r->oidc_pypi));
}

static int token(struct hwb_doctor_report *r)
{
	enum hwb_doctor_status missing = r->release ? HWB_DOCTOR_FAIL
						    : HWB_DOCTOR_WARN;
	size_t i;

	for (i = 0; i < sizeof(token_variables) / sizeof(*token_variables); i++) {
		const char *v = getenv(token_variables[i]);

		if (v && *v) {
			r->token_variable = token_variables[i];
			break;
		}
	}
	if (r->oidc_pypi != HWB_OIDC_NONE)
		return hwb_doctor__add(r, "credentials", HWB_DOCTOR_OK, NULL, NULL,
				       "trusted publishing through %s%s%s%s",
				       source_name(r->oidc_pypi),
				       r->token_variable ? "; an API token in " : "",
				       r->token_variable ? r->token_variable : "",
				       r->token_variable ? " too (not shown)" : "");
	if (r->token_variable)
		return hwb_doctor__add(r, "credentials", HWB_DOCTOR_OK, NULL, NULL,
				       "an API token in %s (not shown); without "
				       "trusted publishing PyPI takes no PEP 740 "
				       "attestations, and signing uses the "
				       "browser sign-in", r->token_variable);
	return hwb_doctor__add(r, "credentials", missing, "HWB-D003",
			       "in GitHub Actions give the publishing job "
			       "`permissions: id-token: write` (trusted "
			       "publishing); elsewhere export HWB_PASSWORD with "
			       "an API token",
			       "no OIDC source for trusted publishing and no API "
			       "token (HWB_PASSWORD, TWINE_PASSWORD): hwb release "
			       "and hwb publish cannot upload from here");
}

int hwb_doctor__credentials(struct hwb_doctor_report *r,
			    const struct hwb_doctor_options *o)
{
	(void)o;
	return oidc(r) || token(r);
}
