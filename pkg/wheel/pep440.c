/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pep440.c: PEP 440 versions (parse, order, normal form) and version
 * specifier sets. The accepted spellings and the comparison rules are those
 * of the specification and of pypa/packaging's Version and Specifier, which
 * installers use; markers and requirements (pep508.c) build on this file.
 */
#include "pkg/wheel/wheel.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/buf.h"

#define CODE_VERSION "HWB-W040"
#define CODE_SPECIFIER "HWB-W041"

/* Python's str.strip() whitespace in the ASCII range. */
static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static int is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_lower_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Case-insensitive match of word at *p; advances *p on success. */
static int take_word(const char **p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - *p) < n || strncasecmp(*p, word, n))
		return 0;
	*p += n;
	return 1;
}

/* Digits at *p as a number. 0 when there are none, -1 on overflow. */
static int take_number(const char **p, const char *end, uint64_t *out)
{
	const char *q = *p;
	uint64_t v = 0;

	if (q >= end || !is_digit(*q))
		return 0;
	for (; q < end && is_digit(*q); q++) {
		if (v > (UINT64_MAX - (uint64_t)(*q - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*q - '0');
	}
	*p = q;
	*out = v;
	return 1;
}

/* Optional [-_.] then one of labels; returns the label's index or -1. */
static int take_label(const char **p, const char *end,
		      const char *const *labels, size_t count)
{
	const char *q = *p;
	size_t i;

	if (q < end && is_sep(*q))
		q++;
	/* The order of labels matters: "alpha" before "a", as in the regex. */
	for (i = 0; i < count; i++) {
		const char *r = q;

		if (take_word(&r, end, labels[i])) {
			*p = r;
			return (int)i;
		}
	}
	return -1;
}

/*
 * After a label: an optional separator and an optional number (0 when
 * absent). A separator with no number after it belongs to the label, as
 * "1.0a." is a valid spelling of 1.0a0.
 */
static int take_label_number(const char **p, const char *end, uint64_t *out)
{
	int r;

	if (*p < end && is_sep(**p))
		(*p)++;
	*out = 0;
	r = take_number(p, end, out);
	return r < 0 ? -1 : 0;
}

static int bad_version(struct hwb_error *err, const char *text, size_t len,
		       const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, CODE_VERSION,
		      "'%.*s' is not a PEP 440 version: %s",
		      (int)(len > 80 ? 80 : len), text, why);
	return hwb_error_hint(err, "use a version such as 1.2.3, 1.2.3rc1, "
				   "1.2.3.post1 or 1.2.3.dev1");
}

/* Normalise the local label at p (after '+') of the version text: lower
 * case, '.' separators, numbers without leading zeros. -1 with err. */
static int parse_local(const char **p, const char *end, char *out,
		       const char *text, size_t len, struct hwb_error *err)
{
	const char *q = *p;
	size_t n = 0;

	for (;;) {
		const char *seg = q;

		while (q < end && is_lower_alnum(*q))
			q++;
		if (q == seg)
			return bad_version(err, text, len,
					   "bad local label after '+'");
		if (is_digit(*seg)) {
			const char *d = seg;
			int numeric = 1;

			for (d = seg; d < q; d++)
				numeric &= is_digit(*d);
			if (numeric) {
				while (seg < q - 1 && *seg == '0')
					seg++;
			}
		}
		if (n + (size_t)(q - seg) + 1 > HWB_PEP440_MAX_LOCAL)
			return bad_version(err, text, len,
					   "the local label is too long");
		for (; seg < q; seg++)
			out[n++] = (char)tolower((unsigned char)*seg);
		if (q < end && is_sep(*q) && q + 1 < end &&
		    is_lower_alnum(q[1])) {
			out[n++] = '.';
			q++;
			continue;
		}
		break;
	}
	out[n] = '\0';
	*p = q;
	return 0;
}

static const char *const pre_labels[] = { "alpha", "a", "beta", "b",
					  "preview", "pre", "c", "rc" };
static const char pre_kinds[] = { 'a', 'a', 'b', 'b', 'c', 'c', 'c', 'c' };
static const char *const post_labels[] = { "post", "rev", "r" };
static const char *const dev_labels[] = { "dev" };

/* The parts after the release: pre, post, dev, each optional. */
static int parse_suffixes(const char **pp, const char *end,
			  struct hwb_pep440_version *v)
{
	const char *p = *pp, *q;
	int i;

	q = p;
	if ((i = take_label(&q, end, pre_labels, 8)) >= 0) {
		v->pre_kind = pre_kinds[i];
		if (take_label_number(&q, end, &v->pre))
			return -1;
		p = q;
	}
	q = p;
	if (q + 1 < end && *q == '-' && is_digit(q[1])) {
		q++;
		if (take_number(&q, end, &v->post) < 0)
			return -1;
		v->has_post = 1;
		p = q;
	} else if (take_label(&q, end, post_labels, 3) >= 0) {
		if (take_label_number(&q, end, &v->post))
			return -1;
		v->has_post = 1;
		p = q;
	}
	q = p;
	if (take_label(&q, end, dev_labels, 1) >= 0) {
		if (take_label_number(&q, end, &v->dev))
			return -1;
		v->has_dev = 1;
		p = q;
	}
	*pp = p;
	return 0;
}

int hwb_pep440_parse(const char *text, size_t len,
		     struct hwb_pep440_version *out, struct hwb_error *err)
{
	const char *p = text, *end = text + len, *q;
	struct hwb_pep440_version v;
	uint64_t n;
	int r;

	memset(&v, 0, sizeof(v));
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p < end && (*p == 'v' || *p == 'V'))
		p++;
	q = p;
	if ((r = take_number(&q, end, &n)) < 0)
		return bad_version(err, text, len, "a number is too large");
	if (r == 0)
		return bad_version(err, text, len, "it must start with a number");
	if (q < end && *q == '!') {
		v.epoch = n;
		p = q + 1;
		q = p;
		if ((r = take_number(&q, end, &n)) <= 0)
			return bad_version(err, text, len,
					   r ? "a number is too large"
					     : "no release after the epoch");
	}
	v.release[v.release_count++] = n;
	p = q;
	while (p + 1 < end && *p == '.' && is_digit(p[1])) {
		p++;
		if (take_number(&p, end, &n) < 0)
			return bad_version(err, text, len,
					   "a number is too large");
		if (v.release_count == HWB_PEP440_MAX_RELEASE)
			return bad_version(err, text, len,
					   "too many release numbers");
		v.release[v.release_count++] = n;
	}
	if (parse_suffixes(&p, end, &v))
		return bad_version(err, text, len, "a number is too large");
	if (p < end && *p == '+') {
		p++;
		if (parse_local(&p, end, v.local, text, len, err))
			return -1;
	}
	if (p != end)
		return bad_version(err, text, len, "unexpected text");
	*out = v;
	return 0;
}

