/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/wheel/elf.c and elfpolicy.c: a shared object compiled
 * with gcc at test time (its DT_NEEDED and GLIBC version needs), ELF files
 * built here byte by byte for the 32-bit and big-endian paths, damaged
 * ones, and the manylinux/musllinux policy findings for them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/wheel/internal.h"

/* ---- a shared object from gcc --------------------------------------- */

struct blob {
	uint8_t *data;
	size_t len;
};

static int read_all(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b->data = malloc((size_t)n);
	b->len = b->data ? fread(b->data, 1, (size_t)n, f) : 0;
	fclose(f);
	return b->len == (size_t)n ? 0 : -1;
}

static int build_shared_object(struct blob *b)
{
	char dir[] = "/tmp/hwb-elf-XXXXXX", cmd[512], path[256];
	FILE *f;
	int r;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/lib.c", dir);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs("#include <math.h>\n#include <string.h>\n"
	      "double f(double x) { return cos(x); }\n"
	      "void *g(void *d, const void *s, size_t n)"
	      " { return memcpy(d, s, n); }\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "cc -shared -fPIC -O0 -Wl,--no-as-needed -o %s/lib.so %s -lm",
		 dir, path);
	r = system(cmd);
	snprintf(path, sizeof(path), "%s/lib.so", dir);
	if (!r)
		r = read_all(path, b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		r = -1;
	return r;
}

static int has(char **list, size_t n, const char *prefix)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strncmp(list[i], prefix, strlen(prefix)))
			return 1;
	return 0;
}

static void test_gcc_shared_object(void **state)
{
	struct blob b = { 0 };
	struct hwb_elf_info info;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(build_shared_object(&b), 0);
	assert_int_equal(hwb_wheel__elf_parse(b.data, b.len, 1, &info, &err), 0);
	assert_int_equal(info.type, 3); /* ET_DYN */
#if defined(__x86_64__)
	assert_int_equal(info.machine, 62);
	assert_true(info.is_64 && info.little_endian);
	/* memcpy has version GLIBC_2.14 on x86_64, cos GLIBC_2.2.5. */
	assert_true(has(info.versions, info.version_count, "GLIBC_2.14"));
#endif
	assert_true(info.dynamic_complete);
	assert_true(has(info.needed, info.needed_count, "libm.so.6"));
	assert_true(has(info.needed, info.needed_count, "libc.so.6"));
	assert_true(has(info.versions, info.version_count, "GLIBC_2."));
	hwb_wheel__elf_info_release(&info);

	/* The same file with another machine in its header. */
	b.data[18] = 183; /* EM_AARCH64, on a little-endian host */
	b.data[19] = 0;
	assert_int_equal(hwb_wheel__elf_parse(b.data, b.len, 1, &info, &err), 0);
	assert_int_equal(info.machine, 183);
	hwb_wheel__elf_info_release(&info);

	/* Only the first 64 bytes of a streamed member: header, no more. */
	assert_int_equal(hwb_wheel__elf_parse(b.data, 64, 0, &info, &err), 0);
	assert_int_equal(info.machine, 183);
	assert_false(info.dynamic_complete);
	hwb_wheel__elf_info_release(&info);

	/* The same cut presented as a whole file is damaged. */
	assert_int_equal(hwb_wheel__elf_parse(b.data, 64, 1, &info, &err), -1);
	assert_string_equal(err.code, "HWB-W095");
	free(b.data);
}

/* ---- ELF files built byte by byte ------------------------------------ */

struct builder {
	uint8_t buf[1024];
	int is_64, le;
	size_t verneed, dynamic; /* offsets */
};

static void put(struct builder *b, size_t off, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		b->buf[off + i] = (uint8_t)(v >> (8 * (b->le ? i : n - 1 - i)));
}

#define VADDR 0x10000
#define STRTAB "\0libfoo.so.1\0libc.so.6\0GLIBC_2.17\0GLIBCXX_3.4.21\0"

/*
 * An ELF file: header, PT_LOAD over the whole file, PT_DYNAMIC, a string
 * table, one Verneed with two Vernaux, the dynamic section. Returns its
 * length. verneed_next lets a test make the version chain hostile.
 */
