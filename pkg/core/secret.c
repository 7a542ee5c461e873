/* SPDX-License-Identifier: Apache-2.0 */
/*
 * secret.c: the credential forms hwb knows (see log.h), in one table that
 * drives both the redaction of output (log.c) and the scan of wheels and
 * sdists for leaked secrets (pkg/wheel/secrets.c), and the fast search
 * for them. The search reads the first four bytes of every position
 * through nibble tables, 64 positions per step with AVX2 where the CPU
 * has it (the "Teddy" method of Hyperscan and Rust's aho-corasick), so
 * that scanning a wheel costs a fraction of inflating it.
 */
#include "pkg/core/internal.h"
#include "pkg/core/log.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define SECRET_HAVE_AVX2 1
#endif

static int is_b64url(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_';
}

static int is_alnum_us(unsigned char c)
{
	return isalnum(c) || c == '_';
}

static int is_upper_digit(unsigned char c)
{
	return isupper(c) || isdigit(c);
}

static int is_b64_std(unsigned char c)
{
	return isalnum(c) || c == '/' || c == '+';
}

/* The character classes of token bodies. */
enum secret_class { B64URL, ALNUM_US, UPPER_DIGIT, B64_STD, CLASS_COUNT };

_Static_assert(CLASS_COUNT <= sizeof(((struct hwb_core__secret_memo *)0)->run_from) /
	       sizeof(const char *), "a memo slot for every class");

static int (*const class_pred[CLASS_COUNT])(unsigned char) = {
	is_b64url, is_alnum_us, is_upper_digit, is_b64_std,
};

/*
 * What one search has learnt of its text (struct hwb_core__secret_memo):
 * the last maximal run of each class, and where the next PEM END line is.
 * Trying the forms at every position of a long run then costs the run
 * once, not once per position: "pypi-pypi-pypi-..." or "eyJ-eyJ-..." took
 * time quadratic in their length.
 */
static size_t span(struct hwb_core__secret_memo *m, enum secret_class c,
		   const char *p, const char *end)
{
	const char *q = p;

	if (m->run_from[c] && m->run_from[c] <= p && p <= m->run_to[c])
		return (size_t)(m->run_to[c] - p);
	while (q < end && class_pred[c]((unsigned char)*q))
		q++;
	m->run_from[c] = p;
	m->run_to[c] = q;
	return (size_t)(q - p);
}

/* The first "-----END " at or after q. */
static const char *pem_end_line(struct hwb_core__secret_memo *m,
				const char *q, const char *end)
{
	static const char marker[] = "-----END ";

	if (m->end_from && m->end_from <= q && (!m->end_at || m->end_at >= q))
		return m->end_at;
	m->end_from = q;
	m->end_at = memmem(q, (size_t)(end - q), marker, sizeof(marker) - 1);
	return m->end_at;
}

static int has_prefix(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && !memcmp(p, prefix, n);
}

/*
 * A token is only taken as one where it starts a word, so "mypypi-x" in a
 * path is not mistaken for a PyPI token.
 */
static int word_start(const char *text, const char *p)
{
	return p == text || !is_alnum_us((unsigned char)p[-1]);
}

static size_t match_prefixed(struct hwb_core__secret_memo *m, const char *p,
			     const char *end, const char *prefix,
			     size_t min_body, enum secret_class c)
{
	size_t n = strlen(prefix), body;

	if (!has_prefix(p, end, prefix))
		return 0;
	body = span(m, c, p + n, end);
	return body >= min_body ? n + body : 0;
}

/* A JWT: three base64url parts, the first two starting with "eyJ" ('{"'). */
static size_t match_jwt(struct hwb_core__secret_memo *m, const char *p,
			const char *end)
{
	const char *q = p;
	size_t n;
	int part;

	for (part = 0; part < 3; part++) {
		if (part < 2 && !has_prefix(q, end, "eyJ"))
			return 0;
		n = span(m, B64URL, q, end);
		if (part < 2 && n < 10)
			return 0;
		q += n;
		if (part < 2) {
			if (q >= end || *q != '.')
				return 0;
			q++;
		}
	}
	return (size_t)(q - p);
}

