/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elfpolicy.c: native code in manylinux and musllinux wheels: the machine,
 * the DT_NEEDED libraries and the symbol versions an ELF file needs (read
 * by elf.c) against the policy of the wheel's platform tag. The policy
 * facts come from pypa/auditwheel's
 * src/auditwheel/policy/manylinux-policy.json and musllinux-policy.json
 * (2026): lib_whitelist and the highest GLIBCXX/CXXABI/GCC versions of each
 * policy level.
 */
#include "pkg/wheel/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_MALFORMED "HWB-W095"

/* ---- policy ----------------------------------------------------------- */

/* e_machine, class and byte order of each platform tag architecture. */
static const struct {
	const char *arch;
	uint16_t machine;
	int is_64, le;
} arches[] = {
	{ "x86_64", 62, 1, 1 },  { "i686", 3, 0, 1 },
	{ "aarch64", 183, 1, 1 }, { "ppc64le", 21, 1, 1 },
	{ "ppc64", 21, 1, 0 },   { "s390x", 22, 1, 0 },
	{ "armv7l", 40, 0, 1 },  { "riscv64", 243, 1, 1 },
	{ "loongarch64", 258, 1, 1 },
};

/*
 * auditwheel's lib_whitelist. glibc_min: the first manylinux level whose
 * list has the library (libexpat from manylinux_2_12, libmvec from
 * manylinux_2_28); musl: also on the musllinux list.
 */
static const struct {
	const char *name;
	int glibc_min;
	int musl;
} libraries[] = {
	{ "libatomic.so.1", 5, 0 },   { "libgcc_s.so.1", 5, 0 },
	{ "libstdc++.so.6", 5, 0 },   { "libm.so.6", 5, 0 },
	{ "libmvec.so.1", 28, 0 },    { "libanl.so.1", 5, 0 },
	{ "libdl.so.2", 5, 0 },       { "librt.so.1", 5, 0 },
	{ "libc.so.6", 5, 0 },        { "libnsl.so.1", 5, 0 },
	{ "libutil.so.1", 5, 0 },     { "libpthread.so.0", 5, 0 },
	{ "libX11.so.6", 5, 0 },      { "libXext.so.6", 5, 0 },
	{ "libXrender.so.1", 5, 0 },  { "libICE.so.6", 5, 0 },
	{ "libSM.so.6", 5, 0 },       { "libGL.so.1", 5, 0 },
	{ "libgobject-2.0.so.0", 5, 0 }, { "libgthread-2.0.so.0", 5, 0 },
	{ "libglib-2.0.so.0", 5, 0 }, { "libresolv.so.2", 5, 0 },
	{ "libexpat.so.1", 12, 0 },   { "libz.so.1", 5, 1 },
	{ "libc.so", 0, 1 },
};

/*
 * The highest GLIBCXX_3.4.N, CXXABI_1.3.N and GCC_ version of each
 * manylinux policy level (the largest over its architectures). A tag
 * between two levels gets the lower level's limits.
 */
static const struct {
	int glibc_minor;
	int glibcxx, cxxabi;
	int gcc_major, gcc_minor;
} levels[] = {
	{ 5, 8, 1, 4, 2 },    { 12, 13, 3, 4, 5 },  { 17, 19, 7, 4, 8 },
	{ 24, 22, 10, 4, 8 }, { 28, 24, 11, 7, 0 }, { 31, 28, 12, 7, 0 },
	{ 34, 29, 13, 11, 0 }, { 42, 34, 15, 14, 0 },
};

struct tag {
	int musl;          /* musllinux */
	int major, minor;  /* glibc or musl version */
	char arch[32];
};

/* "manylinux_2_17_x86_64", legacy aliases, "musllinux_1_2_aarch64". */
static int parse_platform(const char *p, size_t n, struct tag *t)
{
	static const struct {
		const char *prefix;
		int minor;
	} legacy[] = { { "manylinux1_", 5 }, { "manylinux2010_", 12 },
		       { "manylinux2014_", 17 } };
	char buf[96];
	size_t i;
	int used = 0;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, p, n);
	buf[n] = '\0';
	memset(t, 0, sizeof(*t));
	for (i = 0; i < 3; i++) {
		size_t l = strlen(legacy[i].prefix);

		if (!strncmp(buf, legacy[i].prefix, l)) {
			t->major = 2;
			t->minor = legacy[i].minor;
			snprintf(t->arch, sizeof(t->arch), "%s", buf + l);
			return 1;
		}
	}
	if (sscanf(buf, "manylinux_%d_%d_%n", &t->major, &t->minor, &used) == 2 &&
	    used) {
		snprintf(t->arch, sizeof(t->arch), "%s", buf + used);
		return 1;
	}
	if (sscanf(buf, "musllinux_%d_%d_%n", &t->major, &t->minor, &used) == 2 &&
	    used) {
		t->musl = 1;
		snprintf(t->arch, sizeof(t->arch), "%s", buf + used);
		return 1;
	}
	return 0;
}

