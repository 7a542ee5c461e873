/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.c: option parsing from each subcommand's table, the generated --help,
 * the terminal log sink, and error reporting with exit statuses.
 */
#include "cmd/hwb/cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/core/audit.h"
#include "pkg/core/buf.h"
#include "pkg/core/config.h"
#include "pkg/core/log.h"

static int is_end(const struct cli_opt *o)
{
	return o->type == CLI_OPT_END;
}

static int same(const char *known, const char *name, size_t len)
{
	return known && strlen(known) == len && !strncmp(known, name, len);
}

/*
 * The peers' spellings of hwb's options, where the meaning is the same:
 * cosign's and the Sigstore conformance protocol's --certificate-*, uv's
 * --out-dir. (pypa/build's -o is build's own short name.)
 */
static const struct alias {
	const char *command, *alias, *name;
} aliases[] = {
	{ "verify", "certificate-identity", "cert-identity" },
	{ "verify", "certificate-identity-regexp", "cert-identity-regexp" },
	{ "verify", "certificate-oidc-issuer", "cert-oidc-issuer" },
	{ "verify", "certificate-oidc-issuer-regexp", "cert-oidc-issuer-regexp" },
	{ "build", "out-dir", "outdir" },
};

static const char *alias_of(const char *command, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(*aliases); i++)
		if (!strcmp(aliases[i].command, command) &&
		    !strcmp(aliases[i].name, name))
			return aliases[i].alias;
	return NULL;
}

static const struct cli_opt *find_long(const struct cli_command *cmd,
				       const char *name, size_t len)
{
	const struct cli_opt *o;

	for (o = cmd->opts; !is_end(o); o++)
		if (same(o->name, name, len) ||
		    same(alias_of(cmd->name, o->name), name, len))
			return o;
	return NULL;
}

/*
 * Spellings users bring from the peer tools that hwb does not take, with
 * what to write instead: the meaning differs, so no alias.
 */
static const struct refused {
	const char *command, *name; /* long name without "--" */
	char alias;
	const char *instead;
} refused[] = {
	{ "build", "no-isolation", 'n',
	  "hwb always isolates the backend; to run it unsandboxed with your "
	  "rights and network, say --isolation none" },
};

static const struct refused *find_refused(const char *command,
					  const char *name, size_t len,
					  char alias)
{
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if (!strcmp(refused[i].command, command) &&
		    (alias ? refused[i].alias == alias
			   : same(refused[i].name, name, len)))
			return &refused[i];
	return NULL;
}

/* "did you mean '--outdir'?" for a misspelt long option, as for keys. */
static void suggest(const struct cli_command *cmd, const char *name,
		    size_t len, struct hwb_error *err)
{
	const struct cli_opt *o, *best = NULL;
	size_t d, best_d = (size_t)-1;
	char typed[HWB_EDIT_DISTANCE_MAX + 1];

	if (len > HWB_EDIT_DISTANCE_MAX)
		len = HWB_EDIT_DISTANCE_MAX;
	memcpy(typed, name, len);
	typed[len] = '\0';
	for (o = cmd->opts; !is_end(o); o++)
		if ((d = hwb_edit_distance(typed, o->name)) < best_d) {
			best_d = d;
			best = o;
		}
	/* A third of the name may be wrong, at least two characters. */
	if (best && best_d <= (len / 3 > 2 ? len / 3 : 2))
		hwb_error_hint(err, "did you mean '--%s'? see 'hwb help %s'",
			       best->name, cmd->name);
	else
		hwb_error_hint(err, "see 'hwb help %s' for its options",
			       cmd->name);
}

static int unknown(const struct cli_command *cmd, const char *name,
		   size_t len, char alias, struct hwb_error *err)
{
	const struct refused *r = find_refused(cmd->name, name, len, alias);

	if (alias)
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-U001",
			      "hwb %s: unknown option '-%c'", cmd->name, alias);
	else
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-U001",
			      "hwb %s: unknown option '--%.*s'", cmd->name,
			      (int)len, name);
	if (r)
		return hwb_error_hint(err, "%s", r->instead);
	if (alias)
		return hwb_error_hint(err, "see 'hwb help %s' for its options",
				      cmd->name);
	suggest(cmd, name, len, err);
	return -1;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, char c)
{
	for (; !is_end(opts); opts++)
		if (opts->alias && opts->alias == c)
			return opts;
	return NULL;
}

static int list_push(struct cli_list *l, const char *item)
{
	const char **items = realloc(l->items, (l->count + 1) * sizeof(*items));

	if (!items)
		return -1;
	items[l->count++] = item;
	l->items = items;
	return 0;
}

