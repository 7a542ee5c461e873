/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c: `hwb check`, validate wheels and sdists. Parses the options,
 * calls hwb_check_file() once per file and prints the findings: one line
 * each (text) or one hwb.check/1 document (json).
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "pkg/core/audit.h"
#include "pkg/core/buf.h"
#include "pkg/core/config.h"
#include "pkg/core/log.h"
#include "pkg/wheel/wheel.h"

static struct cli_common common;
static const char *target;
static int strict;
static struct cli_list select_list, ignore_list;
static long max_member = -1, max_total = -1, max_ratio = -1, threads = -1;

static const struct cli_opt check_opts[] = {
	{ CLI_OPT_FLAG, "strict", 0, &strict, NULL,
	  "warnings fail the file too" },
	{ CLI_OPT_STRING, "for", 0, &target, "pypi|local",
	  "the target: pypi (default) refuses what PyPI refuses" },
	{ CLI_OPT_LIST, "select", 0, &select_list, "CODES",
	  "report only these codes or prefixes, comma-separated (W01, "
	  "HWB-W012); framing, path, RECORD and secret errors always show" },
	{ CLI_OPT_LIST, "ignore", 0, &ignore_list, "CODES",
	  "silence these warnings and metadata errors, comma-separated" },
	{ CLI_OPT_INT, "max-member-size", 0, &max_member, "BYTES",
	  "zip-bomb limit per member (default 4 GiB; check.max-member-size)" },
	{ CLI_OPT_INT, "max-total-size", 0, &max_total, "BYTES",
	  "zip-bomb limit for all members (default 16 GiB)" },
	{ CLI_OPT_INT, "max-ratio", 0, &max_ratio, "N",
	  "compression ratio limit over 64 MiB (default 50)" },
	{ CLI_OPT_INT, "threads", 'j', &threads, "N",
	  "threads inflating members (default: one per core)" },
	CLI_COMMON_OPTS(&common),
	{ 0 },
};
static const struct cli_command check_cmd = {
	"check", "[--strict] [--for pypi|local] [--select CODES] FILE|DIR...",
	"Validate wheels (.whl) and sdists (.tar.gz): zip framing, RECORD, "
	"layout, metadata, secrets and binaries. A DIR stands for the\n"
	"distributions in it. Exit 1 when a file fails.",
	check_opts,
};

/*
 * Split the comma-separated items of a list setting (check.select or
 * check.ignore, from the flags or the configuration); each must look like a
 * W code prefix.
 */
static int split_codes(const struct hwb_config *cfg, const char *key,
		       struct hwb_buf *store, const char ***out, size_t *n,
		       struct hwb_error *err)
{
	const char *const *items = NULL;
	size_t i, k, count = 0, nitems = hwb_config_list(cfg, key, &items);
	char *p;

	for (i = 0; i < nitems; i++)
		hwb_buf_printf(store, "%s%c", items[i], '\0');
	if (hwb_buf_check(store, err))
		return -1;
	for (k = 0; k < store->len; k++)
		count += store->ptr[k] == ',' || store->ptr[k] == '\0';
	if (!(*out = calloc(count + 1, sizeof(**out))))
		return hwb_error_oom(err);
	for (p = store->ptr; p < store->ptr + store->len;) {
		size_t len = strcspn(p, ",");
		const char *code = p;

		p[len] = '\0';
		p += len + 1;
		if (!*code)
			continue;
		k = strncmp(code, "HWB-", 4) ? 0 : 4;
		if (code[k] != 'W' || strlen(code + k) > 4 ||
		    strspn(code + k + 1, "0123456789") != strlen(code + k + 1))
			return hwb_error_set(err, HWB_KIND_USAGE, "HWB-U009",
					     "hwb check: %s '%s' (%s) is not a "
					     "check code or prefix", key, code,
					     hwb_config_origin(cfg, key)),
			       hwb_error_hint(err, "write codes like W012 or "
					      "HWB-W012, or prefixes like W01");
		(*out)[(*n)++] = code;
	}
	return 0;
}

