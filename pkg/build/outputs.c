/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outputs.c: what happens to a backend's outputs before they reach
 * --outdir: normalisation to the reproducible form with the SBOM added to
 * wheels (normalize.c, sbom.c), then
 * hwb check (pkg/wheel) on the normalised file. A failing output never
 * reaches --outdir.
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

static int check(const struct hwb_build_options *o, const char *path,
		 struct hwb_error *err)
{
	struct hwb_check_report report = HWB_CHECK_REPORT_INIT;
	struct hwb_check_options opts = { 0 };
	const struct hwb_finding *first = NULL;
	size_t i;
	int ret = -1;

	opts.for_local = 1;
	opts.acknowledged_keys = o->acknowledged_keys;
	opts.acknowledged_count = o->acknowledged_count;
	if (hwb_check_file(path, &opts, &report, err))
		goto cleanup;
	for (i = 0; i < report.count; i++) {
		const struct hwb_finding *f = &report.findings[i];

		if (blocking(f) && !first)
			first = f;
		hwb_log(blocking(f) ? HWB_LOG_ERROR
			: f->severity == HWB_SEVERITY_INFO ? HWB_LOG_INFO
							   : HWB_LOG_WARN,
			"%s: %s%s%s: %s", strrchr(path, '/') + 1, f->code,
			f->member ? " " : "", f->member ? f->member : "",
			f->message);
	}
	hwb_log_verbose("%s: checked for local use (hwb check and hwb publish "
			"check for PyPI)", strrchr(path, '/') + 1);
	if (first) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-B068",
			      "the backend's output %s fails hwb check (%s%s%s)",
			      strrchr(path, '/') + 1, first ? first->code : "",
			      first && first->member ? " " : "",
			      first && first->member ? first->member : "");
		hwb_error_hint(err, "fix the project's packaging; every finding is "
			       "listed above");
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_check_report_release(&report);
	return ret;
}

static int one(const struct hwb_build__ctx *c, const char *dir,
	       const char *name, int wheel, struct hwb_error *err)
{
	char *path = hwb_strdup_printf("%s/%s", dir, name);
	int rc;

	if (!path)
		return hwb_error_oom(err);
	rc = wheel ? hwb_build__normalize_wheel(path, c->source.epoch, c, err)
		   : hwb_build__normalize_sdist(path, c->source.epoch, err);
	if (!rc)
		rc = check(c->o, path, err);
	free(path);
	return rc;
}

int hwb_build__finish_outputs(struct hwb_build__ctx *c, const char *sdist_dir,
			      const char *sdist, const char *wheel_dir,
			      const char *wheel, struct hwb_error *err)
{
	if (sdist && one(c, sdist_dir, sdist, 0, err))
		return -1;
	if (wheel && one(c, wheel_dir, wheel, 1, err))
		return -1;
	return 0;
}