/* "-----BEGIN ENCRYPTED PRIVATE KEY-----" and its kin are shorter. */
#define PEM_LINE_MAX 100

/*
 * A PEM private key block, from "-----BEGIN ... PRIVATE KEY-----" to the
 * matching END line, or to the end of the text when it is cut off.
 */
static size_t match_pem_key(struct hwb_core__secret_memo *m, const char *p,
			    const char *end)
{
	size_t line = (size_t)(end - p) < PEM_LINE_MAX ? (size_t)(end - p)
						       : PEM_LINE_MAX;
	const char *eol, *stop;

	if (!has_prefix(p, end, "-----BEGIN "))
		return 0;
	eol = memchr(p, '\n', line);
	if (!eol && line == PEM_LINE_MAX)
		return 0;
	if (!eol)
		eol = end;
	if (!memmem(p, (size_t)(eol - p), "PRIVATE KEY-----", 16))
		return 0;
	if (!(stop = pem_end_line(m, eol, end)))
		return (size_t)(end - p);
	line = (size_t)(end - stop) < PEM_LINE_MAX ? (size_t)(end - stop)
						   : PEM_LINE_MAX;
	eol = memmem(stop, line, "KEY-----", 8);
	return eol ? (size_t)(eol + 8 - p) : (size_t)(end - p);
}

/*
 * An AWS secret access key assigned next to its name, as in credentials
 * files and code: "aws_secret_access_key = <40 base64 characters>". The
 * value alone is 40 random characters and cannot be told from other data.
 */
static size_t match_aws_secret(struct hwb_core__secret_memo *m,
			       const char *p, const char *end)
{
	static const char name[] = "secret_access_key";
	const char *q = p + sizeof(name) - 1;
	int assigned = 0;
	size_t n;

	if ((size_t)(end - p) < sizeof(name) - 1 ||
	    strncasecmp(p, name, sizeof(name) - 1))
		return 0;
	for (; q < end && strchr(" \t\"':=", *q) && *q; q++)
		assigned |= *q == '=' || *q == ':';
	n = span(m, B64_STD, q, end);
	return assigned && n == 40 ? (size_t)(q + n - p) : 0;
}

/* GitHub's classic tokens: "gh" and p (personal), o (OAuth), s (server),
 * u (user) or r (refresh), "_" and the token. Fine-grained "github_pat_"
 * tokens are a plain prefixed form in the table. */
static size_t match_github(struct hwb_core__secret_memo *m, const char *p,
			   const char *end)
{
	size_t body;

	if (end - p < 4 || p[0] != 'g' || p[1] != 'h' || !p[2] ||
	    !strchr("posur", p[2]) || p[3] != '_')
		return 0;
	body = span(m, ALNUM_US, p + 4, end);
	return body >= 20 ? 4 + body : 0;
}

/* Bytes of a form's start the fast search looks at. */
#define LEAD_LEN 4

/*
 * The credential forms, in the order they are tried at a position. A form
 * is either a prefix and a body of at least min_body characters of class
 * body (exactly that many when exact), or a match function (which ignores
 * prefix, min_body, exact and body). lead holds
 * the bytes each of the first LEAD_LEN positions of a match can have (NULL:
 * any byte); every match starts so, which is what lets the search skip the
 * other positions without trying the forms.
 */
