/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report.c: collecting findings from the checks (several threads at once),
 * --select/--ignore filtering, and releasing a report. Printing is left to
 * cmd/hwb/check.c.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/buf.h"
#include "pkg/wheel/internal.h"

/*
 * A file's findings of one code beyond this many are counted, not kept: a
 * crafted wheel can hold a finding per member, millions of them, and a
 * list that long helps nobody while it costs memory without bound (800,000
 * RECORD rows without a file once took 960 MiB to report as JSON).
 */
#define LISTED_PER_CODE 1000
#define CODE_SLOTS 1000 /* HWB-W000..HWB-W999 */

/* What r->state points to (owned by the report). */
struct report_state {
	pthread_mutex_t lock; /* guards additions from threads */
	uint32_t listed[CODE_SLOTS];
	uint64_t unlisted[CODE_SLOTS];
	unsigned char severity[CODE_SLOTS], firm[CODE_SLOTS];
};

int hwb_wheel__report_prepare(struct hwb_check_report *r,
			      struct hwb_error *err)
{
	struct report_state *st;

	if (r->state)
		return 0;
	if (!(st = calloc(1, sizeof(*st))))
		return hwb_error_oom(err);
	pthread_mutex_init(&st->lock, NULL);
	r->state = st;
	return 0;
}

/* The slot of "HWB-Wnnn", or -1 for other codes (never capped). */
static int code_slot(const char *code)
{
	if (strncmp(code, "HWB-W", 5) || strlen(code) != 8 ||
	    strspn(code + 5, "0123456789") != 3)
		return -1;
	return (code[5] - '0') * 100 + (code[6] - '0') * 10 + (code[7] - '0');
}

/* Framing, path and RECORD codes: HWB-W001..HWB-W039. */
static int is_container_code(const char *code)
{
	int n = code_slot(code);

	return n >= 1 && n <= 39;
}

/* Append f (its strings become the report's); -1 when out of memory. */
static int append(struct hwb_check_report *r, struct hwb_finding *f)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct hwb_finding *p = realloc(r->findings, cap * sizeof(*p));

		if (!p)
			return -1;
		r->findings = p;
		r->cap = cap;
	}
	r->findings[r->count++] = *f;
	f->member = f->message = NULL;
	return 0;
}

/* Length of the valid UTF-8 sequence at s (NUL-terminated), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4, i;

	for (i = 1; i < n; i++)
		if (!s[i])
			return 0;
	return hwb_wheel__utf8_valid((const char *)s, n) ? n : 0;
}

/* In place: control characters and bytes that are not UTF-8 become '?'. */
static void make_printable(char *str)
{
	unsigned char *s = (unsigned char *)str;

	while (*s) {
		size_t n;

		if (*s < 0x20 || *s == 0x7f) {
			*s++ = '?';
		} else if (*s < 0x80) {
			s++;
		} else if ((n = utf8_len(s))) {
			s += n;
		} else {
			*s++ = '?';
		}
	}
}

static int add_finding(struct hwb_check_report *r, const char *code,
		       enum hwb_severity severity, int firm,
		       const char *member, const char *fmt, va_list ap)
{
	struct hwb_finding f = { "", severity, NULL, NULL, firm };
	struct report_state *st = r->state;
	struct hwb_buf msg = HWB_BUF_INIT;
	int rc = -1, slot = code_slot(code);

	snprintf(f.code, sizeof(f.code), "%s", code);
	if (severity == HWB_SEVERITY_ERROR && is_container_code(f.code))
		f.firm = 1;
	if (hwb_buf_vprintf(&msg, fmt, ap) ||
	    (member && !(f.member = hwb_strdup(member))) ||
	    !(f.message = hwb_buf_detach(&msg, NULL)))
		goto cleanup;
	make_printable(f.message);
	if (f.member)
		make_printable(f.member);
	if (st)
		pthread_mutex_lock(&st->lock);
	if (st && slot >= 0 && st->listed[slot] >= LISTED_PER_CODE) {
		st->unlisted[slot]++;
		st->severity[slot] = (unsigned char)severity;
		st->firm[slot] |= (unsigned char)f.firm;
		rc = 0;
	} else {
		rc = append(r, &f);
		if (!rc && st && slot >= 0)
			st->listed[slot]++;
	}
	if (st)
		pthread_mutex_unlock(&st->lock);
cleanup:
	free(f.member);
	free(f.message);
	hwb_buf_release(&msg);
	return rc;
}

