/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h: hwb's configuration. Layers, lowest to highest precedence:
 *   1. defaults (the key table in config_keys.c)
 *   2. [tool.hwb] in the project's pyproject.toml
 *   3. hwb.toml in the project root ([build] there is [tool.hwb.build])
 *   4. the user's $XDG_CONFIG_HOME/hwb/config.toml (~/.config/hwb/...)
 *   5. HWB_* environment variables: "HWB_" + the key in upper case with
 *      '.' and '-' turned into '_' (build.limits.cpu-seconds is
 *      HWB_BUILD_LIMITS_CPU_SECONDS); lists are comma-separated
 *   6. command-line flags, passed in by the command as overrides
 * A higher layer replaces a value (lists included) key by key. Every key is
 * validated (unknown keys, types, ranges, choices), and the project's own
 * files (layers 2 and 3) are untrusted: a key that weakens security is
 * refused there, a limit may only be tightened there. Every value records
 * where it came from. Errors are HWB-G0xx (kind HWB_KIND_CONFIG) naming the
 * file, line and column.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

enum hwb_config_type {
	HWB_CONFIG_BOOL,
	HWB_CONFIG_INT,
	HWB_CONFIG_STRING,
	HWB_CONFIG_ENUM, /* a string from a fixed set of choices */
	HWB_CONFIG_LIST, /* a list of strings */
};

/* Who may set a key: the project being built is not trusted. */
enum hwb_config_trust {
	HWB_CONFIG_ANY,       /* any layer */
	HWB_CONFIG_TIGHTEN,   /* project files may only make it stricter:
			       * an integer no higher than the default, a
			       * choice no weaker than the default (choices
			       * are listed strictest first), a boolean only
			       * its default */
	HWB_CONFIG_RELPATH,   /* project files may only give paths inside
			       * the project (relative, no "..") */
	HWB_CONFIG_USER_ONLY, /* weakens security: never from project files */
};

/* Where a value came from, lowest precedence first. */
enum hwb_config_source {
	HWB_CONFIG_DEFAULT,
	HWB_CONFIG_PYPROJECT,
	HWB_CONFIG_HWB_TOML,
	HWB_CONFIG_USER,
	HWB_CONFIG_ENV,
	HWB_CONFIG_FLAG,
};

/* One known key. */
struct hwb_config_key {
	const char *name;    /* dotted, e.g. "build.limits.cpu-seconds" */
	enum hwb_config_type type;
	enum hwb_config_trust trust;
	const char *def;     /* default, written as an environment value
			      * would be; NULL: unset (lists: empty) */
	int64_t min, max;    /* HWB_CONFIG_INT: accepted range */
	const char *choices; /* HWB_CONFIG_ENUM: "a|b|c", strictest first */
	const char *doc;     /* one line for hwb.toml.example and show */
};

/** The one table of known keys (config_keys.c) and its length. */
const struct hwb_config_key *hwb_config_keys(size_t *count);

/** The key called name, or NULL. */
const struct hwb_config_key *hwb_config_key_find(const char *name);

/**
 * The environment variable for key name ("build.timeout" gives
 * "HWB_BUILD_TIMEOUT"). Returns 0, or -1 when outsz is too small.
 */
int hwb_config_env_name(const char *name, char *out, size_t outsz);

/** Name of a source ("default", "pyproject", "hwb.toml", "user", "env", "flag"). */
const char *hwb_config_source_name(enum hwb_config_source source);

/* A command-line setting, e.g. { "build.timeout", "60", "--timeout" }. */
struct hwb_config_override {
	const char *key;
	const char *value;  /* in environment syntax; for a list key, one item
			     * (repeat the override to give several) */
	const char *origin; /* the flag, shown by `hwb config show`; NULL:
			     * "--set KEY=VALUE" */
};

struct hwb_config_options {
	const char *project_dir; /* NULL: no project files are read */
	const char *user_config; /* NULL: the XDG location; "": none */
	const struct hwb_config_override *overrides;
	size_t override_count;
};