/* Compare two numeric local segments given as digit strings without
 * leading zeros: a longer one is larger. */
static int cmp_digits(const char *a, size_t an, const char *b, size_t bn)
{
	int c;

	if (an != bn)
		return an < bn ? -1 : 1;
	c = memcmp(a, b, an);
	return (c > 0) - (c < 0);
}

static int all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/* packaging orders local labels segment by segment: numbers above words,
 * numbers by value, words by text; a label that is a prefix sorts first. */
static int cmp_local(const char *a, const char *b)
{
	while (*a && *b) {
		size_t an = strcspn(a, "."), bn = strcspn(b, ".");
		int ad = all_digits(a, an), bd = all_digits(b, bn), c;

		if (ad != bd)
			return ad ? 1 : -1;
		if (ad) {
			c = cmp_digits(a, an, b, bn);
		} else {
			c = strncmp(a, b, an < bn ? an : bn);
			c = c ? c : (an > bn) - (an < bn);
			c = (c > 0) - (c < 0);
		}
		if (c)
			return c;
		a += an + (a[an] == '.');
		b += bn + (b[bn] == '.');
	}
	return (*a != '\0') - (*b != '\0');
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Release numbers compare as if padded with zeros ("1.0" == "1"). */
static int cmp_release(const struct hwb_pep440_version *a,
		       const struct hwb_pep440_version *b)
{
	size_t i, n = a->release_count > b->release_count ? a->release_count
							  : b->release_count;
	int c;

	for (i = 0; i < n; i++) {
		uint64_t x = i < a->release_count ? a->release[i] : 0;
		uint64_t y = i < b->release_count ? b->release[i] : 0;

		if ((c = cmp_u64(x, y)))
			return c;
	}
	return 0;
}

/* Where the pre-release part sorts: a dev release of a final version
 * ("1.0.dev1") comes before every pre-release of it, a final after. */
static int pre_rank(const struct hwb_pep440_version *v)
{
	if (!v->pre_kind && !v->has_post && v->has_dev)
		return 0;
	return v->pre_kind ? 1 : 2;
}

static int cmp_public(const struct hwb_pep440_version *a,
		      const struct hwb_pep440_version *b)
{
	int c;

	if ((c = cmp_u64(a->epoch, b->epoch)) || (c = cmp_release(a, b)))
		return c;
	if ((c = pre_rank(a) - pre_rank(b)))
		return c;
	if (a->pre_kind && ((c = (a->pre_kind > b->pre_kind) -
				 (a->pre_kind < b->pre_kind)) ||
			    (c = cmp_u64(a->pre, b->pre))))
		return c;
	if ((c = a->has_post - b->has_post) ||
	    (a->has_post && (c = cmp_u64(a->post, b->post))))
		return c;
	/* No dev part sorts after any dev part. */
	if ((c = b->has_dev - a->has_dev) ||
	    (a->has_dev && (c = cmp_u64(a->dev, b->dev))))
		return c;
	return 0;
}

int hwb_pep440_compare(const struct hwb_pep440_version *a,
		       const struct hwb_pep440_version *b)
{
	int c = cmp_public(a, b);

	if (c)
		return c;
	if (!a->local[0] || !b->local[0])
		return (a->local[0] != '\0') - (b->local[0] != '\0');
	return cmp_local(a->local, b->local);
}

int hwb_pep440_normalize(const struct hwb_pep440_version *v,
			 struct hwb_buf *out)
{
	size_t i;

	if (v->epoch)
		hwb_buf_printf(out, "%llu!", (unsigned long long)v->epoch);
	for (i = 0; i < v->release_count; i++)
		hwb_buf_printf(out, "%s%llu", i ? "." : "",
			       (unsigned long long)v->release[i]);
	if (v->pre_kind)
		hwb_buf_printf(out, "%s%llu", v->pre_kind == 'c' ? "rc"
				    : v->pre_kind == 'a' ? "a" : "b",
			       (unsigned long long)v->pre);
	if (v->has_post)
		hwb_buf_printf(out, ".post%llu", (unsigned long long)v->post);
	if (v->has_dev)
		hwb_buf_printf(out, ".dev%llu", (unsigned long long)v->dev);
	if (v->local[0])
		hwb_buf_printf(out, "+%s", v->local);
	return out->oom ? -1 : 0;
}

int hwb_pep440_is_prerelease(const struct hwb_pep440_version *v)
{
	return v->pre_kind != 0 || v->has_dev;
}

/* ---- specifiers ---------------------------------------------------- */

static const struct {
	const char *text;
	enum hwb_specifier_op op;
} spec_ops[] = {
	/* Longest first, so "===" is not read as "==" and "=". */
	{ "===", HWB_SPEC_ARBITRARY },  { "~=", HWB_SPEC_COMPATIBLE },
	{ "==", HWB_SPEC_EQUAL },       { "!=", HWB_SPEC_NOT_EQUAL },
	{ "<=", HWB_SPEC_LESS_EQUAL },  { ">=", HWB_SPEC_GREATER_EQUAL },
	{ "<", HWB_SPEC_LESS },         { ">", HWB_SPEC_GREATER },
};

static int bad_specifier(struct hwb_error *err, const char *text, size_t len,
			 const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, CODE_SPECIFIER,
		      "'%.*s' is not a PEP 440 version specifier: %s",
		      (int)(len > 80 ? 80 : len), text, why);
	return hwb_error_hint(err, "write clauses such as '>=1.0', "
				   "'==1.4.*', '~=2.2' or '!=1.5', "
				   "separated by commas");
}

