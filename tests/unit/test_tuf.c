/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/tuf: OLPC canonical JSON where it differs from RFC
 * 8785 (expected forms from tuf-js's @tufjs/canonical-json 2.x, except the
 * order of names above U+FFFF, where python-tuf's securesystemslib and
 * this client sort by code point and tuf-js by UTF-16 unit), the embedded
 * anchors, and the cache directory rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/json.h"
#include "pkg/tuf/tuf.h"

static void canon_is(const char *in, const char *want)
{
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_tuf_canonicalize(&out, in, strlen(in), &err), 0);
	assert_string_equal(out.ptr, want);
	hwb_buf_release(&out);
}

static void test_canonical_forms(void **state)
{
	(void)state;
	canon_is("{\"b\":\"q\\\"\\\\\", \"a\": [1, -2, true, null, {}]}",
		 "{\"a\":[1,-2,true,null,{}],\"b\":\"q\\\"\\\\\"}");
	/* control characters stay raw: JCS would write \n and \u0001 */
	canon_is("{\"s\":\"line\\nfeed\\u0001\"}", "{\"s\":\"line\nfeed\001\"}");
	/* UTF-8 as is, names by code point: U+FFFF before U+10000 */
	canon_is("{\"\\ud800\\udc00\":1,\"\\uffff\":2,\"a\":3}",
		 "{\"a\":3,\"\xef\xbf\xbf\":2,\"\xf0\x90\x80\x80\":1}");
	canon_is("{\"\\u00e9\":\"\\u00fc\"}", "{\"\xc3\xa9\":\"\xc3\xbc\"}");
}

static void test_canonical_differs_from_jcs(void **state)
{
	const char *in = "{\"s\":\"a\\tb\"}";
	struct hwb_buf olpc = HWB_BUF_INIT, jcs = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_tuf_canonicalize(&olpc, in, strlen(in), &err), 0);
	assert_int_equal(hwb_json_canonicalize(&jcs, in, strlen(in), &err), 0);
	assert_string_equal(olpc.ptr, "{\"s\":\"a\tb\"}");
	assert_string_equal(jcs.ptr, "{\"s\":\"a\\tb\"}");
	hwb_buf_release(&olpc);
	hwb_buf_release(&jcs);
}

static void refused(const char *in)
{
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_tuf_canonicalize(&out, in, strlen(in), &err), -1);
	assert_string_equal(err.code, "HWB-R002");
	assert_int_equal(out.len, 0);
	hwb_buf_release(&out);
}

static void test_canonical_refusals(void **state)
{
	(void)state;
	refused("{\"a\":1.5}");  /* floats have no canonical form */
	refused("{\"a\":1e3}");
	refused("{\"a\":1,\"a\":2}"); /* one value per name */
	refused("{\"a\":");
}

static void test_embedded_anchors(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	const char *root;
	size_t len;

	(void)state;
	root = hwb_tuf_embedded_root(0, &len);
	assert_int_equal(hwb_tuf_root_version(root, len), 15);
	assert_int_equal(hwb_tuf_parse_check(root, len, &err), 0);
	root = hwb_tuf_embedded_root(1, &len);
	assert_int_equal(hwb_tuf_root_version(root, len), 14);
	assert_int_equal(hwb_tuf_parse_check(root, len, &err), 0);
	root = "{\"signed\":{\"_type\":\"root\"},\"signatures\":[]}";
	assert_int_equal(hwb_tuf_parse_check(root, strlen(root), &err), -1);
	assert_string_equal(err.code, "HWB-R001");
}

static void test_cache_dir(void **state)
{
	struct hwb_buf dir = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	setenv("HOME", "/home/u", 1);
	unsetenv("XDG_CACHE_HOME");
	assert_int_equal(hwb_tuf_cache_dir("https://tuf-repo-cdn.sigstore.dev", &dir, &err), 0);
	assert_string_equal(dir.ptr, "/home/u/.cache/hwb/tuf/tuf-repo-cdn.sigstore.dev");
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	assert_int_equal(hwb_tuf_cache_dir("http://127.0.0.1:8080/repo/", &dir, &err), 0);
	assert_string_equal(dir.ptr, "/x/cache/hwb/tuf/127.0.0.1_8080");
	setenv("XDG_CACHE_HOME", "relative", 1); /* ignored, as XDG says */
	assert_int_equal(hwb_tuf_cache_dir("https://h.test", &dir, &err), 0);
	assert_string_equal(dir.ptr, "/home/u/.cache/hwb/tuf/h.test");
	assert_int_equal(hwb_tuf_cache_dir("https://u@h.test/", &dir, &err), -1);
	assert_string_equal(err.code, "HWB-R014");
	assert_int_equal(hwb_tuf_cache_dir("https://../", &dir, &err), -1);
	hwb_buf_release(&dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_forms),
		cmocka_unit_test(test_canonical_differs_from_jcs),
		cmocka_unit_test(test_canonical_refusals),
		cmocka_unit_test(test_embedded_anchors),
		cmocka_unit_test(test_cache_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
