/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml_emit.c: the small TOML 1.0 writer behind pylock.build.toml. Only
 * what a lock needs: basic strings, keys, integers and arrays of strings;
 * tables are written by the caller. Parsing is pkg/core/toml's job.
 */
#include <stdio.h>
#include <string.h>

#include "pkg/reqs/internal.h"

/*
 * TOML 1.0 basic strings: '"' and '\' must be escaped, and so must every
 * control character other than tab (U+0000..U+001F and U+007F). The short
 * forms are used where TOML has them, \uXXXX otherwise. Other bytes, UTF-8
 * included, are copied as they are; callers pass valid UTF-8.
 */
int hwb_reqs__toml_string(struct hwb_buf *out, const char *s, size_t len)
{
	size_t i;
	unsigned char c;

	hwb_buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"': hwb_buf_puts(out, "\\\""); break;
		case '\\': hwb_buf_puts(out, "\\\\"); break;
		case '\b': hwb_buf_puts(out, "\\b"); break;
		case '\t': hwb_buf_puts(out, "\\t"); break;
		case '\n': hwb_buf_puts(out, "\\n"); break;
		case '\f': hwb_buf_puts(out, "\\f"); break;
		case '\r': hwb_buf_puts(out, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				hwb_buf_printf(out, "\\u%04X", c);
			else
				hwb_buf_putc(out, (char)c);
		}
	}
	return hwb_buf_putc(out, '"');
}

static int is_bare_key(const char *key)
{
	const char *p;

	if (!*key)
		return 0;
	for (p = key; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

int hwb_reqs__toml_key(struct hwb_buf *out, const char *key)
{
	if (is_bare_key(key))
		return hwb_buf_puts(out, key);
	return hwb_reqs__toml_string(out, key, strlen(key));
}

int hwb_reqs__toml_kv_str(struct hwb_buf *out, const char *key,
			   const char *value)
{
	hwb_reqs__toml_key(out, key);
	hwb_buf_puts(out, " = ");
	hwb_reqs__toml_string(out, value, strlen(value));
	return hwb_buf_putc(out, '\n');
}

int hwb_reqs__toml_kv_int(struct hwb_buf *out, const char *key, int64_t v)
{
	hwb_reqs__toml_key(out, key);
	return hwb_buf_printf(out, " = %lld\n", (long long)v);
}

int hwb_reqs__toml_kv_strs(struct hwb_buf *out, const char *key,
			    const char *const *items, size_t count)
{
	size_t i;

	hwb_reqs__toml_key(out, key);
	hwb_buf_puts(out, " = [");
	for (i = 0; i < count; i++) {
		if (i)
			hwb_buf_puts(out, ", ");
		hwb_reqs__toml_string(out, items[i], strlen(items[i]));
	}
	return hwb_buf_puts(out, "]\n");
}
