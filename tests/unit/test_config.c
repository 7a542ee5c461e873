/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/core/config*.c: the key table, the layers and their
 * precedence, validation messages, the trust rule for project files, and
 * the audit log's settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/rmtree.h"
#include "pkg/core/audit.h"
#include "pkg/core/config.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"

static char root[64], proj[128], user[160], warned[512];

static void capture(void *ctx, enum hwb_log_level level, const char *line)
{
	(void)ctx;
	if (level == HWB_LOG_WARN)
		snprintf(warned, sizeof(warned), "%s", line);
}

/* Unset every HWB_* variable a key maps to, so the host cannot interfere. */
static void clear_env(void)
{
	const struct hwb_config_key *keys;
	size_t count, i;
	char env[128];

	keys = hwb_config_keys(&count);
	for (i = 0; i < count; i++)
		if (!hwb_config_env_name(keys[i].name, env, sizeof(env)))
			unsetenv(env);
	unsetenv("XDG_CONFIG_HOME");
}

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/hwb-config-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(proj, sizeof(proj), "%s/proj", root);
	snprintf(user, sizeof(user), "%s/user.toml", root);
	warned[0] = '\0';
	clear_env();
	hwb_log_configure(HWB_LOG_INFO, capture, NULL);
	return mkdir(proj, 0700);
}

static int teardown(void **state)
{
	(void)state;
	clear_env();
	hwb_log_configure(HWB_LOG_INFO, NULL, NULL);
	return rmtree(root);
}

static void put(const char *dir, const char *name, const char *text)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(hwb_file_write_atomic(path, text, strlen(text), 0600,
					       &err), 0);
}

/* Load with the project and user file of the test; returns the status. */
static int load(struct hwb_config **cfg, const struct hwb_config_override *o,
		size_t n, struct hwb_error *err)
{
	struct hwb_config_options opts = { proj, user, o, n };

	return hwb_config_load(cfg, &opts, err);
}

static void expect_error(const char *line)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	char text[1400];

	assert_int_equal(load(&cfg, NULL, 0, &err), -1);
	assert_null(cfg);
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	hwb_error_format(&err, text, sizeof(text));
	if (strncmp(text, line, strlen(line)))
		fail_msg("expected '%s...', got '%s'", line, text);
}

static void test_key_table(void **state)
{
	const struct hwb_config_key *keys;
	size_t count, i, j;
	char a[128], b[128];
	const char *p;

	(void)state;
	keys = hwb_config_keys(&count);
	assert_true(count >= 30);
	for (i = 0; i < count; i++) {
		for (p = keys[i].name; *p; p++)
			assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789.-", *p));
		assert_true(keys[i].doc && *keys[i].doc);
		assert_ptr_equal(hwb_config_key_find(keys[i].name), &keys[i]);
		if (keys[i].type == HWB_CONFIG_LIST)
			assert_null(keys[i].def);
		if (keys[i].trust == HWB_CONFIG_TIGHTEN)
			assert_non_null(keys[i].def);
		assert_int_equal(hwb_config_env_name(keys[i].name, a, sizeof(a)), 0);
		/* Two keys must never share an environment variable. */
		for (j = 0; j < i; j++) {
			assert_int_equal(hwb_config_env_name(keys[j].name, b, sizeof(b)), 0);
			assert_string_not_equal(a, b);
		}
	}
	assert_int_equal(hwb_config_env_name("build.limits.cpu-seconds", a,
					     sizeof(a)), 0);
	assert_string_equal(a, "HWB_BUILD_LIMITS_CPU_SECONDS");
	assert_int_equal(hwb_config_env_name("build.timeout", a, 8), -1);
}

