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

int hwb_wheel__report_prepare(struct hwb_check_report *r,
			      struct hwb_error *err)
{
	pthread_mutex_t *m;

	if (r->lock)
		return 0;
	if (!(m = malloc(sizeof(*m))))
		return hwb_error_oom(err);
	pthread_mutex_init(m, NULL);
	r->lock = m;
	return 0;
}

/* Framing, path and RECORD codes: HWB-W001..HWB-W039. */
static int is_container_code(const char *code)
{
	int n;

	if (strncmp(code, "HWB-W", 5) || strlen(code) != 8 ||
	    strspn(code + 5, "0123456789") != 3)
		return 0;
	n = (code[5] - '0') * 100 + (code[6] - '0') * 10 + (code[7] - '0');
	return n >= 1 && n <= 39;
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
	struct hwb_buf msg = HWB_BUF_INIT;
	int rc = -1;

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
	if (r->lock)
		pthread_mutex_lock(r->lock);
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct hwb_finding *p = realloc(r->findings, cap * sizeof(*p));

		if (!p)
			goto unlock;
		r->findings = p;
		r->cap = cap;
	}
	r->findings[r->count++] = f;
	f.member = f.message = NULL;
	rc = 0;
unlock:
	if (r->lock)
		pthread_mutex_unlock(r->lock);
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

void hwb_wheel__report_filter(struct hwb_check_report *r,
			      const struct hwb_check_options *opts)
{
	size_t i, kept = 0;

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
}

int hwb_check_failed(const struct hwb_check_report *report, int strict)
{
	size_t i;

	for (i = 0; i < report->count; i++)
		if (report->findings[i].severity == HWB_SEVERITY_ERROR ||
		    strict)
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
	if (report->lock) {
		pthread_mutex_destroy(report->lock);
		free(report->lock);
	}
	memset(report, 0, sizeof(*report));
}
