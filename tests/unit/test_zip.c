/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/wheel's zip reader and report: path rules, printable
 * findings, firm codes and --select/--ignore, and the reader on small zips
 * built here byte by byte (the crafted wheels of tests/wheelgen.py cover
 * each rule end to end), and the public reader hwb build reads wheels with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "pkg/core/encode.h"
#include "pkg/core/hash.h"
#include "pkg/wheel/internal.h"

static void test_path_problems(void **state)
{
	static const struct { const char *p; int dir; enum hwb_path_problem want; }
	cases[] = {
		{ "pkg/mod.py", 0, HWB_PATH_OK },
		{ "pkg/sub/", 1, HWB_PATH_OK },
		{ "pkg/sub/", 0, HWB_PATH_EMPTY_PART },
		{ "", 0, HWB_PATH_EMPTY_PART },
		{ "/etc/passwd", 0, HWB_PATH_ABSOLUTE },
		{ "C:/x.py", 0, HWB_PATH_ABSOLUTE },
		{ "c:x.py", 0, HWB_PATH_ABSOLUTE },
		{ "pkg/../../x", 0, HWB_PATH_DOTDOT },
		{ "..", 0, HWB_PATH_DOTDOT },
		{ "pkg/..x/y", 0, HWB_PATH_OK },
		{ "./pkg", 0, HWB_PATH_DOT },
		{ "pkg//x", 0, HWB_PATH_EMPTY_PART },
		{ "pkg\\x.py", 0, HWB_PATH_BACKSLASH },
		{ "1:2/x", 0, HWB_PATH_OK },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(hwb_wheel__path_problem(cases[i].p,
							 strlen(cases[i].p),
							 cases[i].dir),
				 cases[i].want);
}

static void test_findings_are_printable(void **state)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_wheel__report_prepare(&r, &err), 0);
	assert_int_equal(hwb_wheel__add(&r, "HWB-W012", HWB_SEVERITY_ERROR,
					"a\033[2Jb\xff\xc3\xa9.py", "bad %s",
					"x\ny"), 0);
	assert_string_equal(r.findings[0].member, "a?[2Jb?\xc3\xa9.py");
	assert_string_equal(r.findings[0].message, "bad x?y");
	assert_int_equal(r.findings[0].firm, 1);
	hwb_check_report_release(&r);
	assert_null(r.findings);
	assert_null(r.state);
}

/* Beyond the first 1,000 findings of a code, one finding counts the rest;
 * other codes keep their own 1,000 and --ignore removes the count too. */
static void test_findings_per_code_capped(void **state)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_check_options o;
	struct hwb_error err = HWB_ERROR_INIT;
	static const char *const ignore[] = { "W067" };
	size_t i, counted = 0, w034 = 0, w067 = 0;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(hwb_wheel__report_prepare(&r, &err), 0);
	for (i = 0; i < 2500; i++) {
		assert_int_equal(hwb_wheel__add(&r, "HWB-W034",
						HWB_SEVERITY_ERROR, "m",
						"row %zu", i), 0);
		assert_int_equal(hwb_wheel__add(&r, "HWB-W067",
						HWB_SEVERITY_WARNING, NULL,
						"field %zu", i), 0);
	}
	assert_int_equal(r.count, 2000);
	o.ignore = ignore;
	o.ignore_count = 1;
	assert_int_equal(hwb_wheel__report_filter(&r, &o), 0);
	for (i = 0; i < r.count; i++) {
		w034 += !strcmp(r.findings[i].code, "HWB-W034");
		w067 += !strcmp(r.findings[i].code, "HWB-W067");
		if (!r.findings[i].member) {
			assert_string_equal(r.findings[i].code, "HWB-W034");
			assert_int_equal(r.findings[i].severity,
					 HWB_SEVERITY_ERROR);
			assert_non_null(strstr(r.findings[i].message,
					       "1500 more findings"));
			counted++;
		}
	}
	assert_int_equal(w034, 1001);
	assert_int_equal(w067, 0);
	assert_int_equal(counted, 1);
	hwb_check_report_release(&r);
}