static char *safe(const char *s)
{
	struct hwb_buf b = HWB_BUF_INIT;

	if (!s)
		return NULL;
	hwb_redact(&b, s, strlen(s));
	return hwb_buf_detach(&b, NULL);
}

static void count_findings(const struct hwb_check_report *r, size_t *errors,
			   size_t *warnings)
{
	size_t i;

	*errors = *warnings = 0;
	for (i = 0; i < r->count; i++) {
		if (r->findings[i].severity == HWB_SEVERITY_ERROR)
			++*errors;
		else if (r->findings[i].severity == HWB_SEVERITY_WARNING)
			++*warnings;
	}
}

static const char *severity_name(enum hwb_severity s)
{
	return s == HWB_SEVERITY_ERROR	 ? "error"
	       : s == HWB_SEVERITY_INFO ? "info"
					 : "warning";
}

/* One finding: a line, or under GitHub Actions an annotation on the file. */
static void print_finding(const char *file, const struct hwb_finding *f)
{
	char *member = safe(f->member), *msg = safe(f->message);

	if (cli_github())
		cli_annotation(f->severity == HWB_SEVERITY_ERROR  ? "error"
			       : f->severity == HWB_SEVERITY_INFO ? "notice"
								  : "warning",
			       file, 0, 0, f->code, member, msg ? msg : "");
	else
		printf("%s: %s %s%s%s: %s\n", file, f->code,
		       severity_name(f->severity), member ? " " : "",
		       member ? member : "", msg ? msg : "");
	free(member);
	free(msg);
}

static void print_text(const struct hwb_check_report *r)
{
	char *file = safe(r->file);
	size_t i, errors, warnings;

	for (i = 0; i < r->count; i++)
		/* -q: errors only */
		if (!common.quiet ||
		    r->findings[i].severity == HWB_SEVERITY_ERROR)
			print_finding(file ? file : "?", &r->findings[i]);
	count_findings(r, &errors, &warnings);
	/* the findings (stdout) before their summary (stderr) on one pipe */
	fflush(stdout);
	hwb_log_info("%s: %s for %s: %zu error%s, %zu warning%s (%llu members, "
		     "%llu bytes inflated and hashed)", file ? file : "?",
		     hwb_check_failed(r, strict) ? "failed" : "passed",
		     target ? target : "pypi", errors, errors == 1 ? "" : "s",
		     warnings, warnings == 1 ? "" : "s",
		     (unsigned long long)r->members,
		     (unsigned long long)r->bytes_checked);
	free(file);
}

static json_t *finding_json(const struct hwb_finding *f)
{
	char *member = safe(f->member), *msg = safe(f->message);
	json_t *o = json_pack("{s:s, s:s, s:s?, s:s, s:b}", "code", f->code,
			      "severity", severity_name(f->severity),
			      "member", member,
			      "message", msg ? msg : "", "firm", f->firm);

	free(member);
	free(msg);
	return o;
}

static json_t *file_json(const struct hwb_check_report *r,
			 const struct hwb_error *err, const char *path)
{
	char *file = safe(path), *msg = NULL, *hint = NULL;
	json_t *o, *list = json_array();
	size_t i, errors, warnings;

	for (i = 0; i < r->count; i++)
		json_array_append_new(list, finding_json(&r->findings[i]));
	count_findings(r, &errors, &warnings);
	o = json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:o}", "file",
		      file ? file : "", "passed",
		      !err->kind && !hwb_check_failed(r, strict), "members",
		      (json_int_t)r->members, "bytes_checked",
		      (json_int_t)r->bytes_checked, "errors", (json_int_t)errors,
		      "warnings", (json_int_t)warnings, "findings", list);
	if (o && err->kind) {
		msg = safe(err->message);
		hint = safe(err->hint);
		json_object_set_new(o, "error",
				    json_pack("{s:s, s:s, s:s?}", "code",
					      err->code, "message",
					      msg ? msg : "", "hint",
					      hint && *hint ? hint : NULL));
	}
	free(file);
	free(msg);
	free(hint);
	return o;
}

