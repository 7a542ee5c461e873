/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: helpers shared between files of pkg/core and used nowhere
 * else. Not part of any public API.
 */
#pragma once

#include <stddef.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/toml.h"

/* ---- TOML parser (toml.c: document structure, toml_scalar.c: values) ---- */

/*
 * The cursor over a TOML document. line and col are the 1-based position of
 * text[pos]; col counts characters (UTF-8 code points), not bytes.
 */
struct hwb_core__toml_parser {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line, col;
	const char *filename;
	struct hwb_error *err;
};

/** The byte at pos + off, or -1 past the end. */
static inline int hwb_core__toml_peek(const struct hwb_core__toml_parser *p,
				      size_t off)
{
	if (p->pos >= p->len || off >= p->len - p->pos)
		return -1;
	return (unsigned char)p->text[p->pos + off];
}

/** Move n bytes forward, keeping line and col. */
void hwb_core__toml_advance(struct hwb_core__toml_parser *p, size_t n);

/**
 * Record a TOML error (kind HWB_KIND_CONFIG) at line:col with a fix; returns
 * -1. hint may be NULL.
 */
int hwb_core__toml_fail(struct hwb_core__toml_parser *p, unsigned line,
			unsigned col, const char *code, const char *hint,
			const char *fmt, ...) HWB_PRINTF(6, 7);

/**
 * Parse a string at the cursor (which is on its opening quote) into out.
 * Multi-line forms are refused unless allow_multiline (keys cannot be
 * multi-line). out is cleared first; the caller releases it.
 */
int hwb_core__toml_string(struct hwb_core__toml_parser *p, struct hwb_buf *out,
			  int allow_multiline);

/**
 * Parse a number, boolean or date-time at the cursor into v (its type and
 * u member; position fields are left alone). Returns -1 with the error set
 * when the text there is none of those.
 */
int hwb_core__toml_scalar(struct hwb_core__toml_parser *p,
			  struct hwb_toml_value *v);
