/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h: what every subcommand shares: the table-driven option parser that
 * also writes --help, the common flags, and the one place where a struct
 * hwb_error becomes a line on stderr and an exit status.
 */
#pragma once

#include <stddef.h>

#include "pkg/core/audit.h"
#include "pkg/core/config.h"
#include "pkg/core/error.h"

enum cli_opt_type {
	CLI_OPT_END = 0,
	CLI_OPT_FLAG,   /* int *: set to 1 */
	CLI_OPT_STRING, /* const char **: last one wins */
	CLI_OPT_LIST,   /* struct cli_list *: repeatable */
	CLI_OPT_INT,    /* long *: decimal, >= 0 */
};

struct cli_list {
	const char **items; /* points into argv; the array is owned */
	size_t count;
};

struct cli_opt {
	enum cli_opt_type type;
	const char *name;       /* long name without "--" */
	char alias;             /* short name or 0 */
	void *target;
	const char *value_name; /* shown in help, e.g. "FILE" */
	const char *help;
};

/* Flags every subcommand takes; filled by the parser. */
struct cli_common {
	const char *format; /* "text" (default) or "json" */
	int quiet;
	int verbose;
	int debug;
	int help;
};

#define CLI_COMMON_OPTS(c)                                                    \
	{ CLI_OPT_STRING, "format", 0, &(c)->format, "text|json",            \
	  "output format" },                                                   \
	{ CLI_OPT_FLAG, "quiet", 'q', &(c)->quiet, NULL, "only errors" },    \
	{ CLI_OPT_FLAG, "verbose", 'v', &(c)->verbose, NULL,                  \
	  "more detail" },                                                     \
	{ CLI_OPT_FLAG, "debug", 0, &(c)->debug, NULL,                        \
	  "everything, for bug reports" },                                     \
	{ CLI_OPT_FLAG, "help", 'h', &(c)->help, NULL, "show this help" }

struct cli_command {
	const char *name;
	const char *usage;   /* after "hwb NAME " */
	const char *summary; /* one line */
	const struct cli_opt *opts;
};

/*
 * Parse argv[1..] against cmd->opts. Positional arguments are collected in
 * order into *pos (points into argv; free the array with free()).
 * Returns 0 on success, or -1 with err filled (kind HWB_KIND_USAGE).
 */
int cli_parse(const struct cli_command *cmd, int argc, char **argv,
	      struct cli_list *pos, struct hwb_error *err);

/** Write the generated help for cmd to stdout. */
void cli_print_help(const struct cli_command *cmd);

/** Apply --quiet/--verbose/--debug/--format; -1 with err on a bad value. */
int cli_apply_common(const struct cli_common *c, struct hwb_error *err);

/** 1 when --format json was chosen. */
int cli_json(const struct cli_common *c);

/**
 * Report err on stderr (text) or as a JSON error document on stdout (json)
 * and return the exit status for its kind.
 */
int cli_report(const struct cli_common *c, const struct hwb_error *err);

/** End a progress line left open on the terminal (before printing). */
void cli_progress_end(void);

/** 1 under GitHub Actions (GITHUB_ACTIONS=true). */
int cli_github(void);

/**
 * Print one GitHub Actions workflow command on stdout: level is "error",
 * "warning" or "notice"; file (and line, col when > 0) say where; title is
 * the code; member, when not NULL, leads the message. Values are escaped
 * as the runner requires.
 */
void cli_annotation(const char *level, const char *file, unsigned line,
		    unsigned col, const char *title, const char *member,
		    const char *message);

/** Release a list filled by the parser. */
void cli_list_release(struct cli_list *l);

/*
 * Flags that are settings, collected as configuration overrides named by
 * their flag, so that the configuration's trust rules apply to them too.
 * Entries point at the caller's strings. Start from { 0 }.
 */
struct cli_overrides {
	struct hwb_config_override *items; /* owned */
	size_t count, cap;
};

/** Add key = value from flag; -1 with err when out of memory. */
int cli_override(struct cli_overrides *o, const char *key, const char *value,
		 const char *flag, struct hwb_error *err);
/** Add one override per item of a repeatable flag. */
int cli_override_list(struct cli_overrides *o, const char *key,
		      const struct cli_list *values, const char *flag,
		      struct hwb_error *err);
void cli_overrides_release(struct cli_overrides *o);

/**
 * Load the configuration with project_dir's files (NULL: none) and the
 * flags in ov[0..n) as overrides, then apply log.level unless --quiet,
 * --verbose or --debug chose a level. *cfg is freed with hwb_config_free().
 */
int cli_load_config(const struct cli_common *c, const char *project_dir,
		    const struct hwb_config_override *ov, size_t n,
		    struct hwb_config **cfg, struct hwb_error *err);

/**
 * Append one audit event as cfg's audit.* settings say. An audit log that
 * cannot be written is a warning: it never fails the command.
 */
void cli_audit(const struct hwb_config *cfg, const char *event,
	       const struct hwb_audit_field *fields, size_t n);
