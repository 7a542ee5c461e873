/* SPDX-License-Identifier: Apache-2.0 */
/* buf.c: growable buffers (see buf.h). */
#include "pkg/core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char hwb_buf__empty[1];

void hwb_buf_init(struct hwb_buf *b)
{
	b->ptr = hwb_buf__empty;
	b->len = 0;
	b->cap = 0;
	b->oom = 0;
}

void hwb_buf_release(struct hwb_buf *b)
{
	if (b->cap)
		free(b->ptr);
	hwb_buf_init(b);
}

char *hwb_buf_detach(struct hwb_buf *b, size_t *len_out)
{
	char *p;

	if (len_out)
		*len_out = b->len;
	if (b->oom) {
		hwb_buf_release(b);
		return NULL;
	}
	p = b->cap ? b->ptr : calloc(1, 1);
	hwb_buf_init(b);
	return p;
}

void hwb_buf_clear(struct hwb_buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

int hwb_size_add(size_t *out, size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		return -1;
	*out = a + b;
	return 0;
}

int hwb_size_mul(size_t *out, size_t a, size_t b)
{
	if (a && b > SIZE_MAX / a)
		return -1;
	*out = a * b;
	return 0;
}

int hwb_buf_grow(struct hwb_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	if (hwb_size_add(&need, b->len, extra) || hwb_size_add(&need, need, 1))
		goto oom;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->cap ? b->ptr : NULL, cap);
	if (!p)
		goto oom;
	if (!b->cap)
		p[0] = '\0';
	b->ptr = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = 1;
	return -1;
}

void hwb_buf_truncate(struct hwb_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->ptr[len] = '\0';
}

int hwb_buf_put(struct hwb_buf *b, const void *data, size_t len)
{
	if (hwb_buf_grow(b, len))
		return -1;
	if (len)
		memmove(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int hwb_buf_puts(struct hwb_buf *b, const char *s)
{
	return hwb_buf_put(b, s, strlen(s));
}

int hwb_buf_putc(struct hwb_buf *b, char c)
{
	return hwb_buf_put(b, &c, 1);
}

int hwb_buf_set(struct hwb_buf *b, const void *data, size_t len)
{
	hwb_buf_clear(b);
	return hwb_buf_put(b, data, len);
}

int hwb_buf_vprintf(struct hwb_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	if (b->oom)
		return -1;
	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0 || hwb_buf_grow(b, (size_t)n))
		return -1;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int hwb_buf_printf(struct hwb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = hwb_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int hwb_buf_check(const struct hwb_buf *b, struct hwb_error *err)
{
	return b->oom ? hwb_error_oom(err) : 0;
}

char *hwb_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *hwb_strdup_printf(const char *fmt, ...)
{
	struct hwb_buf b = HWB_BUF_INIT;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = hwb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc) {
		hwb_buf_release(&b);
		return NULL;
	}
	return hwb_buf_detach(&b, NULL);
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/*
 * Optimal string alignment distance: insertions, deletions, substitutions
 * and transpositions of neighbours ("timoeut" is one step from "timeout").
 */
size_t hwb_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, cost, d;
	size_t rows[3][HWB_EDIT_DISTANCE_MAX + 1];
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (la > HWB_EDIT_DISTANCE_MAX || lb > HWB_EDIT_DISTANCE_MAX)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			cost = a[i - 1] != b[j - 1];
			d = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}