int hwb_wheel__add(struct hwb_check_report *r, const char *code,
		   enum hwb_severity severity, const char *member,
		   const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_finding(r, code, severity, 0, member, fmt, ap);
	va_end(ap);
	return rc;
}

int hwb_wheel__add_firm(struct hwb_check_report *r, const char *code,
			const char *member, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = add_finding(r, code, HWB_SEVERITY_ERROR, 1, member, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * A --select/--ignore item matches a code it is a prefix of, with or
 * without "HWB-": "W012", "HWB-W012" and "W01" all match HWB-W012.
 */
static int matches(const char *code, const char *const *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *it = items[i];

		if (!strncmp(it, "HWB-", 4))
			it += 4;
		if (*it && !strncmp(code + 4, it, strlen(it)))
			return 1;
	}
	return 0;
}

static void finding_release(struct hwb_finding *f)
{
	free(f->member);
	free(f->message);
	f->member = f->message = NULL;
}

static int compare_findings(const void *pa, const void *pb)
{
	const struct hwb_finding *a = pa, *b = pb;
	int c;

	/* Findings about the whole file (no member) come first. */
	if (!a->member != !b->member)
		return a->member ? 1 : -1;
	if (a->member && (c = strcmp(a->member, b->member)))
		return c;
	if ((c = strcmp(a->code, b->code)))
		return c;
	return strcmp(a->message, b->message);
}

/* One finding per code that had findings left unlisted, saying how many. */
static int add_unlisted(struct hwb_check_report *r)
{
	struct report_state *st = r->state;
	struct hwb_finding f;
	int n;

	for (n = 0; st && n < CODE_SLOTS; n++) {
		if (!st->unlisted[n])
			continue;
		memset(&f, 0, sizeof(f));
		memcpy(f.code, "HWB-W", 5);
		f.code[5] = (char)('0' + n / 100);
		f.code[6] = (char)('0' + n / 10 % 10);
		f.code[7] = (char)('0' + n % 10);
		f.severity = (enum hwb_severity)st->severity[n];
		f.firm = st->firm[n];
		f.message = hwb_strdup_printf(
			"%llu more findings with this code are not listed "
			"(hwb lists the first %d of each code)",
			(unsigned long long)st->unlisted[n], LISTED_PER_CODE);
		if (!f.message || append(r, &f)) {
			free(f.message);
			return -1;
		}
		st->unlisted[n] = 0;
	}
	return 0;
}

int hwb_wheel__report_filter(struct hwb_check_report *r,
			     const struct hwb_check_options *opts)
{
	size_t i, kept = 0;

	if (add_unlisted(r))
		return -1;

	for (i = 0; i < r->count; i++) {
		struct hwb_finding *f = &r->findings[i];
		int drop = 0;

		if (!f->firm && opts) {
			if (opts->select_count &&
			    !matches(f->code, opts->select, opts->select_count))
				drop = 1;
			if (opts->ignore_count &&
			    matches(f->code, opts->ignore, opts->ignore_count))
				drop = 1;
		}
		if (drop)
			finding_release(f);
		else
			r->findings[kept++] = *f;
	}
	r->count = kept;
	if (r->count > 1)
		qsort(r->findings, r->count, sizeof(*r->findings),
		      compare_findings);
	return 0;
}

int hwb_check_failed(const struct hwb_check_report *report, int strict)
{
	size_t i;

	for (i = 0; i < report->count; i++)
		if (report->findings[i].severity == HWB_SEVERITY_ERROR ||
		    (strict &&
		     report->findings[i].severity == HWB_SEVERITY_WARNING))
			return 1;
	return 0;
}

void hwb_check_report_release(struct hwb_check_report *report)
{
	size_t i;

	for (i = 0; i < report->count; i++)
		finding_release(&report->findings[i]);
	free(report->findings);
	free(report->file);
	if (report->state) {
		struct report_state *st = report->state;

		pthread_mutex_destroy(&st->lock);
		free(st);
	}
	memset(report, 0, sizeof(*report));
}
