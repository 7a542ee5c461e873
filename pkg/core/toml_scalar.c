/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml_scalar.c: the TOML 1.0.0 scalar values (strings with their escapes,
 * integers, floats, booleans, date-times), read at the parser's cursor.
 * Tables, arrays and keys are left to toml.c. The whole document has already
 * been checked for UTF-8 and control characters when these run.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"

void hwb_core__toml_advance(struct hwb_core__toml_parser *p, size_t n)
{
	while (n-- > 0 && p->pos < p->len) {
		unsigned char c = (unsigned char)p->text[p->pos++];

		if (c == '\n') {
			p->line++;
			p->col = 1;
		} else if ((c & 0xC0) != 0x80) {
			p->col++;
		}
	}
}

int hwb_core__toml_fail(struct hwb_core__toml_parser *p, unsigned line,
			unsigned col, const char *code, const char *hint,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwb_error_vset(p->err, HWB_KIND_CONFIG, code, fmt, ap);
	va_end(ap);
	if (hint)
		hwb_error_hint(p->err, "%s", hint);
	return hwb_error_at(p->err, p->filename ? p->filename : "", line, col);
}

/* ---- strings ---- */

static int put_utf8(struct hwb_buf *b, uint32_t cp)
{
	char s[4];

	if (cp < 0x80) {
		s[0] = (char)cp;
		return hwb_buf_put(b, s, 1);
	}
	if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		return hwb_buf_put(b, s, 2);
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		return hwb_buf_put(b, s, 3);
	}
	s[0] = (char)(0xF0 | (cp >> 18));
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	s[3] = (char)(0x80 | (cp & 0x3F));
	return hwb_buf_put(b, s, 4);
}

/* \uXXXX or \UXXXXXXXX: digits hex digits after the cursor's "\u". */
static int unicode_escape(struct hwb_core__toml_parser *p, struct hwb_buf *out,
			  size_t digits, unsigned line, unsigned col)
{
	uint32_t cp = 0;
	size_t i;

	for (i = 0; i < digits; i++) {
		int h = hwb_core__hex_value(hwb_core__toml_peek(p, 2 + i));

		if (h < 0)
			return hwb_core__toml_fail(
				p, line, col, "HWB-T004",
				"write \\u with 4 or \\U with 8 hex digits",
				"\\%c escape needs %zu hex digits",
				digits == 4 ? 'u' : 'U', digits);
		cp = cp * 16 + (uint32_t)h;
	}
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return hwb_core__toml_fail(
			p, line, col, "HWB-T004",
			"escape a Unicode scalar value (not a surrogate, at most 10FFFF)",
			"\\%c escape U+%04X is not a Unicode scalar value",
			digits == 4 ? 'u' : 'U', (unsigned)cp);
	hwb_core__toml_advance(p, 2 + digits);
	return put_utf8(out, cp) < 0 ? hwb_error_oom(p->err) : 0;
}

/* One escape sequence; the cursor is on the backslash. */
static int escape(struct hwb_core__toml_parser *p, struct hwb_buf *out)
{
	unsigned line = p->line, col = p->col;
	int c = hwb_core__toml_peek(p, 1);
	char ch;

	switch (c) {
	case 'b': ch = '\b'; break;
	case 't': ch = '\t'; break;
	case 'n': ch = '\n'; break;
	case 'f': ch = '\f'; break;
	case 'r': ch = '\r'; break;
	case '"': ch = '"'; break;
	case '\\': ch = '\\'; break;
	case 'u': return unicode_escape(p, out, 4, line, col);
	case 'U': return unicode_escape(p, out, 8, line, col);
	default:
		return hwb_core__toml_fail(
			p, line, col, "HWB-T004",
			"use one of \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX, "
			"or a literal 'string' for backslashes",
			"invalid escape sequence in a basic string");
	}
	hwb_core__toml_advance(p, 2);
	return hwb_buf_putc(out, ch) < 0 ? hwb_error_oom(p->err) : 0;
}

static int is_newline_at(const struct hwb_core__toml_parser *p, size_t off)
{
	int c = hwb_core__toml_peek(p, off);

	return c == '\n' || (c == '\r' && hwb_core__toml_peek(p, off + 1) == '\n');
}

/*
 * A backslash that ends a line in a multi-line basic string: it and all
 * whitespace and newlines up to the next other character are dropped.
 * Returns 1 when it was one (and consumed it), 0 when not.
 */
