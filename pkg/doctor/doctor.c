/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doctor.c: the report (doctor.h): its items in order, and the helpers the
 * areas share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/doctor/internal.h"

int hwb_doctor__add(struct hwb_doctor_report *r, const char *name,
		    enum hwb_doctor_status status, const char *code,
		    const char *remedy, const char *fmt, ...)
{
	struct hwb_buf detail = HWB_BUF_INIT;
	struct hwb_doctor_item *it;
	va_list ap;

	if (r->count == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;

		if (!(it = realloc(r->items, cap * sizeof(*it))))
			return -1;
		r->items = it;
		r->cap = cap;
	}
	va_start(ap, fmt);
	hwb_buf_vprintf(&detail, fmt, ap);
	va_end(ap);
	if (detail.oom)
		return -1;
	it = &r->items[r->count];
	memset(it, 0, sizeof(*it));
	it->name = name;
	it->status = status;
	snprintf(it->code, sizeof(it->code), "%s", code ? code : "");
	it->detail = hwb_buf_detach(&detail, NULL);
	if (!it->detail || (remedy && !(it->remedy = hwb_strdup(remedy)))) {
		free(it->detail);
		return -1;
	}
	r->count++;
	return 0;
}

int hwb_doctor__add_error(struct hwb_doctor_report *r, const char *name,
			  enum hwb_doctor_status status,
			  const struct hwb_error *e)
{
	const char *remedy = e->hint[0] ? e->hint : NULL;

	if (!e->file[0])
		return hwb_doctor__add(r, name, status, e->code, remedy, "%s",
				       e->message);
	if (!e->line)
		return hwb_doctor__add(r, name, status, e->code, remedy, "%s: %s",
				       e->file, e->message);
	return hwb_doctor__add(r, name, status, e->code, remedy, "%s:%u:%u: %s",
			       e->file, e->line, e->column, e->message);
}

void hwb_doctor__size(unsigned long long bytes, char *out, size_t outsz)
{
	if (bytes >= (10ULL << 30))
		snprintf(out, outsz, "%llu GiB", bytes >> 30);
	else if (bytes >= (1ULL << 20))
		snprintf(out, outsz, "%llu MiB", bytes >> 20);
	else
		snprintf(out, outsz, "%llu KiB", (bytes + 1023) >> 10);
}

int hwb_doctor_run(const struct hwb_doctor_options *o,
		   struct hwb_doctor_report *r, struct hwb_error *err)
{
	hwb_doctor_report_release(r);
	r->release = o->release;
	r->now = o->now ? o->now : (int64_t)time(NULL);
	if (hwb_doctor__config(r, o) || hwb_doctor__machine(r, o) ||
	    hwb_doctor__credentials(r, o) || hwb_doctor__trust(r, o) ||
	    hwb_doctor__audit(r, o) || hwb_doctor__leftovers(r, o))
		return hwb_error_oom(err);
	return 0;
}

int hwb_doctor_passed(const struct hwb_doctor_report *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (r->items[i].status == HWB_DOCTOR_FAIL)
			return 0;
	return 1;
}

void hwb_doctor_report_release(struct hwb_doctor_report *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->items[i].detail);
		free(r->items[i].remedy);
	}
	free(r->items);
	free(r->audit_dir);
	hwb_build_leftovers_free(r->leftovers, r->leftover_count);
	free((char *)r->trust.repository);
	free((char *)r->trust.source);
	memset(r, 0, sizeof(*r));
}