static void test_defaults(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	const char *const *items;

	(void)state;
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_string_equal(hwb_config_str(cfg, "build.isolation"), "sandbox");
	assert_int_equal(hwb_config_int(cfg, "build.timeout"), 1800);
	assert_int_equal(hwb_config_bool(cfg, "audit.enabled"), 1);
	assert_null(hwb_config_str(cfg, "build.python"));
	assert_int_equal(hwb_config_list(cfg, "build.pass-env", &items), 0);
	assert_string_equal(hwb_config_origin(cfg, "build.timeout"), "default");
	/* A NULL configuration answers with the defaults too. */
	assert_int_equal(hwb_config_int(NULL, "build.timeout"), 1800);
	assert_int_equal(hwb_config_bool(NULL, "audit.enabled"), 1);
	assert_string_equal(hwb_config_str(NULL, "build.outdir"), "dist");
	assert_int_equal(hwb_config_file_count(cfg), 3);
	assert_int_equal(hwb_config_file_at(cfg, 0)->present, 0);
	hwb_config_free(cfg);
}

/* Each layer overrides the one below; removing the top one uncovers the next. */
static void test_precedence(void **state)
{
	const struct hwb_config_override flag = { "build.timeout", "60", "--timeout" };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	char origin[300];

	(void)state;
	put(proj, "pyproject.toml", "[project]\nname = \"x\"\n\n[tool.hwb.build]\ntimeout = 100\n");
	put(proj, "hwb.toml", "[build]\ntimeout = 90\n");
	put(root, "user.toml", "[build]\ntimeout = 5000\n");
	setenv("HWB_BUILD_TIMEOUT", "4000", 1);

	assert_int_equal(load(&cfg, &flag, 1, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "build.timeout"), 60);
	assert_string_equal(hwb_config_origin(cfg, "build.timeout"), "--timeout");
	assert_int_equal(hwb_config_source(cfg, "build.timeout"), HWB_CONFIG_FLAG);
	hwb_config_free(cfg);

	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "build.timeout"), 4000);
	assert_string_equal(hwb_config_origin(cfg, "build.timeout"), "HWB_BUILD_TIMEOUT");
	hwb_config_free(cfg);

	unsetenv("HWB_BUILD_TIMEOUT");
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "build.timeout"), 5000);
	snprintf(origin, sizeof(origin), "%s:2:1", user);
	assert_string_equal(hwb_config_origin(cfg, "build.timeout"), origin);
	hwb_config_free(cfg);

	unlink(user);
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "build.timeout"), 90);
	snprintf(origin, sizeof(origin), "%s/hwb.toml:2:1", proj);
	assert_string_equal(hwb_config_origin(cfg, "build.timeout"), origin);
	assert_non_null(strstr(warned, "hwb.toml wins"));
	hwb_config_free(cfg);

	put(proj, "hwb.toml", "");
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "build.timeout"), 100);
	snprintf(origin, sizeof(origin), "%s/pyproject.toml:5:1", proj);
	assert_string_equal(hwb_config_origin(cfg, "build.timeout"), origin);
	hwb_config_free(cfg);
}

static void test_no_warning_without_tool_hwb(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;

	(void)state;
	put(proj, "pyproject.toml", "[project]\nname = \"x\"\n");
	put(proj, "hwb.toml", "[check]\nstrict = true\n");
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_string_equal(warned, "");
	assert_int_equal(hwb_config_bool(cfg, "check.strict"), 1);
	assert_int_equal(hwb_config_file_at(cfg, 0)->configures, 0);
	assert_int_equal(hwb_config_file_at(cfg, 1)->configures, 1);
	hwb_config_free(cfg);
}

