/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazy.h: libcurl, libgit2 and libarchive are loaded on first use (dlopen)
 * instead of at every start, so that commands which never touch the
 * network, a repository or an archive (hwb verify, hwb version --help...)
 * do not pay for relocating them and their ~45 dependencies. Callers keep
 * using the libraries' own headers and functions unchanged: pkg/core/
 * lazy_<lib>.c defines each function hwb uses and forwards it.
 *
 * The contract: a package calls hwb_lazy_require() before its first call
 * into a lazy library, so that a library that cannot be loaded surfaces as
 * an ordinary error. A call into a library that failed to load without
 * that check is a programming error (HWB_BUG, naming the library).
 */
#pragma once

#include "pkg/core/error.h"

enum hwb_lazy_lib {
	HWB_LAZY_CURL,
	HWB_LAZY_GIT2,
	HWB_LAZY_ARCHIVE,
};

/*
 * A shared object a lazy library may be found under, and where. The
 * sonames differ between the distributions hwb builds on (libgit2: 1.5 on
 * Debian 12, 1.1 on Ubuntu 22.04, 1.7 on Ubuntu 24.04) and so do package
 * names (Ubuntu 24.04's 64-bit time_t transition: libcurl4t64,
 * libarchive13t64), from the distributions' package file lists.
 */
struct hwb_lazy_candidate {
	const char *soname;  /* "libgit2.so.1.7" */
	const char *package; /* the package that ships it there */
	const char *distro;  /* "Ubuntu 24.04"; for libgit2's first entry,
			      * "hwb's build" (the headers it was compiled
			      * with) */
};

/**
 * lib's candidates in the order the loader tries them (a soname listed
 * twice is tried once), ended by an entry whose soname is NULL. libgit2's
 * ABI changes between minor versions, so a libgit2 other than the one hwb
 * was compiled with is refused (rebuild hwb there); libcurl.so.4 and
 * libarchive.so.13 keep their ABI across all three.
 */
const struct hwb_lazy_candidate *hwb_lazy_candidates(enum hwb_lazy_lib lib);

/** The soname lib was loaded from, or NULL before a successful load. */
const char *hwb_lazy_soname(enum hwb_lazy_lib lib);

/**
 * Load lib (once per process; later calls are cheap) and resolve every
 * function hwb uses from it. Returns 0, or -1 with HWB-C003 (kind CONFIG)
 * naming the shared objects tried, why the first failed and the package to
 * install. Thread-safe.
 */
int hwb_lazy_require(enum hwb_lazy_lib lib, struct hwb_error *err);
