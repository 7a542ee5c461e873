/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazy.c: loading libcurl, libgit2 and libarchive on first use (see
 * lazy.h). Each lazy_<lib>.c holds the library's forwarding functions and
 * its loader and the sonames it may be found under; this file opens the
 * first that loads, resolves names and turns a failure into HWB-C003.
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

static int hint(const struct hwb_core__lazy_lib *l, struct hwb_error *err);

/* dlerror()'s text, which names the file and the reason. */
static void record(struct hwb_core__lazy_lib *l, const char *what)
{
	const char *why = dlerror();

	if (l->failure[0])
		return; /* keep the first reason */
	snprintf(l->failure, sizeof(l->failure), "%s%s%s", what,
		 why ? ": " : "", why ? why : "");
}

/* 1 when soname came before candidate i (each shared object once). */
static int tried(const struct hwb_lazy_candidate *c, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(c[j].soname, c[i].soname))
			return 1;
	return 0;
}

void *hwb_core__lazy_open(struct hwb_core__lazy_lib *l)
{
	const struct hwb_lazy_candidate *c = l->candidates;
	char why[160];
	size_t i;

	l->soname = c[0].soname;
	for (i = 0; c[i].soname; i++) {
		if (tried(c, i))
			continue;
		/*
		 * RTLD_LOCAL keeps the library's symbols out of the global
		 * scope, where they would clash with our forwarding functions
		 * of the same names; RTLD_NOW reports a missing dependency
		 * here, not mid-call.
		 */
		l->handle = dlopen(c[i].soname, RTLD_NOW | RTLD_LOCAL);
		if (!l->handle) {
			record(l, "cannot load it");
			continue;
		}
		if (l->accept && l->accept(l->handle, why, sizeof(why))) {
			/* a refusal says more than "not found" did */
			snprintf(l->failure, sizeof(l->failure), "%s", why);
			dlclose(l->handle);
			l->handle = NULL;
			continue;
		}
		l->soname = c[i].soname;
		l->failure[0] = '\0';
		return l->handle;
	}
	return NULL;
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
			l->soname, l->failure, l->candidates[0].package);
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
		      "this command needs %s (%s), which hwb loads on demand: %s",
		      l->name, l->soname, why);
	return hint(l, err);
}

/* "install PKG (apt-get install PKG; Ubuntu 24.04: PKG2)": the package
 * of the first candidate, then each other distribution's when it differs. */
static int hint(const struct hwb_core__lazy_lib *l, struct hwb_error *err)
{
	const struct hwb_lazy_candidate *c = l->candidates;
	struct hwb_buf more = HWB_BUF_INIT;
	size_t i;

	for (i = 1; c[i].soname; i++)
		if (strcmp(c[i].package, c[0].package))
			hwb_buf_printf(&more, "; %s: %s", c[i].distro,
				       c[i].package);
	hwb_error_hint(err, "install the package %s (apt-get install %s%s)",
		       c[0].package, c[0].package, more.oom ? "" : more.ptr);
	hwb_buf_release(&more);
	return -1;
}

const struct hwb_lazy_candidate *hwb_lazy_candidates(enum hwb_lazy_lib lib)
{
	return lib_of(lib)->candidates;
}

const char *hwb_lazy_soname(enum hwb_lazy_lib lib)
{
	const struct hwb_core__lazy_lib *l = lib_of(lib);

	return l->handle ? l->soname : NULL;
}
