/* SPDX-License-Identifier: Apache-2.0 */
/* building.h: what `hwb release` takes from `hwb build` (build.c). */
#pragma once

#include "cmd/hwb/cli.h"

/**
 * Load the configuration of a build of srcdir as hwb build does, with
 * outdir_flag (NULL: none) as its --outdir; *outdir_flag_abs is that flag
 * made absolute (NULL when not given), freed by the caller.
 */
int cli_build_config(const struct cli_common *c, const char *srcdir,
		     const char *outdir_flag, struct hwb_config **cfg,
		     char **outdir_flag_abs, struct hwb_error *err);