/* Check the version of one clause against what its operator allows. */
static int check_clause(struct hwb_specifier *s, const char *v, size_t vlen,
			const char *text, size_t len, struct hwb_error *err)
{
	struct hwb_error inner = HWB_ERROR_INIT;
	const struct hwb_pep440_version *pv = &s->version;

	if (s->op == HWB_SPEC_ARBITRARY)
		return 0;
	if (vlen >= 2 && v[vlen - 2] == '.' && v[vlen - 1] == '*') {
		if (s->op != HWB_SPEC_EQUAL && s->op != HWB_SPEC_NOT_EQUAL)
			return bad_specifier(err, text, len,
					     "'.*' is only allowed with == "
					     "and !=");
		s->wildcard = 1;
		vlen -= 2;
	}
	if (vlen == 0 || is_space(v[0]) || is_space(v[vlen - 1]))
		return bad_specifier(err, text, len, "no version");
	if (hwb_pep440_parse(v, vlen, &s->version, &inner))
		return bad_specifier(err, text, len, inner.message);
	if (s->wildcard && (pv->pre_kind || pv->has_post || pv->has_dev ||
			    pv->local[0]))
		return bad_specifier(err, text, len,
				     "'.*' follows only release numbers");
	if (pv->local[0] && s->op != HWB_SPEC_EQUAL &&
	    s->op != HWB_SPEC_NOT_EQUAL)
		return bad_specifier(err, text, len,
				     "a local version is only allowed with "
				     "== and !=");
	if (s->op == HWB_SPEC_COMPATIBLE && pv->release_count < 2)
		return bad_specifier(err, text, len,
				     "~= needs at least two release numbers");
	return 0;
}