static void test_select_ignore_and_firm(void **state)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	const char *ignore[] = { "W05", "HWB-W004", "W014" };
	const char *select[] = { "HWB-W0" };
	struct hwb_check_options o = { 0 };

	(void)state;
	hwb_wheel__add(&r, "HWB-W050", HWB_SEVERITY_ERROR, "m", "metadata");
	hwb_wheel__add(&r, "HWB-W004", HWB_SEVERITY_ERROR, NULL, "framing");
	hwb_wheel__add(&r, "HWB-W014", HWB_SEVERITY_WARNING, "b", "case");
	hwb_wheel__add_firm(&r, "HWB-W051", "a", "secret");
	hwb_wheel__add(&r, "HWB-W039", HWB_SEVERITY_ERROR, "a", "record");
	o.ignore = ignore;
	o.ignore_count = 3;
	o.select = select;
	o.select_count = 1;
	hwb_wheel__report_filter(&r, &o);
	/* Firm ones stay; sorted by member (none first), then code. */
	assert_int_equal(r.count, 3);
	assert_string_equal(r.findings[0].code, "HWB-W004");
	assert_string_equal(r.findings[1].code, "HWB-W039");
	assert_string_equal(r.findings[2].code, "HWB-W051");
	assert_int_equal(hwb_check_failed(&r, 0), 1);
	hwb_check_report_release(&r);

	hwb_wheel__add(&r, "HWB-W014", HWB_SEVERITY_WARNING, "b", "case");
	assert_int_equal(r.findings[0].firm, 0);
	assert_int_equal(hwb_check_failed(&r, 0), 0);
	assert_int_equal(hwb_check_failed(&r, 1), 1);
	hwb_check_report_release(&r);
}

/* A zip of stored members, built as tests/wheelgen.py would. */
struct zipb {
	uint8_t buf[4096];
	size_t len;
};

static void put16(struct zipb *z, unsigned v)
{
	z->buf[z->len++] = (uint8_t)v;
	z->buf[z->len++] = (uint8_t)(v >> 8);
}

static void put32(struct zipb *z, uint32_t v)
{
	put16(z, v & 0xffff);
	put16(z, v >> 16);
}

static void put(struct zipb *z, const void *p, size_t n)
{
	memcpy(z->buf + z->len, p, n);
	z->len += n;
}

static void make_zip(struct zipb *z, const char *const *names,
		     const char *const *datas, size_t n, const char *comment)
{
	uint32_t offs[8];
	size_t i, cd, cd_size;

	z->len = 0;
	for (i = 0; i < n; i++) {
		size_t dl = strlen(datas[i]);

		offs[i] = (uint32_t)z->len;
		put32(z, 0x04034b50), put16(z, 20), put16(z, 0), put16(z, 0);
		put16(z, 0), put16(z, 0x21);
		put32(z, (uint32_t)crc32(0, (const Bytef *)datas[i], (uInt)dl));
		put32(z, (uint32_t)dl), put32(z, (uint32_t)dl);
		put16(z, (unsigned)strlen(names[i])), put16(z, 0);
		put(z, names[i], strlen(names[i]));
		put(z, datas[i], dl);
	}
	cd = z->len;
	for (i = 0; i < n; i++) {
		size_t dl = strlen(datas[i]);

		put32(z, 0x02014b50), put16(z, 0x0314), put16(z, 20);
		put16(z, 0), put16(z, 0), put16(z, 0), put16(z, 0x21);
		put32(z, (uint32_t)crc32(0, (const Bytef *)datas[i], (uInt)dl));
		put32(z, (uint32_t)dl), put32(z, (uint32_t)dl);
		put16(z, (unsigned)strlen(names[i])), put16(z, 0), put16(z, 0);
		put16(z, 0), put16(z, 0), put32(z, 0100644u << 16);
		put32(z, offs[i]);
		put(z, names[i], strlen(names[i]));
	}
	cd_size = z->len - cd;
	put32(z, 0x06054b50), put16(z, 0), put16(z, 0);
	put16(z, (unsigned)n), put16(z, (unsigned)n);
	put32(z, (uint32_t)cd_size), put32(z, (uint32_t)cd);
	put16(z, (unsigned)strlen(comment));
	put(z, comment, strlen(comment));
}

/* Read z through hwb_zip__read and every local header; codes found. */
static size_t read_zip(const uint8_t *bytes, size_t len, struct hwb_zip *z,
		       struct hwb_check_report *r)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_check_options o;
	int fd = memfd_create("t.whl", MFD_CLOEXEC);
	size_t i;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	hwb_wheel__resolve_options(&o, NULL);
	assert_int_equal(hwb_zip__read(z, fd, len, &o, r, &err), 0);
	for (i = 0; z->cd_ok && i < z->count; i++)
		assert_int_equal(hwb_zip__load_local(z, i, r, &err), 0);
	if (z->cd_ok)
		assert_int_equal(hwb_zip__check_layout(z, r), 0);
	z->fd = -1;
	close(fd);
	return r->count;
}

