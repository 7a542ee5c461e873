/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the pure parts of pkg/publish: the metadata-to-form field
 * mapping, the upload order, the URL rules, and the readers of the index's
 * answers (error pages, audience, mint-token).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pkg/core/log.h"
#include "pkg/publish/internal.h"

static void test_field_mapping(void **state)
{
	int multi = -1;

	(void)state;
	assert_string_equal(hwb_publish__field_for("Classifier", &multi), "classifiers");
	assert_int_equal(multi, 1);
	assert_string_equal(hwb_publish__field_for("home-page", &multi), "home_page");
	assert_int_equal(multi, 0);
	assert_string_equal(hwb_publish__field_for("Provides-Extra", &multi), "provides_extra");
	assert_string_equal(hwb_publish__field_for("License-File", &multi), "license_file");
	assert_string_equal(hwb_publish__field_for("Project-URL", &multi), "project_urls");
	assert_null(hwb_publish__field_for("Description", &multi));
	assert_null(hwb_publish__field_for("X-Custom", &multi));
}

static const char *value_of(const struct hwb_publish__form *f, const char *name, size_t nth)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (!strcmp(f->parts[i].name, name) && nth-- == 0)
			return f->parts[i].value;
	return NULL;
}

static void test_form_from_metadata(void **state)
{
	static const char text[] =
		"Metadata-Version: 2.4\nName: Sample.Pkg\nVersion: 1.0\n"
		"Summary: first\nSummary: second\nClassifier: A :: B\n"
		"Classifier: C :: D\nRequires-Dist: x>=1\nKeywords:\n\nThe body.\n";
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_publish__form f = HWB_PUBLISH__FORM_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_metadata_parse(text, sizeof(text) - 1, &md, &err), 0);
	assert_int_equal(hwb_publish__form_build(&f, &md, "sample_pkg-1.0-1-py2.py3-none-any.whl",
						 &err), 0);
	assert_string_equal(f.parts[0].name, ":action");
	assert_string_equal(value_of(&f, "protocol_version", 0), "1");
	assert_string_equal(value_of(&f, "filetype", 0), "bdist_wheel");
	assert_string_equal(value_of(&f, "pyversion", 0), "py2.py3");
	assert_string_equal(value_of(&f, "name", 0), "Sample.Pkg");
	assert_string_equal(value_of(&f, "metadata_version", 0), "2.4");
	assert_string_equal(value_of(&f, "summary", 0), "first");
	assert_null(value_of(&f, "summary", 1));
	assert_string_equal(value_of(&f, "classifiers", 1), "C :: D");
	assert_string_equal(value_of(&f, "requires_dist", 0), "x>=1");
	assert_null(value_of(&f, "keywords", 0)); /* empty: not sent */
	assert_string_equal(value_of(&f, "description", 0), "The body.\n");
	hwb_publish__form_release(&f);
	assert_int_equal(hwb_publish__form_build(&f, &md, "sample_pkg-1.0.tar.gz", &err), 0);
	assert_string_equal(value_of(&f, "filetype", 0), "sdist");
	assert_string_equal(value_of(&f, "pyversion", 0), "source");
	hwb_publish__form_release(&f);
	hwb_metadata_release(&md);
}

static void test_form_needs_name_and_version(void **state)
{
	static const char text[] = "Metadata-Version: 2.1\nName: x\n";
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_publish__form f = HWB_PUBLISH__FORM_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_metadata_parse(text, sizeof(text) - 1, &md, &err), 0);
	assert_int_equal(hwb_publish__form_build(&f, &md, "x-1-py3-none-any.whl", &err), -1);
	assert_string_equal(err.code, "HWB-P005");
	hwb_publish__form_release(&f);
	hwb_metadata_release(&md);
}

static void test_order(void **state)
{
	(void)state;
	assert_true(hwb_publish__order("d/b-1.tar.gz", "d/a-1-py3-none-any.whl") > 0);
	assert_true(hwb_publish__order("a-1-cp311-x.whl", "a-1-cp312-x.whl") < 0);
	assert_int_equal(hwb_publish__kind("a.zip"), -1);
}

static void test_url_rules(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char *p;

	(void)state;
	assert_int_equal(hwb_publish__check_url("https://upload.pypi.org/legacy/", &err), 0);
	assert_int_equal(hwb_publish__check_url("http://127.0.0.1:8080/legacy/", &err), 0);
	assert_int_equal(hwb_publish__check_url("http://[::1]/legacy/", &err), 0);
	assert_int_equal(hwb_publish__check_url("http://localhost/legacy/", &err), 0);
	assert_int_equal(hwb_publish__check_url("http://pypi.org/legacy/", &err), -1);
	assert_string_equal(err.code, "HWB-P002");
	assert_int_equal(hwb_publish__check_url("http://127.0.0.1.evil.test/", &err), -1);
	assert_int_equal(hwb_publish__check_url("https://u:secret@x.test/", &err), -1);
	assert_null(strstr(err.message, "secret"));
	p = hwb_publish__project_url(HWB_PUBLISH_PYPI_URL, "Sample.Pkg", "1.0");
	assert_string_equal(p, "https://pypi.org/project/Sample.Pkg/1.0/");
	free(p);
	p = hwb_publish__project_url("http://127.0.0.1:9/legacy/", "Sample.Pkg", "1.0");
	assert_string_equal(p, "http://127.0.0.1:9/simple/sample-pkg/");
	free(p);
}

