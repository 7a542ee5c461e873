/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.h: RFC 8785 JSON Canonicalization Scheme (JCS) output, as needed for
 * Rekor signed entry timestamps and anything else hwb hashes or signs as
 * JSON. Packages read and build their own documents with jansson directly;
 * no jansson type appears here (a json_t is passed as const void *).
 */
#pragma once

#include <stddef.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

/*
 * Deepest nesting of arrays and objects accepted, the same bound as
 * jansson's parser (JSON_PARSER_MAX_DEPTH), so a built document and a parsed
 * one have one limit and the recursion has a bounded stack.
 */
#define HWB_JSON_MAX_DEPTH 2048

/**
 * Parse the JSON text json_text[0..len) (any value at the top, not only an
 * object) and append its RFC 8785 canonical form to out: members sorted by
 * the UTF-16 code units of their names, no whitespace, strings escaped as
 * ECMAScript JSON.stringify does, numbers as IEEE doubles in ECMAScript
 * Number-to-string form.
 *
 * Refused with err filled (kind HWB_KIND_FAILED): text that is not JSON
 * (HWB-J020, with line and column), invalid UTF-8 or a lone surrogate
 * escape (HWB-J023), a duplicate member name (HWB-J021), a number outside
 * the double range (HWB-J022), a member name holding U+0000 (HWB-J026, a
 * jansson limit), nesting deeper than HWB_JSON_MAX_DEPTH (HWB-J024).
 * err->line and err->column locate a parse error; the file name is left
 * empty for the caller, who knows it, to set with hwb_error_at().
 * On failure out keeps what it held before the call. The caller owns out.
 */
int hwb_json_canonicalize(struct hwb_buf *out, const char *json_text,
			  size_t len, struct hwb_error *err);

/**
 * Append the canonical form of a jansson value the caller built.
 * json_value is a `const json_t *` (jansson); it is only read. Integers
 * are serialised as the double they round to, as JCS treats every number
 * as an IEEE double. Strings are checked for valid UTF-8 (HWB-J023) since
 * jansson's *_nocheck constructors skip that. Errors as above.
 */
int hwb_json_canonicalize_value(struct hwb_buf *out, const void *json_value,
				struct hwb_error *err);

/**
 * Append the ECMAScript Number::toString form of d (shortest digits that
 * read back as d; "1e+21", "1e-7", "0.000001"; -0 becomes "0"). NaN and
 * the infinities have no JSON form: HWB-J022.
 */
int hwb_json_format_number(struct hwb_buf *out, double d,
			   struct hwb_error *err);
