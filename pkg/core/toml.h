/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml.h: a TOML 1.0.0 parser written to the specification (no C TOML
 * library ships in Debian). It builds a tree of values; every value records
 * where it was defined so configuration errors can point at it. Invalid
 * documents are refused with the line and column of the first error.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/error.h"

enum hwb_toml_type {
	HWB_TOML_STRING,
	HWB_TOML_INTEGER,
	HWB_TOML_FLOAT,
	HWB_TOML_BOOL,
	HWB_TOML_DATETIME,       /* offset date-time */
	HWB_TOML_DATETIME_LOCAL,
	HWB_TOML_DATE_LOCAL,
	HWB_TOML_TIME_LOCAL,
	HWB_TOML_ARRAY,
	HWB_TOML_TABLE,
};

struct hwb_toml_datetime {
	int year, month, day;       /* valid for date types */
	int hour, minute, second;   /* valid for time types */
	long nanosecond;            /* fraction, truncated to ns */
	int fraction_digits;        /* digits given, 0 when none (for output) */
	int offset_minutes;         /* HWB_TOML_DATETIME only; 0 for Z */
	int offset_is_z;            /* written as Z rather than +00:00 */
};

struct hwb_toml_value;

struct hwb_toml_kv {
	char *key;       /* owned, NUL-terminated; may hold NULs (keylen) */
	size_t keylen;
	struct hwb_toml_value *value; /* owned */
};

struct hwb_toml_value {
	enum hwb_toml_type type;
	unsigned line, column; /* 1-based position of the value */
	union {
		struct {
			char *ptr; /* owned, NUL-terminated, may hold NULs */
			size_t len;
		} str;
		int64_t integer;
		double flt;
		int boolean;
		struct hwb_toml_datetime dt;
		struct {
			struct hwb_toml_value **items; /* owned */
			size_t count;
		} array;
		struct {
			struct hwb_toml_kv *items; /* owned, in document order */
			size_t count;
		} table;
	} u;
};

/**
 * Parse a UTF-8 TOML document of len bytes. On success *out is the root
 * table, freed with hwb_toml_free(). filename is only used in errors
 * (code HWB-T0xx, kind HWB_KIND_CONFIG, with line and column).
 */
int hwb_toml_parse(struct hwb_toml_value **out, const char *text, size_t len,
		   const char *filename, struct hwb_error *err);

/** Free a tree from hwb_toml_parse. NULL is allowed. */
void hwb_toml_free(struct hwb_toml_value *v);

/** The value for key in table, or NULL (also when table is not a table). */
const struct hwb_toml_value *hwb_toml_get(const struct hwb_toml_value *table,
					  const char *key);

/**
 * Follow a dotted path of bare keys ("tool.hwb.build") through nested
 * tables. NULL when any step is missing or not a table.
 */
const struct hwb_toml_value *
hwb_toml_get_path(const struct hwb_toml_value *table, const char *path);

/** The type's name as toml-test spells it ("string", "datetime-local"). */
const char *hwb_toml_type_name(enum hwb_toml_type type);
