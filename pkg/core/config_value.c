/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_value.c: turning one configuration value (from TOML, or text from
 * a default, the environment or a flag) into a typed entry, the trust rule
 * for values from the project's own files, and "did you mean" suggestions.
 * config.c walks the layers and calls these.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"

void hwb_core__config_entry_release(struct hwb_core__config_entry *e)
{
	size_t i;

	free(e->origin);
	free(e->s);
	for (i = 0; i < e->count; i++)
		free(e->items[i]);
	free(e->items);
	*e = (struct hwb_core__config_entry)HWB_CORE__CONFIG_ENTRY_INIT;
}

int hwb_core__config_untrusted(enum hwb_config_source source)
{
	return source == HWB_CONFIG_PYPROJECT || source == HWB_CONFIG_HWB_TOML;
}

static const char *type_name(enum hwb_config_type type)
{
	switch (type) {
	case HWB_CONFIG_BOOL: return "a boolean (true or false)";
	case HWB_CONFIG_INT: return "an integer";
	case HWB_CONFIG_STRING: return "a string";
	case HWB_CONFIG_ENUM: return "a string";
	case HWB_CONFIG_LIST: return "a list of strings";
	}
	return "?";
}

static const char *type_hint(enum hwb_config_type type)
{
	switch (type) {
	case HWB_CONFIG_BOOL: return "write true or false, without quotes";
	case HWB_CONFIG_INT: return "write a whole number, without quotes";
	case HWB_CONFIG_LIST: return "write a list such as [\"A\", \"B\"]";
	default: return "write the value in double quotes";
	}
}

int hwb_core__config_choice(const char *choices, const char *s, size_t n)
{
	const char *p = choices, *bar;
	int i = 0;

	for (;; i++) {
		bar = strchr(p, '|');
		if ((size_t)((bar ? bar : p + strlen(p)) - p) == n &&
		    !memcmp(p, s, n))
			return i;
		if (!bar)
			return -1;
		p = bar + 1;
	}
}

static int push_item(struct hwb_core__config_entry *e, const char *s, size_t n)
{
	char **items = realloc(e->items, (e->count + 1) * sizeof(*items));

	if (!items)
		return -1;
	e->items = items;
	if (!(items[e->count] = strndup(s, n)))
		return -1;
	e->count++;
	return 0;
}

/* Checks shared by both syntaxes once a value has its type. */
/* where: "" for a file (the position says it), else "VAR: ". */
static int check_range(const struct hwb_config_key *k,
		       const struct hwb_core__config_entry *e,
		       const char *where, struct hwb_error *err)
{
	if (k->type == HWB_CONFIG_INT && (e->i < k->min || e->i > k->max))
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G003",
				     "%s'%s' is %lld, outside %lld..%lld",
				     where, k->name,
				     (long long)e->i, (long long)k->min,
				     (long long)k->max),
		       hwb_error_hint(err, "choose a value in that range");
	if (k->type == HWB_CONFIG_ENUM &&
	    hwb_core__config_choice(k->choices, e->s, strlen(e->s)) < 0)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G004",
				     "%s'%s' is '%s', not one of %s", where,
				     k->name, e->s, k->choices),
		       hwb_error_hint(err, "use one of %s", k->choices);
	return 0;
}

static int toml_type_error(const struct hwb_config_key *k,
			   const struct hwb_toml_value *v,
			   const struct hwb_core__config_layer *l,
			   struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G001",
		      "'%s' must be %s (found: %s)", k->name, type_name(k->type),
		      v->type == HWB_TOML_TABLE ? "a table" :
		      hwb_toml_type_name(v->type));
	hwb_error_hint(err, "%s", type_hint(k->type));
	return hwb_error_at(err, l->shown, v->line, v->column);
}