static int line_ending_backslash(struct hwb_core__toml_parser *p)
{
	size_t off = 1;
	int c;

	while ((c = hwb_core__toml_peek(p, off)) == ' ' || c == '\t')
		off++;
	if (!is_newline_at(p, off))
		return 0;
	hwb_core__toml_advance(p, off);
	while ((c = hwb_core__toml_peek(p, 0)) == ' ' || c == '\t' ||
	       is_newline_at(p, 0))
		hwb_core__toml_advance(p, c == '\r' ? 2 : 1);
	return 1;
}

static int unterminated(struct hwb_core__toml_parser *p, unsigned line,
			unsigned col, const char *what)
{
	return hwb_core__toml_fail(p, line, col, "HWB-T009",
				   "close the string with its quote",
				   "unterminated %s", what);
}

/*
 * The closing delimiter of a multi-line string: a run of n >= 3 quotes. Up
 * to two quotes may precede the delimiter (TOML 1.0 "Strings"), so runs of
 * 4 and 5 end the string with 1 or 2 quotes of content; 6 or more are
 * three quotes inside the string, which must be escaped.
 */
static int multiline_quotes(struct hwb_core__toml_parser *p, struct hwb_buf *out,
			    char quote, int *done)
{
	size_t n = 0;

	while (n < 6 && hwb_core__toml_peek(p, n) == quote)
		n++;
	if (n == 6)
		return hwb_core__toml_fail(
			p, p->line, p->col, "HWB-T004",
			"escape one of the quotes (basic strings) or use another string form",
			"three %c characters in a row inside a multi-line string",
			quote);
	*done = n >= 3;
	if (*done)
		n -= 3;
	if (hwb_buf_put(out, quote == '"' ? "\"\"" : "''", n) < 0)
		return hwb_error_oom(p->err);
	hwb_core__toml_advance(p, n + (*done ? 3 : 0));
	return 0;
}

static int multiline_body(struct hwb_core__toml_parser *p, struct hwb_buf *out,
			  char quote, unsigned line, unsigned col)
{
	int done = 0;

	hwb_core__toml_advance(p, 3);
	/* A newline right after the opening delimiter is trimmed. */
	if (is_newline_at(p, 0))
		hwb_core__toml_advance(p, hwb_core__toml_peek(p, 0) == '\r' ? 2 : 1);
	while (!done) {
		int c = hwb_core__toml_peek(p, 0);

		if (c < 0)
			return unterminated(p, line, col, "multi-line string");
		if (c == quote) {
			if (multiline_quotes(p, out, quote, &done) < 0)
				return -1;
			continue;
		}
		if (c == '\\' && quote == '"') {
			if (line_ending_backslash(p))
				continue;
			if (escape(p, out) < 0)
				return -1;
			continue;
		}
		if (c == '\r') {
			/* CRLF is stored as LF, as on the other platforms. */
			hwb_core__toml_advance(p, 1);
			continue;
		}
		if (hwb_buf_putc(out, (char)c) < 0)
			return hwb_error_oom(p->err);
		hwb_core__toml_advance(p, 1);
	}
	return 0;
}

static int single_line_body(struct hwb_core__toml_parser *p, struct hwb_buf *out,
			    char quote, unsigned line, unsigned col)
{
	hwb_core__toml_advance(p, 1);
	for (;;) {
		int c = hwb_core__toml_peek(p, 0);

		if (c < 0 || c == '\n' || c == '\r')
			return unterminated(p, line, col, "string");
		if (c == quote) {
			hwb_core__toml_advance(p, 1);
			return 0;
		}
		if (c == '\\' && quote == '"') {
			if (escape(p, out) < 0)
				return -1;
			continue;
		}
		if (hwb_buf_putc(out, (char)c) < 0)
			return hwb_error_oom(p->err);
		hwb_core__toml_advance(p, 1);
	}
}

int hwb_core__toml_string(struct hwb_core__toml_parser *p, struct hwb_buf *out,
			  int allow_multiline)
{
	char quote = (char)hwb_core__toml_peek(p, 0);
	unsigned line = p->line, col = p->col;
	int multiline = hwb_core__toml_peek(p, 1) == quote &&
			hwb_core__toml_peek(p, 2) == quote;

	hwb_buf_clear(out);
	if (!multiline)
		return single_line_body(p, out, quote, line, col);
	if (!allow_multiline)
		return hwb_core__toml_fail(p, line, col, "HWB-T002",
					   "write the key as a one-line quoted string",
					   "a multi-line string cannot be a key");
	return multiline_body(p, out, quote, line, col);
}

/* ---- numbers ---- */