static void test_reader_on_a_clean_zip(void **state)
{
	const char *names[] = { "pkg/__init__.py", "pkg/a.py" };
	const char *datas[] = { "", "x = 1\n" };
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_zip z = HWB_ZIP_INIT;
	struct zipb b;

	(void)state;
	make_zip(&b, names, datas, 2, "");
	assert_int_equal(read_zip(b.buf, b.len, &z, &r), 0);
	assert_int_equal(z.cd_ok, 1);
	assert_int_equal(z.count, 2);
	assert_string_equal(z.members[1].name, "pkg/a.py");
	assert_int_equal(z.members[1].size, 6);
	assert_int_equal(z.members[1].method, 0);
	assert_int_equal(z.members[1].path_ok, 1);
	assert_int_equal(z.entries[1].local_state, 1);
	assert_int_equal(z.entries[1].data_offset, 30 + 15 + 30 + 8);
	hwb_zip__release(&z);
	hwb_check_report_release(&r);
}

static void expect_code(const uint8_t *bytes, size_t len, const char *code)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_zip z = HWB_ZIP_INIT;

	assert_true(read_zip(bytes, len, &z, &r) >= 1);
	assert_string_equal(r.findings[0].code, code);
	hwb_zip__release(&z);
	hwb_check_report_release(&r);
}

static void test_reader_end_records(void **state)
{
	const char *names[] = { "a.py" };
	const char *datas[] = { "pass\n" };
	struct zipb b;

	(void)state;
	make_zip(&b, names, datas, 1, "");
	expect_code(b.buf, 21, "HWB-W001");
	expect_code(b.buf, b.len - 1, "HWB-W001");
	b.buf[b.len++] = 'x';
	expect_code(b.buf, b.len, "HWB-W004");
	make_zip(&b, names, datas, 1, "PK\005\006 hidden");
	expect_code(b.buf, b.len, "HWB-W013");
	make_zip(&b, names, datas, 1, "");
	memset(b.buf + b.len - 6, 0, 4); /* central-directory offset: 0 */
	expect_code(b.buf, b.len, "HWB-W009");
}

static void test_reader_local_headers(void **state)
{
	const char *names[] = { "a.py", "b.py" };
	const char *datas[] = { "pass\n", "pass\n" };
	struct zipb b;

	(void)state;
	make_zip(&b, names, datas, 2, "");
	b.buf[30] = 'c';           /* the first local name: c.py */
	expect_code(b.buf, b.len, "HWB-W006");
	make_zip(&b, names, datas, 2, "");
	b.buf[14] ^= 1;            /* the first local CRC-32 */
	expect_code(b.buf, b.len, "HWB-W007");
	make_zip(&b, names, datas, 2, "");
	b.buf[6] = 8;              /* a data-descriptor flag, local only */
	expect_code(b.buf, b.len, "HWB-W007");
}


/* The zip's bytes in a memfd, opened with the reader (report: full check). */
static int open_reader(const struct zipb *b, struct hwb_check_report *report,
		       struct hwb_wheel_reader **rd, int *fd_out,
		       struct hwb_error *err)
{
	int fd = memfd_create("a-1.0-py3-none-any.whl", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, b->buf, b->len), (ssize_t)b->len);
	if (fd_out)
		*fd_out = fd;
	return hwb_wheel__open_fd(fd, b->len, "a-1.0-py3-none-any.whl", NULL,
				  report, rd, err);
}

static void test_wheel_reader_reads_members(void **state)
{
	const char *names[] = { "pkg/__init__.py", "pkg/a.py" };
	const char *datas[] = { "", "x = 1\n" };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_wheel_reader *rd;
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_wheel_item it;
	struct zipb b;
	long i;

	(void)state;
	make_zip(&b, names, datas, 2, "");
	assert_int_equal(open_reader(&b, NULL, &rd, NULL, &err), 0);
	assert_int_equal(hwb_wheel_count(rd), 2);
	assert_int_equal(hwb_wheel_find(rd, "nope.py"), -1);
	i = hwb_wheel_find(rd, "pkg/a.py");
	assert_int_equal(i, 1);
	hwb_wheel_item(rd, (size_t)i, &it);
	assert_string_equal(it.name, "pkg/a.py");
	assert_int_equal(it.size, 6);
	assert_int_equal(it.mode, 0100644);
	assert_int_equal(it.is_dir, 0);
	assert_int_equal(hwb_wheel_read_all(rd, (size_t)i, 64, &out, &err), 0);
	assert_string_equal(out.ptr, "x = 1\n");
	/* Over the caller's limit: refused before anything is read. */
	hwb_buf_clear(&out);
	assert_int_equal(hwb_wheel_read_all(rd, (size_t)i, 5, &out, &err), -1);
	assert_string_equal(err.code, "HWB-W018");
	assert_int_equal(out.len, 0);
	hwb_buf_release(&out);
	hwb_wheel_close(rd);
}