/* Check one file; returns its exit status and adds it to doc (json). */
static void audit(const struct hwb_config *cfg, const char *path,
		  const struct hwb_check_report *r, const struct hwb_error *err,
		  int status)
{
	size_t errors, warnings;

	count_findings(r, &errors, &warnings);
	{
		const struct hwb_audit_field f[] = {
			HWB_AUDIT_STR("file", path),
			HWB_AUDIT_NUM("errors", (int64_t)errors),
			HWB_AUDIT_NUM("warnings", (int64_t)warnings),
			HWB_AUDIT_FLAG("strict", strict),
			HWB_AUDIT_FLAG("passed", status == 0),
			HWB_AUDIT_STR("code", err->kind ? err->code : NULL),
		};

		cli_audit(cfg, "wheel.checked", f, sizeof(f) / sizeof(*f));
	}
}

static int check_one(const struct hwb_config *cfg, const char *path,
		     const struct hwb_check_options *o, json_t *files)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	int status;

	if (hwb_check_file(path, o, &r, &err)) {
		status = err.kind ? (int)err.kind : HWB_KIND_CONFIG;
		if (!files) {
			char line[1400];

			hwb_error_format(&err, line, sizeof(line));
			hwb_log_error("%s", line);
		}
	} else {
		status = hwb_check_failed(&r, strict) ? HWB_KIND_FAILED : 0;
		if (!files)
			print_text(&r);
	}
	audit(cfg, path, &r, &err, status);
	if (files)
		json_array_append_new(files, file_json(&r, &err, path));
	hwb_check_report_release(&r);
	return status;
}

static int is_distribution(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && !strcmp(name + n - 4, ".whl")) ||
	       (n > 7 && !strcmp(name + n - 7, ".tar.gz"));
}

/*
 * A directory argument stands for the wheels and sdists in it (sorted),
 * so `hwb check dist` and `hwb check dist/...` agree whatever else a tool
 * left there; other files are named at --verbose.
 */
static int expand(const struct cli_list *pos, struct cli_list *files,
		  struct hwb_buf *store, struct hwb_error *err)
{
	struct dirent **list = NULL;
	struct stat st;
	size_t i, found, mark;
	int n, k;

	for (i = 0; i < pos->count; i++) {
		if (stat(pos->items[i], &st) || !S_ISDIR(st.st_mode)) {
			hwb_buf_printf(store, "%s%c", pos->items[i], '\0');
			continue;
		}
		if ((n = scandir(pos->items[i], &list, NULL, alphasort)) < 0)
			return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-W029",
					       "cannot read the directory %s",
					       pos->items[i]),
			       hwb_error_hint(err, "check the path and its "
					      "permissions");
		for (found = 0, k = 0; k < n; k++) {
			if (is_distribution(list[k]->d_name)) {
				hwb_buf_printf(store, "%s/%s%c", pos->items[i],
					       list[k]->d_name, '\0');
				found++;
			} else if (list[k]->d_name[0] != '.') {
				hwb_log_verbose("%s/%s: not a distribution, "
						"skipped", pos->items[i],
						list[k]->d_name);
			}
			free(list[k]);
		}
		free(list);
		if (!found)
			return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-W029",
					     "%s holds no wheel (.whl) or sdist "
					     "(.tar.gz)", pos->items[i]),
			       hwb_error_hint(err, "build first (hwb build) or "
					      "give the files themselves");
	}
	if (hwb_buf_check(store, err))
		return -1;
	for (mark = 0; mark < store->len; mark += strlen(store->ptr + mark) + 1) {
		const char **items = realloc(files->items, (files->count + 1) *
							     sizeof(*items));

		if (!items)
			return hwb_error_oom(err);
		items[files->count++] = store->ptr + mark;
		files->items = items;
	}
	return 0;
}

/* Every flag is an override of its check.* setting, named by the flag. */
static int overrides(struct cli_overrides *o, char num[4][24],
		     struct hwb_error *err)
{
	static const char *const keys[4] = {
		"check.max-member-size", "check.max-total-size",
		"check.max-ratio", "check.threads" };
	static const char *const flags[4] = {
		"--max-member-size", "--max-total-size", "--max-ratio",
		"--threads" };
	const long vals[4] = { max_member, max_total, max_ratio, threads };
	size_t i;