static size_t build(struct builder *b, int is_64, int le, uint16_t machine)
{
	size_t eh = is_64 ? 64 : 52, ph = is_64 ? 56 : 32, w = is_64 ? 8 : 4;
	size_t phoff = eh, str = phoff + 2 * ph, vn = str + sizeof(STRTAB);
	size_t dyn, total, d = 0;
	uint64_t dyn_entries[][2] = {
		{ 1, 1 }, { 1, 13 }, { 5, 0 }, { 10, sizeof(STRTAB) },
		{ 0x6ffffffe, 0 }, { 0x6fffffff, 1 }, { 0, 0 },
	};
	size_t i;

	memset(b, 0, sizeof(*b));
	b->is_64 = is_64;
	b->le = le;
	vn = (vn + 7) & ~(size_t)7;
	dyn = vn + 48;
	b->verneed = vn;
	b->dynamic = dyn;
	total = dyn + 7 * 2 * w;
	dyn_entries[2][1] = VADDR + str;
	dyn_entries[4][1] = VADDR + vn;
	memcpy(b->buf, "\x7f" "ELF", 4);
	b->buf[4] = is_64 ? 2 : 1;
	b->buf[5] = le ? 1 : 2;
	b->buf[6] = 1;
	put(b, 16, 3, 2);       /* ET_DYN */
	put(b, 18, machine, 2);
	put(b, 20, 1, 4);
	put(b, is_64 ? 32 : 28, phoff, (unsigned)w);
	put(b, is_64 ? 54 : 42, ph, 2);
	put(b, is_64 ? 56 : 44, 2, 2);
	/* PT_LOAD */
	put(b, phoff, 1, 4);
	if (is_64) {
		put(b, phoff + 8, 0, 8);
		put(b, phoff + 16, VADDR, 8);
		put(b, phoff + 32, total, 8);
		put(b, phoff + 40, total, 8);
	} else {
		put(b, phoff + 4, 0, 4);
		put(b, phoff + 8, VADDR, 4);
		put(b, phoff + 16, total, 4);
		put(b, phoff + 20, total, 4);
	}
	/* PT_DYNAMIC */
	put(b, phoff + ph, 2, 4);
	if (is_64) {
		put(b, phoff + ph + 8, dyn, 8);
		put(b, phoff + ph + 32, 7 * 16, 8);
	} else {
		put(b, phoff + ph + 4, dyn, 4);
		put(b, phoff + ph + 16, 7 * 8, 4);
	}
	memcpy(b->buf + str, STRTAB, sizeof(STRTAB));
	/* Verneed: version 1, 2 entries, file "libc.so.6", aux at +16. */
	put(b, vn, 1, 2);
	put(b, vn + 2, 2, 2);
	put(b, vn + 4, 13, 4);
	put(b, vn + 8, 16, 4);
	put(b, vn + 12, 0, 4);
	put(b, vn + 16 + 8, 23, 4);  /* GLIBC_2.17 */
	put(b, vn + 16 + 12, 16, 4);
	put(b, vn + 32 + 8, 34, 4);  /* GLIBCXX_3.4.21 */
	put(b, vn + 32 + 12, 0, 4);
	for (i = 0; i < 7; i++, d += 2 * w) {
		put(b, dyn + d, dyn_entries[i][0], (unsigned)w);
		put(b, dyn + d + w, dyn_entries[i][1], (unsigned)w);
	}
	return total;
}

static void expect_parsed(const struct builder *b, size_t len, int is_64,
			  int le, uint16_t machine)
{
	struct hwb_elf_info info;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_wheel__elf_parse(b->buf, len, 1, &info, &err))
		fail_msg("parse failed: %s", err.message);
	assert_int_equal(info.is_64, is_64);
	assert_int_equal(info.little_endian, le);
	assert_int_equal(info.machine, machine);
	assert_true(info.dynamic_complete);
	assert_int_equal(info.needed_count, 2);
	assert_string_equal(info.needed[0], "libfoo.so.1");
	assert_string_equal(info.needed[1], "libc.so.6");
	assert_int_equal(info.version_count, 2);
	assert_string_equal(info.versions[0], "GLIBC_2.17");
	assert_string_equal(info.versions[1], "GLIBCXX_3.4.21");
	hwb_wheel__elf_info_release(&info);
}

static void test_built_classes_and_byte_orders(void **state)
{
	struct builder b;
	size_t len;

	(void)state;
	len = build(&b, 1, 1, 62);   /* x86_64 */
	expect_parsed(&b, len, 1, 1, 62);
	len = build(&b, 0, 1, 3);    /* i686 */
	expect_parsed(&b, len, 0, 1, 3);
	len = build(&b, 1, 0, 22);   /* s390x: 64-bit big-endian */
	expect_parsed(&b, len, 1, 0, 22);
	len = build(&b, 0, 1, 40);   /* armv7l */
	expect_parsed(&b, len, 0, 1, 40);
}

static void expect_malformed(const uint8_t *data, size_t len)
{
	struct hwb_elf_info info;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_wheel__elf_parse(data, len, 1, &info, &err), -1);
	assert_string_equal(err.code, "HWB-W095");
}