static const struct secret_form {
	enum hwb_secret_kind kind;
	const char *prefix;
	size_t min_body;
	int exact;
	enum secret_class body;
	size_t (*match)(struct hwb_core__secret_memo *m, const char *p,
			const char *end);
	int word; /* must start a word: "mypypi-x" is no token */
	const char *lead[LEAD_LEN];
} secret_forms[] = {
	{ HWB_SECRET_PRIVATE_KEY, NULL, 0, 0, B64URL, match_pem_key, 0,
	  { "-", "-", "-", "-" } },
	{ HWB_SECRET_PYPI_TOKEN, "pypi-", 16, 0, B64URL, NULL, 1,
	  { "p", "y", "p", "i" } },
	{ HWB_SECRET_GITHUB_TOKEN, NULL, 0, 0, B64URL, match_github, 1,
	  { "g", "h", "posur", "_" } },
	{ HWB_SECRET_GITHUB_TOKEN, "github_pat_", 20, 0, ALNUM_US, NULL, 1,
	  { "g", "i", "t", "h" } },
	{ HWB_SECRET_GITLAB_TOKEN, "glpat-", 20, 0, B64URL, NULL, 1,
	  { "g", "l", "p", "a" } },
	{ HWB_SECRET_AWS_KEY_ID, "AKIA", 16, 1, UPPER_DIGIT, NULL, 1,
	  { "A", "K", "I", "A" } },
	{ HWB_SECRET_AWS_SECRET, NULL, 0, 0, B64URL, match_aws_secret, 0,
	  { "sS", "eE", "cC", "rR" } },
	{ HWB_SECRET_JWT, NULL, 0, 0, B64URL, match_jwt, 1,
	  { "e", "y", "J", NULL } },
};

#define SECRET_FORM_COUNT (sizeof(secret_forms) / sizeof(secret_forms[0]))

/* One bit per form in the nibble tables below. */
_Static_assert(SECRET_FORM_COUNT <= 8, "secret forms exceed 8 table bits");

static size_t match_form(struct hwb_core__secret_memo *m,
			 const struct secret_form *f, const char *p,
			 const char *end, int flags)
{
	size_t n, want;

	if (f->match)
		return f->match(m, p, end);
	n = match_prefixed(m, p, end, f->prefix, f->min_body, f->body);
	want = strlen(f->prefix) + f->min_body;
	if (!n || !f->exact || n == want)
		return n;
	/* In binary data the byte after a string constant is often a
	 * letter (marshal's 'N' for None); take the exact length there. */
	return (flags & HWB_SECRET_ANY_BYTE_BEFORE) ? want : 0;
}

/* The credential starting at p among the forms in the bit set forms. */
static enum hwb_secret_kind try_at(struct hwb_core__secret_memo *m,
				   const char *text, const char *p,
				   const char *end, int flags, unsigned forms,
				   size_t *match_len)
{
	size_t f, n;

	for (f = 0; f < SECRET_FORM_COUNT; f++) {
		const struct secret_form *sf = &secret_forms[f];

		if (!(forms & 1u << f))
			continue;
		if (sf->word && !(flags & HWB_SECRET_ANY_BYTE_BEFORE) &&
		    !word_start(text, p))
			continue;
		if ((n = match_form(m, sf, p, end, flags))) {
			*match_len = n;
			return sf->kind;
		}
	}
	return HWB_SECRET_NONE;
}

/* Every form: the lead bytes only speed the search up, never decide. */
#define ALL_FORMS ((1u << SECRET_FORM_COUNT) - 1)

size_t hwb_core__secret_match_memo(struct hwb_core__secret_memo *m,
				   const char *text, const char *p,
				   const char *end, int flags,
				   enum hwb_secret_kind *kind)
{
	enum hwb_secret_kind k;
	size_t n = 0;

	k = try_at(m, text, p, end, flags, ALL_FORMS, &n);
	if (kind && k != HWB_SECRET_NONE)
		*kind = k;
	return k != HWB_SECRET_NONE ? n : 0;
}

size_t hwb_secret_match(const char *text, const char *p, const char *end,
			int flags, enum hwb_secret_kind *kind)
{
	struct hwb_core__secret_memo m = HWB_CORE_SECRET_MEMO_INIT;

	return hwb_core__secret_match_memo(&m, text, p, end, flags, kind);
}

