/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded trust files and the date their age counts from
 * (CLI_TRUST_EMBEDDED_DATE in cmd/hwb/trust.h) stay together: each embedded
 * trusted_root.json and signing config must be the file hashed next to the
 * date, and none may list a validity start after the date. Replacing a file
 * without updating the date and hashes fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "cmd/hwb/trust.h"
#include "pkg/core/hash.h"
#include "pkg/sign/internal.h"
#include "pkg/sign/sign.h"

/* The latest "start" (an RFC 3339 UTC time, which sorts as text) in v. */
static void latest_start(const json_t *v, char *latest, size_t n)
{
	const char *key;
	const json_t *item;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item) {
			if (!strcmp(key, "start") && json_is_string(item) &&
			    strcmp(json_string_value(item), latest) > 0)
				snprintf(latest, n, "%s", json_string_value(item));
			latest_start(item, latest, n);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			latest_start(item, latest, n);
	}
}

static void check(const char *what, const char *data, size_t len,
		  const char *want_sha256)
{
	char hex[HWB_HASH_MAX_HEX], latest[64] = "";
	json_t *doc;

	assert_int_equal(hwb_hash_buffer_hex(HWB_HASH_SHA256, data, len, hex, NULL), 0);
	if (strcmp(hex, want_sha256))
		fail_msg("embedded %s changed (sha256 %s): update "
			 "CLI_TRUST_EMBEDDED_DATE and its hashes in cmd/hwb/trust.h",
			 what, hex);
	assert_non_null(doc = json_loadb(data, len, 0, NULL));
	latest_start(doc, latest, sizeof(latest));
	json_decref(doc);
	assert_true(latest[0] != 0);
	if (strcmp(latest, CLI_TRUST_EMBEDDED_DATE) > 0)
		fail_msg("embedded %s lists a start (%s) after "
			 "CLI_TRUST_EMBEDDED_DATE (%s)", what, latest,
			 CLI_TRUST_EMBEDDED_DATE);
}

static void test_embedded_files_match_their_date(void **state)
{
	const char *data;
	size_t len;

	(void)state;
	data = hwb_verify_embedded_root(0, &len);
	check("production trusted_root.json", data, len, CLI_TRUST_EMBEDDED_ROOT_SHA256);
	data = hwb_sign__embedded_signing_config(0, &len);
	check("production signing config", data, len, CLI_TRUST_EMBEDDED_CONFIG_SHA256);
	data = hwb_verify_embedded_root(1, &len);
	check("staging trusted_root.json", data, len,
	      CLI_TRUST_EMBEDDED_STAGING_ROOT_SHA256);
	data = hwb_sign__embedded_signing_config(1, &len);
	check("staging signing config", data, len,
	      CLI_TRUST_EMBEDDED_STAGING_CONFIG_SHA256);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_files_match_their_date),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
