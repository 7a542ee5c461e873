/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c: loading the configuration layer by layer (see config.h), and
 * the typed getters. Converting and judging one value is config_value.c
 * and config_trust.c, reading it config_get.c; the key table is
 * config_keys.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/core/fileio.h"
#include "pkg/core/internal.h"
#include "pkg/core/log.h"

/* Replace key k's entry with e (moved) and record where it came from. */
static void store(struct hwb_config *c, const struct hwb_config_key *k,
		  struct hwb_core__config_entry *e,
		  enum hwb_config_source source, char *origin)
{
	struct hwb_core__config_entry *slot = &c->entries[hwb_core__config_key_index(k)];

	hwb_core__config_entry_release(slot);
	*slot = *e;
	slot->source = source;
	slot->origin = origin;
	*e = (struct hwb_core__config_entry)HWB_CORE__CONFIG_ENTRY_INIT;
}

static int set_defaults(struct hwb_config *c, struct hwb_error *err)
{
	struct hwb_core__config_entry e = HWB_CORE__CONFIG_ENTRY_INIT;
	const struct hwb_config_key *keys = hwb_config_keys(&c->count);
	char *origin;
	size_t i;

	if (!(c->entries = calloc(c->count, sizeof(*c->entries))))
		return hwb_error_oom(err);
	for (i = 0; i < c->count; i++) {
		if (keys[i].def &&
		    hwb_core__config_from_text(&keys[i], keys[i].def, 1,
					       "default: ", &e, err))
			HWB_BUG("default of %s is invalid: %s", keys[i].name,
				err->message);
		e.set = keys[i].def || keys[i].type == HWB_CONFIG_LIST;
		if (!(origin = hwb_strdup("default"))) {
			hwb_core__config_entry_release(&e);
			return hwb_error_oom(err);
		}
		store(c, &keys[i], &e, HWB_CONFIG_DEFAULT, origin);
	}
	return 0;
}

/* 1 when name is a table of keys ("build", "build.limits"). */
static int is_section(const char *name)
{
	const struct hwb_config_key *keys;
	size_t count, i, n = strlen(name);

	keys = hwb_config_keys(&count);
	for (i = 0; i < count; i++)
		if (!strncmp(keys[i].name, name, n) && keys[i].name[n] == '.')
			return 1;
	return 0;
}

static int unknown_key(const struct hwb_core__config_layer *l,
		       const char *name, unsigned line, unsigned col,
		       struct hwb_error *err)
{
	struct hwb_buf near = HWB_BUF_INIT;

	if (hwb_core__config_suggest(name, &near))
		return hwb_error_oom(err);
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G002", "unknown key '%s'",
		      name);
	if (near.len)
		hwb_error_hint(err, "did you mean %s?", near.ptr);
	else
		hwb_error_hint(err, "hwb.toml.example lists every key");
	hwb_buf_release(&near);
	return l ? hwb_error_at(err, l->shown, line, col) : -1;
}

/* A quoted key holding dots ("build.timeout" = 5) is one key, not a path. */
static int quoted_dots(const struct hwb_core__config_layer *l,
		       const char *prefix, const struct hwb_toml_kv *kv,
		       struct hwb_error *err)
{
	const struct hwb_toml_value *v = kv->value;
	char *quoted = hwb_strdup_printf("\"%s\"", kv->key);
	unsigned col;

	if (!quoted)
		return hwb_error_oom(err);
	col = hwb_core__config_key_column(l, v->line, v->column, quoted);
	free(quoted);
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G002",
		      "unknown key %s%s\"%s\" (quoted: one key, not a dotted path)",
		      prefix ? prefix : "", prefix ? "." : "", kv->key);
	hwb_error_hint(err, "write the key without quotes: %s", kv->key);
	return hwb_error_at(err, l->shown, v->line, col);
}

