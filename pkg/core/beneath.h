/* SPDX-License-Identifier: Apache-2.0 */
/*
 * beneath.h: paths named on a project's word (its outdir, find-links, its
 * own pyproject.toml) resolved so that they cannot leave the project,
 * symbolic links included: openat2(RESOLVE_BENEATH) where the kernel has
 * it (5.6+), else realpath(3) of the path and a prefix check. Links that
 * stay inside are fine.
 */
#pragma once

/**
 * Resolve rel (relative; it or its last components may not exist yet)
 * beneath the directory root. *out (owned) is the absolute path with every
 * link of the existing part resolved. Returns 0, or -1 with errno: EXDEV
 * when it leads outside root (*out then holds where it leads, for the
 * message), another value when root cannot be opened.
 */
int hwb_resolve_beneath(const char *root, const char *rel, char **out);
