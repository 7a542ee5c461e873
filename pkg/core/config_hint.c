/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_hint.c: what makes a configuration error easy to fix: the known
 * key closest to a misspelt one, and the column where a key starts (the
 * TOML tree records where values start, the message points at the key).
 */
#include <string.h>

#include "pkg/core/internal.h"

/* Names longer than this get no edit-distance suggestion (cost is n*m). */
#define SUGGEST_MAX_NAME 96

static const char *last_part(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

int hwb_core__config_suggest(const char *name, struct hwb_buf *out)
{
	const struct hwb_config_key *keys;
	size_t count, i, d, best_d = (size_t)-1, len = strlen(name), found = 0;
	const char *best = NULL;

	keys = hwb_config_keys(&count);
	if (len <= SUGGEST_MAX_NAME) {
		for (i = 0; i < count; i++) {
			if (strlen(keys[i].name) > SUGGEST_MAX_NAME)
				continue;
			d = hwb_edit_distance(name, keys[i].name);
			if (d < best_d) {
				best_d = d;
				best = keys[i].name;
			}
		}
		/* A third of the name may be wrong, at least two characters. */
		if (best && (best_d <= 2 || best_d * 3 <= len))
			return hwb_buf_printf(out, "'%s'", best);
	}
	/* Right name, wrong table: "timeout" at the top for build.timeout. */
	for (i = 0; i < count; i++) {
		if (strcmp(last_part(keys[i].name), last_part(name)))
			continue;
		hwb_buf_printf(out, "%s'%s'", found++ ? " or " : "", keys[i].name);
	}
	return out->oom ? -1 : 0;
}

/* Characters (UTF-8 code points) from a to b. */
static unsigned chars(const char *a, const char *b)
{
	unsigned n = 0;

	for (; a < b; a++)
		if (((unsigned char)*a & 0xc0) != 0x80)
			n++;
	return n;
}

unsigned hwb_core__config_key_column(const struct hwb_core__config_layer *l,
				     unsigned line, unsigned vcol,
				     const char *seg)
{
	const char *p = l->text, *end = l->text + l->len, *eol, *limit, *q;
	const char *hit = NULL;
	size_t n = strlen(seg);
	unsigned at = 1, col = 1;

	if (!p)
		return 1;
	while (at < line && p < end) {
		if (*p++ == '\n')
			at++;
	}
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	/* Only look before the value: the key precedes it on its line. */
	for (limit = p; limit < eol && col < vcol; col++) {
		limit++;
		while (limit < eol && ((unsigned char)*limit & 0xc0) == 0x80)
			limit++;
	}
	/* Real keys are short; a huge one is not worth a quadratic search. */
	for (q = p; n && n <= SUGGEST_MAX_NAME && q + n <= limit; q++)
		if (!memcmp(q, seg, n))
			hit = q;
	if (!hit)
		for (hit = p; hit < eol && (*hit == ' ' || *hit == '\t'); hit++)
			;
	return chars(p, hit) + 1;
}