static int apply_toml(struct hwb_config *c,
		      const struct hwb_core__config_layer *l, const char *name,
		      const char *seg, const struct hwb_toml_value *v,
		      struct hwb_error *err)
{
	struct hwb_core__config_entry e = HWB_CORE__CONFIG_ENTRY_INIT;
	const struct hwb_config_key *k = hwb_config_key_find(name);
	unsigned col = hwb_core__config_key_column(l, v->line, v->column, seg);
	char *origin;

	if (!k && is_section(name)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G001",
			      "'%s' must be a table of settings, not a value", name);
		hwb_error_hint(err, "write [%s] above its keys", name);
		return hwb_error_at(err, l->shown, v->line, col);
	}
	if (!k)
		return unknown_key(l, name, v->line, col, err);
	if (hwb_core__config_from_toml(k, v, l, &e, err) ||
	    hwb_core__config_check_trust(k, &e, l, v->line, col, err))
		goto fail;
	if (!(origin = hwb_strdup_printf("%s:%u:%u", l->shown, v->line, col))) {
		hwb_error_oom(err);
		goto fail;
	}
	store(c, k, &e, l->source, origin);
	return 0;
fail:
	hwb_core__config_entry_release(&e);
	return -1;
}

/* A key part hwb could know: not empty, no '.' (a quoted "a.b") or NUL. */
static int plain_segment(const struct hwb_toml_kv *kv)
{
	return kv->keylen && kv->keylen == strlen(kv->key) &&
	       !strchr(kv->key, '.');
}

static int walk(struct hwb_config *c, const struct hwb_core__config_layer *l,
		const struct hwb_toml_value *table, const char *prefix,
		struct hwb_error *err)
{
	const struct hwb_toml_kv *kv;
	const struct hwb_toml_value *v;
	char *name;
	size_t i;
	int rc = 0;

	for (i = 0; i < table->u.table.count && !rc; i++) {
		kv = &table->u.table.items[i];
		v = kv->value;
		name = prefix ? hwb_strdup_printf("%s.%s", prefix, kv->key)
			      : hwb_strdup(kv->key);
		if (!name)
			return hwb_error_oom(err);
		if (!plain_segment(kv) && strchr(kv->key, '.'))
			rc = quoted_dots(l, prefix, kv, err);
		else if (!plain_segment(kv))
			rc = unknown_key(l, name, v->line, v->column, err);
		else if (v->type != HWB_TOML_TABLE || hwb_config_key_find(name))
			rc = apply_toml(c, l, name, kv->key, v, err);
		else if (!v->u.table.count && !is_section(name))
			rc = unknown_key(l, name, v->line,
					 hwb_core__config_key_column(l, v->line, v->column, kv->key),
					 err);
		else
			rc = walk(c, l, v, name, err);
		free(name);
	}
	return rc;
}

int hwb_core__config_apply_text(struct hwb_config *c,
				enum hwb_config_source source, const char *shown,
				const char *text, size_t len,
				const char *subtable, int *configures,
				struct hwb_error *err)
{
	struct hwb_core__config_layer l = { source, shown, text, len };
	struct hwb_toml_value *root = NULL;
	const struct hwb_toml_value *table;
	int rc = -1;

	*configures = 0;
	if (hwb_toml_parse(&root, text, len, shown, err))
		return -1;
	table = subtable ? hwb_toml_get_path(root, subtable) : root;
	if (table && table->type != HWB_TOML_TABLE) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-G001",
			      "[%s] must be a table", subtable);
		hwb_error_hint(err, "write [%s] as a table header", subtable);
		hwb_error_at(err, shown, table->line, table->column);
		goto cleanup;
	}
	*configures = table != NULL;
	rc = table ? walk(c, &l, table, NULL, err) : 0;
cleanup:
	hwb_toml_free(root);
	return rc;
}

/*
 * Read one configuration file into c. A missing file is no error. subtable
 * is "tool.hwb" for pyproject.toml, NULL when the whole file is hwb's.
 * read_path may differ from f->path (the user's file with links resolved).
 */
