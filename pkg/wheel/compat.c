/* SPDX-License-Identifier: Apache-2.0 */
/*
 * compat.c: whether a wheel's tags fit an interpreter. The rules are a
 * subset of packaging.tags that covers build requirements: pure wheels,
 * CPython version and stable-ABI wheels, and Linux platform wheels
 * (linux_<arch>, manylinux1/2010/2014 and manylinux_X_Y up to the running
 * glibc). Other platforms' wheels are recorded in locks but never chosen.
 */
#include <stdio.h>
#include <string.h>

#include "pkg/wheel/wheel.h"

/* 1 if the dot-separated tag set list holds one tag accepted by ok(). */
static int any_tag(const char *list, size_t len,
		   int (*ok)(const char *tag, size_t len,
			     const struct hwb_wheel_target *in),
		   const struct hwb_wheel_target *in)
{
	const char *p = list, *end = list + len, *dot;

	while (p < end) {
		dot = memchr(p, '.', (size_t)(end - p));
		if (!dot)
			dot = end;
		if (ok(p, (size_t)(dot - p), in))
			return 1;
		p = dot + 1;
	}
	return 0;
}

static int tag_is(const char *tag, size_t len, const char *want)
{
	return strlen(want) == len && !memcmp(tag, want, len);
}

/* 3 and 11 from python_version "3.11"; 0 on a surprise. */
static int py_nodot(const struct hwb_wheel_target *in, int *major, int *minor)
{
	return sscanf(in->python_version, "%d.%d", major, minor) == 2;
}

static int cpython(const struct hwb_wheel_target *in)
{
	return !strcmp(in->implementation_name, "cpython");
}

/* Python tags: py3, py3X (X <= minor), cp3X for CPython (X <= minor; the
 * exact version is checked with the ABI). */
static int python_ok(const char *tag, size_t len,
		     const struct hwb_wheel_target *in)
{
	int major, minor, m, x, used = 0;
	char t[16];

	if (len >= sizeof(t) || !py_nodot(in, &major, &minor))
		return 0;
	memcpy(t, tag, len);
	t[len] = 0;
	if (sscanf(t, "py%d%n", &m, &used) == 1 && t[used] == 0 && m == major)
		return 1;
	if (!strncmp(t, "py", 2) || (cpython(in) && !strncmp(t, "cp", 2))) {
		if (sscanf(t + 2, "%1d%d%n", &m, &x, &used) == 2 &&
		    t[2 + used] == 0 && m == major && x <= minor)
			return 1;
	}
	return 0;
}

/* ABI tags: none, abi3 (CPython), or the interpreter's own (cp311). */
static int abi_ok(const char *tag, size_t len,
		  const struct hwb_wheel_target *in)
{
	char own[32];
	int major, minor;

	if (tag_is(tag, len, "none"))
		return 1;
	if (!cpython(in) || !py_nodot(in, &major, &minor))
		return 0;
	if (tag_is(tag, len, "abi3"))
		return 1;
	snprintf(own, sizeof(own), "cp%d%d", major, minor);
	return tag_is(tag, len, own);
}

static int platform_ok(const char *tag, size_t len,
		       const struct hwb_wheel_target *in)
{
	const char *arch = in->platform_machine;
	char t[64], suffix[40];
	int gmaj, gmin, used = 0;

	if (tag_is(tag, len, "any"))
		return 1;
	if (len >= sizeof(t) || strcmp(in->sys_platform, "linux"))
		return 0;
	memcpy(t, tag, len);
	t[len] = 0;
	snprintf(suffix, sizeof(suffix), "linux_%s", arch);
	if (!strcmp(t, suffix))
		return 1;
	if (!in->glibc_major)
		return 0; /* musl: musllinux is not handled */
	gmaj = gmin = -1;
	if (!strncmp(t, "manylinux1_", 11)) {
		gmaj = 2; gmin = 5; used = 11;
	} else if (!strncmp(t, "manylinux2010_", 14)) {
		gmaj = 2; gmin = 12; used = 14;
	} else if (!strncmp(t, "manylinux2014_", 14)) {
		gmaj = 2; gmin = 17; used = 14;
	} else if (sscanf(t, "manylinux_%d_%d_%n", &gmaj, &gmin, &used) != 2) {
		return 0;
	}
	if (strcmp(t + used, arch))
		return 0;
	return gmaj < in->glibc_major ||
	       (gmaj == in->glibc_major && gmin <= in->glibc_minor);
}

int hwb_wheel_tags_compatible(const char *tags,
			      const struct hwb_wheel_target *in)
{
	const char *d1 = strchr(tags, '-'), *d2 = d1 ? strchr(d1 + 1, '-') : NULL;
	int abi3, abi_own;

	if (!d1 || !d2 || strchr(d2 + 1, '-'))
		return 0;
	if (!any_tag(tags, (size_t)(d1 - tags), python_ok, in) ||
	    !any_tag(d1 + 1, (size_t)(d2 - d1 - 1), abi_ok, in) ||
	    !any_tag(d2 + 1, strlen(d2 + 1), platform_ok, in))
		return 0;
	/* A cpXY python tag with the interpreter's own ABI must be exactly
	 * this version; abi3 wheels work on later versions. */
	abi3 = strstr(d1, "abi3") != NULL && strstr(d1, "abi3") < d2;
	abi_own = !abi3 && !(d2 - d1 - 1 == 4 && !memcmp(d1 + 1, "none", 4));
	if (abi_own) {
		char own[32];
		int major, minor;

		if (!py_nodot(in, &major, &minor))
			return 0;
		snprintf(own, sizeof(own), "cp%d%d", major, minor);
		return strstr(tags, own) != NULL && strstr(tags, own) < d1;
	}
	return 1;
}