/*
 * For each lead position j, the forms (as bits) whose byte there may have
 * a given low nibble and a given high nibble. A byte b passes position j
 * for the forms in lo[j][b & 15] & hi[j][b >> 4]: a superset of the true
 * answer (nibbles of different allowed bytes mix), never less.
 */
struct lead_tables {
	uint8_t lo[LEAD_LEN][16];
	uint8_t hi[LEAD_LEN][16];
};

static void lead_tables_init(struct lead_tables *t)
{
	size_t f, j;
	const char *c;

	memset(t, 0, sizeof(*t));
	for (f = 0; f < SECRET_FORM_COUNT; f++) {
		uint8_t bit = (uint8_t)(1u << f);

		for (j = 0; j < LEAD_LEN; j++) {
			const char *allowed = secret_forms[f].lead[j];
			size_t k;

			if (!allowed) {
				for (k = 0; k < 16; k++) {
					t->lo[j][k] |= bit;
					t->hi[j][k] |= bit;
				}
				continue;
			}
			for (c = allowed; *c; c++) {
				t->lo[j][(uint8_t)*c & 15] |= bit;
				t->hi[j][(uint8_t)*c >> 4] |= bit;
			}
		}
	}
}

/* The forms that may start at p (LEAD_LEN bytes must be readable). */
static unsigned lead_forms(const struct lead_tables *t, const uint8_t *p)
{
	unsigned forms = ALL_FORMS;
	size_t j;

	for (j = 0; j < LEAD_LEN && forms; j++)
		forms &= t->lo[j][p[j] & 15] & t->hi[j][p[j] >> 4];
	return forms;
}

/*
 * Positions from from on, one at a time, with the forms that may start at
 * each; near the end of the text, where fewer than LEAD_LEN bytes remain,
 * every form is tried.
 */
static enum hwb_secret_kind find_scalar(const struct lead_tables *t,
					struct hwb_core__secret_memo *m,
					const char *text, size_t len,
					size_t from, int flags, size_t *start,
					size_t *match_len)
{
	const char *end = text + len;
	enum hwb_secret_kind kind;
	unsigned forms;
	size_t i;

	for (i = from; i < len; i++) {
		forms = len - i >= LEAD_LEN ?
				lead_forms(t, (const uint8_t *)text + i) :
				ALL_FORMS;
		if (forms && (kind = try_at(m, text, text + i, end, flags,
					    forms, match_len))) {
			*start = i;
			return kind;
		}
	}
	return HWB_SECRET_NONE;
}

#ifdef SECRET_HAVE_AVX2
/* The forms that may start at each of the 32 positions from p. */
__attribute__((target("avx2")))
static inline __m256i lead_forms_avx2(const __m256i *lo, const __m256i *hi,
				      const uint8_t *p)
{
	const __m256i nib = _mm256_set1_epi8(0x0f);
	__m256i x, m[LEAD_LEN];
	size_t j;

#pragma GCC unroll 4
	for (j = 0; j < LEAD_LEN; j++) {
		x = _mm256_loadu_si256((const __m256i *)(p + j));
		m[j] = _mm256_and_si256(
			_mm256_shuffle_epi8(lo[j], _mm256_and_si256(x, nib)),
			_mm256_shuffle_epi8(
				hi[j],
				_mm256_and_si256(_mm256_srli_epi16(x, 4), nib)));
	}
	/* A tree, not a chain: the four lookups run side by side. */
	return _mm256_and_si256(_mm256_and_si256(m[0], m[1]),
				_mm256_and_si256(m[2], m[3]));
}

/*
 * The first position at or after *i (64 at a time, while the lead bytes
 * of all 64 are readable) where a form may start: returns 1 with *i at the
 * block and *bits holding its candidate positions, or 0 with *i at the
 * first position not examined.
 */