static int load_file(struct hwb_config *c, struct hwb_config_file *f,
		     const char *read_path, const char *subtable,
		     struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct stat st;
	int rc = -1;

	if (lstat(read_path, &st) && errno == ENOENT)
		return 0;
	if (hwb_file_read_all(read_path, HWB_FILE_CONFIG_MAX, &text, err)) {
		hwb_error_at(err, f->path, 0, 0);
		goto cleanup;
	}
	f->present = 1;
	rc = hwb_core__config_apply_text(c, f->source, f->path, text.ptr,
					 text.len, subtable, &f->configures, err);
cleanup:
	hwb_buf_release(&text);
	return rc;
}

static struct hwb_config_file *add_file(struct hwb_config *c, char *path,
					enum hwb_config_source source)
{
	struct hwb_config_file *f = &c->files[c->nfiles];

	c->paths[c->nfiles++] = path;
	f->path = path;
	f->source = source;
	return f;
}

/* "pyproject.toml" for the current directory, else "DIR/pyproject.toml". */
static char *project_file(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '.')
		return hwb_strdup(name);
	if (n == 1 && dir[0] == '/')
		return hwb_strdup_printf("/%s", name);
	return hwb_strdup_printf("%.*s/%s", (int)n, dir, name);
}

static int load_project(struct hwb_config *c, const char *dir,
			struct hwb_error *err)
{
	struct hwb_config_file *py, *ht;
	char *p1 = NULL, *p2 = NULL;
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-G009",
				"project directory '%s' is not a directory", dir);
		return hwb_error_hint(err, "pass the directory holding "
					   "pyproject.toml with --project");
	}
	if (!(c->project_dir = hwb_strdup(dir)) ||
	    !(p1 = project_file(dir, "pyproject.toml")) ||
	    !(p2 = project_file(dir, "hwb.toml"))) {
		free(p1);
		return hwb_error_oom(err);
	}
	py = add_file(c, p1, HWB_CONFIG_PYPROJECT);
	ht = add_file(c, p2, HWB_CONFIG_HWB_TOML);
	if (load_file(c, py, py->path, "tool.hwb", err) ||
	    load_file(c, ht, ht->path, NULL, err))
		return -1;
	ht->configures = ht->present;
	if (py->configures && ht->present)
		hwb_log_warn("%s has [tool.hwb] and %s exists too; %s wins for "
			     "every key set in both (keep one of them)",
			     py->path, ht->path, ht->path);
	return 0;
}

/* $XDG_CONFIG_HOME/hwb/config.toml, else ~/.config/hwb/config.toml. */
static int default_user_config(char **out, struct hwb_error *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	*out = NULL;
	/* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		*out = hwb_strdup_printf("%s/hwb/config.toml", xdg);
	else if (home && home[0] == '/')
		*out = hwb_strdup_printf("%s/.config/hwb/config.toml", home);
	else
		return 0;
	return *out ? 0 : hwb_error_oom(err);
}

static int load_user(struct hwb_config *c, const char *given,
		     struct hwb_error *err)
{
	struct hwb_config_file *f;
	char *path = NULL, *resolved;
	int rc;

	if (given && !*given)
		return 0;
	if (given && !(path = hwb_strdup(given)))
		return hwb_error_oom(err);
	if (!given && default_user_config(&path, err))
		return -1;
	if (!path)
		return 0; /* no HOME: there is no user configuration */
	f = add_file(c, path, HWB_CONFIG_USER);
	/*
	 * The user's own file is trusted, and dotfile managers link it into
	 * place: follow the link here, unlike for the project's files.
	 */
	resolved = realpath(path, NULL);
	rc = load_file(c, f, resolved ? resolved : path, NULL, err);
	f->configures = f->present;
	free(resolved);
	return rc;
}

