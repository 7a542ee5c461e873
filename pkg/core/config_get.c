/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_get.c: reading a loaded configuration (see config.h): the typed
 * getters, where each value came from, and the files that were consulted.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"

size_t hwb_core__config_key_index(const struct hwb_config_key *k)
{
	size_t count;

	return (size_t)(k - hwb_config_keys(&count));
}

size_t hwb_config_file_count(const struct hwb_config *c)
{
	return c ? c->nfiles : 0;
}

const struct hwb_config_file *hwb_config_file_at(const struct hwb_config *c,
						 size_t i)
{
	return c && i < c->nfiles ? &c->files[i] : NULL;
}

const char *hwb_config_project_dir(const struct hwb_config *c)
{
	return c ? c->project_dir : NULL;
}

static const struct hwb_config_key *typed_key(const char *name,
					      enum hwb_config_type type)
{
	const struct hwb_config_key *k = hwb_config_key_find(name);

	if (!k)
		HWB_BUG("no configuration key '%s'", name);
	if (k->type != type &&
	    !(type == HWB_CONFIG_STRING && k->type == HWB_CONFIG_ENUM))
		HWB_BUG("configuration key '%s' read with the wrong type", name);
	return k;
}

int hwb_config_bool(const struct hwb_config *c, const char *key)
{
	const struct hwb_config_key *k = typed_key(key, HWB_CONFIG_BOOL);

	if (!c)
		return k->def && !strcmp(k->def, "true");
	return c->entries[hwb_core__config_key_index(k)].b;
}

int64_t hwb_config_int(const struct hwb_config *c, const char *key)
{
	const struct hwb_config_key *k = typed_key(key, HWB_CONFIG_INT);

	if (!c)
		return k->def ? strtoll(k->def, NULL, 10) : 0;
	return c->entries[hwb_core__config_key_index(k)].i;
}

const char *hwb_config_str(const struct hwb_config *c, const char *key)
{
	const struct hwb_config_key *k = typed_key(key, HWB_CONFIG_STRING);

	if (!c)
		return k->def;
	return c->entries[hwb_core__config_key_index(k)].s;
}

size_t hwb_config_list(const struct hwb_config *c, const char *key,
		       const char *const **items)
{
	const struct hwb_config_key *k = typed_key(key, HWB_CONFIG_LIST);
	const struct hwb_core__config_entry *e;

	*items = NULL;
	if (!c)
		return 0;
	e = &c->entries[hwb_core__config_key_index(k)];
	*items = (const char *const *)e->items;
	return e->count;
}

enum hwb_config_source hwb_config_source(const struct hwb_config *c,
					 const char *key)
{
	const struct hwb_config_key *k = hwb_config_key_find(key);

	if (!k)
		HWB_BUG("no configuration key '%s'", key);
	return c ? c->entries[hwb_core__config_key_index(k)].source : HWB_CONFIG_DEFAULT;
}

int hwb_config_on_project_word(const struct hwb_config *cfg, const char *key)
{
	enum hwb_config_source s = hwb_config_source(cfg, key);

	return s == HWB_CONFIG_DEFAULT || s == HWB_CONFIG_PYPROJECT ||
	       s == HWB_CONFIG_HWB_TOML;
}

const char *hwb_config_origin(const struct hwb_config *c, const char *key)
{
	const struct hwb_config_key *k = hwb_config_key_find(key);

	if (!k)
		HWB_BUG("no configuration key '%s'", key);
	return c ? c->entries[hwb_core__config_key_index(k)].origin : "default";
}
