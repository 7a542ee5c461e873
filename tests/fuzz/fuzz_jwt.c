/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for hwb_oidc_token_parse (through the fixed-clock entry
 * hwb_core__oidc_parse_at): a token from a file, an environment variable
 * or an endpoint is outside input. The first byte picks the audience
 * checked (none, "sigstore" or "pypi"); the rest is the token. Invariants:
 * an accepted token has an issuer, an identity and the text it was given
 * (trailing white space aside); a refused one has an O code (or C001) and
 * leaves nothing owned behind.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"
#include "pkg/core/log.h"
#include "pkg/core/oidc.h"

/* 2025-01-31T00:00:00Z, the clock of the seed corpus. */
#define FUZZ_NOW ((int64_t)1738281600)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const audiences[] = { NULL, "sigstore", "pypi" };
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *text;
	size_t len;

	if (size < 1)
		return 0;
	text = (const char *)data + 1;
	len = size - 1;
	if (hwb_core__oidc_parse_at(&t, text, len, audiences[data[0] % 3],
				    (long)(data[0] / 3) - 1, "fuzz", FUZZ_NOW,
				    &err) == 0) {
		if (!t.jwt || !t.claims.iss[0] || !t.claims.identity[0] ||
		    t.len > len || memcmp(t.jwt, text, t.len) ||
		    strlen(t.jwt) != t.len)
			abort();
		while (len > t.len && isspace((unsigned char)text[len - 1]))
			len--;
		if (len != t.len)
			abort();
	} else if (t.jwt || (strncmp(err.code, "HWB-O", 5) &&
			     strcmp(err.code, "HWB-C001"))) {
		abort();
	}
	hwb_oidc_token_release(&t);
	/* Registered tokens would pile up over millions of runs. */
	hwb_redact_reset();
	return 0;
}