__attribute__((target("avx2")))
static int next_block_avx2(const struct lead_tables *t, const uint8_t *p,
			   size_t len, size_t *i, uint64_t *bits)
{
	__m256i lo[LEAD_LEN], hi[LEAD_LEN], a, b;
	const __m256i zero = _mm256_setzero_si256();
	size_t j, k = *i;
	uint64_t none;

	for (j = 0; j < LEAD_LEN; j++) {
		lo[j] = _mm256_broadcastsi128_si256(
			_mm_loadu_si128((const __m128i *)t->lo[j]));
		hi[j] = _mm256_broadcastsi128_si256(
			_mm_loadu_si128((const __m128i *)t->hi[j]));
	}
	for (; len >= 64 + LEAD_LEN - 1 && k <= len - 64 - (LEAD_LEN - 1);
	     k += 64) {
		a = lead_forms_avx2(lo, hi, p + k);
		b = lead_forms_avx2(lo, hi, p + k + 32);
		if (_mm256_testz_si256(_mm256_or_si256(a, b),
				       _mm256_or_si256(a, b)))
			continue;
		none = (uint32_t)_mm256_movemask_epi8(
			       _mm256_cmpeq_epi8(a, zero)) |
		       (uint64_t)(uint32_t)_mm256_movemask_epi8(
			       _mm256_cmpeq_epi8(b, zero)) << 32;
		*i = k;
		*bits = ~none;
		return 1;
	}
	*i = k;
	return 0;
}

static enum hwb_secret_kind find_avx2(const struct lead_tables *t,
				      struct hwb_core__secret_memo *m,
				      const char *text, size_t len,
				      size_t from, int flags, size_t *start,
				      size_t *match_len)
{
	const uint8_t *p = (const uint8_t *)text;
	enum hwb_secret_kind kind;
	uint64_t bits;
	size_t i = from, b;

	while (next_block_avx2(t, p, len, &i, &bits)) {
		for (; bits; bits &= bits - 1) {
			b = i + (size_t)__builtin_ctzll(bits);
			if ((kind = try_at(m, text, text + b, text + len,
					   flags, lead_forms(t, p + b),
					   match_len))) {
				*start = b;
				return kind;
			}
		}
		i += 64;
	}
	return find_scalar(t, m, text, len, i, flags, start, match_len);
}
#endif

enum hwb_secret_kind hwb_core__secret_find_scalar(const char *text,
						  size_t len, size_t from,
						  int flags, size_t *start,
						  size_t *match_len)
{
	struct hwb_core__secret_memo m = HWB_CORE_SECRET_MEMO_INIT;
	struct lead_tables t;

	lead_tables_init(&t);
	return find_scalar(&t, &m, text, len, from, flags, start, match_len);
}

enum hwb_secret_kind hwb_secret_find(const char *text, size_t len,
				     size_t from, int flags, size_t *start,
				     size_t *match_len)
{
	struct hwb_core__secret_memo m = HWB_CORE_SECRET_MEMO_INIT;
	struct lead_tables t;

	lead_tables_init(&t);
#ifdef SECRET_HAVE_AVX2
	if (__builtin_cpu_supports("avx2"))
		return find_avx2(&t, &m, text, len, from, flags, start,
				 match_len);
#endif
	return find_scalar(&t, &m, text, len, from, flags, start, match_len);
}

const char *hwb_secret_kind_name(enum hwb_secret_kind kind)
{
	switch (kind) {
	case HWB_SECRET_PRIVATE_KEY: return "a private key (PEM block)";
	case HWB_SECRET_PYPI_TOKEN: return "a PyPI API token";
	case HWB_SECRET_GITHUB_TOKEN: return "a GitHub token";
	case HWB_SECRET_GITLAB_TOKEN: return "a GitLab personal access token";
	case HWB_SECRET_AWS_KEY_ID: return "an AWS access key id";
	case HWB_SECRET_AWS_SECRET: return "an AWS secret access key";
	case HWB_SECRET_JWT: return "a JSON Web Token";
	case HWB_SECRET_NONE: break;
	}
	return "no secret";
}
