/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/reqs's simple-repository page parsers (PEP 691 JSON,
 * PEP 503 HTML) and link resolution.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"

#define PAGE "https://index.example/simple/wheel/"
#define SHA "d9f5ba91b3866f3845930531e0870436e2dd6e919787f627c0f1c16b97219a5f"

static void release(struct hwb_reqs__project *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		free(p->dists[i].filename);
		free(p->dists[i].version);
		free(p->dists[i].tags);
		free(p->dists[i].url);
		free(p->dists[i].path);
		free(p->dists[i].index_page);
		free(p->dists[i].requires_python);
	}
	free(p->dists);
	free(p->name);
}

static void test_url_join(void **state)
{
	char *u;

	(void)state;
#define J(base, ref, want)                              \
	u = hwb_reqs__url_join(base, ref);             \
	assert_string_equal(u, want);                   \
	free(u)
	J(PAGE, "../../files/w.whl", "https://index.example/files/w.whl");
	J(PAGE, "../../../../x/./y/../w.whl?a=../b#c", "https://index.example/x/w.whl?a=../b#c");
	J(PAGE, "./", PAGE);
	J("http://h/a/b", "..", "http://h/");
	J(PAGE, "/files/w.whl", "https://index.example/files/w.whl");
	J(PAGE, "//cdn.example/w.whl", "https://cdn.example/w.whl");
	J(PAGE, "http://other/w.whl", "http://other/w.whl");
	J("http://127.0.0.1:8080", "w.whl", "http://127.0.0.1:8080/w.whl");
	J(PAGE, "w.whl", PAGE "w.whl");
#undef J
}

static void test_json(void **state)
{
	static const char page[] =
		"{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"wheel\", \"files\": ["
		"{\"filename\": \"wheel-0.38.4-py3-none-any.whl\", \"url\": \"../../f/wheel-0.38.4-py3-none-any.whl\","
		" \"hashes\": {\"sha256\": \"" SHA "\"}, \"requires-python\": \">=3.7\", \"size\": 36047},"
		"{\"filename\": \"wheel-0.38.4.tar.gz\", \"url\": \"x.tar.gz\", \"hashes\": {}},"
		"{\"filename\": \"wheel-0.38.3-py3-none-any.whl\", \"url\": \"y.whl\", \"hashes\": {}, \"yanked\": \"broken\"},"
		"{\"filename\": \"wheel-0.37.0-py3-none-any.whl\", \"url\": \"z.whl\", \"hashes\": {\"sha256\": \"XYZ\"}},"
		"{\"filename\": \"other-1.0-py3-none-any.whl\", \"url\": \"o.whl\", \"hashes\": {}}]}";
	struct hwb_reqs__project p = { 0 };
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	p.name = strdup("wheel");
	assert_int_equal(hwb_reqs__index_parse(page, strlen(page), 1, PAGE, &p, &err), 0);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.dists[0].version, "0.38.4");
	assert_string_equal(p.dists[0].sha256, SHA);
	assert_string_equal(p.dists[0].requires_python, ">=3.7");
	assert_int_equal(p.dists[0].size, 36047);
	assert_string_equal(p.dists[0].url, "https://index.example/f/wheel-0.38.4-py3-none-any.whl");
	assert_string_equal(p.dists[0].index_page, PAGE);
	/* A malformed hash is left to be computed from the download. */
	assert_string_equal(p.dists[1].sha256, "");
	release(&p);
}

static void test_json_errors(void **state)
{
	static const char *const bad[] = {
		"{}", "[1]", "not json", "{\"files\": [{\"url\": \"x\"}]}",
	};
	struct hwb_reqs__project p = { 0 };
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;

	(void)state;
	p.name = strdup("wheel");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(hwb_reqs__index_parse(bad[i], strlen(bad[i]), 1,
							PAGE, &p, &err), -1);
		assert_string_equal(err.code, "HWB-B131");
	}
	release(&p);
}

static void test_html(void **state)
{
	static const char page[] =
		"<!DOCTYPE html><html><body><h1>Links for wheel</h1>\n"
		"<a href=\"/f/wheel-0.38.4-py3-none-any.whl#sha256=" SHA "\" "
		"data-requires-python=\"&gt;=3.7\">wheel-0.38.4-py3-none-any.whl</a><br/>\n"
		"<A HREF='w2.whl' data-yanked=\"\">wheel-0.38.3-py3-none-any.whl</A>\n"
		"<a href=\"w3.whl#md5=00\">\n  wheel-0.37.0-py3-none-any.whl </a>\n"
		"<a name=\"x\">no href</a><abbr>x</abbr>"
		"<a href=\"evil/../w.whl\">../wheel-1-py3-none-any.whl</a>"
		"</body></html>";
	struct hwb_reqs__project p = { 0 };
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	p.name = strdup("wheel");
	assert_int_equal(hwb_reqs__index_parse(page, strlen(page), 0, PAGE, &p, &err), 0);
	assert_int_equal(p.count, 2);
	assert_string_equal(p.dists[0].url, "https://index.example/f/wheel-0.38.4-py3-none-any.whl");
	assert_string_equal(p.dists[0].sha256, SHA);
	assert_string_equal(p.dists[0].requires_python, ">=3.7");
	assert_string_equal(p.dists[1].version, "0.37.0");
	assert_string_equal(p.dists[1].sha256, "");
	release(&p);
}

/* A project page with many files (PyPI's setuptools lists thousands)
 * parses in linear time: 10000 anchors with no data-yanked attribute. */
static void test_html_large(void **state)
{
	struct hwb_reqs__project p = { 0 };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf page = HWB_BUF_INIT;
	size_t i;

	(void)state;
	p.name = strdup("wheel");
	hwb_buf_puts(&page, "<html><body>\n");
	for (i = 0; i < 10000; i++)
		hwb_buf_printf(&page, "<a href=\"/f/wheel-1.%zu-py3-none-any.whl#sha256="
			       SHA "\">wheel-1.%zu-py3-none-any.whl</a><br/>\n", i, i);
	hwb_buf_puts(&page, "</body></html>");
	assert_int_equal(hwb_reqs__index_parse(page.ptr, page.len, 0, PAGE, &p, &err), 0);
	assert_int_equal(p.count, 10000);
	assert_string_equal(p.dists[9999].version, "1.9999");
	release(&p);
	hwb_buf_release(&page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_join),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_html_large),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