/* The effective configuration; opaque. */
struct hwb_config;

/**
 * Read and validate every layer. On success *out is freed with
 * hwb_config_free(). Warns (hwb_log_warn) when both pyproject.toml's
 * [tool.hwb] and hwb.toml configure hwb. The environment is read here.
 */
int hwb_config_load(struct hwb_config **out,
		    const struct hwb_config_options *opts,
		    struct hwb_error *err);

/** Free a configuration; NULL is allowed. */
void hwb_config_free(struct hwb_config *cfg);

/*
 * Typed getters. key must be in the table with the matching type (anything
 * else is a programming error: HWB_BUG). cfg may be NULL: the default.
 */
int hwb_config_bool(const struct hwb_config *cfg, const char *key);
int64_t hwb_config_int(const struct hwb_config *cfg, const char *key);
/** STRING and ENUM keys; NULL when unset. Owned by cfg. */
const char *hwb_config_str(const struct hwb_config *cfg, const char *key);
/** LIST keys: the count, and *items (owned by cfg; may be NULL when 0). */
size_t hwb_config_list(const struct hwb_config *cfg, const char *key,
		       const char *const **items);

/* A configuration file hwb looked for, in layer order. */
struct hwb_config_file {
	const char *path;    /* as shown in messages */
	enum hwb_config_source source;
	int present;         /* the file exists and was read */
	int configures;      /* it holds hwb settings (pyproject: [tool.hwb]) */
};

/** The files looked for (pyproject.toml, hwb.toml, the user's). */
size_t hwb_config_file_count(const struct hwb_config *cfg);
const struct hwb_config_file *hwb_config_file_at(const struct hwb_config *cfg,
						 size_t i);

/** The project directory given in the options, or NULL. */
const char *hwb_config_project_dir(const struct hwb_config *cfg);

/*
 * Named tables: [publish.repositories.NAME] with a fixed set of string
 * fields (url). A named table lets its user send uploads and credentials
 * elsewhere, so only the user's own file may hold one; the project's files
 * are refused (HWB-G006), as for a user-only key.
 */
#define HWB_CONFIG_NAMED_TABLES "publish.repositories"

/**
 * The string field of the table NAME under prefix ("publish.repositories",
 * "testing", "url"), or NULL when the user's file has no such table or
 * field. Owned by cfg. *origin (may be NULL) gets "config.toml:3:1".
 */
const char *hwb_config_named(const struct hwb_config *cfg, const char *prefix,
			     const char *name, const char *field,
			     const char **origin);

/** Where key's value came from. */
enum hwb_config_source hwb_config_source(const struct hwb_config *cfg,
					 const char *key);
/**
 * 1 when key's value is on the project's word: it came from the project's
 * own files (pyproject.toml, hwb.toml) or is the default, which names a
 * path inside the project. Such paths are resolved beneath the project
 * (pkg/core/beneath.h); the user's own word (flags, environment, user
 * configuration) may name any path.
 */
int hwb_config_on_project_word(const struct hwb_config *cfg, const char *key);

/** "hwb.toml:3:11", "HWB_BUILD_TIMEOUT", "--timeout" or "default". */
const char *hwb_config_origin(const struct hwb_config *cfg, const char *key);

/**
 * `hwb config show`: load with opts and render every key's effective value
 * and origin into out, as text or as a JSON document of schema
 * hwb.config/1. Values pass through hwb_redact().
 */
int hwb_config_show(const struct hwb_config_options *opts, int json,
		    struct hwb_buf *out, struct hwb_error *err);

/**
 * `hwb config check`: load with opts (every file is validated) and render
 * which files were read into out (text, or JSON of schema
 * hwb.config-check/1). -1 with err at the first invalid setting.
 */
int hwb_config_check(const struct hwb_config_options *opts, int json,
		     struct hwb_buf *out, struct hwb_error *err);