static void test_unknown_keys(void **state)
{
	char line[300];

	(void)state;
	put(proj, "hwb.toml", "# settings\n[build]\ntimout = 5\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:3:1: HWB-G002: unknown key "
		 "'build.timout' (fix: did you mean 'build.timeout'?)", proj);
	expect_error(line);
	put(proj, "hwb.toml", "retries = 1\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:1:1: HWB-G002: unknown key "
		 "'retries' (fix: did you mean 'http.retries'?)", proj);
	expect_error(line);
	put(proj, "hwb.toml", "[zzz]\nqqqqqq = 1\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:2:1: HWB-G002: unknown key "
		 "'zzz.qqqqqq' (fix: hwb.toml.example lists every key)", proj);
	expect_error(line);
	put(proj, "hwb.toml", "\"build.timeout\" = 5\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:1:1: HWB-G002: unknown key "
		 "\"build.timeout\" (quoted", proj);
	expect_error(line);
	put(proj, "hwb.toml", "");
	put(proj, "pyproject.toml", "[tool.hwb]\nbuild = { timeout = 5, pas-env = [] }\n");
	snprintf(line, sizeof(line), "%s/pyproject.toml:2:24: HWB-G002: unknown "
		 "key 'build.pas-env' (fix: did you mean 'build.pass-env'?)", proj);
	expect_error(line);
	put(proj, "pyproject.toml", "[tool]\nhwb = 3\n");
	snprintf(line, sizeof(line), "%s/pyproject.toml:2:7: HWB-G001: [tool.hwb] "
		 "must be a table", proj);
	expect_error(line);
}

static void test_types_and_ranges(void **state)
{
	const struct hwb_config_override bad = { "check.strict", "maybe", NULL };
	const struct hwb_config_override unknown = { "build.timeuot", "1", NULL };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	char line[300];

	(void)state;
	put(proj, "hwb.toml", "[build]\ntimeout = \"60\"\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:2:11: HWB-G001: 'build.timeout' "
		 "must be an integer (found: string)", proj);
	expect_error(line);
	put(proj, "hwb.toml", "[build]\ntimeout = 0\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:2:11: HWB-G003: 'build.timeout' "
		 "is 0, outside 1..604800", proj);
	expect_error(line);
	put(proj, "hwb.toml", "[build]\nisolation = \"chroot\"\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:2:13: HWB-G004:", proj);
	expect_error(line);
	put(proj, "hwb.toml", "[check]\nselect = [\"HWB-W001\", 2]\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:2:23: HWB-G001: 'check.select' "
		 "must be a list of strings (found: integer)", proj);
	expect_error(line);
	put(proj, "hwb.toml", "build = 1\n");
	snprintf(line, sizeof(line), "%s/hwb.toml:1:1: HWB-G001: 'build' must be "
		 "a table of settings", proj);
	expect_error(line);
	put(proj, "hwb.toml", "");

	setenv("HWB_HTTP_RETRIES", "many", 1);
	expect_error("HWB-G005: environment variable HWB_HTTP_RETRIES: "
		     "'http.retries' must be an integer, not 'many'");
	setenv("HWB_HTTP_RETRIES", "11", 1);
	expect_error("HWB-G003: environment variable HWB_HTTP_RETRIES: "
		     "'http.retries' is 11, outside 0..10");
	unsetenv("HWB_HTTP_RETRIES");

	assert_int_equal(load(&cfg, &bad, 1, &err), -1);
	assert_string_equal(err.code, "HWB-G005");
	assert_non_null(strstr(err.message, "--set: 'check.strict' must be a boolean"));
	assert_int_equal(load(&cfg, &unknown, 1, &err), -1);
	assert_string_equal(err.code, "HWB-G002");
	assert_string_equal(err.hint, "did you mean 'build.timeout'?");
}