void cli_list_release(struct cli_list *l)
{
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

static int store_value(const struct cli_command *cmd, const struct cli_opt *o,
		       const char *value, struct hwb_error *err)
{
	char *end;
	long n;

	switch (o->type) {
	case CLI_OPT_STRING:
		*(const char **)o->target = value;
		return 0;
	case CLI_OPT_LIST:
		if (list_push(o->target, value))
			return hwb_error_oom(err);
		return 0;
	case CLI_OPT_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno || *end || end == value || n < 0)
			return hwb_error_set(err, HWB_KIND_USAGE, "HWB-U003",
					     "hwb %s: --%s takes a whole number, not '%s'",
					     cmd->name, o->name, value),
			       hwb_error_hint(err, "write --%s %s with digits "
					      "only, such as --%s 60", o->name,
					      o->value_name ? o->value_name : "N",
					      o->name);
		*(long *)o->target = n;
		return 0;
	default:
		HWB_BUG("option --%s takes no value", o->name);
	}
}

static int takes_value(const struct cli_opt *o)
{
	return o->type != CLI_OPT_FLAG;
}

static int parse_long(const struct cli_command *cmd, int argc, char **argv,
		      int *i, struct hwb_error *err)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct cli_opt *o = find_long(cmd, arg, len);

	if (!o)
		return unknown(cmd, arg, len, 0, err);
	if (!takes_value(o)) {
		if (eq)
			return hwb_error_set(err, HWB_KIND_USAGE, "HWB-U002",
					     "hwb %s: --%s takes no value",
					     cmd->name, o->name),
			       hwb_error_hint(err, "write --%s alone", o->name);
		*(int *)o->target = 1;
		return 0;
	}
	if (eq)
		return store_value(cmd, o, eq + 1, err);
	if (*i + 1 >= argc)
		return hwb_error_set(err, HWB_KIND_USAGE, "HWB-U002",
				     "hwb %s: --%s needs a value (%s)", cmd->name,
				     o->name, o->value_name ? o->value_name : "VALUE"),
		       hwb_error_hint(err, "write --%s %s or --%s=%s", o->name,
				      o->value_name ? o->value_name : "VALUE",
				      o->name,
				      o->value_name ? o->value_name : "VALUE");
	return store_value(cmd, o, argv[++*i], err);
}

static int parse_short(const struct cli_command *cmd, int argc, char **argv,
		       int *i, struct hwb_error *err)
{
	const char *p;
	const struct cli_opt *o;

	for (p = argv[*i] + 1; *p; p++) {
		if (!(o = find_short(cmd->opts, *p)))
			return unknown(cmd, NULL, 0, *p, err);
		if (!takes_value(o)) {
			*(int *)o->target = 1;
			continue;
		}
		if (p[1])
			return store_value(cmd, o, p + 1, err);
		if (*i + 1 >= argc)
			return hwb_error_set(err, HWB_KIND_USAGE, "HWB-U002",
					     "hwb %s: -%c needs a value (%s)",
					     cmd->name, *p,
					     o->value_name ? o->value_name : "VALUE"),
			       hwb_error_hint(err, "write -%c %s", *p,
					      o->value_name ? o->value_name
							    : "VALUE");
		return store_value(cmd, o, argv[++*i], err);
	}
	return 0;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv,
	      struct cli_list *pos, struct hwb_error *err)
{
	int i, rest = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (rest || a[0] != '-' || !a[1]) {
			if (list_push(pos, a))
				return hwb_error_oom(err);
		} else if (!strcmp(a, "--")) {
			rest = 1;
		} else if (a[1] == '-') {
			if (parse_long(cmd, argc, argv, &i, err))
				return -1;
		} else if (parse_short(cmd, argc, argv, &i, err)) {
			return -1;
		}
	}
	return 0;
}

/* Help fits a terminal of this width. */
#define HELP_WIDTH 80

/*
 * Print text from column col (the cursor is there), breaking between words
 * so that no line passes HELP_WIDTH; continuation lines start at indent. A
 * '\n' in text starts a new line at column nl_indent.
 */
static void print_wrapped(const char *text, size_t col, size_t indent,
			  size_t nl_indent)
{
	const char *p = text;
	size_t start = col;

	while (*p) {
		size_t word = strcspn(p, " \n");

		if (col > start && col + 1 + word > HELP_WIDTH) {
			printf("\n%*s", (int)indent, "");
			col = start = indent;
		} else if (col > start) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)word, p);
		col += word;
		p += word;
		if (*p == '\n') {
			printf("\n%*s", (int)nl_indent, "");
			col = start = nl_indent;
		}
		p += strspn(p, " \n");
	}
	putchar('\n');
}

