/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_show.c: rendering the effective configuration for `hwb config
 * show` and `hwb config check`, as text or JSON (schemas hwb.config/1 and
 * hwb.config-check/1 in docs/schemas.md). Every value passes through
 * hwb_redact(), and credentials in URLs are masked, before it is shown.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/config.h"
#include "pkg/core/log.h"

#define MASK "[REDACTED]"

/* Redact s, and hide the user:password part of a URL ("https://u:p@host"). */
static char *shown(const char *s)
{
	struct hwb_buf raw = HWB_BUF_INIT, out = HWB_BUF_INIT;
	const char *scheme = strstr(s, "://"), *at, *slash;

	if (scheme) {
		at = strchr(scheme + 3, '@');
		slash = strchr(scheme + 3, '/');
		if (at && (!slash || at < slash)) {
			hwb_buf_put(&raw, s, (size_t)(scheme + 3 - s));
			hwb_buf_puts(&raw, MASK);
			s = at;
		}
	}
	hwb_buf_puts(&raw, s);
	if (!raw.oom)
		hwb_redact(&out, raw.ptr, raw.len);
	hwb_buf_release(&raw);
	return hwb_buf_detach(&out, NULL);
}

static const char *type_name(enum hwb_config_type type)
{
	switch (type) {
	case HWB_CONFIG_BOOL: return "boolean";
	case HWB_CONFIG_INT: return "integer";
	case HWB_CONFIG_STRING: return "string";
	case HWB_CONFIG_ENUM: return "choice";
	case HWB_CONFIG_LIST: return "list";
	}
	return "?";
}

static const char *trust_name(enum hwb_config_trust trust)
{
	switch (trust) {
	case HWB_CONFIG_ANY: return "any";
	case HWB_CONFIG_TIGHTEN: return "tighten-only";
	case HWB_CONFIG_RELPATH: return "project-paths-only";
	case HWB_CONFIG_USER_ONLY: return "user-only";
	}
	return "?";
}

static json_t *string_json(const char *s)
{
	char *clean = shown(s);
	json_t *j = clean ? json_string(clean) : NULL;

	/* Invalid UTF-8 (from an environment variable) is shown escaped. */
	if (clean && !j)
		j = json_string("(not UTF-8)");
	free(clean);
	return j;
}

static json_t *value_json(const struct hwb_config *cfg,
			  const struct hwb_config_key *k)
{
	const char *const *items;
	const char *s;
	json_t *list;
	size_t i, n;

	switch (k->type) {
	case HWB_CONFIG_BOOL:
		return json_boolean(hwb_config_bool(cfg, k->name));
	case HWB_CONFIG_INT:
		return json_integer((json_int_t)hwb_config_int(cfg, k->name));
	case HWB_CONFIG_STRING:
	case HWB_CONFIG_ENUM:
		s = hwb_config_str(cfg, k->name);
		return s ? string_json(s) : json_null();
	case HWB_CONFIG_LIST:
		n = hwb_config_list(cfg, k->name, &items);
		if (!(list = json_array()))
			return NULL;
		for (i = 0; i < n; i++)
			if (json_array_append_new(list, string_json(items[i]))) {
				json_decref(list);
				return NULL;
			}
		return list;
	}
	return NULL;
}

static json_t *files_json(const struct hwb_config *cfg)
{
	const struct hwb_config_file *f;
	json_t *files = json_array();
	size_t i;

	for (i = 0; files && i < hwb_config_file_count(cfg); i++) {
		f = hwb_config_file_at(cfg, i);
		if (json_array_append_new(files, json_pack("{s:o, s:s, s:b, s:b}",
			"path", string_json(f->path),
			"source", hwb_config_source_name(f->source),
			"present", f->present, "configures", f->configures))) {
			json_decref(files);
			return NULL;
		}
	}
	return files;
}

static json_t *settings_json(const struct hwb_config *cfg)
{
	const struct hwb_config_key *keys;
	json_t *all = json_object(), *one;
	size_t count, i;

	keys = hwb_config_keys(&count);
	for (i = 0; all && i < count; i++) {
		one = json_pack("{s:o, s:s, s:o, s:s, s:s}",
				"value", value_json(cfg, &keys[i]), "source",
				hwb_config_source_name(hwb_config_source(cfg, keys[i].name)),
				"origin", string_json(hwb_config_origin(cfg, keys[i].name)),
				"type", type_name(keys[i].type),
				"trust", trust_name(keys[i].trust));
		if (!one || json_object_set_new(all, keys[i].name, one)) {
			json_decref(all);
			return NULL;
		}
	}
	return all;
}