static void test_damaged(void **state)
{
	struct builder b;
	struct hwb_elf_info info;
	size_t len;

	(void)state;
	assert_int_equal(hwb_wheel__elf_parse((const uint8_t *)"#!/bin/sh\n",
					      10, 1, &info, NULL), 1);
	assert_int_equal(hwb_wheel__elf_parse((const uint8_t *)"\x7f" "EL", 3,
					      1, &info, NULL), 1);
	/* Bad class byte. */
	len = build(&b, 1, 1, 62);
	b.buf[4] = 9;
	expect_malformed(b.buf, len);
	/* Program headers beyond the file. */
	len = build(&b, 1, 1, 62);
	put(&b, 32, 0xffffff00u, 8);
	expect_malformed(b.buf, len);
	/* A DT_NEEDED offset beyond the string table. */
	len = build(&b, 1, 1, 62);
	put(&b, b.dynamic + 8, 4000, 8);
	expect_malformed(b.buf, len);
	/* DT_STRTAB pointing at an address no PT_LOAD maps. */
	len = build(&b, 0, 1, 3);
	put(&b, b.dynamic + 2 * 8 + 4, 0x90000000u, 4);
	expect_malformed(b.buf, len);
	/* A Vernaux chain that jumps out of the file. */
	len = build(&b, 1, 0, 22);
	put(&b, b.verneed + 16 + 12, 0x7ffffff0u, 4);
	expect_malformed(b.buf, len);
	/* Every prefix of a valid file is handled without reading beyond. */
	len = build(&b, 1, 1, 62);
	for (size_t cut = 0; cut < len; cut++) {
		if (hwb_wheel__elf_parse(b.buf, cut, 0, &info, NULL) == 0)
			hwb_wheel__elf_info_release(&info);
		if (hwb_wheel__elf_parse(b.buf, cut, 1, &info, NULL) == 0)
			hwb_wheel__elf_info_release(&info);
	}
}

/* ---- the manylinux policy (elfpolicy.c) ------------------------------ */

static void policy_check(const char *filename, const struct builder *b,
			 size_t len, int whole, const char *const *members,
			 size_t nmembers, const char *want)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_wheel_member m[4];
	struct hwb_wheel_ctx c;
	struct hwb_wheel_index names = { NULL, 0, 0, 0 };
	struct hwb_wheel_chunk ch = { b->buf, len, 0, 0, whole, whole };
	char got[256] = "";
	size_t i;

	memset(m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	for (i = 0; i < nmembers; i++) {
		m[i].name = members[i];
		m[i].name_len = strlen(members[i]);
	}
	assert_int_equal(hwb_wheel__report_prepare(&r, NULL), 0);
	c.report = &r;
	c.filename = filename;
	c.members = m;
	c.member_count = nmembers;
	assert_int_equal(hwb_wheel__index_basenames(&names, m, nmembers), 0);
	c.basenames = &names;
	assert_int_equal(hwb_wheel__check_elf(&c, &m[0], &ch), 0);
	hwb_wheel__index_release(&names);
	for (i = 0; i < r.count; i++) {
		if (i)
			strcat(got, " ");
		strcat(got, r.findings[i].code);
	}
	if (strcmp(got, want))
		fail_msg("%s: got '%s', want '%s'", filename, got, want);
	hwb_check_report_release(&r);
}

static void test_policy(void **state)
{
	static const char *const one[] = { "pkg/_ext.so" };
	static const char *const shipped[] = { "pkg/_ext.so",
					       "pkg.libs/libfoo.so.1" };
	struct builder b;
	size_t len;

	(void)state;
	/* libfoo.so.1 is outside every policy; GLIBCXX_3.4.21 is newer than
	 * manylinux_2_17 (3.4.19) but within manylinux_2_24 (3.4.22). */
	len = build(&b, 1, 1, 62);
	policy_check("p-1-cp311-cp311-manylinux_2_17_x86_64.whl", &b, len, 1,
		     one, 1, "HWB-W092 HWB-W093");
	policy_check("p-1-cp311-cp311-manylinux_2_24_x86_64.whl", &b, len, 1,
		     one, 1, "HWB-W092");
	/* A library the wheel ships (auditwheel repair) is no external need. */
	policy_check("p-1-cp311-cp311-manylinux_2_24_x86_64.whl", &b, len, 1,
		     shipped, 2, "");
	/* One tag in two spellings is checked once. */
	policy_check("p-1-cp311-cp311-manylinux_2_17_x86_64."
		     "manylinux2014_x86_64.whl", &b, len, 1, one, 1,
		     "HWB-W092 HWB-W093");
	/* The machine and byte order must be the tag's. */
	policy_check("p-1-cp311-cp311-manylinux_2_28_aarch64.whl", &b, len, 1,
		     one, 1, "HWB-W091");
	len = build(&b, 1, 0, 22);
	policy_check("p-1-cp311-cp311-manylinux_2_28_s390x.whl", &b, len, 1,
		     shipped, 2, "");
	policy_check("p-1-cp311-cp311-manylinux_2_28_ppc64le.whl", &b, len, 1,
		     shipped, 2, "HWB-W091");
	/* musllinux: glibc versions and libraries are foreign. */
	len = build(&b, 1, 1, 62);
	policy_check("p-1-cp311-cp311-musllinux_1_2_x86_64.whl", &b, len, 1,
		     one, 1, "HWB-W092 HWB-W094");
	/* The first bytes of a streamed member: the machine is checked, the
	 * rest cannot be. */
	policy_check("p-1-cp311-cp311-manylinux_2_17_x86_64.whl", &b, 64 + 112,
		     0, one, 1, "HWB-W096");
	/* Pure wheels and plain linux tags make no promise about binaries. */
	policy_check("p-1-py3-none-any.whl", &b, len, 1, one, 1, "");
	b.buf[4] = 9;
	policy_check("p-1-cp311-cp311-manylinux_2_17_x86_64.whl", &b, len, 1,
		     one, 1, "HWB-W095");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcc_shared_object),
		cmocka_unit_test(test_built_classes_and_byte_orders),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