	if (strict && cli_override(o, "check.strict", "true", "--strict", err))
		return -1;
	for (i = 0; i < 4; i++) {
		if (vals[i] < 0)
			continue;
		snprintf(num[i], 24, "%ld", vals[i]);
		if (cli_override(o, keys[i], num[i], flags[i], err))
			return -1;
	}
	return cli_override_list(o, "check.select", &select_list, "--select",
				 err) ||
	       cli_override_list(o, "check.ignore", &ignore_list, "--ignore",
				 err) ? -1 : 0;
}

static void apply_limits(const struct hwb_config *cfg,
			 struct hwb_check_options *o)
{
	strict = hwb_config_bool(cfg, "check.strict");
	o->strict = strict;
	o->max_member_size = (uint64_t)hwb_config_int(cfg, "check.max-member-size");
	o->max_total_size = (uint64_t)hwb_config_int(cfg, "check.max-total-size");
	o->max_ratio = (uint64_t)hwb_config_int(cfg, "check.max-ratio");
	o->threads = (int)hwb_config_int(cfg, "check.threads");
	o->for_local = target && !strcmp(target, "local");
	o->acknowledged_count = hwb_config_list(cfg, "check.acknowledged-keys",
						&o->acknowledged_keys);
}

int cmd_check(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 }, paths = { 0 };
	struct hwb_buf sel = HWB_BUF_INIT, ign = HWB_BUF_INIT,
		       names = HWB_BUF_INIT;
	struct hwb_check_options o = { 0 };
	struct cli_overrides ov = { 0 };
	struct hwb_config *cfg = NULL;
	char num[4][24];
	const char **select = NULL, **ignore = NULL;
	json_t *doc = NULL, *files = NULL;
	int rc = 0, status;
	size_t i;

	if (cli_parse(&check_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&check_cmd);
		goto cleanup;
	}
	if (overrides(&ov, num, &err) ||
	    cli_load_config(&common, ".", ov.items, ov.count, &cfg, &err) ||
	    split_codes(cfg, "check.select", &sel, &select, &o.select_count,
			&err) ||
	    split_codes(cfg, "check.ignore", &ign, &ignore, &o.ignore_count,
			&err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (!pos.count) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U008",
			      "hwb check needs at least one FILE");
		hwb_error_hint(&err, "hwb check dist/*.whl dist/*.tar.gz, or "
				     "hwb check dist");
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (target && strcmp(target, "pypi") && strcmp(target, "local")) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U010",
			      "hwb check: --for must be 'pypi' or 'local', not "
			      "'%s'", target);
		hwb_error_hint(&err, "--for pypi (the default) checks what PyPI "
				     "accepts; --for local, what installs here");
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (expand(&pos, &paths, &names, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	o.select = select;
	o.ignore = ignore;
	apply_limits(cfg, &o);
	if (cli_json(&common) && !(files = json_array())) {
		rc = cli_report(&common, (hwb_error_oom(&err), &err));
		goto cleanup;
	}
	for (i = 0; i < paths.count; i++)
		if ((status = check_one(cfg, paths.items[i], &o, files)) > rc)
			rc = status;
	if (files) {
		doc = json_pack("{s:s, s:s, s:b, s:b, s:O}", "schema",
				"hwb.check/1", "for", target ? target : "pypi",
				"strict", strict, "passed", rc == 0, "files",
				files);
		if (doc) {
			json_dumpf(doc, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
		}
	}
cleanup:
	json_decref(doc);
	json_decref(files);
	free(select);
	free(ignore);
	cli_overrides_release(&ov);
	hwb_config_free(cfg);
	hwb_buf_release(&sel);
	hwb_buf_release(&ign);
	cli_list_release(&pos);
	cli_list_release(&paths);
	hwb_buf_release(&names);
	cli_list_release(&select_list);
	cli_list_release(&ignore_list);
	return rc;
}