static int library_allowed(const struct tag *t, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(libraries) / sizeof(libraries[0]); i++) {
		if (strcmp(libraries[i].name, name))
			continue;
		if (t->musl)
			return libraries[i].musl;
		return libraries[i].glibc_min && t->major == 2 &&
		       t->minor >= libraries[i].glibc_min;
	}
	return 0;
}

/* auditwheel repair copies libraries into the wheel ({pkg}.libs/) and
 * points RPATH there; a library the wheel ships is no external need. A
 * DT_NEEDED with a '/' is a path, not a soname auditwheel would ship. */
static int shipped(const struct hwb_wheel_ctx *c, const char *name)
{
	return c->basenames && !strchr(name, '/') &&
	       hwb_wheel__index_get(c->basenames, name) >= 0;
}

/* Parse "X.Y[.Z]" after a prefix; -1 when not numeric. */
static int version_nums(const char *s, int v[3])
{
	int n = 0, used = 0;

	v[0] = v[1] = v[2] = 0;
	n = sscanf(s, "%d.%d.%d%n", &v[0], &v[1], &v[2], &used);
	if (n == 3 && !s[used])
		return 0;
	used = 0;
	n = sscanf(s, "%d.%d%n", &v[0], &v[1], &used);
	if (n == 2 && !s[used])
		return 0;
	used = 0;
	n = sscanf(s, "%d%n", &v[0], &used);
	return n == 1 && !s[used] ? 0 : -1;
}

/* The limits of the policy level for a glibc tag. */
static int level_of(const struct tag *t)
{
	int i, best = -1;

	for (i = 0; i < (int)(sizeof(levels) / sizeof(levels[0])); i++)
		if (t->major == 2 && levels[i].glibc_minor <= t->minor)
			best = i;
	return best;
}

/* Strip the ABI variant prefixes of ppc64le, s390x and ARM
 * ("LDBL_3.4.7", "IEEE128_3.4.29", "ARM_1.3.3"). */
static const char *strip_variant(const char *v)
{
	static const char *const prefixes[] = { "LDBL_", "IEEE128_", "ARM_" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strncmp(v, prefixes[i], strlen(prefixes[i])))
			return v + strlen(prefixes[i]);
	return v;
}

/* 1 if the version need is beyond what the tag promises. */
static int version_too_new(const struct tag *t, const char *need)
{
	int lvl = level_of(t), v[3];
	const char *rest;

	if (!strncmp(need, "GLIBC_", 6)) {
		rest = need + 6;
		if (!strcmp(rest, "PRIVATE"))
			return 1;
		if (!strcmp(rest, "ABI_DT_RELR"))
			return t->major != 2 || t->minor < 36;
		if (version_nums(rest, v))
			return 1;
		return v[0] > t->major || (v[0] == t->major && v[1] > t->minor);
	}
	if (lvl < 0)
		return 1;
	if (!strncmp(need, "GLIBCXX_", 8)) {
		rest = strip_variant(need + 8);
		if (version_nums(rest, v))
			return strcmp(rest, "TM_1") != 0;
		return v[0] > 3 || (v[0] == 3 && v[1] > 4) ||
		       (v[0] == 3 && v[1] == 4 && v[2] > levels[lvl].glibcxx);
	}
	if (!strncmp(need, "CXXABI_", 7)) {
		rest = strip_variant(need + 7);
		if (!strcmp(rest, "TM_1") || !strcmp(rest, "FLOAT128"))
			return 0;
		if (version_nums(rest, v))
			return 1;
		return v[0] > 1 || (v[0] == 1 && v[1] > 3) ||
		       (v[0] == 1 && v[1] == 3 && v[2] > levels[lvl].cxxabi);
	}
	if (!strncmp(need, "GCC_", 4)) {
		if (version_nums(need + 4, v))
			return 1;
		return v[0] > levels[lvl].gcc_major ||
		       (v[0] == levels[lvl].gcc_major &&
			v[1] > levels[lvl].gcc_minor);
	}
	return 0; /* versions of other libraries (ZLIB_, ...) */
}

/* ---- the check -------------------------------------------------------- */