static int is_digit_in(int c, int base)
{
	if (base == 16)
		return hwb_core__hex_value(c) >= 0;
	return c >= '0' && c < '0' + base;
}

/*
 * Digits of base from s[*i], where an underscore must sit between two
 * digits. Returns the number of digits (0 when none), or -1 for a misplaced
 * underscore.
 */
static long digit_run(const char *s, size_t n, size_t *i, int base)
{
	long count = 0;

	while (*i < n) {
		if (is_digit_in(s[*i], base)) {
			count++;
			(*i)++;
		} else if (s[*i] == '_') {
			if (count == 0 || *i + 1 >= n || !is_digit_in(s[*i + 1], base))
				return -1;
			(*i)++;
		} else {
			break;
		}
	}
	return count;
}

static int bad_number(struct hwb_core__toml_parser *p, unsigned line,
		      unsigned col, const char *why)
{
	return hwb_core__toml_fail(
		p, line, col, "HWB-T005",
		"write integers as 42, -17, 1_000, 0xff, 0o17, 0b101 and floats "
		"as 3.14, 1e6, -2.5e-3, inf, nan",
		"invalid number: %s", why);
}

/* Accumulate digits of base (underscores skipped); -1 beyond limit. */
static int to_u64(const char *s, size_t n, int base, uint64_t limit,
		  uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t d;

		if (s[i] == '_')
			continue;
		d = (uint64_t)hwb_core__hex_value(s[i]);
		if (v > (limit - d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return 0;
}

static int prefixed_integer(struct hwb_core__toml_parser *p, const char *s,
			    size_t n, struct hwb_toml_value *v, unsigned line,
			    unsigned col)
{
	int base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
	size_t i = 2;
	uint64_t u;

	if (digit_run(s, n, &i, base) <= 0 || i != n)
		return bad_number(p, line, col,
				  "a 0x, 0o or 0b prefix needs digits of its base, "
				  "underscores only between digits");
	if (to_u64(s + 2, n - 2, base, INT64_MAX, &u) < 0)
		return bad_number(p, line, col, "out of the 64-bit integer range");
	v->type = HWB_TOML_INTEGER;
	v->u.integer = (int64_t)u;
	return 0;
}

static int decimal_integer(struct hwb_core__toml_parser *p, const char *s,
			   size_t n, int negative, struct hwb_toml_value *v,
			   unsigned line, unsigned col)
{
	uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	uint64_t u;

	if (to_u64(s, n, 10, limit, &u) < 0)
		return bad_number(p, line, col, "out of the 64-bit integer range");
	v->type = HWB_TOML_INTEGER;
	if (negative)
		v->u.integer = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN
							   : -(int64_t)u;
	else
		v->u.integer = (int64_t)u;
	return 0;
}

/* The float s (sign included), validated, converted with underscores out. */
static int to_double(struct hwb_core__toml_parser *p, const char *s, size_t n,
		     struct hwb_toml_value *v)
{
	struct hwb_buf clean = HWB_BUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < n; i++)
		if (s[i] != '_')
			hwb_buf_putc(&clean, s[i]);
	if (hwb_buf_check(&clean, p->err) < 0)
		goto cleanup;
	/* strtod's overflow to HUGE_VAL is kept: TOML floats are binary64. */
	v->type = HWB_TOML_FLOAT;
	v->u.flt = strtod(clean.ptr, NULL);
	ret = 0;
cleanup:
	hwb_buf_release(&clean);
	return ret;
}

/*
 * Validate the number token s (its sign included) by the TOML 1.0 ABNF and
 * convert it.
 */
static int number(struct hwb_core__toml_parser *p, const char *s, size_t n,
		  struct hwb_toml_value *v, unsigned line, unsigned col)
{
	size_t start = (s[0] == '+' || s[0] == '-') ? 1 : 0;
	size_t i = start, int_end;
	int is_float = 0;

	if (n - start == 3 && (!memcmp(s + start, "inf", 3) ||
			       !memcmp(s + start, "nan", 3))) {
		v->type = HWB_TOML_FLOAT;
		v->u.flt = s[start] == 'i' ? INFINITY : NAN;
		if (s[0] == '-')
			v->u.flt = -v->u.flt;
		return 0;
	}
	if (n - start >= 2 && s[start] == '0' &&
	    (s[start + 1] == 'x' || s[start + 1] == 'o' || s[start + 1] == 'b')) {
		if (start)
			return bad_number(p, line, col,
					  "a 0x, 0o or 0b integer takes no sign");
		return prefixed_integer(p, s, n, v, line, col);
	}
	if (digit_run(s, n, &i, 10) <= 0)
		return bad_number(p, line, col,
				  "expected digits, underscores only between digits");
	int_end = i;
	if (s[start] == '0' && int_end - start > 1)
		return bad_number(p, line, col, "leading zeros are not allowed");
	if (i < n && s[i] == '.') {
		i++;
		is_float = 1;
		if (digit_run(s, n, &i, 10) <= 0)
			return bad_number(p, line, col,
					  "a decimal point needs digits on both sides");
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		is_float = 1;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (digit_run(s, n, &i, 10) <= 0)
			return bad_number(p, line, col,
					  "an exponent needs digits, underscores only between digits");
	}
	if (i != n)
		return bad_number(p, line, col, "unexpected characters in the number");
	if (is_float)
		return to_double(p, s, n, v);
	return decimal_integer(p, s + start, int_end - start, s[0] == '-', v,
			       line, col);
}

/* ---- date-times ---- */

/* n decimal digits at off, or -1. */
static int fixed_digits(const struct hwb_core__toml_parser *p, size_t off,
			size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int c = hwb_core__toml_peek(p, off + i);

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	return v;
}

static int bad_datetime(struct hwb_core__toml_parser *p, unsigned line,
			unsigned col, const char *why)
{
	return hwb_core__toml_fail(
		p, line, col, "HWB-T006",
		"write RFC 3339 values: 1979-05-27T07:32:00Z, "
		"1979-05-27T07:32:00-07:00, 1979-05-27 07:32:00, 1979-05-27, 07:32:00.5",
		"invalid date-time: %s", why);
}

static int days_in_month(int year, int month)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD at the cursor (already known to start with "DDDD-"). */
static int date_part(struct hwb_core__toml_parser *p, struct hwb_toml_datetime *dt,
		     unsigned line, unsigned col)
{
	dt->year = fixed_digits(p, 0, 4);
	dt->month = hwb_core__toml_peek(p, 4) == '-' ? fixed_digits(p, 5, 2) : -1;
	dt->day = hwb_core__toml_peek(p, 7) == '-' ? fixed_digits(p, 8, 2) : -1;
	if (dt->year < 0 || dt->month < 0 || dt->day < 0)
		return bad_datetime(p, line, col, "a date is YYYY-MM-DD");
	if (dt->month < 1 || dt->month > 12)
		return bad_datetime(p, line, col, "month out of range 01-12");
	if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
		return bad_datetime(p, line, col, "day out of range for the month");
	hwb_core__toml_advance(p, 10);
	return 0;
}

/*
 * HH:MM:SS[.fraction] at the cursor. Second 60 is accepted: RFC 3339's
 * time-second is "00-58, 00-59, 00-60 based on leap second rules", which
 * the TOML ABNF quotes, and a parser cannot know the leap-second table.
 */
static int time_part(struct hwb_core__toml_parser *p, struct hwb_toml_datetime *dt,
		     unsigned line, unsigned col)
{
	size_t off = 8;
	int c;

	dt->hour = fixed_digits(p, 0, 2);
	dt->minute = hwb_core__toml_peek(p, 2) == ':' ? fixed_digits(p, 3, 2) : -1;
	dt->second = hwb_core__toml_peek(p, 5) == ':' ? fixed_digits(p, 6, 2) : -1;
	if (dt->hour < 0 || dt->minute < 0 || dt->second < 0)
		return bad_datetime(p, line, col,
				    "a time is HH:MM:SS (seconds are required)");
	if (dt->hour > 23 || dt->minute > 59 || dt->second > 60)
		return bad_datetime(p, line, col, "hour, minute or second out of range");
	dt->nanosecond = 0;
	dt->fraction_digits = 0;
	if (hwb_core__toml_peek(p, off) == '.') {
		off++;
		while ((c = hwb_core__toml_peek(p, off)) >= '0' && c <= '9') {
			/* Digits past nanoseconds are truncated, as toml.h says. */
			if (dt->fraction_digits < 9) {
				dt->nanosecond = dt->nanosecond * 10 + (c - '0');
				dt->fraction_digits++;
			}
			off++;
		}
		if (off == 9)
			return bad_datetime(p, line, col,
					    "a decimal point in seconds needs digits");
		for (c = dt->fraction_digits; c < 9; c++)
			dt->nanosecond *= 10;
	}
	hwb_core__toml_advance(p, off);
	return 0;
}

/* Z, z or +HH:MM / -HH:MM; 0 with nothing consumed when absent. */
static int offset_part(struct hwb_core__toml_parser *p,
		       struct hwb_toml_datetime *dt, int *present,
		       unsigned line, unsigned col)
{
	int c = hwb_core__toml_peek(p, 0), hh, mm;

	*present = 0;
	dt->offset_minutes = 0;
	dt->offset_is_z = 0;
	if (c == 'Z' || c == 'z') {
		*present = 1;
		dt->offset_is_z = 1;
		hwb_core__toml_advance(p, 1);
		return 0;
	}
	if (c != '+' && c != '-')
		return 0;
	hh = fixed_digits(p, 1, 2);
	mm = hwb_core__toml_peek(p, 3) == ':' ? fixed_digits(p, 4, 2) : -1;
	if (hh < 0 || mm < 0)
		return bad_datetime(p, line, col, "an offset is Z or +HH:MM / -HH:MM");
	if (hh > 23 || mm > 59)
		return bad_datetime(p, line, col, "offset out of range");
	dt->offset_minutes = (hh * 60 + mm) * (c == '-' ? -1 : 1);
	*present = 1;
	hwb_core__toml_advance(p, 6);
	return 0;
}

/* Whether a date is followed by a time: "T", "t", or a space and "HH:". */
static int time_follows(const struct hwb_core__toml_parser *p)
{
	int c = hwb_core__toml_peek(p, 0);

	if (c == 'T' || c == 't')
		return 1;
	return c == ' ' && fixed_digits(p, 1, 2) >= 0 &&
	       hwb_core__toml_peek(p, 3) == ':';
}

static int datetime(struct hwb_core__toml_parser *p, struct hwb_toml_value *v,
		    int has_date)
{
	unsigned line = p->line, col = p->col;
	struct hwb_toml_datetime dt;
	int has_offset = 0, c;

	memset(&dt, 0, sizeof(dt));
	if (has_date) {
		if (date_part(p, &dt, line, col) < 0)
			return -1;
		v->type = HWB_TOML_DATE_LOCAL;
		if (time_follows(p)) {
			hwb_core__toml_advance(p, 1);
			if (time_part(p, &dt, line, col) < 0 ||
			    offset_part(p, &dt, &has_offset, line, col) < 0)
				return -1;
			v->type = has_offset ? HWB_TOML_DATETIME
					     : HWB_TOML_DATETIME_LOCAL;
		}
	} else {
		if (time_part(p, &dt, line, col) < 0)
			return -1;
		v->type = HWB_TOML_TIME_LOCAL;
	}
	c = hwb_core__toml_peek(p, 0);
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || c == '_' || c == '-' || c == '+' ||
	    c == '.' || c == ':')
		return bad_datetime(p, line, col, "unexpected characters after it");
	v->u.dt = dt;
	return 0;
}