/* Parse one clause (already stripped) into s. */
static int parse_clause(const char *text, size_t len, struct hwb_specifier *s,
			struct hwb_error *err)
{
	const char *p = text, *end = text + len, *v;
	size_t i, oplen = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < sizeof(spec_ops) / sizeof(spec_ops[0]); i++) {
		oplen = strlen(spec_ops[i].text);
		if (len >= oplen && !memcmp(p, spec_ops[i].text, oplen))
			break;
	}
	if (i == sizeof(spec_ops) / sizeof(spec_ops[0]))
		return bad_specifier(err, text, len,
				     "it must start with an operator "
				     "(~= == != <= >= < > ===)");
	s->op = spec_ops[i].op;
	p += oplen;
	while (p < end && is_space(*p))
		p++;
	v = p;
	if (s->op == HWB_SPEC_ARBITRARY) {
		/* "===" takes any text without whitespace, ';' or ')'. */
		for (; p < end; p++)
			if (is_space(*p) || *p == ';' || *p == ')')
				return bad_specifier(err, text, len,
						     "unexpected text after "
						     "the version");
	}
	if (check_clause(s, v, (size_t)(end - v), text, len, err))
		return -1;
	s->text = strndup(v, (size_t)(end - v));
	if (!s->text)
		return hwb_error_oom(err);
	return 0;
}

