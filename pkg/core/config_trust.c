/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_trust.c: the rule that the project being built cannot weaken its
 * own build. A value from pyproject.toml or hwb.toml is refused when its key
 * is user-only, when it loosens a tighten-only key, or when it names a path
 * outside the project; the message says where such a setting belongs.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"

#define USER_PLACES "~/.config/hwb/config.toml, %s or a command-line flag"

static int fail_at(const struct hwb_config_key *k,
		   const struct hwb_core__config_layer *l, unsigned line,
		   unsigned col, const char *what, struct hwb_error *err)
{
	char env[128];

	if (hwb_config_env_name(k->name, env, sizeof(env)))
		HWB_BUG("configuration key name too long: %s", k->name);
	hwb_error_hint(err, "the project being built is not trusted to %s; "
			    "set it in " USER_PLACES, what, env);
	return hwb_error_at(err, l->shown, line, col);
}

/* Tighten-only: compare with the default, the loosest a project may ask. */
static int check_tighten(const struct hwb_config_key *k,
			 const struct hwb_core__config_entry *v,
			 const struct hwb_core__config_layer *l, unsigned line,
			 unsigned col, struct hwb_error *err)
{
	struct hwb_core__config_entry def = HWB_CORE__CONFIG_ENTRY_INIT;
	int loosens = 0;

	if (!k->def)
		HWB_BUG("tighten-only key %s has no default", k->name);
	if (hwb_core__config_from_text(k, k->def, 1, "default: ", &def, err))
		HWB_BUG("default of %s is invalid: %s", k->name, err->message);
	if (k->type == HWB_CONFIG_INT && v->i > def.i) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G007",
			      "'%s = %lld' raises the default limit %lld; the "
			      "project's own files may only lower it", k->name,
			      (long long)v->i, (long long)def.i);
		loosens = 1;
	} else if (k->type == HWB_CONFIG_ENUM &&
		   hwb_core__config_choice(k->choices, v->s, strlen(v->s)) >
			   hwb_core__config_choice(k->choices, def.s, strlen(def.s))) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G007",
			      "'%s = \"%s\"' is weaker than the default \"%s\"; "
			      "the project's own files may only ask for more",
			      k->name, v->s, def.s);
		loosens = 1;
	} else if (k->type == HWB_CONFIG_BOOL && v->b != def.b) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G007",
			      "'%s = %s' loosens a security setting; the "
			      "project's own files may only keep it %s", k->name,
			      v->b ? "true" : "false", def.b ? "true" : "false");
		loosens = 1;
	}
	hwb_core__config_entry_release(&def);
	return loosens ? fail_at(k, l, line, col, "loosen it", err) : 0;
}

/* A path inside the project: relative, no "..", no "~". */
static int inside_project(const char *path)
{
	const char *p = path;

	if (*p == '/' || *p == '~' || !*p)
		return 0;
	while (*p) {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]))
			return 0;
		p = strchr(p, '/');
		if (!p)
			break;
		while (*p == '/')
			p++;
	}
	return 1;
}

static int check_relpath(const struct hwb_config_key *k,
			 const struct hwb_core__config_entry *v,
			 const struct hwb_core__config_layer *l, unsigned line,
			 unsigned col, struct hwb_error *err)
{
	size_t i, n = k->type == HWB_CONFIG_LIST ? v->count : 1;
	const char *path;

	for (i = 0; i < n; i++) {
		path = k->type == HWB_CONFIG_LIST ? v->items[i] : v->s;
		if (inside_project(path))
			continue;
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G008",
			      "'%s' names '%s', outside the project; the "
			      "project's own files may only name paths inside "
			      "it", k->name, path);
		return fail_at(k, l, line, col, "reach outside its tree", err);
	}
	return 0;
}

int hwb_core__config_check_trust(const struct hwb_config_key *k,
				 const struct hwb_core__config_entry *v,
				 const struct hwb_core__config_layer *l,
				 unsigned line, unsigned col,
				 struct hwb_error *err)
{
	if (!hwb_core__config_untrusted(l->source))
		return 0;
	switch (k->trust) {
	case HWB_CONFIG_ANY:
		return 0;
	case HWB_CONFIG_TIGHTEN:
		return check_tighten(k, v, l, line, col, err);
	case HWB_CONFIG_RELPATH:
		return check_relpath(k, v, l, line, col, err);
	case HWB_CONFIG_USER_ONLY:
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G006",
			      "'%s' weakens security and is not accepted from "
			      "the project's own files", k->name);
		return fail_at(k, l, line, col, "set it", err);
	}
	HWB_BUG("key %s has an unknown trust class", k->name);
}
