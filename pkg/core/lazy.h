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

/**
 * Load lib (once per process; later calls are cheap) and resolve every
 * function hwb uses from it. Returns 0, or -1 with HWB-C003 (kind CONFIG)
 * naming the shared object, why it failed and the Debian package to
 * install. Thread-safe.
 */
int hwb_lazy_require(enum hwb_lazy_lib lib, struct hwb_error *err);