static int toml_string(const struct hwb_config_key *k,
		       const struct hwb_toml_value *v,
		       const struct hwb_core__config_layer *l,
		       struct hwb_error *err)
{
	if (v->type != HWB_TOML_STRING)
		return toml_type_error(k, v, l, err);
	if (memchr(v->u.str.ptr, '\0', v->u.str.len)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G001",
			      "'%s' holds a NUL character", k->name);
		hwb_error_hint(err, "remove the \\u0000 escape");
		return hwb_error_at(err, l->shown, v->line, v->column);
	}
	return 0;
}

static int toml_list(const struct hwb_config_key *k,
		     const struct hwb_toml_value *v,
		     const struct hwb_core__config_layer *l,
		     struct hwb_core__config_entry *out, struct hwb_error *err)
{
	const struct hwb_toml_value *item;
	size_t i;

	if (v->type != HWB_TOML_ARRAY)
		return toml_type_error(k, v, l, err);
	for (i = 0; i < v->u.array.count; i++) {
		item = v->u.array.items[i];
		if (toml_string(k, item, l, err))
			return -1;
		if (push_item(out, item->u.str.ptr, item->u.str.len))
			return hwb_error_oom(err);
	}
	return 0;
}

int hwb_core__config_from_toml(const struct hwb_config_key *k,
			       const struct hwb_toml_value *v,
			       const struct hwb_core__config_layer *l,
			       struct hwb_core__config_entry *out,
			       struct hwb_error *err)
{
	hwb_core__config_entry_release(out);
	out->set = 1;
	switch (k->type) {
	case HWB_CONFIG_BOOL:
		if (v->type != HWB_TOML_BOOL)
			return toml_type_error(k, v, l, err);
		out->b = v->u.boolean;
		break;
	case HWB_CONFIG_INT:
		if (v->type != HWB_TOML_INTEGER)
			return toml_type_error(k, v, l, err);
		out->i = v->u.integer;
		break;
	case HWB_CONFIG_STRING:
	case HWB_CONFIG_ENUM:
		if (toml_string(k, v, l, err))
			return -1;
		if (!(out->s = hwb_strdup(v->u.str.ptr)))
			return hwb_error_oom(err);
		break;
	case HWB_CONFIG_LIST:
		if (toml_list(k, v, l, out, err))
			return -1;
		break;
	}
	if (check_range(k, out, "", err))
		return hwb_error_at(err, l->shown, v->line, v->column);
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*out = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return -1;
}

static int parse_int(const char *s, int64_t *out)
{
	char *end;
	long long n;

	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return -1;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
}

/* Comma-separated items, each trimmed of blanks; empty items are skipped. */
static int split_items(struct hwb_core__config_entry *e, const char *text)
{
	const char *p = text, *end, *a, *b;

	while (*p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (a = p; a < end && (*a == ' ' || *a == '\t'); a++)
			;
		for (b = end; b > a && (b[-1] == ' ' || b[-1] == '\t'); b--)
			;
		if (b > a && push_item(e, a, (size_t)(b - a)))
			return -1;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int hwb_core__config_from_text(const struct hwb_config_key *k,
			       const char *text, int split_list,
			       const char *where,
			       struct hwb_core__config_entry *out,
			       struct hwb_error *err)
{
	hwb_core__config_entry_release(out);
	out->set = 1;
	switch (k->type) {
	case HWB_CONFIG_BOOL:
		if (parse_bool(text, &out->b))
			goto bad;
		break;
	case HWB_CONFIG_INT:
		if (parse_int(text, &out->i))
			goto bad;
		break;
	case HWB_CONFIG_STRING:
	case HWB_CONFIG_ENUM:
		if (!(out->s = hwb_strdup(text)))
			return hwb_error_oom(err);
		break;
	case HWB_CONFIG_LIST:
		if (split_list ? split_items(out, text)
			       : push_item(out, text, strlen(text)))
			return hwb_error_oom(err);
		break;
	}
	return check_range(k, out, where, err);
bad:
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G005",
		      "%s'%s' must be %s, not '%s'", where, k->name,
		      type_name(k->type), text);
	return hwb_error_hint(err, "%s",
			      k->type == HWB_CONFIG_BOOL ? "use true or false"
							 : "use a whole number");
}
