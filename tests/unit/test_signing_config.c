/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/sign/signing_config.c: the embedded production and
 * staging signing configs at fixed dates, validity windows, operators,
 * selectors, versions, URLs and the refusals with their codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/sign/internal.h"

#define MT "\"mediaType\":\"application/vnd.dev.sigstore.signingconfig.v0.2+json\""
#define FROM(s) "{\"start\":\"" s "\"}"
#define SPAN(s, e) "{\"start\":\"" s "\",\"end\":\"" e "\"}"
#define SVC(url, major, range, op)                                         \
	"{\"url\":\"" url "\",\"majorApiVersion\":" #major ",\"validFor\":" \
	range ",\"operator\":\"" op "\"}"
#define CA "\"caUrls\":[" SVC("https://ca.test", 1, FROM("2020-01-01T00:00:00Z"), "a") "]"
/* A config with one CA, these logs and this rekorTlogConfig (may be ""). */
#define TLOGS(list, cfg) "{" MT "," CA ",\"rekorTlogUrls\":[" list "]" cfg "}"
#define ANY ",\"rekorTlogConfig\":{\"selector\":\"ANY\"}"
#define ALL ",\"rekorTlogConfig\":{\"selector\":\"ALL\"}"
#define EXACT(n) ",\"rekorTlogConfig\":{\"selector\":\"EXACT\",\"count\":" #n "}"

static int64_t at(const char *rfc3339)
{
	int64_t t = 0;

	assert_int_equal(hwb_sign__parse_rfc3339(rfc3339, &t), 0);
	return t;
}

static void parse_ok(struct hwb_sign__signing_config *c, const char *text)
{
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_sign__signing_config_parse(c, text, strlen(text), "sc.json", &err))
		fail_msg("%s: %s", err.code, err.message);
}

static void parse_refused(const char *text, const char *code)
{
	struct hwb_sign__signing_config c;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_sign__signing_config_parse(&c, text, strlen(text),
							"sc.json", &err), -1);
	assert_string_equal(err.code, code);
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	assert_string_equal(err.file, "sc.json");
	assert_true(err.hint[0] != '\0');
	/* a refused parse leaves nothing to free */
	assert_null(c.ca);
	assert_int_equal(c.ntlog, 0);
	hwb_sign__signing_config_release(&c);
}

static void select_ok(const struct hwb_sign__signing_config *c,
		      const char *now, unsigned rekor,
		      struct hwb_sign__selection *sel)
{
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_sign__signing_config_select(c, at(now), rekor, sel, &err))
		fail_msg("%s: %s", err.code, err.message);
	assert_non_null(sel->ca);
}

static void select_refused(const struct hwb_sign__signing_config *c,
			   const char *now, unsigned rekor, const char *code)
{
	struct hwb_sign__selection sel;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_sign__signing_config_select(c, at(now), rekor, &sel,
							 &err), -1);
	assert_string_equal(err.code, code);
	assert_null(sel.ca);
	assert_int_equal(sel.ntlogs, 0);
}

static void embedded(struct hwb_sign__signing_config *c, int staging)
{
	struct hwb_error err = HWB_ERROR_INIT;
	size_t len = 0;
	const char *text = hwb_sign__embedded_signing_config(staging, &len);

	assert_true(len > 100);
	if (hwb_sign__signing_config_parse(c, text, len,
					   staging ? "staging" : "production", &err))
		fail_msg("%s: %s", err.code, err.message);
}