void cli_print_help(const struct cli_command *cmd)
{
	const struct cli_opt *o;
	char left[96], help[512];
	const char *also;

	printf("usage: hwb %s ", cmd->name);
	print_wrapped(cmd->usage, 11 + strlen(cmd->name), 13 + strlen(cmd->name),
		      7);
	putchar('\n');
	print_wrapped(cmd->summary, 0, 0, 0);
	printf("\noptions:\n");
	for (o = cmd->opts; !is_end(o); o++) {
		if (o->alias)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->alias,
				 o->name, o->value_name ? " " : "",
				 o->value_name ? o->value_name : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				 o->value_name ? " " : "",
				 o->value_name ? o->value_name : "");
		also = alias_of(cmd->name, o->name);
		snprintf(help, sizeof(help), "%s%s%s%s", o->help,
			 o->type == CLI_OPT_LIST ? " (repeatable)" : "",
			 also ? "; also --" : "", also ? also : "");
		if (strlen(left) > 30)
			printf("  %s\n%*s", left, 33, "");
		else
			printf("  %-30s ", left);
		print_wrapped(help, 33, 33, 33);
	}
}

int cli_json(const struct cli_common *c)
{
	return c->format && !strcmp(c->format, "json");
}

/* A progress line left open on the terminal, to be overwritten. */
static int progress_open;

/* In place only on a terminal outside CI; plain lines everywhere else. */
static int progress_in_place(void)
{
	return isatty(STDERR_FILENO) && !getenv("CI") && !getenv("GITHUB_ACTIONS");
}

void cli_progress_end(void)
{
	if (progress_open)
		fputc('\n', stderr);
	progress_open = 0;
}

/*
 * The terminal sink. Under GitHub Actions errors and warnings become
 * workflow annotations, which the runner shows on the run's summary.
 */
static void stderr_sink(void *ctx, enum hwb_log_level level, const char *line)
{
	int github = ctx != NULL;

	/* what went to stdout first stays first when both share one pipe */
	fflush(stdout);
	if (level == HWB_LOG_PROGRESS && progress_in_place()) {
		fprintf(stderr, "\r\033[K%s", line);
		progress_open = 1;
		return;
	}
	cli_progress_end();
	/*
	 * The runner reads workflow commands from the output and does not show
	 * them; ::add-mask:: is how gh-action-pypi-publish hides minted tokens.
	 */
	if (level == HWB_LOG_MASK) {
		if (github)
			fprintf(stdout, "::add-mask::%s\n", line);
		fflush(stdout);
		return;
	}
	if (level == HWB_LOG_GROUP_BEGIN)
		fprintf(stderr, github ? "::group::%s\n" : "== %s\n", line);
	else if (level == HWB_LOG_GROUP_END) {
		if (github)
			fprintf(stderr, "::endgroup::\n");
	} else if (github && level == HWB_LOG_ERROR)
		fprintf(stderr, "::error::%s\n", line);
	else if (github && level == HWB_LOG_WARN)
		fprintf(stderr, "::warning::%s\n", line);
	else if (level == HWB_LOG_ERROR)
		fprintf(stderr, "hwb: error: %s\n", line);
	else if (level == HWB_LOG_WARN)
		fprintf(stderr, "hwb: warning: %s\n", line);
	else
		fprintf(stderr, "%s\n", line);
}

static int github_actions(void)
{
	const char *v = getenv("GITHUB_ACTIONS");

	return v && !strcmp(v, "true");
}

int cli_github(void)
{
	return github_actions();
}

/* A workflow command's value: %, CR and LF escaped, and in properties
 * also ':' and ','. */
static void put_escaped(const char *s, int property)
{
	for (; s && *s; s++) {
		if (*s == '%')
			fputs("%25", stdout);
		else if (*s == '\r')
			fputs("%0D", stdout);
		else if (*s == '\n')
			fputs("%0A", stdout);
		else if (property && *s == ':')
			fputs("%3A", stdout);
		else if (property && *s == ',')
			fputs("%2C", stdout);
		else
			fputc(*s, stdout);
	}
}

void cli_annotation(const char *level, const char *file, unsigned line,
		    unsigned col, const char *title, const char *member,
		    const char *message)
{
	printf("::%s file=", level);
	put_escaped(file, 1);
	if (line)
		printf(",line=%u", line);
	if (line && col)
		printf(",col=%u", col);
	fputs(",title=", stdout);
	put_escaped(title, 1);
	fputs("::", stdout);
	if (member) {
		put_escaped(member, 0);
		fputs(": ", stdout);
	}
	put_escaped(message, 0);
	fputc('\n', stdout);
	fflush(stdout);
}

int cli_apply_common(const struct cli_common *c, struct hwb_error *err)
{
	enum hwb_log_level level = HWB_LOG_INFO;

	if (c->format && strcmp(c->format, "text") && strcmp(c->format, "json"))
		return hwb_error_set(err, HWB_KIND_USAGE, "HWB-U004",
				     "--format must be 'text' or 'json', not '%s'",
				     c->format),
		       hwb_error_hint(err, "use --format text or --format json");
	if (c->quiet)
		level = HWB_LOG_ERROR;
	if (c->verbose)
		level = HWB_LOG_VERBOSE;
	if (c->debug)
		level = HWB_LOG_DEBUG;
	hwb_log_configure(level, stderr_sink, github_actions() ? (void *)1 : NULL);
	return 0;
}