static int check_against(const struct hwb_wheel_ctx *c,
			 const struct hwb_wheel_member *m,
			 const struct hwb_elf_info *info, const struct tag *t,
			 const char *tag_text)
{
	const char *bad_lib = NULL, *bad_ver = NULL;
	size_t i, a, libs = 0, vers = 0;
	int ret = 0, glibc_needs = 0;

	for (a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
		if (!strcmp(arches[a].arch, t->arch))
			break;
	if (a == sizeof(arches) / sizeof(arches[0]) ||
	    arches[a].machine != info->machine ||
	    arches[a].is_64 != info->is_64 ||
	    arches[a].le != info->little_endian)
		return hwb_wheel__add(c->report, "HWB-W091", HWB_SEVERITY_ERROR,
				      m->name,
				      "the ELF machine (e_machine %u, %d-bit, "
				      "%s-endian) is not %s as the tag %s "
				      "says; build the wheel for that "
				      "architecture", info->machine,
				      info->is_64 ? 64 : 32,
				      info->little_endian ? "little" : "big",
				      t->arch, tag_text);
	if (!info->dynamic_complete)
		return hwb_wheel__add(c->report, "HWB-W096",
				      HWB_SEVERITY_WARNING, m->name,
				      "the ELF file's dynamic section lies "
				      "beyond the first %zu MiB hwb reads of a "
				      "member this large; its libraries and "
				      "symbol versions were not checked",
				      HWB_WHEEL_WHOLE_CAP >> 20);
	for (i = 0; i < info->needed_count; i++) {
		const char *n = info->needed[i];

		if (!strncmp(n, "ld-musl", 7) || !strncmp(n, "libc.musl", 9)) {
			if (!t->musl)
				ret |= hwb_wheel__add(
					c->report, "HWB-W094",
					HWB_SEVERITY_ERROR, m->name,
					"links musl (%s) but the tag %s "
					"promises glibc; build it on a "
					"manylinux image", n, tag_text);
			continue;
		}
		if (!library_allowed(t, n) && !shipped(c, n) && !libs++)
			bad_lib = n;
	}
	for (i = 0; i < info->version_count; i++) {
		const char *v = info->versions[i];

		if (!strncmp(v, "GLIBC", 5))
			glibc_needs++;
		if (!t->musl && version_too_new(t, v) && !vers++)
			bad_ver = v;
	}
	if (libs)
		ret |= hwb_wheel__add(c->report, "HWB-W092", HWB_SEVERITY_ERROR,
				      m->name,
				      "needs %zu librar%s outside the %s "
				      "policy, starting with %s; run "
				      "auditwheel repair to ship them in the "
				      "wheel", libs, libs == 1 ? "y" : "ies",
				      tag_text, bad_lib);
	if (vers)
		ret |= hwb_wheel__add(c->report, "HWB-W093", HWB_SEVERITY_ERROR,
				      m->name,
				      "needs symbol version %s, newer than the "
				      "tag %s allows (%zu such); build on the "
				      "matching manylinux image or raise the "
				      "tag", bad_ver, tag_text, vers);
	if (t->musl && glibc_needs)
		ret |= hwb_wheel__add(c->report, "HWB-W094", HWB_SEVERITY_ERROR,
				      m->name,
				      "needs glibc symbol versions but the tag "
				      "%s promises musl; build it on a "
				      "musllinux image", tag_text);
	return ret ? -1 : 0;
}

int hwb_wheel__check_elf(const struct hwb_wheel_ctx *c,
			 const struct hwb_wheel_member *m,
			 const struct hwb_wheel_chunk *chunk)
{
	struct hwb_wheel_filename f = HWB_WHEEL_FILENAME_INIT;
	struct hwb_elf_info info;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *p, *end;
	struct tag t, seen[16];
	size_t nseen = 0, k;
	int r, ret = 0;

	if (chunk->offset != 0 || chunk->len < 4 ||
	    memcmp(chunk->data, "\x7f" "ELF", 4))
		return 0;
	if (hwb_wheel__filename_of(c, &f))
		return -1;
	if (!f.buf)
		return 0;
	/* Only manylinux and musllinux tags make promises about binaries. */
	if (!strstr(f.platform, "manylinux") && !strstr(f.platform, "musllinux"))
		goto done;
	r = hwb_wheel__elf_parse(chunk->data, chunk->len, chunk->whole, &info,
				 &err);
	if (r < 0) {
		if (!strcmp(err.code, "HWB-C001"))
			ret = -1;
		else
			ret = hwb_wheel__add(c->report, CODE_MALFORMED,
					     HWB_SEVERITY_ERROR, m->name,
					     "%s; %s", err.message, err.hint);
		goto done;
	}
	/* Relocatable objects are not loaded; only programs and libraries. */
	if (info.type != 2 && info.type != 3)
		goto release;
	for (p = f.platform; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ".");
		if (!parse_platform(p, (size_t)(end - p), &t))
			continue;
		/* manylinux2014_x86_64 and manylinux_2_17_x86_64 are one. */
		for (k = 0; k < nseen; k++)
			if (seen[k].musl == t.musl && seen[k].major == t.major &&
			    seen[k].minor == t.minor &&
			    !strcmp(seen[k].arch, t.arch))
				break;
		if (k < nseen)
			continue;
		if (nseen < 16)
			seen[nseen++] = t;
		{
			char tag_text[96];

			snprintf(tag_text, sizeof(tag_text), "%.*s",
				 (int)(end - p), p);
			ret |= check_against(c, m, &info, &t, tag_text);
		}
	}
release:
	hwb_wheel__elf_info_release(&info);
done:
	hwb_wheel_filename_release(&f);
	return ret ? -1 : 0;
}
