/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outputs.c: what happens to a backend's outputs before they reach
 * --outdir: normalisation to the reproducible form (normalize.c).
 */
#include <stdlib.h>

#include "pkg/build/internal.h"

static int one(const char *dir, const char *name, long long epoch, int wheel,
	       struct hwb_error *err)
{
	char *path = hwb_strdup_printf("%s/%s", dir, name);
	int rc;

	if (!path)
		return hwb_error_oom(err);
	rc = wheel ? hwb_build__normalize_wheel(path, epoch, err)
		   : hwb_build__normalize_sdist(path, epoch, err);
	free(path);
	return rc;
}

int hwb_build__finish_outputs(struct hwb_build__ctx *c, const char *sdist_dir,
			      const char *sdist, const char *wheel_dir,
			      const char *wheel, struct hwb_error *err)
{
	if (sdist && one(sdist_dir, sdist, c->source.epoch, 0, err))
		return -1;
	if (wheel && one(wheel_dir, wheel, c->source.epoch, 1, err))
		return -1;
	return 0;
}