static void test_wheel_reader_refuses_unsound_zips(void **state)
{
	const char *names[] = { "a.py", "b.py" };
	const char *datas[] = { "pass\n", "pass\n" };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_wheel_reader *rd = NULL;
	struct hwb_buf out = HWB_BUF_INIT;
	struct zipb b;

	(void)state;
	make_zip(&b, names, datas, 2, "");
	b.buf[30] = 'c';           /* the first local header names c.py */
	assert_int_equal(open_reader(&b, NULL, &rd, NULL, &err), -1);
	assert_null(rd);
	assert_string_equal(err.code, "HWB-W006");
	assert_int_equal(err.kind, HWB_KIND_FAILED);
	assert_non_null(strstr(err.message, "c.py"));
	/* Data the headers do not describe: found when it is read. */
	make_zip(&b, names, datas, 2, "");
	b.buf[30 + 4] = 'X';       /* a.py's first data byte */
	assert_int_equal(open_reader(&b, NULL, &rd, NULL, &err), 0);
	assert_int_equal(hwb_wheel_read_all(rd, 0, 64, &out, &err), -1);
	assert_string_equal(err.code, "HWB-W026");
	assert_int_equal(hwb_wheel_read_all(rd, 1, 64, &out, &err), 0);
	hwb_wheel_close(rd);
	hwb_buf_release(&out);
}

/* Make the last four bytes of buf give it the CRC-32 want (CRC-32 is
 * linear: the state can be steered through four table lookups). */
static void forge_crc(uint8_t *buf, size_t n, uint32_t want)
{
	uint32_t table[256], rev[256], s, k;
	uint8_t idx[4];
	int i, j;

	for (k = 0; k < 256; k++) {
		s = k;
		for (j = 0; j < 8; j++)
			s = s & 1 ? 0xedb88320u ^ (s >> 1) : s >> 1;
		table[k] = s;
		rev[s >> 24] = k;
	}
	s = ~want;
	for (i = 3; i >= 0; i--) {
		idx[i] = (uint8_t)rev[s >> 24];
		s = (s ^ table[idx[i]]) << 8;
	}
	s = ~(uint32_t)crc32(0, buf, (uInt)(n - 4));
	for (i = 0; i < 4; i++) {
		buf[n - 4 + i] = (uint8_t)((s ^ idx[i]) & 0xff);
		s = (s >> 8) ^ table[idx[i]];
	}
}

static void test_wheel_reader_reads_what_the_check_hashed(void **state)
{
	const char *names[] = { "a.py", "a-1.0.dist-info/RECORD" };
	const char *datas[2] = { "print('checked')\n", NULL };
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_wheel_reader *rd = NULL;
	struct hwb_buf out = HWB_BUF_INIT, b64 = HWB_BUF_INIT;
	char record[256], evil[] = "print('changed')\n";
	uint8_t digest[32];
	struct zipb b;
	int fd;

	(void)state;
	assert_int_equal(hwb_hash_buffer(HWB_HASH_SHA256, datas[0],
					 strlen(datas[0]), digest, &err), 0);
	assert_int_equal(hwb_base64_encode(&b64, digest, 32, HWB_B64_URL |
					   HWB_B64_NOPAD), 0);
	snprintf(record, sizeof(record), "a.py,sha256=%s,%zu\n"
		 "a-1.0.dist-info/RECORD,,\n", b64.ptr, strlen(datas[0]));
	datas[1] = record;
	make_zip(&b, names, datas, 2, "");
	assert_int_equal(open_reader(&b, &r, &rd, &fd, &err), 0);
	assert_int_equal(r.members, 2);
	/* Another text of the same length and CRC-32 written over a.py after
	 * the check: CRC-32 and size cannot tell, the check's sha256 does. */
	forge_crc((uint8_t *)evil, strlen(evil),
		  (uint32_t)crc32(0, (const Bytef *)datas[0],
				  (uInt)strlen(datas[0])));
	assert_int_equal(pwrite(fd, evil, strlen(evil), 30 + 4),
			 (ssize_t)strlen(evil));
	assert_int_equal(hwb_wheel_read_all(rd, 0, 64, &out, &err), -1);
	assert_string_equal(err.code, "HWB-W110");
	hwb_wheel_close(rd);
	hwb_check_report_release(&r);
	hwb_buf_release(&out);
	hwb_buf_release(&b64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_problems),
		cmocka_unit_test(test_findings_are_printable),
		cmocka_unit_test(test_findings_per_code_capped),
		cmocka_unit_test(test_select_ignore_and_firm),
		cmocka_unit_test(test_reader_on_a_clean_zip),
		cmocka_unit_test(test_reader_end_records),
		cmocka_unit_test(test_reader_local_headers),
		cmocka_unit_test(test_wheel_reader_reads_members),
		cmocka_unit_test(test_wheel_reader_refuses_unsound_zips),
		cmocka_unit_test(test_wheel_reader_reads_what_the_check_hashed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