void hwb_specifier_set_release(struct hwb_specifier_set *set)
{
	size_t i;

	for (i = 0; i < set->count; i++)
		free(set->items[i].text);
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

int hwb_specifier_set_parse(const char *text, size_t len,
			    struct hwb_specifier_set *out,
			    struct hwb_error *err)
{
	struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
	const char *p = text, *end = text + len;
	size_t clauses = 1, i;

	for (i = 0; i < len; i++)
		clauses += text[i] == ',';
	set.items = calloc(clauses, sizeof(*set.items));
	if (!set.items)
		return hwb_error_oom(err);
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *a = p, *b = comma ? comma : end;

		while (a < b && is_space(*a))
			a++;
		while (b > a && is_space(b[-1]))
			b--;
		/* Empty clauses are skipped, as packaging's split does. */
		if (a < b) {
			if (parse_clause(a, (size_t)(b - a),
					 &set.items[set.count], err)) {
				hwb_specifier_set_release(&set);
				return -1;
			}
			set.count++;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = set;
	return 0;
}

/* The version without its local label (packaging's .public). */
static struct hwb_pep440_version public_of(const struct hwb_pep440_version *v)
{
	struct hwb_pep440_version p = *v;

	p.local[0] = '\0';
	return p;
}

/* Epoch and release only (packaging's .base_version). */
static struct hwb_pep440_version base_of(const struct hwb_pep440_version *v)
{
	struct hwb_pep440_version b = public_of(v);

	b.pre_kind = 0;
	b.has_post = 0;
	b.has_dev = 0;
	return b;
}

/* "==1.2.*": same epoch, release starts with 1.2 (zero-padded). */
static int prefix_match(const struct hwb_pep440_version *v,
			const struct hwb_pep440_version *spec, size_t count)
{
	size_t i;

	if (v->epoch != spec->epoch)
		return 0;
	for (i = 0; i < count; i++) {
		uint64_t x = i < v->release_count ? v->release[i] : 0;

		if (x != spec->release[i])
			return 0;
	}
	return 1;
}

static int equal_match(const struct hwb_specifier *s,
		       const struct hwb_pep440_version *v)
{
	struct hwb_pep440_version pub;

	if (s->wildcard)
		return prefix_match(v, &s->version, s->version.release_count);
	if (s->version.local[0])
		return hwb_pep440_compare(v, &s->version) == 0;
	pub = public_of(v);
	return hwb_pep440_compare(&pub, &s->version) == 0;
}

/* One clause, pre-releases allowed (packaging's Specifier operators). */
static int clause_contains(const struct hwb_specifier *s,
			   const struct hwb_pep440_version *v)
{
	struct hwb_pep440_version pub = public_of(v), vb, sb;
	const struct hwb_pep440_version *sv = &s->version;
	struct hwb_buf norm = HWB_BUF_INIT;
	int r;

	switch (s->op) {
	case HWB_SPEC_EQUAL:
		return equal_match(s, v);
	case HWB_SPEC_NOT_EQUAL:
		return !equal_match(s, v);
	case HWB_SPEC_LESS_EQUAL:
		return hwb_pep440_compare(&pub, sv) <= 0;
	case HWB_SPEC_GREATER_EQUAL:
		return hwb_pep440_compare(&pub, sv) >= 0;
	case HWB_SPEC_COMPATIBLE:
		return hwb_pep440_compare(&pub, sv) >= 0 &&
		       prefix_match(v, sv, sv->release_count - 1);
	case HWB_SPEC_LESS:
		/* "<1.0" excludes 1.0's own pre-releases unless it names one. */
		vb = base_of(v);
		sb = base_of(sv);
		if (hwb_pep440_compare(v, sv) >= 0)
			return 0;
		return !(!hwb_pep440_is_prerelease(sv) &&
			 hwb_pep440_is_prerelease(v) &&
			 hwb_pep440_compare(&vb, &sb) == 0);
	case HWB_SPEC_GREATER:
		/* ">1.0" excludes 1.0's post-releases and local versions. */
		vb = base_of(v);
		sb = base_of(sv);
		if (hwb_pep440_compare(v, sv) <= 0)
			return 0;
		if (!sv->has_post && v->has_post &&
		    hwb_pep440_compare(&vb, &sb) == 0)
			return 0;
		return !(v->local[0] && hwb_pep440_compare(&vb, &sb) == 0);
	case HWB_SPEC_ARBITRARY:
		/* Out of memory compares as no match: the safe answer. */
		r = !hwb_pep440_normalize(v, &norm) &&
		    !strcasecmp(norm.ptr, s->text);
		hwb_buf_release(&norm);
		return r;
	}
	return 0;
}

/* packaging: ==, >=, <=, ~= and === naming a pre-release allow them. */
static int clause_allows_prereleases(const struct hwb_specifier *s)
{
	struct hwb_pep440_version v;

	switch (s->op) {
	case HWB_SPEC_EQUAL:
	case HWB_SPEC_GREATER_EQUAL:
	case HWB_SPEC_LESS_EQUAL:
	case HWB_SPEC_COMPATIBLE:
		return hwb_pep440_is_prerelease(&s->version);
	case HWB_SPEC_ARBITRARY:
		return !hwb_pep440_parse(s->text, strlen(s->text), &v, NULL) &&
		       hwb_pep440_is_prerelease(&v);
	default:
		return 0;
	}
}

int hwb_specifier_set_contains(const struct hwb_specifier_set *set,
			       const struct hwb_pep440_version *v,
			       int allow_prereleases)
{
	size_t i;

	if (!allow_prereleases && hwb_pep440_is_prerelease(v)) {
		for (i = 0; i < set->count; i++)
			if (clause_allows_prereleases(&set->items[i]))
				break;
		if (i == set->count)
			return 0;
	}
	for (i = 0; i < set->count; i++)
		if (!clause_contains(&set->items[i], v))
			return 0;
	return 1;
}
