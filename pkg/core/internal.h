/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: helpers shared between files of pkg/core and used nowhere
 * else. Not part of any public API.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/toml.h"

/* ---- configuration (config.c: layers, config_value.c: values) ---- */

#include "pkg/core/config.h"

/* The effective value of one key. */
struct hwb_core__config_entry {
	enum hwb_config_source source;
	char *origin; /* owned: "hwb.toml:3:1", "HWB_BUILD_TIMEOUT", ... */
	int set;      /* 0: no value (a string key without default) */
	int b;        /* HWB_CONFIG_BOOL */
	int64_t i;    /* HWB_CONFIG_INT */
	char *s;      /* owned; HWB_CONFIG_STRING and HWB_CONFIG_ENUM */
	char **items; /* owned; HWB_CONFIG_LIST */
	size_t count;
};

#define HWB_CORE__CONFIG_ENTRY_INIT { HWB_CONFIG_DEFAULT, NULL, 0, 0, 0, NULL, NULL, 0 }

/** Free what e owns; leaves it as HWB_CORE__CONFIG_ENTRY_INIT. */
void hwb_core__config_entry_release(struct hwb_core__config_entry *e);

/** A configuration holding only the defaults (free with hwb_config_free). */
int hwb_core__config_new(struct hwb_config **out, struct hwb_error *err);

/**
 * Apply a TOML document (len bytes) as the layer source, shown as shown in
 * messages; subtable is "tool.hwb" for pyproject.toml, else NULL.
 * *configures is set when the document holds hwb settings. The fuzz
 * target enters here.
 */
int hwb_core__config_apply_text(struct hwb_config *c,
				enum hwb_config_source source, const char *shown,
				const char *text, size_t len,
				const char *subtable, int *configures,
				struct hwb_error *err);

/* A configuration file being read, for positions in errors. */
struct hwb_core__config_layer {
	enum hwb_config_source source;
	const char *shown; /* the file as shown in messages */
	const char *text;  /* its contents */
	size_t len;
};

/** Index of choice s (n bytes) in "a|b|c", or -1. */
int hwb_core__config_choice(const char *choices, const char *s, size_t n);

/** 1 for the layers that come from the project being built. */
int hwb_core__config_untrusted(enum hwb_config_source source);

/**
 * Convert a TOML value for key k into out (released first). Errors
 * (HWB-G001, G003, G004) point at the value in l.
 */
int hwb_core__config_from_toml(const struct hwb_config_key *k,
			       const struct hwb_toml_value *v,
			       const struct hwb_core__config_layer *l,
			       struct hwb_core__config_entry *out,
			       struct hwb_error *err);

/**
 * Convert text (a default, an environment variable or a flag) for key k
 * into out. split_list: a list is comma-separated (else text is one item).
 * where prefixes errors ("environment variable HWB_X: ").
 */
int hwb_core__config_from_text(const struct hwb_config_key *k,
			       const char *text, int split_list,
			       const char *where,
			       struct hwb_core__config_entry *out,
			       struct hwb_error *err);

/**
 * The trust rule for a value read from a project file (HWB-G006, G007,
 * G008 at line:col of l).
 */
int hwb_core__config_check_trust(const struct hwb_config_key *k,
				 const struct hwb_core__config_entry *v,
				 const struct hwb_core__config_layer *l,
				 unsigned line, unsigned col,
				 struct hwb_error *err);

/**
 * Append to out the known key closest to name ("'build.timeout'", by edit
 * distance), or the keys with the same last part ("'http.timeout' or
 * 'build.timeout'"), or nothing. -1 when out of memory.
 */
int hwb_core__config_suggest(const char *name, struct hwb_buf *out);

/**
 * The column (in characters) where key segment seg starts on line, found
 * before the value's column vcol; the line's first non-blank otherwise.
 */
unsigned hwb_core__config_key_column(const struct hwb_core__config_layer *l,
				     unsigned line, unsigned vcol,
				     const char *seg);