int cli_override(struct cli_overrides *o, const char *key, const char *value,
		 const char *flag, struct hwb_error *err)
{
	struct hwb_config_override *items;
	size_t cap = o->cap ? o->cap * 2 : 8;

	if (o->count == o->cap) {
		if (!(items = realloc(o->items, cap * sizeof(*items))))
			return hwb_error_oom(err);
		o->items = items;
		o->cap = cap;
	}
	o->items[o->count++] = (struct hwb_config_override){ key, value, flag };
	return 0;
}

int cli_override_list(struct cli_overrides *o, const char *key,
		      const struct cli_list *values, const char *flag,
		      struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < values->count; i++)
		if (cli_override(o, key, values->items[i], flag, err))
			return -1;
	return 0;
}

void cli_overrides_release(struct cli_overrides *o)
{
	free(o->items);
	o->items = NULL;
	o->count = o->cap = 0;
}

/* log.level's choices, in the order of enum hwb_log_level. */
static const char *const level_names[] = { "error", "warn", "info",
					   "verbose", "debug" };

int cli_load_config(const struct cli_common *c, const char *project_dir,
		    const struct hwb_config_override *ov, size_t n,
		    struct hwb_config **cfg, struct hwb_error *err)
{
	struct hwb_config_options opts = { 0 };
	const char *level;
	size_t i;

	opts.project_dir = project_dir;
	opts.overrides = ov;
	opts.override_count = n;
	if (hwb_config_load(cfg, &opts, err))
		return -1;
	if (c->quiet || c->verbose || c->debug)
		return 0;
	level = hwb_config_str(*cfg, "log.level");
	for (i = 0; level && i < sizeof(level_names) / sizeof(*level_names); i++)
		if (!strcmp(level, level_names[i]))
			hwb_log_configure((enum hwb_log_level)i, stderr_sink,
					  github_actions() ? (void *)1 : NULL);
	return 0;
}

void cli_audit(const struct hwb_config *cfg, const char *event,
	       const struct hwb_audit_field *fields, size_t n)
{
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char line[1400];

	if (hwb_audit_from_config(&a, cfg, &err) ||
	    hwb_audit_event(&a, event, fields, n, &err)) {
		hwb_error_format(&err, line, sizeof(line));
		hwb_log_warn("audit log: %s (the command goes on)", line);
	}
	hwb_audit_release(&a);
}

static const char *kind_name(enum hwb_error_kind kind)
{
	switch (kind) {
	case HWB_KIND_FAILED: return "failed";
	case HWB_KIND_USAGE: return "usage";
	case HWB_KIND_CONFIG: return "config";
	case HWB_KIND_NETWORK: return "network";
	case HWB_KIND_BUILD: return "build";
	default: return "none";
	}
}

static char *redacted(const char *s)
{
	struct hwb_buf b = HWB_BUF_INIT;

	hwb_redact(&b, s, strlen(s));
	return hwb_buf_detach(&b, NULL);
}

static void report_json(const struct hwb_error *err)
{
	char *msg = redacted(err->message), *hint = redacted(err->hint),
	     *file = redacted(err->file);
	json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s, s:s?, s:s?, s:i, s:i}}",
				"schema", "hwb.error/1", "error", "code",
				err->code, "kind", kind_name(err->kind),
				"message", msg ? msg : "", "hint",
				hint && *hint ? hint : NULL, "file",
				file && *file ? file : NULL, "line",
				(int)err->line, "column", (int)err->column);

	if (doc) {
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(doc);
	}
	free(msg);
	free(hint);
	free(file);
}

int cli_report(const struct cli_common *c, const struct hwb_error *err)
{
	char line[1400];
	enum hwb_error_kind kind = err->kind ? err->kind : HWB_KIND_FAILED;

	if (c && cli_json(c))
		report_json(err);
	hwb_error_format(err, line, sizeof(line));
	if (!hwb_log_enabled(HWB_LOG_ERROR))
		hwb_log_configure(HWB_LOG_INFO, stderr_sink,
				  github_actions() ? (void *)1 : NULL);
	/* An error at a position in a file is annotated on that line. */
	if (github_actions() && err->file[0] && err->line) {
		char *file = redacted(err->file), *msg = redacted(line);

		cli_annotation("error", file ? file : "", err->line,
			       err->column, err->code, NULL, msg ? msg : "");
		free(file);
		free(msg);
		return (int)kind;
	}
	hwb_log_error("%s", line);
	return (int)kind;
}