/* Weakening settings: refused from the project, honoured from the user. */
static void test_weakening_only_from_user(void **state)
{
	static const char *const refused[][2] = {
		{ "[build]\npass-env = [\"CC\"]\n", "HWB-G006" },
		{ "[build]\nallow-network = [\"example.org\"]\n", "HWB-G006" },
		{ "[build]\nisolation = \"none\"\n", "HWB-G007" },
		{ "[build]\nisolation = \"container\"\n", "HWB-G007" },
		{ "[build]\ntimeout = 1801\n", "HWB-G007" },
		{ "[build.limits]\nprocesses = 100000\n", "HWB-G007" },
		{ "[build]\nallow-url-requirements = true\n", "HWB-G007" },
		{ "[verify]\ntrusted-root = [\"r.json\"]\n", "HWB-G006" },
		{ "[audit]\nenabled = false\n", "HWB-G006" },
		{ "[build]\noutdir = \"../out\"\n", "HWB-G008" },
		{ "[build]\nfind-links = [\"/srv/wheels\"]\n", "HWB-G008" },
	};
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	const char *const *items;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		put(proj, "hwb.toml", refused[i][0]);
		assert_int_equal(load(&cfg, NULL, 0, &err), -1);
		assert_string_equal(err.code, refused[i][1]);
		assert_non_null(strstr(err.hint, "~/.config/hwb/config.toml"));
		/* The same setting in the user's file is honoured. */
		put(proj, "hwb.toml", "");
		put(root, "user.toml", refused[i][0]);
		assert_int_equal(load(&cfg, NULL, 0, &err), 0);
		hwb_config_free(cfg);
		unlink(user);
	}
	setenv("HWB_BUILD_PASS_ENV", "CC, CFLAGS", 1);
	setenv("HWB_BUILD_ISOLATION", "none", 1);
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_int_equal(hwb_config_list(cfg, "build.pass-env", &items), 2);
	assert_string_equal(items[1], "CFLAGS");
	assert_string_equal(hwb_config_str(cfg, "build.isolation"), "none");
	hwb_config_free(cfg);
}

static void test_project_may_tighten(void **state)
{
	const struct hwb_config_override net[] = {
		{ "build.allow-network", "a.example", "--allow-network" },
		{ "build.allow-network", "b.example", "--allow-network" },
	};
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	const char *const *items;

	(void)state;
	put(proj, "pyproject.toml",
	    "[tool.hwb.build]\ntimeout = 60\nisolation = \"sandbox\"\n"
	    "outdir = \"out/wheels\"\nallow-url-requirements = false\n"
	    "[tool.hwb.build.limits]\nprocesses = 64\n"
	    "[tool.hwb.check]\nmax-ratio = 50\n");
	assert_int_equal(load(&cfg, net, 2, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "build.timeout"), 60);
	assert_int_equal(hwb_config_int(cfg, "build.limits.processes"), 64);
	assert_int_equal(hwb_config_int(cfg, "check.max-ratio"), 50);
	assert_string_equal(hwb_config_str(cfg, "build.outdir"), "out/wheels");
	/* A repeated list flag adds items. */
	assert_int_equal(hwb_config_list(cfg, "build.allow-network", &items), 2);
	assert_string_equal(items[0], "a.example");
	assert_string_equal(items[1], "b.example");
	hwb_config_free(cfg);
}

static void test_user_file_location(void **state)
{
	struct hwb_config_options opts = { NULL, NULL, NULL, 0 };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	char dir[200], target[200], link[220];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/xdg/hwb", root);
	assert_int_equal(hwb_mkdir_p(dir, 0700, &err), 0);
	/* A symbolic link is followed for the user's own file (dotfiles). */
	put(root, "real.toml", "[http]\nretries = 7\n");
	snprintf(target, sizeof(target), "%s/real.toml", root);
	snprintf(link, sizeof(link), "%s/config.toml", dir);
	assert_int_equal(symlink(target, link), 0);
	snprintf(dir, sizeof(dir), "%s/xdg", root);
	setenv("XDG_CONFIG_HOME", dir, 1);
	assert_int_equal(hwb_config_load(&cfg, &opts, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "http.retries"), 7);
	assert_string_equal(hwb_config_file_at(cfg, 0)->path, link);
	hwb_config_free(cfg);
	/* A relative XDG_CONFIG_HOME is invalid and ignored (XDG spec). */
	setenv("XDG_CONFIG_HOME", "xdg", 1);
	setenv("HOME", root, 1);
	assert_int_equal(hwb_config_load(&cfg, &opts, &err), 0);
	assert_int_equal(hwb_config_int(cfg, "http.retries"), 3);
	snprintf(target, sizeof(target), "%s/.config/hwb/config.toml", root);
	assert_string_equal(hwb_config_file_at(cfg, 0)->path, target);
	hwb_config_free(cfg);
}

