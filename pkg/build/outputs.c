/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outputs.c: what happens to a backend's outputs before they reach
 * --outdir: normalisation to the reproducible form with the SBOM added to
 * wheels (normalize.c, sbom.c), then hwb check (pkg/wheel) on the
 * normalised file; an sdist the wheel is built from is unpacked in that
 * same walk (tree.c). A failing output never reaches --outdir.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/build/internal.h"
#include "pkg/core/log.h"
#include "pkg/wheel/wheel.h"

/*
 * The build checks for local use (--for local): what only PyPI refuses,
 * such as the plain linux_* tag setuptools gives a C extension before
 * auditwheel repair, is a warning here; hwb check and hwb publish check
 * for PyPI by default, where it is an error. The same rule, two targets.
 */
static int blocking(const struct hwb_finding *f)
{
	return f->severity == HWB_SEVERITY_ERROR;
}

/* The check's options for local use. */
static void local_options(const struct hwb_build__ctx *c,
			  struct hwb_check_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->for_local = 1;
	opts->acknowledged_keys = c->o->acknowledged_keys;
	opts->acknowledged_count = c->o->acknowledged_count;
}

/* Log every finding; HWB-B068 when one blocks. */
static int judge(const char *path, const struct hwb_check_report *report,
		 struct hwb_error *err)
{
	const struct hwb_finding *first = NULL;
	const char *base = strrchr(path, '/') + 1;
	size_t i;

	for (i = 0; i < report->count; i++) {
		const struct hwb_finding *f = &report->findings[i];

		if (blocking(f) && !first)
			first = f;
		hwb_log(blocking(f) ? HWB_LOG_ERROR
			: f->severity == HWB_SEVERITY_INFO ? HWB_LOG_INFO
							   : HWB_LOG_WARN,
			"%s: %s%s%s: %s", base, f->code,
			f->member ? " " : "", f->member ? f->member : "",
			f->message);
	}
	hwb_log_verbose("%s: checked for local use (hwb check and hwb publish "
			"check for PyPI)", base);
	if (!first)
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-B068",
		      "the backend's output %s fails hwb check (%s%s%s)", base,
		      first->code, first->member ? " " : "",
		      first->member ? first->member : "");
	return hwb_error_hint(err, "fix the project's packaging; every finding "
			      "is listed above");
}

int hwb_build__finish_sdist(struct hwb_build__ctx *c, const char *dir,
			    const char *name, const char *unpack_to,
			    struct hwb_error *err)
{
	struct hwb_check_report report = HWB_CHECK_REPORT_INIT;
	struct hwb_check_options opts;
	struct hwb_build__unpack u = { NULL, -1, -1 };
	struct hwb_sdist_visitor v;
	char *path = hwb_strdup_printf("%s/%s", dir, name);
	int rc = -1;

	if (!path)
		return hwb_error_oom(err);
	local_options(c, &opts);
	if (hwb_build__normalize_sdist(path, c->source.epoch, err) ||
	    (unpack_to && hwb_build__unpack_open(&u, unpack_to, &v, err)) ||
	    hwb_check_sdist(path, &opts, &report, unpack_to ? &v : NULL, err))
		goto cleanup;
	rc = judge(path, &report, err);
cleanup:
	hwb_build__unpack_close(&u);
	hwb_check_report_release(&report);
	free(path);
	return rc;
}

int hwb_build__finish_wheel(struct hwb_build__ctx *c, const char *dir,
			    const char *name, struct hwb_error *err)
{
	struct hwb_check_report report = HWB_CHECK_REPORT_INIT;
	struct hwb_check_options opts;
	char *path = hwb_strdup_printf("%s/%s", dir, name);
	int rc = -1;

	if (!path)
		return hwb_error_oom(err);
	local_options(c, &opts);
	if (!hwb_build__normalize_wheel(path, c->source.epoch, c, err) &&
	    !hwb_check_file(path, &opts, &report, err))
		rc = judge(path, &report, err);
	hwb_check_report_release(&report);
	free(path);
	return rc;
}