static int dump(json_t *doc, struct hwb_buf *out, struct hwb_error *err)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
			 : NULL;
	int rc = text && !hwb_buf_puts(out, text) && !hwb_buf_putc(out, '\n')
			 ? 0 : hwb_error_oom(err);

	free(text);
	json_decref(doc);
	return rc;
}

static json_t *project_json(const struct hwb_config *cfg)
{
	const char *dir = hwb_config_project_dir(cfg);

	return dir ? string_json(dir) : json_null();
}

/* A value as TOML would write it: "text", 42, true, ["a", "b"]. */
static void value_text(const struct hwb_config *cfg,
		       const struct hwb_config_key *k, struct hwb_buf *out)
{
	json_t *v = value_json(cfg, k);
	char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	if (json_is_null(v))
		hwb_buf_puts(out, "(unset)");
	else if (text)
		hwb_buf_puts(out, text);
	else
		out->oom = 1;
	free(text);
	json_decref(v);
}

static void files_text(const struct hwb_config *cfg, struct hwb_buf *out)
{
	const struct hwb_config_file *f;
	char *path;
	size_t i;

	for (i = 0; i < hwb_config_file_count(cfg); i++) {
		f = hwb_config_file_at(cfg, i);
		path = shown(f->path);
		hwb_buf_printf(out, "# %s: %s\n", path ? path : "?",
			       !f->present ? "not present" :
			       f->configures ? "read" : "read, no [tool.hwb]");
		free(path);
	}
}

static int show_text(const struct hwb_config *cfg, struct hwb_buf *out,
		     struct hwb_error *err)
{
	const struct hwb_config_key *keys;
	struct hwb_buf line = HWB_BUF_INIT;
	size_t count, i;
	char *origin;

	keys = hwb_config_keys(&count);
	hwb_buf_puts(out, "# effective hwb configuration; after '#': where each "
			  "value comes from\n");
	files_text(cfg, out);
	for (i = 0; i < count; i++) {
		hwb_buf_clear(&line);
		hwb_buf_printf(&line, "%s = ", keys[i].name);
		value_text(cfg, &keys[i], &line);
		origin = shown(hwb_config_origin(cfg, keys[i].name));
		hwb_buf_printf(out, "%-56s # %s\n", line.ptr, origin ? origin : "?");
		free(origin);
		if (line.oom)
			out->oom = 1;
	}
	hwb_buf_release(&line);
	return hwb_buf_check(out, err);
}

int hwb_config_show(const struct hwb_config_options *opts, int json,
		    struct hwb_buf *out, struct hwb_error *err)
{
	struct hwb_config *cfg = NULL;
	int rc;

	if (hwb_config_load(&cfg, opts, err))
		return -1;
	if (json)
		rc = dump(json_pack("{s:s, s:o, s:o, s:o}", "schema", "hwb.config/1",
				    "project", project_json(cfg), "files",
				    files_json(cfg), "settings", settings_json(cfg)),
			  out, err);
	else
		rc = show_text(cfg, out, err);
	hwb_config_free(cfg);
	return rc;
}

static json_t *env_json(const struct hwb_config *cfg)
{
	const struct hwb_config_key *keys;
	json_t *list = json_array();
	size_t count, i;

	keys = hwb_config_keys(&count);
	for (i = 0; list && i < count; i++)
		if (hwb_config_source(cfg, keys[i].name) == HWB_CONFIG_ENV &&
		    json_array_append_new(list, json_string(hwb_config_origin(cfg, keys[i].name)))) {
			json_decref(list);
			return NULL;
		}
	return list;
}

int hwb_config_check(const struct hwb_config_options *opts, int json,
		     struct hwb_buf *out, struct hwb_error *err)
{
	struct hwb_config *cfg = NULL;
	json_t *env;
	size_t i;
	int rc;

	if (hwb_config_load(&cfg, opts, err))
		return -1;
	if (json) {
		rc = dump(json_pack("{s:s, s:b, s:o, s:o, s:o}", "schema",
				    "hwb.config-check/1", "valid", 1, "project",
				    project_json(cfg), "files", files_json(cfg),
				    "environment", env_json(cfg)),
			  out, err);
		goto cleanup;
	}
	files_text(cfg, out);
	env = env_json(cfg);
	for (i = 0; env && i < json_array_size(env); i++)
		hwb_buf_printf(out, "# environment: %s\n",
			       json_string_value(json_array_get(env, i)));
	json_decref(env);
	hwb_buf_puts(out, "configuration is valid\n");
	rc = hwb_buf_check(out, err);
cleanup:
	hwb_config_free(cfg);
	return rc;
}