static void test_project_symlink_refused(void **state)
{
	char target[200], link[200], line[300];

	(void)state;
	put(root, "elsewhere.toml", "[build]\ntimeout = 5\n");
	snprintf(target, sizeof(target), "%s/elsewhere.toml", root);
	snprintf(link, sizeof(link), "%s/hwb.toml", proj);
	assert_int_equal(symlink(target, link), 0);
	snprintf(line, sizeof(line), "%s: HWB-F006:", link);
	expect_error(line);
}

static void test_audit_settings(void **state)
{
	const struct hwb_config_override off = { "audit.enabled", "false", NULL };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_config *cfg = NULL;
	char dir[200];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/audit", root);
	setenv("HWB_AUDIT_DIR", dir, 1);
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_int_equal(hwb_audit_from_config(&a, cfg, &err), 0);
	assert_int_equal(a.enabled, 1);
	assert_string_equal(a.dir, dir);
	hwb_audit_release(&a);
	hwb_config_free(cfg);

	unsetenv("HWB_AUDIT_DIR");
	setenv("HOME", root, 1);
	put(root, "user.toml", "[audit]\ndir = \"~/logs\"\n");
	assert_int_equal(load(&cfg, NULL, 0, &err), 0);
	assert_int_equal(hwb_audit_from_config(&a, cfg, &err), 0);
	snprintf(dir, sizeof(dir), "%s/logs", root);
	assert_string_equal(a.dir, dir);
	hwb_audit_release(&a);
	hwb_config_free(cfg);

	assert_int_equal(load(&cfg, &off, 1, &err), 0);
	assert_int_equal(hwb_audit_from_config(&a, cfg, &err), 0);
	assert_int_equal(a.enabled, 0);
	assert_int_equal(hwb_audit_event(&a, "build.started", NULL, 0, &err), 0);
	hwb_audit_release(&a);
	hwb_config_free(cfg);
}

static void test_show_json(void **state)
{
	const struct hwb_config_override url = {
		"build.index-url", "https://user:s3cretpass@index.example/simple/", NULL
	};
	struct hwb_config_options opts = { NULL, NULL, &url, 1 };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf out = HWB_BUF_INIT;
	json_t *doc, *s;

	(void)state;
	opts.project_dir = proj;
	opts.user_config = user;
	put(proj, "hwb.toml", "[build]\ntimeout = 30\n");
	assert_int_equal(hwb_config_show(&opts, 1, &out, &err), 0);
	doc = json_loads(out.ptr, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")),
			    "hwb.config/1");
	s = json_object_get(json_object_get(doc, "settings"), "build.timeout");
	assert_int_equal(json_integer_value(json_object_get(s, "value")), 30);
	assert_string_equal(json_string_value(json_object_get(s, "source")), "hwb.toml");
	assert_string_equal(json_string_value(json_object_get(s, "trust")), "tighten-only");
	assert_null(strstr(out.ptr, "s3cretpass"));
	assert_non_null(strstr(out.ptr, "https://[REDACTED]@index.example/simple/"));
	json_decref(doc);
	hwb_buf_clear(&out);
	assert_int_equal(hwb_config_show(&opts, 0, &out, &err), 0);
	assert_non_null(strstr(out.ptr, "build.timeout = 30"));
	assert_non_null(strstr(out.ptr, "# "));
	hwb_buf_clear(&out);
	assert_int_equal(hwb_config_check(&opts, 0, &out, &err), 0);
	assert_non_null(strstr(out.ptr, "configuration is valid"));
	hwb_buf_release(&out);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_key_table),
		T(test_defaults),
		T(test_precedence),
		T(test_no_warning_without_tool_hwb),
		T(test_unknown_keys),
		T(test_types_and_ranges),
		T(test_weakening_only_from_user),
		T(test_project_may_tighten),
		T(test_user_file_location),
		T(test_project_symlink_refused),
		T(test_audit_settings),
		T(test_show_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
