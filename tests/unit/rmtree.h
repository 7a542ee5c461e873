/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rmtree.h: removing a unit test's scratch directory and all it holds,
 * shared by the tests that make one (header only: each test program is
 * one file linked with libhwb.a).
 */
#pragma once

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static int rmtree_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove dir and everything below it; symbolic links are not followed. */
static inline int rmtree(const char *dir)
{
	return nftw(dir, rmtree_entry, 16, FTW_DEPTH | FTW_PHYS);
}