static void test_production(void **state)
{
	struct hwb_sign__signing_config c;
	struct hwb_sign__selection sel;

	(void)state;
	embedded(&c, 0);
	assert_int_equal(c.tlog_sel, HWB_SIGN__SEL_ANY);
	assert_int_equal(c.tsa_sel, HWB_SIGN__SEL_ANY);
	select_ok(&c, "2026-01-15T12:00:00Z", 0, &sel);
	assert_string_equal(sel.ca->url, "https://fulcio.sigstore.dev");
	assert_string_equal(sel.ca->operator_name, "sigstore.dev");
	assert_non_null(sel.oidc);
	assert_string_equal(sel.oidc->url, "https://oauth2.sigstore.dev/auth");
	assert_int_equal(sel.ntlogs, 1);
	assert_string_equal(sel.tlogs[0]->url, "https://rekor.sigstore.dev");
	assert_int_equal(sel.tlogs[0]->major, 1);
	assert_int_equal(sel.ntsas, 1);
	assert_string_equal(sel.tsas[0]->url,
			    "https://timestamp.sigstore.dev/api/v1/timestamp");
	/* the same with Rekor v1 asked for; none of v2 in production */
	select_ok(&c, "2026-01-15T12:00:00Z", 1, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://rekor.sigstore.dev");
	select_refused(&c, "2026-01-15T12:00:00Z", 2, "HWB-S009");
	/* the TSA starts 2025-07-04: before, ANY finds none (as sigstore-python) */
	select_refused(&c, "2025-07-03T23:59:59Z", 0, "HWB-S010");
	select_ok(&c, "2025-07-04T00:00:00Z", 0, &sel);
	/* before the CA's start */
	select_refused(&c, "2022-04-13T20:06:14Z", 0, "HWB-S008");
	hwb_sign__signing_config_release(&c);
	hwb_sign__signing_config_release(&c); /* idempotent */
}

static void test_staging(void **state)
{
	struct hwb_sign__signing_config c;
	struct hwb_sign__selection sel;

	(void)state;
	embedded(&c, 1);
	/* the newest v2 log wins over the v1 log of the same operator */
	select_ok(&c, "2026-01-15T12:00:00Z", 0, &sel);
	assert_string_equal(sel.ca->url, "https://fulcio.sigstage.dev");
	assert_int_equal(sel.ntlogs, 1);
	assert_string_equal(sel.tlogs[0]->url, "https://log2025-alpha3.rekor.sigstage.dev");
	assert_int_equal(sel.tlogs[0]->major, 2);
	assert_string_equal(sel.tsas[0]->url,
			    "https://timestamp.sigstage.dev/api/v1/timestamp");
	select_ok(&c, "2026-01-15T12:00:00Z", 2, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://log2025-alpha3.rekor.sigstage.dev");
	select_ok(&c, "2026-01-15T12:00:00Z", 1, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://rekor.sigstage.dev");
	assert_int_equal(sel.tlogs[0]->major, 1);
	/* alpha2 until 2025-09-22T11:00:00Z inclusive; alpha3 from then */
	select_ok(&c, "2025-09-22T10:59:59Z", 0, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://log2025-alpha2.rekor.sigstage.dev");
	/* both valid at the instant: the newer start (the proto's rule) */
	select_ok(&c, "2025-09-22T11:00:00Z", 0, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://log2025-alpha3.rekor.sigstage.dev");
	select_ok(&c, "2025-06-01T00:00:00Z", 0, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://log2025-alpha1.rekor.sigstage.dev");
	/* before alpha1 and the OIDC provider: v1 log, no OIDC, a TSA */
	select_ok(&c, "2025-04-10T00:00:00Z", 0, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://rekor.sigstage.dev");
	assert_null(sel.oidc);
	assert_int_equal(sel.ntsas, 1);
	select_refused(&c, "2025-04-10T00:00:00Z", 2, "HWB-S009");
	hwb_sign__signing_config_release(&c);
}

static void test_validity_window(void **state)
{
	struct hwb_sign__signing_config c;
	struct hwb_sign__selection sel;

	(void)state;
	parse_ok(&c, TLOGS(SVC("https://old.test", 1, SPAN("2024-01-01T00:00:00Z",
							     "2024-06-30T23:59:59.999Z"), "o")
			   "," SVC("https://new.test/", 1, FROM("2024-07-01T00:00:00+02:00"), "n"),
			   ALL));
	assert_string_equal(c.tlog[1].url, "https://new.test"); /* no trailing slash */
	select_refused(&c, "2023-12-31T23:59:59Z", 0, "HWB-S009");
	select_ok(&c, "2024-01-01T00:00:00Z", 0, &sel); /* start inclusive */
	assert_int_equal(sel.ntlogs, 1);
	assert_string_equal(sel.tlogs[0]->url, "https://old.test");
	/* the fraction is dropped: the end is 23:59:59, inclusive; the new one
	 * starts at 22:00 UTC on June 30 */
	select_ok(&c, "2024-06-30T23:59:59Z", 0, &sel);
	assert_int_equal(sel.ntlogs, 2);
	select_ok(&c, "2024-07-01T00:00:00Z", 0, &sel);
	assert_int_equal(sel.ntlogs, 1);
	assert_string_equal(sel.tlogs[0]->url, "https://new.test");
	/* open end */
	select_ok(&c, "2099-01-01T00:00:00Z", 0, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://new.test");
	hwb_sign__signing_config_release(&c);
}

#define TWO_OPERATORS                                                      \
	SVC("https://a1.test", 1, FROM("2020-01-01T00:00:00Z"), "a.dev") ","  \
	SVC("https://b1.test", 1, FROM("2020-01-01T00:00:00Z"), "b.dev") ","  \
	SVC("https://a2.test", 2, FROM("2021-01-01T00:00:00Z"), "a.dev") ","  \
	SVC("https://a2-old.test", 2, SPAN("2019-01-01T00:00:00Z", "2030-01-01T00:00:00Z"), "a.dev")

static void test_operators_and_selectors(void **state)
{
	struct hwb_sign__signing_config c;
	struct hwb_sign__selection sel;
	const char *now = "2025-01-01T00:00:00Z";

	(void)state;
	/* ALL: one per operator, its highest version (newest start among
	 * equals), operators in the order first listed */
	parse_ok(&c, TLOGS(TWO_OPERATORS, ALL));
	select_ok(&c, now, 0, &sel);
	assert_int_equal(sel.ntlogs, 2);
	assert_string_equal(sel.tlogs[0]->url, "https://a2.test");
	assert_string_equal(sel.tlogs[1]->url, "https://b1.test");
	select_ok(&c, now, 1, &sel);
	assert_int_equal(sel.ntlogs, 2);
	assert_string_equal(sel.tlogs[0]->url, "https://a1.test");
	assert_string_equal(sel.tlogs[1]->url, "https://b1.test");
	select_ok(&c, now, 2, &sel);
	assert_int_equal(sel.ntlogs, 1);
	assert_string_equal(sel.tlogs[0]->url, "https://a2.test");
	/* before a2.test starts, the older v2 log of operator a */
	select_ok(&c, "2020-06-01T00:00:00Z", 2, &sel);
	assert_string_equal(sel.tlogs[0]->url, "https://a2-old.test");
	hwb_sign__signing_config_release(&c);

	/* no rekorTlogConfig: every service, as sigstore-python */
	parse_ok(&c, TLOGS(TWO_OPERATORS, ""));
	assert_int_equal(c.tlog_sel, HWB_SIGN__SEL_ALL);
	select_ok(&c, now, 0, &sel);
	assert_int_equal(sel.ntlogs, 2);
	hwb_sign__signing_config_release(&c);

	parse_ok(&c, TLOGS(TWO_OPERATORS, ANY));
	select_ok(&c, now, 0, &sel);
	assert_int_equal(sel.ntlogs, 1);
	assert_string_equal(sel.tlogs[0]->url, "https://a2.test");
	hwb_sign__signing_config_release(&c);

	parse_ok(&c, TLOGS(TWO_OPERATORS, EXACT(2)));
	assert_int_equal(c.tlog_count, 2);
	select_ok(&c, now, 0, &sel);
	assert_int_equal(sel.ntlogs, 2);
	/* one operator only with v2 */
	select_refused(&c, now, 2, "HWB-S010");
	hwb_sign__signing_config_release(&c);

	/* EXACT with too few operators, however many services */
	parse_ok(&c, TLOGS(TWO_OPERATORS, EXACT(3)));
	select_refused(&c, now, 0, "HWB-S010");
	hwb_sign__signing_config_release(&c);

	/* the enum by number, as protobuf JSON allows: 2 = ANY */
	parse_ok(&c, TLOGS(TWO_OPERATORS, ",\"rekorTlogConfig\":{\"selector\":2}"));
	assert_int_equal(c.tlog_sel, HWB_SIGN__SEL_ANY);
	hwb_sign__signing_config_release(&c);
	/* no TSA listed and no tsaConfig: none selected, no error */
	parse_ok(&c, TLOGS(TWO_OPERATORS, ANY));
	select_ok(&c, now, 0, &sel);
	assert_int_equal(sel.ntsas, 0);
	assert_null(sel.oidc);
	hwb_sign__signing_config_release(&c);
}

static void test_versions(void **state)
{
	struct hwb_sign__signing_config c;
	struct hwb_sign__selection sel;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	/* v3 and v0 (no majorApiVersion: the zero value) are not supported */
	parse_ok(&c, TLOGS(SVC("https://v3.test", 3, FROM("2020-01-01T00:00:00Z"), "a") ","
			   SVC("https://v1.test", 1, FROM("2020-01-01T00:00:00Z"), "a") ","
			   "{\"url\":\"https://v0.test\",\"validFor\":" FROM("2020-01-01T00:00:00Z") "}",
			   ALL));
	assert_int_equal(c.tlog[2].major, 0);
	assert_string_equal(c.tlog[2].operator_name, "");
	select_ok(&c, "2025-01-01T00:00:00Z", 0, &sel);
	assert_int_equal(sel.ntlogs, 1);
	assert_string_equal(sel.tlogs[0]->url, "https://v1.test");
	assert_int_equal(hwb_sign__signing_config_select(&c, 0, 3, &sel, &err), -1);
	assert_string_equal(err.code, "HWB-S011");
	assert_int_equal(err.kind, HWB_KIND_USAGE);
	hwb_sign__signing_config_release(&c);

	/* a CA of version 2 only: no CA */
	parse_ok(&c, "{" MT ",\"caUrls\":[" SVC("https://ca2.test", 2, FROM("2020-01-01T00:00:00Z"), "a")
		 "],\"rekorTlogUrls\":[" SVC("https://r.test", 1, FROM("2020-01-01T00:00:00Z"), "a") "]}");
	select_refused(&c, "2025-01-01T00:00:00Z", 0, "HWB-S008");
	hwb_sign__signing_config_release(&c);
	/* no log at all */
	parse_ok(&c, "{" MT "," CA "}");
	select_refused(&c, "2025-01-01T00:00:00Z", 0, "HWB-S009");
	hwb_sign__signing_config_release(&c);
	/* majorApiVersion as a decimal string, null scalars as absent */
	parse_ok(&c, TLOGS("{\"url\":\"https://s.test\",\"majorApiVersion\":\"2\",\"operator\":null,"
			   "\"validFor\":{\"start\":\"2020-01-01T00:00:00Z\",\"end\":null}}", ANY));
	assert_int_equal(c.tlog[0].major, 2);
	assert_string_equal(c.tlog[0].operator_name, "");
	assert_int_equal(c.tlog[0].valid.has_end, 0);
	hwb_sign__signing_config_release(&c);
}

static void test_too_many_selected(void **state)
{
	struct hwb_sign__signing_config c;
	struct hwb_sign__selection sel;
	char text[8192];
	int i, n;

	(void)state;
	n = snprintf(text, sizeof(text), "{" MT "," CA ",\"rekorTlogUrls\":[");
	for (i = 0; i < HWB_SIGN__MAX_SELECTED + 1; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "%s" SVC("https://r%d.test", 1, FROM("2020-01-01T00:00:00Z"), "op%d"),
			      i ? "," : "", i, i);
	snprintf(text + n, sizeof(text) - (size_t)n, "]" ALL "}");
	parse_ok(&c, text);
	select_refused(&c, "2025-01-01T00:00:00Z", 0, "HWB-S012");
	hwb_sign__signing_config_release(&c);
	/* EXACT 8 of 9 is fine */
	snprintf(text + n, sizeof(text) - (size_t)n, "]" EXACT(8) "}");
	parse_ok(&c, text);
	select_ok(&c, "2025-01-01T00:00:00Z", 0, &sel);
	assert_int_equal(sel.ntlogs, 8);
	assert_string_equal(sel.tlogs[7]->url, "https://r7.test");
	hwb_sign__signing_config_release(&c);
}

static void test_urls(void **state)
{
	static const char *const ok[] = {
		"https://rekor.test", "HTTPS://rekor.test:8443/a/b/", "http://127.0.0.1:3000",
		"http://127.1.2.3/x", "http://[::1]:8080/", "http://localhost",
		"http://LOCALHOST:9/", "https://[2001:db8::1]/",
	};
	static const char *const refused[] = {
		"http://rekor.test", "http://127.0.0.1.evil.test/", "http://128.0.0.1",
		"http://127.0.0.1:x", "http://127.0.0.256", "https://user@rekor.test",
		"ftp://rekor.test", "https://", "https:///x", "rekor.test",
		"https://rekor.test/a b", "https://rekor.test/#frag", "", "http://[::2]/",
		"http://localhost.evil.test", "https://rekor.test:",
	};
	struct hwb_sign__signing_config c;
	char text[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
		snprintf(text, sizeof(text), TLOGS("{\"url\":\"%s\",\"majorApiVersion\":1,\"validFor\":"
						   FROM("2020-01-01T00:00:00Z") "}", ANY), ok[i]);
		parse_ok(&c, text);
		assert_true(c.tlog[0].url[strlen(c.tlog[0].url) - 1] != '/');
		hwb_sign__signing_config_release(&c);
	}
	for (i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		snprintf(text, sizeof(text), TLOGS("{\"url\":\"%s\",\"majorApiVersion\":1,\"validFor\":"
						   FROM("2020-01-01T00:00:00Z") "}", ANY), refused[i]);
		parse_refused(text, "HWB-S005");
	}
	/* every list is checked, whatever its services' versions */
	parse_refused("{" MT "," CA ",\"tsaUrls\":[" SVC("http://tsa.test", 7, FROM("2020-01-01T00:00:00Z"), "a") "]}",
		      "HWB-S005");
}

static void test_refusals(void **state)
{
	struct hwb_sign__signing_config c;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *text;

	(void)state;
	/* not JSON: the position is given */
	text = "{" MT ",\n\"caUrls\": [ }";
	assert_int_equal(hwb_sign__signing_config_parse(&c, text, strlen(text), "sc.json",
							&err), -1);
	assert_string_equal(err.code, "HWB-S001");
	assert_int_equal(err.line, 2);
	parse_refused("{" MT "," MT "}", "HWB-S001"); /* duplicate member */
	parse_refused("", "HWB-S001");
	parse_refused("[1]", "HWB-S003");
	/* mediaType: required, exact */
	parse_refused("{" CA "}", "HWB-S002");
	parse_refused("{\"mediaType\":\"application/vnd.dev.sigstore.signingconfig.v0.1+json\"}",
		      "HWB-S002");
	parse_refused("{\"mediaType\":3}", "HWB-S002");
	/* shapes */
	parse_refused("{" MT ",\"caUrls\":{}}", "HWB-S003");
	parse_refused("{" MT ",\"caUrls\":[3]}", "HWB-S003");
	parse_refused(TLOGS("{\"url\":\"https://r.test\",\"majorApiVersion\":-1,\"validFor\":"
			    FROM("2020-01-01T00:00:00Z") "}", ""), "HWB-S003");
	parse_refused(TLOGS("{\"url\":\"https://r.test\",\"majorApiVersion\":\"one\",\"validFor\":"
			    FROM("2020-01-01T00:00:00Z") "}", ""), "HWB-S003");
	parse_refused(TLOGS("{\"url\":5,\"validFor\":" FROM("2020-01-01T00:00:00Z") "}", ""),
		      "HWB-S003");
	parse_refused(TLOGS(SVC("https://r.test", 1, FROM("2020-01-01T00:00:00Z"), "a"),
			    ",\"rekorTlogConfig\":\"ANY\""), "HWB-S003");
	parse_refused(TLOGS(SVC("https://r.test", 1, FROM("2020-01-01T00:00:00Z"), "a"),
			    ",\"rekorTlogConfig\":{\"selector\":\"ANY\",\"count\":\"x\"}"), "HWB-S003");
	/* validFor: a required message with a required start */
	parse_refused(TLOGS("{\"url\":\"https://r.test\",\"majorApiVersion\":1}", ""), "HWB-S004");
	parse_refused(TLOGS(SVC("https://r.test", 1, "{}", "a"), ""), "HWB-S004");
	parse_refused(TLOGS(SVC("https://r.test", 1, FROM("2020-13-01T00:00:00Z"), "a"), ""),
		      "HWB-S004");
	parse_refused(TLOGS(SVC("https://r.test", 1, "{\"start\":\"2020-01-01T00:00:00Z\",\"end\":7}", "a"),
			    ""), "HWB-S004");
	parse_refused(TLOGS(SVC("https://r.test", 1, "\"2020-01-01T00:00:00Z\"", "a"), ""),
		      "HWB-S004");
	/* selectors: undefined (absent or by name) and unknown are refused */
#define ONE_LOG SVC("https://r.test", 1, FROM("2020-01-01T00:00:00Z"), "a")
	parse_refused(TLOGS(ONE_LOG, ",\"rekorTlogConfig\":{}"), "HWB-S006");
	parse_refused(TLOGS(ONE_LOG, ",\"tsaConfig\":{\"selector\":\"SERVICE_SELECTOR_UNDEFINED\"}"),
		      "HWB-S006");
	parse_refused(TLOGS(ONE_LOG, ",\"tsaConfig\":{\"selector\":\"SOME\"}"), "HWB-S006");
	parse_refused(TLOGS(ONE_LOG, ",\"tsaConfig\":{\"selector\":4}"), "HWB-S006");
	parse_refused(TLOGS(ONE_LOG, ",\"rekorTlogConfig\":{\"selector\":\"EXACT\"}"), "HWB-S007");
	parse_refused(TLOGS(ONE_LOG, EXACT(0)), "HWB-S007");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_production),
		cmocka_unit_test(test_staging),
		cmocka_unit_test(test_validity_window),
		cmocka_unit_test(test_operators_and_selectors),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_too_many_selected),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