static int load_env(struct hwb_config *c, struct hwb_error *err)
{
	struct hwb_core__config_entry e = HWB_CORE__CONFIG_ENTRY_INIT;
	const struct hwb_config_key *keys = hwb_config_keys(&c->count);
	char env[128], where[160], *origin;
	const char *v;
	size_t i;

	for (i = 0; i < c->count; i++) {
		if (hwb_config_env_name(keys[i].name, env, sizeof(env)))
			HWB_BUG("configuration key name too long: %s", keys[i].name);
		v = getenv(env);
		/* Empty means unset, except that it empties a list. */
		if (!v || (!*v && keys[i].type != HWB_CONFIG_LIST))
			continue;
		if (snprintf(where, sizeof(where), "environment variable %s: ",
			     env) >= (int)sizeof(where))
			HWB_BUG("environment variable name too long: %s", env);
		if (hwb_core__config_from_text(&keys[i], v, 1, where, &e, err))
			goto fail;
		if (!(origin = hwb_strdup(env))) {
			hwb_error_oom(err);
			goto fail;
		}
		store(c, &keys[i], &e, HWB_CONFIG_ENV, origin);
	}
	return 0;
fail:
	hwb_core__config_entry_release(&e);
	return -1;
}

/* A repeated list flag adds an item; any other flag replaces the value. */
static int apply_override(struct hwb_config *c,
			  const struct hwb_config_override *o,
			  struct hwb_error *err)
{
	struct hwb_core__config_entry e = HWB_CORE__CONFIG_ENTRY_INIT, *slot;
	const struct hwb_config_key *k = hwb_config_key_find(o->key);
	const char *flag = o->origin ? o->origin : "--set";
	char where[160], **items, *origin;

	if (!k)
		return unknown_key(NULL, o->key, 0, 0, err);
	if (snprintf(where, sizeof(where), "%s: ", flag) >= (int)sizeof(where))
		snprintf(where, sizeof(where), "command line: ");
	if (hwb_core__config_from_text(k, o->value, 0, where, &e, err))
		goto fail;
	slot = &c->entries[hwb_core__config_key_index(k)];
	if (k->type == HWB_CONFIG_LIST && slot->source == HWB_CONFIG_FLAG) {
		items = realloc(slot->items, (slot->count + 1) * sizeof(*items));
		if (!items)
			goto oom;
		slot->items = items;
		items[slot->count++] = e.items[0];
		e.count = 0;
		hwb_core__config_entry_release(&e);
		return 0;
	}
	if (!(origin = hwb_strdup(flag)))
		goto oom;
	store(c, k, &e, HWB_CONFIG_FLAG, origin);
	return 0;
oom:
	hwb_error_oom(err);
fail:
	hwb_core__config_entry_release(&e);
	return -1;
}

int hwb_core__config_new(struct hwb_config **out, struct hwb_error *err)
{
	struct hwb_config *c = calloc(1, sizeof(*c));

	*out = NULL;
	if (!c)
		return hwb_error_oom(err);
	if (set_defaults(c, err)) {
		hwb_config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int hwb_config_load(struct hwb_config **out,
		    const struct hwb_config_options *opts,
		    struct hwb_error *err)
{
	struct hwb_config *c = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (hwb_core__config_new(&c, err) ||
	    (opts->project_dir && load_project(c, opts->project_dir, err)) ||
	    load_user(c, opts->user_config, err) || load_env(c, err))
		goto cleanup;
	for (i = 0; i < opts->override_count; i++)
		if (apply_override(c, &opts->overrides[i], err))
			goto cleanup;
	*out = c;
	c = NULL;
	rc = 0;
cleanup:
	hwb_config_free(c);
	return rc;
}

void hwb_config_free(struct hwb_config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; c->entries && i < c->count; i++)
		hwb_core__config_entry_release(&c->entries[i]);
	free(c->entries);
	for (i = 0; i < c->nfiles; i++)
		free(c->paths[i]);
	free(c->project_dir);
	free(c);
}