static void test_error_text(void **state)
{
	static const char page[] = "<html>\n <head>\n  <title>400 File already exists "
				   "('a.whl', with blake2_256 hash 'ab').</title>\n";
	struct hwb_buf out = HWB_BUF_INIT;

	(void)state;
	hwb_publish__error_text(page, sizeof(page) - 1, &out);
	assert_string_equal(out.ptr, "File already exists ('a.whl', with blake2_256 hash 'ab').");
	assert_true(hwb_publish__already_exists(400, out.ptr));
	assert_false(hwb_publish__already_exists(403, out.ptr));
	assert_true(hwb_publish__already_exists(409, ""));
	hwb_publish__error_text("\n\n403 Invalid auth\x01\nmore", 27, &out);
	assert_string_equal(out.ptr, "Invalid auth?");
	hwb_buf_release(&out);
}

static void test_answers(void **state)
{
	static const char ok[] = "{\"success\":true,\"token\":\"pypi-minted-abcdef\",\"expires\":1700000900}";
	static const char refused[] = "{\"message\":\"Token request failed\",\"errors\":["
				      "{\"code\":\"invalid-publisher\",\"description\":\"valid token, "
				      "but no corresponding publisher\"}]}";
	struct hwb_publish__mint m = HWB_PUBLISH__MINT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *aud = NULL;

	(void)state;
	assert_int_equal(hwb_publish__parse_mint(200, ok, sizeof(ok) - 1, &m, &err), 0);
	assert_string_equal(m.token, "pypi-minted-abcdef");
	assert_int_equal(m.expires, 1700000900);
	assert_int_equal(hwb_publish__parse_mint(422, refused, sizeof(refused) - 1, &m, &err), 0);
	assert_null(m.token);
	assert_string_equal(m.first_code, "invalid-publisher");
	assert_non_null(strstr(m.errors.ptr, "no corresponding publisher"));
	assert_int_equal(hwb_publish__parse_mint(200, "{}", 2, &m, &err), -1);
	assert_string_equal(err.code, "HWB-P011");
	hwb_publish__mint_release(&m);
	assert_int_equal(hwb_publish__parse_audience("{\"audience\":\"pypi\"}", 19, &aud, &err), 0);
	assert_string_equal(aud, "pypi");
	free(aud);
	assert_int_equal(hwb_publish__parse_audience("{\"audience\":5}", 14, &aud, &err), -1);
	assert_string_equal(err.code, "HWB-P010");
	hwb_redact_reset();
}

/*
 * The streamed digests equal the digests of the whole body, for blocks
 * larger than a ring slot too, and a start-over forgets what came before.
 */
static void test_stream_digests(void **state)
{
	const size_t n = (3u << 20) + 12345; /* 3 MiB and a bit: several slots */
	unsigned char *body = malloc(n);
	struct hwb_publish__stream *s = NULL;
	struct hwb_error err = HWB_ERROR_INIT;
	char sha[HWB_HASH_MAX_HEX], b2[HWB_HASH_MAX_HEX];
	char want_sha[HWB_HASH_MAX_HEX], want_b2[HWB_HASH_MAX_HEX];
	size_t i, off, step;

	(void)state;
	assert_non_null(body);
	for (i = 0; i < n; i++)
		body[i] = (unsigned char)(i * 2654435761u >> 13);
	assert_int_equal(hwb_hash_buffer_hex(HWB_HASH_SHA256, body, n, want_sha, &err), 0);
	assert_int_equal(hwb_hash_buffer_hex(HWB_HASH_BLAKE2B_256, body, n, want_b2, &err), 0);
	assert_int_equal(hwb_publish__stream_new(&s, &err), 0);
	/* a first attempt cut short, then the body again from the start */
	hwb_publish__stream_tap(s, body, 100000);
	hwb_publish__stream_tap(s, NULL, 0);
	for (off = 0, step = 1; off < n; off += step, step = step * 7 % (1100u << 10) + 1)
		hwb_publish__stream_tap(s, body + off, off + step > n ? n - off : step);
	assert_int_equal(hwb_publish__stream_final(s, sha, b2), n);
	assert_string_equal(sha, want_sha);
	assert_string_equal(b2, want_b2);
	/* again, after a final: a retry of the whole upload */
	hwb_publish__stream_tap(s, NULL, 0);
	hwb_publish__stream_tap(s, body, n);
	assert_int_equal(hwb_publish__stream_final(s, sha, b2), n);
	assert_string_equal(sha, want_sha);
	hwb_publish__stream_free(s);
	free(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_mapping),
		cmocka_unit_test(test_form_from_metadata),
		cmocka_unit_test(test_form_needs_name_and_version),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_url_rules),
		cmocka_unit_test(test_error_text),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_stream_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
