/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazy.c: loading libcurl, libgit2 and libarchive on first use (see
 * lazy.h). Each lazy_<lib>.c holds the library's forwarding functions and
 * its loader; this file opens libraries, resolves names and turns a
 * failure into HWB-C003.
 */
#include "pkg/core/lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pkg/core/internal.h"

static struct hwb_core__lazy_lib *lib_of(enum hwb_lazy_lib lib)
{
	switch (lib) {
	case HWB_LAZY_CURL:
		return &hwb_core__lazy_curl;
	case HWB_LAZY_GIT2:
		return &hwb_core__lazy_git2;
	case HWB_LAZY_ARCHIVE:
		return &hwb_core__lazy_archive;
	}
	HWB_BUG("unknown lazy library %d", (int)lib);
}

/* dlerror()'s text, which names the file and the reason. */
static void record(struct hwb_core__lazy_lib *l, const char *what)
{
	const char *why = dlerror();

	if (l->failure[0])
		return; /* keep the first reason */
	snprintf(l->failure, sizeof(l->failure), "%s%s%s", what,
		 why ? ": " : "", why ? why : "");
}

void *hwb_core__lazy_open(struct hwb_core__lazy_lib *l)
{
	/*
	 * RTLD_LOCAL keeps the library's symbols out of the global scope,
	 * where they would clash with our forwarding functions of the same
	 * names; RTLD_NOW reports a missing dependency here, not mid-call.
	 */
	l->handle = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!l->handle)
		record(l, "cannot load it");
	return l->handle;
}

void *hwb_core__lazy_sym(struct hwb_core__lazy_lib *l, const char *name)
{
	void *p;

	dlerror(); /* clear a stale error */
	p = dlsym(l->handle, name);
	if (!p) {
		char what[96];

		snprintf(what, sizeof(what), "it lacks %s (too old?)", name);
		record(l, what);
	}
	return p;
}

void hwb_core__lazy_ensure(struct hwb_core__lazy_lib *l)
{
	if (pthread_once(&l->once, l->load) || l->failure[0])
		HWB_BUG("%s used without hwb_lazy_require(): %s (install %s)",
			l->soname, l->failure, l->package);
}

int hwb_lazy_require(enum hwb_lazy_lib lib, struct hwb_error *err)
{
	struct hwb_core__lazy_lib *l = lib_of(lib);

	const char *why = "pthread_once failed";

	if (!pthread_once(&l->once, l->load)) {
		if (!l->failure[0])
			return 0;
		why = l->failure;
	}
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-C003",
		      "this command needs %s, which hwb loads on demand: %s",
		      l->soname, why);
	return hwb_error_hint(err, "install the Debian package %s "
			      "(apt-get install %s)", l->package, l->package);
}
