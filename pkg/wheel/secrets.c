/* SPDX-License-Identifier: Apache-2.0 */
/*
 * secrets.c: leaked credentials in wheels and sdists. The credential forms
 * are the one table in pkg/core/log.c that also drives redaction; this file
 * adds what makes a match in a published file worth an error (a key body
 * after a PEM line, a token of real length, not the documentation's example
 * key), scans .pyc data as binary, and names the files that hold
 * credentials by their nature (.pypirc, .env, .git/, SSH keys).
 */
#include "pkg/wheel/internal.h"

#include <string.h>

#include "pkg/core/log.h"

/* AWS's documented example key id, found in SDKs and their docs. */
#define AWS_EXAMPLE_KEY "AKIAIOSFODNN7EXAMPLE"

/* Placeholders ("ghp_xxxx...", "pypi-XXXX...") use few distinct bytes;
 * real tokens are random. */
#define MIN_DISTINCT_BYTES 8

/* Distinct byte values in p[0..n), counted up to MIN_DISTINCT_BYTES. */
static size_t distinct_bytes(const uint8_t *p, size_t n)
{
	uint8_t seen[256] = { 0 };
	size_t i, count = 0;

	for (i = 0; i < n && count < MIN_DISTINCT_BYTES; i++)
		if (!seen[p[i]]) {
			seen[p[i]] = 1;
			count++;
		}
	return count;
}

static int is_b64(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/*
 * A PEM line alone is what key-parsing code compares with; a leaked key
 * has its base64 body right after (lines of 64, or "\n" escapes inside a
 * string literal). Look for 40 base64 characters in a row soon after the
 * BEGIN line.
 */
static int pem_has_body(const uint8_t *p, size_t n)
{
	size_t i, run = 0, limit = n < 600 ? n : 600;
	const uint8_t *eol = memchr(p + 11, '-', n > 11 ? n - 11 : 0);

	if (!eol)
		return 0;
	for (i = (size_t)(eol - p); i < limit; i++) {
		run = is_b64(p[i]) ? run + 1 : 0;
		if (run >= 40)
			return 1;
	}
	return 0;
}

/* Whether the match at p (n bytes) is a credential and not a look-alike. */
static int credible(enum hwb_secret_kind kind, const uint8_t *p, size_t n)
{
	switch (kind) {
	case HWB_SECRET_PRIVATE_KEY:
		return pem_has_body(p, n);
	case HWB_SECRET_PYPI_TOKEN:
		/* A PyPI token is "pypi-" and a base64 macaroon, which
		 * starts "AgE" (version 2, location field). */
		return n >= 5 + 64 && !memcmp(p + 5, "AgE", 3) &&
		       distinct_bytes(p + 5, n - 5) >= MIN_DISTINCT_BYTES;
	case HWB_SECRET_AWS_KEY_ID:
		return memcmp(p, AWS_EXAMPLE_KEY, 20) &&
		       distinct_bytes(p + 4, n - 4) >= MIN_DISTINCT_BYTES;
	case HWB_SECRET_JWT:
		/* Short-lived and common in test data; not checked here. */
		return 0;
	default:
		return distinct_bytes(p, n) >= MIN_DISTINCT_BYTES;
	}
}

int hwb_wheel__scan_secrets(struct hwb_check_report *r, const char *member,
			    const uint8_t *data, size_t len, size_t overlap,
			    int binary)
{
	const char *text = (const char *)data;
	int flags = binary ? HWB_SECRET_ANY_BYTE_BEFORE : 0;
	enum hwb_secret_kind kind, seen;
	size_t from = 0, start = 0, n = 0, m;

	while ((kind = hwb_secret_find(text, len, from, flags, &start, &n))) {
		/* Past the whole match, as regular expression scanners go:
		 * from start + 1, a run like "pypi-pypi-pypi-..." would be
		 * matched again at each of its positions. */
		from = start + n;
		if (!credible(kind, data + start, n))
			continue;
		/* What the previous chunk saw of it (its last overlap bytes
		 * are our first): if that was enough, it was reported there. */
		if (start < overlap &&
		    (m = hwb_secret_match(text, text + start, text + overlap,
					  flags, &seen)) &&
		    credible(seen, data + start, m))
			continue;
		return hwb_wheel__add_firm(
			r, "HWB-W087", member,
			"holds %s at byte %zu; revoke it now, remove it from "
			"the sources and rebuild (never publish a credential)",
			hwb_secret_kind_name(kind), start);
	}
	return 0;
}

/* Files that hold credentials by their nature, by basename. */
static const struct {
	const char *name;
	int prefix; /* name is a prefix ("credentials.") */
	const char *why;
} secret_files[] = {
	{ ".pypirc", 0, "a .pypirc file with index credentials" },
	{ ".netrc", 0, "a .netrc file with passwords" },
	{ ".git-credentials", 0, "a git credential store" },
	{ ".env", 0, "a .env file with environment secrets" },
	{ ".env.", 1, "a .env file with environment secrets" },
	{ "id_rsa", 0, "an SSH private key" },
	{ "id_dsa", 0, "an SSH private key" },
	{ "id_ecdsa", 0, "an SSH private key" },
	{ "id_ed25519", 0, "an SSH private key" },
	{ "credentials", 0, "a credentials file" },
	{ "credentials.", 1, "a credentials file" },
};

/* Template and code files that only share those names. */
static const char *const harmless_suffixes[] = {
	".example", ".sample", ".template", ".dist", ".py", ".pyi", ".pyc",
	".so", ".md", ".rst", ".txt", ".html",
};

static int harmless(const char *base)
{
	size_t len = strlen(base), i, n;

	for (i = 0; i < sizeof(harmless_suffixes) / sizeof(char *); i++) {
		n = strlen(harmless_suffixes[i]);
		if (len > n && !strcmp(base + len - n, harmless_suffixes[i]))
			return 1;
	}
	return 0;
}

int hwb_wheel__secret_path(const char *path, const char **why)
{
	const char *base = strrchr(path, '/'), *p;
	size_t i;

	/* A .git directory anywhere: its config and packs leak history and
	 * often a token in a remote URL. */
	for (p = path; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (!strncmp(p, ".git/", 5) || !strcmp(p, ".git")) {
			*why = "a .git directory";
			return 1;
		}
	}
	base = base ? base + 1 : path;
	for (i = 0; i < sizeof(secret_files) / sizeof(secret_files[0]); i++) {
		size_t n = strlen(secret_files[i].name);

		if (secret_files[i].prefix ? !strncmp(base, secret_files[i].name, n)
					   : !strcmp(base, secret_files[i].name)) {
			if (secret_files[i].prefix && harmless(base))
				continue;
			*why = secret_files[i].why;
			return 1;
		}
	}
	return 0;
}