/* ---- dispatch ---- */

static int is_token_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z') || c == '_' || c == '-' || c == '+' ||
	       c == '.';
}

int hwb_core__toml_scalar(struct hwb_core__toml_parser *p,
			  struct hwb_toml_value *v)
{
	unsigned line = p->line, col = p->col;
	size_t n = 0;

	if (fixed_digits(p, 0, 4) >= 0 && hwb_core__toml_peek(p, 4) == '-')
		return datetime(p, v, 1);
	if (fixed_digits(p, 0, 2) >= 0 && hwb_core__toml_peek(p, 2) == ':')
		return datetime(p, v, 0);
	while (is_token_char(hwb_core__toml_peek(p, n)))
		n++;
	if ((n == 4 && !memcmp(p->text + p->pos, "true", 4)) ||
	    (n == 5 && !memcmp(p->text + p->pos, "false", 5))) {
		v->type = HWB_TOML_BOOL;
		v->u.boolean = n == 4;
		hwb_core__toml_advance(p, n);
		return 0;
	}
	if (n == 0 || !(is_digit_in(p->text[p->pos], 10) ||
			p->text[p->pos] == '+' || p->text[p->pos] == '-' ||
			p->text[p->pos] == '.' ||
			(n == 3 && !memcmp(p->text + p->pos, "inf", 3)) ||
			(n == 3 && !memcmp(p->text + p->pos, "nan", 3))))
		return hwb_core__toml_fail(
			p, line, col, "HWB-T002",
			"give a string, number, boolean, date-time, array or inline table",
			"expected a value");
	if (number(p, p->text + p->pos, n, v, line, col) < 0)
		return -1;
	hwb_core__toml_advance(p, n);
	return 0;
}
