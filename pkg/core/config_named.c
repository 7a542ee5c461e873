/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_named.c: named tables such as [publish.repositories.NAME], whose
 * names the user chooses, so they cannot be rows of the key table. They
 * say where uploads and their credentials go: only the user's own file
 * may hold them, never the project being published.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"

/* The prefixes of named tables and the string fields each table takes. */
static const struct {
	const char *prefix;
	const char *fields[2];
} tables[] = {
	{ "publish.repositories", { "url", NULL } },
};

static int table_index(const char *prefix)
{
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (!strcmp(tables[i].prefix, prefix))
			return (int)i;
	return -1;
}

int hwb_core__config_is_named(const char *name)
{
	return table_index(name) >= 0;
}

static int known_field(int t, const char *field)
{
	size_t i;

	for (i = 0; tables[t].fields[i]; i++)
		if (!strcmp(tables[t].fields[i], field))
			return 1;
	return 0;
}

static int store(struct hwb_config *c, const char *prefix, const char *name,
		 const char *field, const struct hwb_toml_value *v,
		 const struct hwb_core__config_layer *l, struct hwb_error *err)
{
	struct hwb_core__config_named *n, *grown;
	size_t i;

	for (i = 0; i < c->named_count; i++) {
		n = &c->named[i];
		if (!strcmp(n->prefix, prefix) && !strcmp(n->name, name) &&
		    !strcmp(n->field, field))
			break;
	}
	if (i == c->named_count) {
		grown = realloc(c->named, (c->named_count + 1) * sizeof(*grown));
		if (!grown)
			return hwb_error_oom(err);
		c->named = grown;
		n = &c->named[c->named_count];
		memset(n, 0, sizeof(*n));
		if (!(n->prefix = hwb_strdup(prefix)) ||
		    !(n->name = hwb_strdup(name)) ||
		    !(n->field = hwb_strdup(field))) {
			free(n->prefix);
			free(n->name);
			return hwb_error_oom(err);
		}
		c->named_count++;
	}
	free(n->value);
	free(n->origin);
	n->value = hwb_strdup(v->u.str.ptr);
	n->origin = hwb_strdup_printf("%s:%u:%u", l->shown, v->line, v->column);
	return n->value && n->origin ? 0 : hwb_error_oom(err);
}

static int refuse(const struct hwb_core__config_layer *l, const char *what,
		  const struct hwb_toml_value *v, const char *code,
		  struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_CONFIG, code, "%s", what);
	return hwb_error_at(err, l->shown, v->line, v->column);
}

int hwb_core__config_apply_named(struct hwb_config *c,
				 const struct hwb_core__config_layer *l,
				 const char *prefix,
				 const struct hwb_toml_value *v,
				 struct hwb_error *err)
{
	const struct hwb_toml_value *t, *f;
	int idx = table_index(prefix);
	size_t i, j;
	char what[256];

	if (hwb_core__config_untrusted(l->source)) {
		snprintf(what, sizeof(what), "[%s.NAME] says where uploads and "
			 "their credentials go and is not accepted from the "
			 "project's own files", prefix);
		refuse(l, what, v, "HWB-G006", err);
		return hwb_error_hint(err, "the project being published is not "
				      "trusted to choose its index; define the "
				      "repository in ~/.config/hwb/config.toml");
	}
	if (v->type != HWB_TOML_TABLE) {
		snprintf(what, sizeof(what), "'%s' must be a table of [%s.NAME] "
			 "tables", prefix, prefix);
		return refuse(l, what, v, "HWB-G001", err);
	}
	for (i = 0; i < v->u.table.count; i++) {
		t = v->u.table.items[i].value;
		if (t->type != HWB_TOML_TABLE || !v->u.table.items[i].keylen) {
			snprintf(what, sizeof(what), "[%s.%s] must be a table",
				 prefix, v->u.table.items[i].key);
			return refuse(l, what, t, "HWB-G001", err);
		}
		for (j = 0; j < t->u.table.count; j++) {
			const char *field = t->u.table.items[j].key;

			f = t->u.table.items[j].value;
			if (!known_field(idx, field)) {
				snprintf(what, sizeof(what), "unknown key '%s.%s.%s'",
					 prefix, v->u.table.items[i].key, field);
				refuse(l, what, f, "HWB-G002", err);
				return hwb_error_hint(err, "a repository takes url");
			}
			if (f->type != HWB_TOML_STRING ||
			    strlen(f->u.str.ptr) != f->u.str.len) {
				snprintf(what, sizeof(what), "'%s.%s.%s' must be a "
					 "string", prefix, v->u.table.items[i].key,
					 field);
				return refuse(l, what, f, "HWB-G003", err);
			}
			if (store(c, prefix, v->u.table.items[i].key, field, f,
				  l, err))
				return -1;
		}
	}
	return 0;
}

const char *hwb_config_named(const struct hwb_config *c, const char *prefix,
			     const char *name, const char *field,
			     const char **origin)
{
	size_t i;

	for (i = 0; c && i < c->named_count; i++) {
		const struct hwb_core__config_named *n = &c->named[i];

		if (strcmp(n->prefix, prefix) || strcmp(n->name, name) ||
		    strcmp(n->field, field))
			continue;
		if (origin)
			*origin = n->origin;
		return n->value;
	}
	return NULL;
}

void hwb_core__config_named_release(struct hwb_config *c)
{
	size_t i;

	for (i = 0; i < c->named_count; i++) {
		free(c->named[i].prefix);
		free(c->named[i].name);
		free(c->named[i].field);
		free(c->named[i].value);
		free(c->named[i].origin);
	}
	free(c->named);
	c->named = NULL;
	c->named_count = 0;
}
