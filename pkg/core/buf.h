/* SPDX-License-Identifier: Apache-2.0 */
/*
 * buf.h: the growable byte buffer every package uses for strings and binary
 * data. Invariants (as git's strbuf): ptr is never NULL and is always
 * NUL-terminated, though the contents may hold NULs. After an allocation
 * failure the buffer is marked out of memory; later appends do nothing and
 * return -1, so a caller may append several times and check once.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/core/error.h"

struct hwb_buf {
	char *ptr;  /* owned unless it points at hwb_buf__empty */
	size_t len; /* bytes in use, not counting the terminating NUL */
	size_t cap; /* bytes allocated; 0 when ptr is not owned */
	int oom;    /* set after a failed allocation */
};

extern char hwb_buf__empty[1];
#define HWB_BUF_INIT { hwb_buf__empty, 0, 0, 0 }

void hwb_buf_init(struct hwb_buf *b);
/** Free the memory and leave b as HWB_BUF_INIT. Idempotent. */
void hwb_buf_release(struct hwb_buf *b);
/** Hand the malloc'd string to the caller (who frees it); b is reset. */
char *hwb_buf_detach(struct hwb_buf *b, size_t *len_out);
/** Keep the allocation, set len to 0. Clears the out-of-memory mark. */
void hwb_buf_clear(struct hwb_buf *b);
/** Make room for extra more bytes. Returns 0, or -1 when out of memory. */
int hwb_buf_grow(struct hwb_buf *b, size_t extra);
/** Shrink to len (<= b->len). */
void hwb_buf_truncate(struct hwb_buf *b, size_t len);

int hwb_buf_put(struct hwb_buf *b, const void *data, size_t len);
int hwb_buf_puts(struct hwb_buf *b, const char *s);
int hwb_buf_putc(struct hwb_buf *b, char c);
int hwb_buf_printf(struct hwb_buf *b, const char *fmt, ...) HWB_PRINTF(2, 3);
int hwb_buf_vprintf(struct hwb_buf *b, const char *fmt, va_list ap);
/** Replace the contents with a copy of data. */
int hwb_buf_set(struct hwb_buf *b, const void *data, size_t len);

/** Returns -1 and records OOM in err if b ran out of memory, else 0. */
int hwb_buf_check(const struct hwb_buf *b, struct hwb_error *err);

/*
 * Overflow-checked size arithmetic for lengths taken from outside input.
 * Return 0 and store the result, or -1 on overflow.
 */
int hwb_size_add(size_t *out, size_t a, size_t b);
int hwb_size_mul(size_t *out, size_t a, size_t b);

/** strdup that returns NULL on NULL input or when out of memory. */
char *hwb_strdup(const char *s);
/** Allocate and format; NULL when out of memory. Caller frees. */
char *hwb_strdup_printf(const char *fmt, ...) HWB_PRINTF(1, 2);

/*
 * Optimal string alignment distance between a and b (insertions,
 * deletions, substitutions, neighbours swapped), for "did you mean"
 * hints; (size_t)-1 when either is longer than HWB_EDIT_DISTANCE_MAX.
 */
#define HWB_EDIT_DISTANCE_MAX 96
size_t hwb_edit_distance(const char *a, const char *b);
