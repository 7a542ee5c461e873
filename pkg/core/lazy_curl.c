/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazy_curl.c: the libcurl functions hwb uses, loaded on first use (see
 * lazy.h). Each is defined under its own name with the prototype of
 * <curl/curl.h> and forwards to libcurl.so.4 opened by dlopen; hwb links
 * without -lcurl, so a function missing from this list fails the link.
 */
#include <curl/curl.h>
#include <stdarg.h>

#include "pkg/core/internal.h"

/*
 * curl_easy_setopt and curl_easy_getinfo are variadic: the forwarding
 * functions below read their one variadic argument with the type the
 * option number encodes (CURLOPTTYPE_*: long, object pointer, function
 * pointer, curl_off_t; getinfo: always a pointer) and pass it on with that
 * type. Function-pointer options are read as one function-pointer type,
 * and curl reads them back as the callback's own type: sound where every
 * function pointer, like every object pointer, long and curl_off_t, is
 * one 64-bit integer-class value passed in a general register or an
 * 8-byte stack slot, which holds on the SysV x86_64 and AAPCS64 ABIs we
 * build for. curl has no floating-point option, so no argument ever goes
 * through a vector register. Check again before adding another ABI.
 */
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "lazy_curl.c forwards variadic arguments as on x86_64/aarch64 only"
#endif
_Static_assert(sizeof(void (*)(void)) == sizeof(long) &&
	       sizeof(void *) == sizeof(long) &&
	       sizeof(curl_off_t) == sizeof(long),
	       "curl's variadic arguments must all be 64-bit integer-class");

#define CURL_FUNCS(F, V) \
	V(curl_easy_cleanup, (CURL *a0), (a0)) \
	F(CURL *, curl_easy_init, (void), ()) \
	F(CURLcode, curl_easy_perform, (CURL *a0), (a0)) \
	V(curl_easy_reset, (CURL *a0), (a0)) \
	F(const char *, curl_easy_strerror, (CURLcode a0), (a0)) \
	F(char *, curl_easy_escape, (CURL *a0, const char *a1, int a2), (a0, a1, a2)) \
	F(char *, curl_easy_unescape, (CURL *a0, const char *a1, int a2, int *a3), (a0, a1, a2, a3)) \
	V(curl_free, (void *a0), (a0)) \
	F(time_t, curl_getdate, (const char *a0, const time_t *a1), (a0, a1)) \
	F(CURLcode, curl_global_init, (long int a0), (a0)) \
	V(curl_global_cleanup, (void), ()) \
	F(curl_mimepart *, curl_mime_addpart, (curl_mime *a0), (a0)) \
	F(CURLcode, curl_mime_data, (curl_mimepart *a0, const char *a1, size_t a2), (a0, a1, a2)) \
	F(CURLcode, curl_mime_data_cb, (curl_mimepart *a0, curl_off_t a1, curl_read_callback a2, curl_seek_callback a3, curl_free_callback a4, void *a5), (a0, a1, a2, a3, a4, a5)) \
	F(CURLcode, curl_mime_filename, (curl_mimepart *a0, const char *a1), (a0, a1)) \
	F(CURLcode, curl_mime_filedata, (curl_mimepart *a0, const char *a1), (a0, a1)) \
	V(curl_mime_free, (curl_mime *a0), (a0)) \
	F(CURLcode, curl_mime_headers, (curl_mimepart *a0, struct curl_slist *a1, int a2), (a0, a1, a2)) \
	F(curl_mime *, curl_mime_init, (CURL *a0), (a0)) \
	F(CURLcode, curl_mime_name, (curl_mimepart *a0, const char *a1), (a0, a1)) \
	F(CURLcode, curl_mime_type, (curl_mimepart *a0, const char *a1), (a0, a1)) \
	F(struct curl_slist *, curl_slist_append, (struct curl_slist *a0, const char *a1), (a0, a1)) \
	V(curl_slist_free_all, (struct curl_slist *a0), (a0)) \
	F(CURLU *, curl_url, (void), ()) \
	V(curl_url_cleanup, (CURLU *a0), (a0)) \
	F(CURLU *, curl_url_dup, (CURLU *a0), (a0)) \
	F(CURLUcode, curl_url_get, (CURLU *a0, CURLUPart a1, char **a2, unsigned int a3), (a0, a1, a2, a3)) \
	F(CURLUcode, curl_url_set, (CURLU *a0, CURLUPart a1, const char *a2, unsigned int a3), (a0, a1, a2, a3)) \
	F(const char *, curl_url_strerror, (CURLUcode a0), (a0)) \
	F(char *, curl_version, (void), ()) \
	F(curl_version_info_data *, curl_version_info, (CURLversion a0), (a0))

