/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazy_git2.c: the libgit2 functions hwb uses, loaded on first use (see
 * lazy.h). Each is defined under its own name with the prototype of the
 * library's header and forwards to libgit2.so.<major.minor> of the headers
 * hwb was compiled with (1.5 on Debian 12, 1.1 on Ubuntu 22.04, 1.7 on
 * Ubuntu 24.04) opened by dlopen; hwb links without -lgit2, so a function
 * missing from this list fails the link.
 */
#include <dlfcn.h>
#include <git2.h>
#include <stdio.h>

#include "pkg/core/internal.h"

#define GIT2_FUNCS(F, V) \
	V(git_commit_free, (git_commit *a0), (a0)) \
	F(const git_oid *, git_commit_id, (const git_commit *a0), (a0)) \
	F(int, git_commit_lookup, (git_commit **a0, git_repository *a1, const git_oid *a2), (a0, a1, a2)) \
	F(git_time_t, git_commit_time, (const git_commit *a0), (a0)) \
	F(const git_error *, git_error_last, (void), ()) \
	F(int, git_libgit2_init, (void), ()) \
	F(int, git_libgit2_shutdown, (void), ()) \
	F(int, git_libgit2_version, (int *a0, int *a1, int *a2), (a0, a1, a2)) \
	V(git_object_free, (git_object *a0), (a0)) \
	F(const git_oid *, git_object_id, (const git_object *a0), (a0)) \
	F(int, git_object_lookup, (git_object **a0, git_repository *a1, const git_oid *a2, git_object_t a3), (a0, a1, a2, a3)) \
	F(int, git_oid_fmt, (char *a0, const git_oid *a1), (a0, a1)) \
	F(char *, git_oid_tostr, (char *a0, size_t a1, const git_oid *a2), (a0, a1, a2)) \
	F(char *, git_oid_tostr_s, (const git_oid *a0), (a0)) \
	V(git_reference_free, (git_reference *a0), (a0)) \
	F(int, git_reference_is_branch, (const git_reference *a0), (a0)) \
	F(int, git_reference_is_tag, (const git_reference *a0), (a0)) \
	F(int, git_reference_lookup, (git_reference **a0, git_repository *a1, const char *a2), (a0, a1, a2)) \
	F(const char *, git_reference_name, (const git_reference *a0), (a0)) \
	F(int, git_reference_name_to_id, (git_oid *a0, git_repository *a1, const char *a2), (a0, a1, a2)) \
	F(int, git_reference_peel, (git_object **a0, const git_reference *a1, git_object_t a2), (a0, a1, a2)) \
	V(git_remote_free, (git_remote *a0), (a0)) \
	F(int, git_remote_lookup, (git_remote **a0, git_repository *a1, const char *a2), (a0, a1, a2)) \
	F(const char *, git_remote_url, (const git_remote *a0), (a0)) \
	V(git_repository_free, (git_repository *a0), (a0)) \
	F(int, git_repository_head, (git_reference **a0, git_repository *a1), (a0, a1)) \
	F(int, git_repository_is_bare, (const git_repository *a0), (a0)) \
	F(int, git_repository_open, (git_repository **a0, const char *a1), (a0, a1)) \
	F(int, git_repository_open_ext, (git_repository **a0, const char *a1, unsigned int a2, const char *a3), (a0, a1, a2, a3)) \
	F(const char *, git_repository_workdir, (const git_repository *a0), (a0)) \
	F(int, git_revparse_single, (git_object **a0, git_repository *a1, const char *a2), (a0, a1, a2)) \
	F(const git_status_entry *, git_status_byindex, (git_status_list *a0, size_t a1), (a0, a1)) \
	F(size_t, git_status_list_entrycount, (git_status_list *a0), (a0)) \
	V(git_status_list_free, (git_status_list *a0), (a0)) \
	F(int, git_status_list_new, (git_status_list **a0, git_repository *a1, const git_status_options *a2), (a0, a1, a2)) \
	F(int, git_status_options_init, (git_status_options *a0, unsigned int a1), (a0, a1))

static void load(void);

#define STR_(x) #x
#define STR(x) STR_(x)
#define BUILT_WITH STR(LIBGIT2_VER_MAJOR) "." STR(LIBGIT2_VER_MINOR)

/* The headers' version first: it is the only one hwb can use (accept). */
static const struct hwb_lazy_candidate candidates[] = {
	{ "libgit2.so." BUILT_WITH, "libgit2-" BUILT_WITH, "hwb's build" },
	{ "libgit2.so.1.5", "libgit2-1.5", "Debian 12" },
	{ "libgit2.so.1.1", "libgit2-1.1", "Ubuntu 22.04" },
	{ "libgit2.so.1.7", "libgit2-1.7", "Ubuntu 24.04" },
	{ NULL, NULL, NULL },
};

/* libgit2 changes its ABI (struct sizes, git_status_options) between minor
 * versions: another one than the headers' would corrupt memory. */
static int accept_version(void *handle, char *why, size_t whysz)
{
	int (*version)(int *, int *, int *) = NULL;
	int major = 0, minor = 0, rev = 0;

	*(void **)&version = dlsym(handle, "git_libgit2_version");
	if (version && !version(&major, &minor, &rev) &&
	    major == LIBGIT2_VER_MAJOR && minor == LIBGIT2_VER_MINOR)
		return 0;
	snprintf(why, whysz, "found libgit2 %d.%d, but hwb was compiled with "
		 "libgit2 " BUILT_WITH "'s headers (the ABI differs): build hwb "
		 "on this machine", major, minor);
	return -1;
}

struct hwb_core__lazy_lib hwb_core__lazy_git2 = {
	"libgit2", candidates, accept_version, PTHREAD_ONCE_INIT, load, NULL,
	NULL, "",
};

/* Written once by load() under pthread_once, read-only afterwards. */
static struct {
	GIT2_FUNCS(HWB_CORE__LAZY_SLOT, HWB_CORE__LAZY_VSLOT)
} fn;

#define RESOLVE(ret, name, params, args) \
	HWB_CORE__LAZY_RESOLVE(hwb_core__lazy_git2, fn, name);
#define VRESOLVE(name, params, args) RESOLVE(void, name, params, args)

static void load(void)
{
	if (!hwb_core__lazy_open(&hwb_core__lazy_git2))
		return;
	GIT2_FUNCS(RESOLVE, VRESOLVE)
}

#define FORWARD(ret, name, params, args) \
	ret name params \
	{ \
		hwb_core__lazy_ensure(&hwb_core__lazy_git2); \
		return fn.name args; \
	}
#define VFORWARD(name, params, args) \
	void name params \
	{ \
		hwb_core__lazy_ensure(&hwb_core__lazy_git2); \
		fn.name args; \
	}

GIT2_FUNCS(FORWARD, VFORWARD)
