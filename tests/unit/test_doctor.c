/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_doctor.c: pkg/doctor's report without the machine: the AppArmor item
 * for each setting of kernel.apparmor_restrict_unprivileged_userns (this
 * machine has none), the text and JSON forms, and the redaction of what an
 * item quotes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "pkg/core/log.h"
#include "pkg/doctor/internal.h"

static const struct hwb_doctor_item *apparmor(struct hwb_doctor_report *r,
					      long restrict_, int sandbox,
					      int root)
{
	struct hwb_sandbox_host h = { 15000, -1, restrict_, 0 };

	hwb_doctor_report_release(r);
	assert_int_equal(hwb_doctor__apparmor(r, &h, sandbox, root), 0);
	assert_int_equal(r->count, 1);
	return &r->items[0];
}

static void test_apparmor(void **state)
{
	struct hwb_doctor_report r = HWB_DOCTOR_REPORT_INIT;
	const struct hwb_doctor_item *it;

	(void)state;
	it = apparmor(&r, -1, 1, 0);
	assert_int_equal(it->status, HWB_DOCTOR_OK);
	assert_null(it->remedy);
	it = apparmor(&r, 0, 1, 0);
	assert_int_equal(it->status, HWB_DOCTOR_OK);
	/* Ubuntu 24.04, unprivileged: the sandbox cannot be made */
	it = apparmor(&r, 1, 1, 0);
	assert_int_equal(it->status, HWB_DOCTOR_FAIL);
	assert_string_equal(it->code, "HWB-B001");
	assert_non_null(strstr(it->remedy, "sudo sysctl -w kernel.apparmor_"
				"restrict_unprivileged_userns=0"));
	assert_false(hwb_doctor_passed(&r));
	/* the same with build.isolation = container: only a warning */
	it = apparmor(&r, 1, 0, 0);
	assert_int_equal(it->status, HWB_DOCTOR_WARN);
	assert_true(hwb_doctor_passed(&r));
	/* root is not restricted */
	it = apparmor(&r, 1, 1, 1);
	assert_int_equal(it->status, HWB_DOCTOR_OK);
	assert_non_null(strstr(it->detail, "runs as root"));
	hwb_doctor_report_release(&r);
}

static void test_render_redacts(void **state)
{
	static const char secret[] = "s3cr3t-value-for-the-doctor-test";
	struct hwb_doctor_report r = HWB_DOCTOR_REPORT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT, js = HWB_BUF_INIT;
	json_t *doc, *items;

	(void)state;
	assert_int_equal(hwb_redact_register(secret), 0);
	assert_int_equal(hwb_doctor__add(&r, "config", HWB_DOCTOR_OK, NULL, NULL,
					 "valid: %s", "hwb.toml"), 0);
	assert_int_equal(hwb_doctor__add(&r, "audit", HWB_DOCTOR_WARN,
					 "HWB-D005", "set audit.dir",
					 "cannot write /logs/%s", secret), 0);
	assert_int_equal(hwb_doctor_render(&r, 0, &text, &err), 0);
	assert_null(strstr(text.ptr, secret));
	assert_non_null(strstr(text.ptr, "ok    config      valid: hwb.toml\n"));
	assert_non_null(strstr(text.ptr, "warn  audit       cannot write /logs/"));
	assert_non_null(strstr(text.ptr, " (HWB-D005; fix: set audit.dir)\n"));
	assert_non_null(strstr(text.ptr, "can run here (1 warning)\n"));
	assert_int_equal(hwb_doctor_render(&r, 1, &js, &err), 0);
	assert_null(strstr(js.ptr, secret));
	doc = json_loads(js.ptr, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")),
			    "hwb.doctor/1");
	assert_true(json_is_true(json_object_get(doc, "ok")));
	items = json_object_get(doc, "items");
	assert_int_equal(json_array_size(items), 2);
	assert_true(json_is_null(json_object_get(json_array_get(items, 0), "code")));
	json_decref(doc);
	hwb_buf_release(&text);
	hwb_buf_release(&js);
	hwb_doctor_report_release(&r);
	hwb_redact_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apparmor),
		cmocka_unit_test(test_render_redacts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