static void load(void);

/* One soname everywhere; Ubuntu 24.04 renamed the package (64-bit time_t). */
static const struct hwb_lazy_candidate candidates[] = {
	{ "libcurl.so.4", "libcurl4", "Debian 12" },
	{ "libcurl.so.4", "libcurl4", "Ubuntu 22.04" },
	{ "libcurl.so.4", "libcurl4t64", "Ubuntu 24.04" },
	{ NULL, NULL, NULL },
};

struct hwb_core__lazy_lib hwb_core__lazy_curl = {
	"libcurl", candidates, NULL, PTHREAD_ONCE_INIT, load, NULL, NULL, "",
};

/* Written once by load() under pthread_once, read-only afterwards. */
static struct {
	CURL_FUNCS(HWB_CORE__LAZY_SLOT, HWB_CORE__LAZY_VSLOT)
	__typeof__(curl_easy_setopt) *curl_easy_setopt;
	__typeof__(curl_easy_getinfo) *curl_easy_getinfo;
} fn;

#define RESOLVE(ret, name, params, args) \
	HWB_CORE__LAZY_RESOLVE(hwb_core__lazy_curl, fn, name);
#define VRESOLVE(name, params, args) RESOLVE(void, name, params, args)

static void load(void)
{
	if (!hwb_core__lazy_open(&hwb_core__lazy_curl))
		return;
	CURL_FUNCS(RESOLVE, VRESOLVE)
	RESOLVE(CURLcode, curl_easy_setopt, , )
	RESOLVE(CURLcode, curl_easy_getinfo, , )
}

#define FORWARD(ret, name, params, args) \
	ret name params \
	{ \
		hwb_core__lazy_ensure(&hwb_core__lazy_curl); \
		return fn.name args; \
	}
#define VFORWARD(name, params, args) \
	void name params \
	{ \
		hwb_core__lazy_ensure(&hwb_core__lazy_curl); \
		fn.name args; \
	}

CURL_FUNCS(FORWARD, VFORWARD)

/* The name in parentheses: <curl/curl.h> also defines a macro of it. */
CURLcode (curl_easy_setopt)(CURL *curl, CURLoption option, ...)
{
	typedef void (*any_fn)(void);
	va_list ap;
	CURLcode rc;

	hwb_core__lazy_ensure(&hwb_core__lazy_curl);
	va_start(ap, option);
	if (option < CURLOPTTYPE_OBJECTPOINT)
		rc = (fn.curl_easy_setopt)(curl, option, va_arg(ap, long));
	else if (option < CURLOPTTYPE_FUNCTIONPOINT)
		rc = (fn.curl_easy_setopt)(curl, option, va_arg(ap, void *));
	else if (option < CURLOPTTYPE_OFF_T)
		rc = (fn.curl_easy_setopt)(curl, option, va_arg(ap, any_fn));
	else if (option < CURLOPTTYPE_BLOB)
		rc = (fn.curl_easy_setopt)(curl, option, va_arg(ap, curl_off_t));
	else /* struct curl_blob * */
		rc = (fn.curl_easy_setopt)(curl, option, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode (curl_easy_getinfo)(CURL *curl, CURLINFO info, ...)
{
	va_list ap;
	CURLcode rc;

	hwb_core__lazy_ensure(&hwb_core__lazy_curl);
	/* Every CURLINFO_* takes a pointer to where the answer goes. */
	va_start(ap, info);
	rc = (fn.curl_easy_getinfo)(curl, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
