/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_number.c: doubles in ECMAScript Number::toString form, which RFC 8785
 * section 3.2.2.3 makes the canonical JSON number. The shortest digit
 * string that reads back as the same double is found by asking printf for
 * 1 to 17 significant digits and checking each with strtod; both are
 * correctly rounded in glibc, and hwb never changes LC_NUMERIC.
 */
#include "pkg/core/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A double needs at most 17 significant digits to read back exactly. */
#define MAX_DIGITS 17

/* Does the decimal m * 10^e read back as v? */
static int reads_back(uint64_t m, int e, double v)
{
	char text[48];

	snprintf(text, sizeof(text), "%" PRIu64 "e%d", m, e);
	return strtod(text, NULL) == v;
}

/*
 * Shortest digits of positive finite v: digits (no trailing zeros, NUL-
 * terminated) and n such that v = 0.digits * 10^n.
 */
static void shortest_digits(double v, char *digits, int *n)
{
	char text[48], *mark;
	uint64_t m = 0, pick = 0;
	int p, e = 0, len;

	for (p = 1; p <= MAX_DIGITS; p++) {
		snprintf(text, sizeof(text), "%.*e", p - 1, v);
		mark = strchr(text, 'e');
		e = atoi(mark + 1) - (p - 1);
		for (m = 0, mark = text; *mark != 'e'; mark++)
			if (*mark != '.')
				m = m * 10 + (uint64_t)(*mark - '0');
		/*
		 * The correctly rounded p-digit decimal is the nearest one;
		 * when it misses, a neighbour may still hit, since the gap
		 * below a power of two is half the gap above it.
		 */
		if (reads_back(m, e, v)) {
			pick = m;
			break;
		}
		if (m > 1 && reads_back(m - 1, e, v)) {
			pick = m - 1;
			break;
		}
		if (reads_back(m + 1, e, v)) {
			pick = m + 1;
			break;
		}
	}
	if (!pick)
		HWB_BUG("no round-trip digits for %a", v);
	while (pick % 10 == 0) {
		pick /= 10;
		e++;
	}
	len = snprintf(digits, MAX_DIGITS + 2, "%" PRIu64, pick);
	*n = e + len;
}

int hwb_json_format_number(struct hwb_buf *out, double d,
			   struct hwb_error *err)
{
	char digits[MAX_DIGITS + 2];
	int k, n, i;

	if (!isfinite(d))
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-J022",
				     "JSON has no form for NaN or Infinity");
	if (d == 0)
		return hwb_buf_putc(out, '0') ? hwb_error_oom(err) : 0;
	if (d < 0) {
		hwb_buf_putc(out, '-');
		d = -d;
	}
	shortest_digits(d, digits, &n);
	k = (int)strlen(digits);
	if (k <= n && n <= 21) {
		hwb_buf_puts(out, digits);
		for (i = k; i < n; i++)
			hwb_buf_putc(out, '0');
	} else if (0 < n && n <= 21) {
		hwb_buf_put(out, digits, (size_t)n);
		hwb_buf_putc(out, '.');
		hwb_buf_puts(out, digits + n);
	} else if (-6 < n && n <= 0) {
		hwb_buf_puts(out, "0.");
		for (i = n; i < 0; i++)
			hwb_buf_putc(out, '0');
		hwb_buf_puts(out, digits);
	} else {
		hwb_buf_putc(out, digits[0]);
		if (k > 1) {
			hwb_buf_putc(out, '.');
			hwb_buf_puts(out, digits + 1);
		}
		hwb_buf_printf(out, "e%c%d", n - 1 >= 0 ? '+' : '-',
			       abs(n - 1));
	}
	return hwb_buf_check(out, err);
}
