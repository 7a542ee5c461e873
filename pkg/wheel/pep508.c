/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pep508.c: dependency specifications (PEP 508, now the "dependency
 * specifiers" specification): names, extras, version specifiers, URL
 * requirements and environment markers, and the evaluation of markers
 * against an environment (for metadata checks and for locking). Version
 * rules live in pep440.c.
 *
 * Marker comparisons follow the current specification (packaging.python.org
 * PR #1988, January 2026) and pypa/packaging's markers.py: the
 * version-valued variables compare as versions when "op value" forms a
 * specifier, everything else as strings, where "<" and ">" never hold and
 * "<=" and ">=" mean equality.
 */
#include "pkg/wheel/wheel.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/buf.h"

#define CODE_REQUIREMENT "HWB-W042"
#define CODE_MARKER "HWB-W043"

/*
 * Real markers have a few comparisons; the cap bounds the recursion of the
 * parser, the evaluator and the destructor on hostile input.
 */
#define MARKER_MAX_TERMS 256
#define MARKER_MAX_DEPTH 32

/* ---- names ---------------------------------------------------------- */

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static int is_name_char(char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.';
}

int hwb_normalize_name(const char *name, size_t len, struct hwb_buf *out)
{
	size_t i;
	int in_sep = 0;

	for (i = 0; i < len; i++) {
		char c = name[i];

		if (c == '-' || c == '_' || c == '.') {
			if (!in_sep)
				hwb_buf_putc(out, '-');
			in_sep = 1;
			continue;
		}
		in_sep = 0;
		hwb_buf_putc(out, (char)tolower((unsigned char)c));
	}
	return out->oom ? -1 : 0;
}

int hwb_name_is_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || !is_alnum(name[0]) || !is_alnum(name[len - 1]))
		return 0;
	for (i = 0; i < len; i++)
		if (!is_name_char(name[i]))
			return 0;
	return 1;
}

/* ---- markers --------------------------------------------------------- */

enum marker_var {
	VAR_NONE = -1, /* a quoted string */
	VAR_IMPLEMENTATION_NAME,
	VAR_IMPLEMENTATION_VERSION,
	VAR_OS_NAME,
	VAR_PLATFORM_MACHINE,
	VAR_PLATFORM_RELEASE,
	VAR_PLATFORM_SYSTEM,
	VAR_PLATFORM_VERSION,
	VAR_PYTHON_FULL_VERSION,
	VAR_PLATFORM_PYTHON_IMPLEMENTATION,
	VAR_PYTHON_VERSION,
	VAR_SYS_PLATFORM,
	VAR_EXTRA,
	VAR_EXTRAS,
	VAR_DEPENDENCY_GROUPS,
};

/* Every spelling a marker may use, legacy dotted names included. */
static const struct {
	const char *name;
	enum marker_var var;
} marker_vars[] = {
	{ "implementation_name", VAR_IMPLEMENTATION_NAME },
	{ "implementation_version", VAR_IMPLEMENTATION_VERSION },
	{ "os_name", VAR_OS_NAME },
	{ "os.name", VAR_OS_NAME },
	{ "platform_machine", VAR_PLATFORM_MACHINE },
	{ "platform.machine", VAR_PLATFORM_MACHINE },
	{ "platform_release", VAR_PLATFORM_RELEASE },
	{ "platform_system", VAR_PLATFORM_SYSTEM },
	{ "platform_version", VAR_PLATFORM_VERSION },
	{ "platform.version", VAR_PLATFORM_VERSION },
	{ "python_full_version", VAR_PYTHON_FULL_VERSION },
	{ "platform_python_implementation",
	  VAR_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "platform.python_implementation",
	  VAR_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "python_implementation", VAR_PLATFORM_PYTHON_IMPLEMENTATION },
	{ "python_version", VAR_PYTHON_VERSION },
	{ "sys_platform", VAR_SYS_PLATFORM },
	{ "sys.platform", VAR_SYS_PLATFORM },
	{ "extra", VAR_EXTRA },
	{ "extras", VAR_EXTRAS },
	{ "dependency_groups", VAR_DEPENDENCY_GROUPS },
};

enum marker_op {
	OP_VERSION, /* one of the PEP 440 operators, kept as text */
	OP_IN,
	OP_NOT_IN,
};

enum node_kind { NODE_AND, NODE_OR, NODE_CMP };

struct hwb_marker {
	enum node_kind kind;
	struct hwb_marker *left, *right; /* owned; AND and OR */
	enum marker_var lhs_var, rhs_var;
	char *lhs, *rhs;                  /* owned; the quoted strings */
	enum marker_op op;
	char op_text[4];                  /* "<=", "===", ... */
};

void hwb_marker_free(struct hwb_marker *m)
{
	if (!m)
		return;
	hwb_marker_free(m->left);
	hwb_marker_free(m->right);
	free(m->lhs);
	free(m->rhs);
	free(m);
}

struct lexer {
	const char *start, *p, *end;
	int terms;
	struct hwb_error *err;
	const char *code;
};

static void skip_ws(struct lexer *lx)
{
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t'))
		lx->p++;
}

static int lex_error(struct lexer *lx, const char *what)
{
	size_t len = (size_t)(lx->end - lx->start);

	hwb_error_set(lx->err, HWB_KIND_FAILED, lx->code,
		      "'%.*s': %s at column %zu", (int)(len > 120 ? 120 : len),
		      lx->start, what, (size_t)(lx->p - lx->start) + 1);
	return hwb_error_hint(lx->err,
			      "write requirements as in the dependency "
			      "specifiers specification, e.g. "
			      "\"name[extra]>=1.0; python_version < '3.12'\"");
}

/* A keyword (and, or, in, not) followed by a non-word character. */
static int take_keyword(struct lexer *lx, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(lx->end - lx->p) < n || memcmp(lx->p, word, n))
		return 0;
	if (lx->p + n < lx->end &&
	    (is_alnum(lx->p[n]) || lx->p[n] == '_' || lx->p[n] == '.'))
		return 0;
	lx->p += n;
	return 1;
}

/* A variable or a quoted string. *var is VAR_NONE for a string. */
static int parse_marker_value(struct lexer *lx, enum marker_var *var,
			      char **str)
{
	const char *q;
	size_t i;

	skip_ws(lx);
	if (lx->p < lx->end && (*lx->p == '\'' || *lx->p == '"')) {
		q = memchr(lx->p + 1, *lx->p, (size_t)(lx->end - lx->p - 1));
		if (!q)
			return lex_error(lx, "unterminated string");
		*var = VAR_NONE;
		*str = strndup(lx->p + 1, (size_t)(q - lx->p - 1));
		if (!*str)
			return hwb_error_oom(lx->err);
		lx->p = q + 1;
		return 0;
	}
	q = lx->p;
	while (q < lx->end && (is_alnum(*q) || *q == '_' || *q == '.'))
		q++;
	for (i = 0; i < sizeof(marker_vars) / sizeof(marker_vars[0]); i++) {
		if (strlen(marker_vars[i].name) == (size_t)(q - lx->p) &&
		    !memcmp(marker_vars[i].name, lx->p, (size_t)(q - lx->p))) {
			*var = marker_vars[i].var;
			lx->p = q;
			return 0;
		}
	}
	return lex_error(lx, "expected a marker variable or a quoted string");
}

static int parse_marker_op(struct lexer *lx, struct hwb_marker *m)
{
	static const char *const ops[] = { "===", "==", "~=", "!=", "<=",
					   ">=", "<", ">" };
	size_t i;

	skip_ws(lx);
	if (take_keyword(lx, "in")) {
		m->op = OP_IN;
		return 0;
	}
	if (take_keyword(lx, "not")) {
		const char *before = lx->p;

		skip_ws(lx);
		if (lx->p == before || !take_keyword(lx, "in"))
			return lex_error(lx, "expected 'in' after 'not'");
		m->op = OP_NOT_IN;
		return 0;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i]);

		if ((size_t)(lx->end - lx->p) >= n &&
		    !memcmp(lx->p, ops[i], n)) {
			m->op = OP_VERSION;
			memcpy(m->op_text, ops[i], n + 1);
			lx->p += n;
			return 0;
		}
	}
	return lex_error(lx, "expected a comparison operator");
}

/* PEP 685: extra names compare normalised. */
static int normalize_in_place(char **s, struct hwb_error *err)
{
	struct hwb_buf b = HWB_BUF_INIT;

	if (hwb_normalize_name(*s, strlen(*s), &b)) {
		hwb_buf_release(&b);
		return hwb_error_oom(err);
	}
	free(*s);
	*s = hwb_buf_detach(&b, NULL);
	return *s ? 0 : hwb_error_oom(err);
}

static int parse_marker_or(struct lexer *lx, int depth,
			   struct hwb_marker **out);

static int parse_marker_atom(struct lexer *lx, int depth,
			     struct hwb_marker **out)
{
	struct hwb_marker *m;

	skip_ws(lx);
	if (lx->p < lx->end && *lx->p == '(') {
		if (depth >= MARKER_MAX_DEPTH)
			return lex_error(lx, "parentheses nested too deeply");
		lx->p++;
		if (parse_marker_or(lx, depth + 1, out))
			return -1;
		skip_ws(lx);
		if (lx->p >= lx->end || *lx->p != ')') {
			hwb_marker_free(*out);
			*out = NULL;
			return lex_error(lx, "expected ')'");
		}
		lx->p++;
		return 0;
	}
	if (++lx->terms > MARKER_MAX_TERMS)
		return lex_error(lx, "too many comparisons");
	if (!(m = calloc(1, sizeof(*m))))
		return hwb_error_oom(lx->err);
	m->kind = NODE_CMP;
	if (parse_marker_value(lx, &m->lhs_var, &m->lhs) ||
	    parse_marker_op(lx, m) ||
	    parse_marker_value(lx, &m->rhs_var, &m->rhs)) {
		hwb_marker_free(m);
		return -1;
	}
	if ((m->lhs_var == VAR_EXTRA && m->rhs &&
	     normalize_in_place(&m->rhs, lx->err)) ||
	    (m->rhs_var == VAR_EXTRA && m->lhs &&
	     normalize_in_place(&m->lhs, lx->err))) {
		hwb_marker_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

static int join(struct lexer *lx, enum node_kind kind,
		struct hwb_marker **left, struct hwb_marker *right)
{
	struct hwb_marker *n = calloc(1, sizeof(*n));

	if (!n) {
		hwb_marker_free(right);
		return hwb_error_oom(lx->err);
	}
	n->kind = kind;
	n->left = *left;
	n->right = right;
	*left = n;
	return 0;
}

static int parse_marker_and(struct lexer *lx, int depth,
			    struct hwb_marker **out)
{
	struct hwb_marker *left = NULL, *right = NULL;

	if (parse_marker_atom(lx, depth, &left))
		return -1;
	for (;;) {
		skip_ws(lx);
		if (!take_keyword(lx, "and"))
			break;
		if (parse_marker_atom(lx, depth, &right) ||
		    join(lx, NODE_AND, &left, right)) {
			hwb_marker_free(left);
			return -1;
		}
	}
	*out = left;
	return 0;
}

static int parse_marker_or(struct lexer *lx, int depth,
			   struct hwb_marker **out)
{
	struct hwb_marker *left = NULL, *right = NULL;

	if (parse_marker_and(lx, depth, &left))
		return -1;
	for (;;) {
		skip_ws(lx);
		if (!take_keyword(lx, "or"))
			break;
		if (parse_marker_and(lx, depth, &right) ||
		    join(lx, NODE_OR, &left, right)) {
			hwb_marker_free(left);
			return -1;
		}
	}
	*out = left;
	return 0;
}

/* Parse a marker that must run to the end of lx. */
static int parse_marker_all(struct lexer *lx, struct hwb_marker **out)
{
	struct hwb_marker *m = NULL;

	if (parse_marker_or(lx, 0, &m))
		return -1;
	skip_ws(lx);
	if (lx->p != lx->end) {
		hwb_marker_free(m);
		return lex_error(lx, "unexpected text after the marker");
	}
	*out = m;
	return 0;
}

int hwb_marker_parse(const char *text, size_t len, struct hwb_marker **out,
		     struct hwb_error *err)
{
	struct lexer lx = { text, text, text + len, 0, err, CODE_MARKER };

	*out = NULL;
	return parse_marker_all(&lx, out);
}

/* ---- marker evaluation ------------------------------------------------ */

static const char *env_string(const struct hwb_marker_env *env,
			      enum marker_var var)
{
	const char *s = NULL;

	switch (var) {
	case VAR_IMPLEMENTATION_NAME: s = env->implementation_name; break;
	case VAR_IMPLEMENTATION_VERSION: s = env->implementation_version; break;
	case VAR_OS_NAME: s = env->os_name; break;
	case VAR_PLATFORM_MACHINE: s = env->platform_machine; break;
	case VAR_PLATFORM_RELEASE: s = env->platform_release; break;
	case VAR_PLATFORM_SYSTEM: s = env->platform_system; break;
	case VAR_PLATFORM_VERSION: s = env->platform_version; break;
	case VAR_PYTHON_FULL_VERSION: s = env->python_full_version; break;
	case VAR_PLATFORM_PYTHON_IMPLEMENTATION:
		s = env->platform_python_implementation;
		break;
	case VAR_PYTHON_VERSION: s = env->python_version; break;
	case VAR_SYS_PLATFORM: s = env->sys_platform; break;
	case VAR_EXTRA: s = env->extra; break;
	default: break;
	}
	return s ? s : "";
}

static int version_valued(enum marker_var var)
{
	return var == VAR_IMPLEMENTATION_VERSION ||
	       var == VAR_PLATFORM_RELEASE ||
	       var == VAR_PYTHON_FULL_VERSION || var == VAR_PYTHON_VERSION;
}

static int undefined(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, CODE_MARKER,
		      "marker comparison is undefined: %s", what);
	return hwb_error_hint(err, "compare one marker variable with one "
				   "quoted string, using an operator defined "
				   "for it");
}

/* 'x' in extras: membership after normalising both sides. */
static int eval_set(const struct hwb_marker *m,
		    const struct hwb_marker_env *env, struct hwb_error *err)
{
	const char *const *items = m->rhs_var == VAR_EXTRAS
					   ? env->extras
					   : env->dependency_groups;
	size_t count = m->rhs_var == VAR_EXTRAS ? env->extras_count
						: env->dependency_groups_count;
	struct hwb_buf want = HWB_BUF_INIT, have = HWB_BUF_INIT;
	size_t i;
	int found = 0;

	if (m->lhs_var != VAR_NONE || m->op == OP_VERSION)
		return undefined(err, "'extras' and 'dependency_groups' only "
				      "take \"'name' in ...\"");
	if (hwb_normalize_name(m->lhs, strlen(m->lhs), &want))
		goto oom;
	for (i = 0; i < count && !found; i++) {
		hwb_buf_clear(&have);
		if (hwb_normalize_name(items[i], strlen(items[i]), &have))
			goto oom;
		found = !strcmp(have.ptr, want.ptr);
	}
	hwb_buf_release(&want);
	hwb_buf_release(&have);
	return m->op == OP_IN ? found : !found;
oom:
	hwb_buf_release(&want);
	hwb_buf_release(&have);
	return hwb_error_oom(err);
}

/* lhs op rhs as versions; -2 when "op rhs" is not a specifier. */
static int eval_version(const char *lhs, const char *op, const char *rhs)
{
	struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
	struct hwb_pep440_version v;
	struct hwb_buf spec = HWB_BUF_INIT;
	int r = -2;

	/* A comma in rhs would make a set of several clauses, not one. */
	if (strchr(rhs, ',') || hwb_buf_printf(&spec, "%s%s", op, rhs))
		goto done;
	if (hwb_specifier_set_parse(spec.ptr, spec.len, &set, NULL) ||
	    set.count != 1)
		goto done;
	/* A value that is not a version never matches (packaging 26). */
	r = !hwb_pep440_parse(lhs, strlen(lhs), &v, NULL) &&
	    hwb_specifier_set_contains(&set, &v, 1);
done:
	hwb_specifier_set_release(&set);
	hwb_buf_release(&spec);
	return r;
}

static int eval_cmp(const struct hwb_marker *m,
		    const struct hwb_marker_env *env, struct hwb_error *err)
{
	enum marker_var key = m->lhs_var != VAR_NONE ? m->lhs_var : m->rhs_var;
	struct hwb_buf extra = HWB_BUF_INIT;
	const char *lhs, *rhs;
	int r;

	if ((m->lhs_var == VAR_NONE) == (m->rhs_var == VAR_NONE))
		return undefined(err, "it must compare one variable with one "
				      "quoted string");
	if (m->rhs_var == VAR_EXTRAS || m->rhs_var == VAR_DEPENDENCY_GROUPS)
		return eval_set(m, env, err);
	if (key == VAR_EXTRAS || key == VAR_DEPENDENCY_GROUPS)
		return undefined(err, "'extras' and 'dependency_groups' only "
				      "take \"'name' in ...\"");
	lhs = m->lhs_var == VAR_NONE ? m->lhs : env_string(env, m->lhs_var);
	rhs = m->rhs_var == VAR_NONE ? m->rhs : env_string(env, m->rhs_var);
	if (key == VAR_EXTRA) {
		const char *e = env_string(env, VAR_EXTRA);

		if (hwb_normalize_name(e, strlen(e), &extra)) {
			hwb_buf_release(&extra);
			return hwb_error_oom(err);
		}
		if (m->lhs_var == VAR_EXTRA)
			lhs = extra.ptr;
		else
			rhs = extra.ptr;
	}
	if (m->op == OP_IN || m->op == OP_NOT_IN) {
		r = strstr(rhs, lhs) != NULL;
		r = m->op == OP_IN ? r : !r;
	} else if (version_valued(key) &&
		   (r = eval_version(lhs, m->op_text, rhs)) != -2) {
		/* r holds the version comparison. */
	} else if (!strcmp(m->op_text, "==") || !strcmp(m->op_text, "<=") ||
		   !strcmp(m->op_text, ">=")) {
		r = !strcmp(lhs, rhs);
	} else if (!strcmp(m->op_text, "!=")) {
		r = strcmp(lhs, rhs) != 0;
	} else if (!strcmp(m->op_text, "<") || !strcmp(m->op_text, ">")) {
		r = 0;
	} else {
		r = undefined(err, "'~=' and '===' need versions");
	}
	hwb_buf_release(&extra);
	return r;
}

int hwb_marker_evaluate(const struct hwb_marker *m,
			const struct hwb_marker_env *env,
			struct hwb_error *err)
{
	int a;

	switch (m->kind) {
	case NODE_CMP:
		return eval_cmp(m, env, err);
	case NODE_AND:
		if ((a = hwb_marker_evaluate(m->left, env, err)) <= 0)
			return a;
		return hwb_marker_evaluate(m->right, env, err);
	case NODE_OR:
		if ((a = hwb_marker_evaluate(m->left, env, err)) != 0)
			return a;
		return hwb_marker_evaluate(m->right, env, err);
	}
	return 0;
}

/* ---- requirements ----------------------------------------------------- */

void hwb_pep508_free(struct hwb_requirement *req)
{
	size_t i;

	if (!req)
		return;
	free(req->name);
	for (i = 0; i < req->extra_count; i++)
		free(req->extras[i]);
	free(req->extras);
	hwb_specifier_set_release(&req->specifiers);
	free(req->url);
	hwb_marker_free(req->marker);
	free(req);
}

static int parse_name(struct lexer *lx, char **out)
{
	const char *q = lx->p;

	while (q < lx->end && is_name_char(*q))
		q++;
	if (!hwb_name_is_valid(lx->p, (size_t)(q - lx->p)))
		return lex_error(lx, "expected a name of letters, digits and "
				     "'-_.', starting and ending with a letter "
				     "or digit");
	if (!(*out = strndup(lx->p, (size_t)(q - lx->p))))
		return hwb_error_oom(lx->err);
	lx->p = q;
	return 0;
}

static int parse_extras(struct lexer *lx, struct hwb_requirement *req)
{
	char **grown;

	lx->p++; /* '[' */
	skip_ws(lx);
	if (lx->p < lx->end && *lx->p == ']') {
		lx->p++;
		return 0;
	}
	for (;;) {
		skip_ws(lx);
		grown = realloc(req->extras,
				(req->extra_count + 1) * sizeof(*grown));
		if (!grown)
			return hwb_error_oom(lx->err);
		req->extras = grown;
		if (parse_name(lx, &req->extras[req->extra_count]))
			return -1;
		req->extra_count++;
		skip_ws(lx);
		if (lx->p < lx->end && *lx->p == ',') {
			lx->p++;
			continue;
		}
		if (lx->p < lx->end && *lx->p == ']') {
			lx->p++;
			return 0;
		}
		return lex_error(lx, "expected ',' or ']' in the extras");
	}
}

/*
 * The clauses between a and b. The packaging grammar allows one trailing
 * comma but no empty clause before another one.
 */
static int parse_specifiers(struct lexer *lx, const char *a, const char *b,
			    struct hwb_specifier_set *out)
{
	const char *p = a, *comma;
	size_t clauses = 0;

	for (;;) {
		const char *q;

		comma = memchr(p, ',', (size_t)(b - p));
		for (q = p; q < (comma ? comma : b); q++)
			if (*q != ' ' && *q != '\t')
				break;
		if (q == (comma ? comma : b) && (comma || clauses)) {
			/* Empty: only the one after a trailing comma. */
			if (comma || !clauses) {
				lx->p = q;
				return lex_error(lx, "empty version clause");
			}
		} else if (q != b) {
			clauses++;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return hwb_specifier_set_parse(a, (size_t)(b - a), out, lx->err);
}

/* name @ url [WS ; marker] */
static int parse_url_part(struct lexer *lx, struct hwb_requirement *req)
{
	const char *q;

	lx->p++; /* '@' */
	skip_ws(lx);
	q = lx->p;
	while (q < lx->end && *q != ' ' && *q != '\t')
		q++;
	if (q == lx->p)
		return lex_error(lx, "expected a URL after '@'");
	if (!(req->url = strndup(lx->p, (size_t)(q - lx->p))))
		return hwb_error_oom(lx->err);
	/* PEP 508: a URL has a scheme ("https://", "file:"). */
	if (!strchr(req->url, ':'))
		return lex_error(lx, "the URL has no scheme");
	lx->p = q;
	skip_ws(lx);
	if (lx->p == lx->end)
		return 0;
	if (*lx->p != ';' || lx->p == q)
		return lex_error(lx, "expected whitespace and ';' after the "
				     "URL");
	lx->p++;
	return parse_marker_all(lx, &req->marker);
}

static int parse_requirement(struct lexer *lx, struct hwb_requirement *req)
{
	const char *a, *b, *semi;

	skip_ws(lx);
	if (parse_name(lx, &req->name))
		return -1;
	skip_ws(lx);
	if (lx->p < lx->end && *lx->p == '[' && parse_extras(lx, req))
		return -1;
	skip_ws(lx);
	if (lx->p < lx->end && *lx->p == '@')
		return parse_url_part(lx, req);
	semi = memchr(lx->p, ';', (size_t)(lx->end - lx->p));
	b = semi ? semi : lx->end;
	if (lx->p < lx->end && *lx->p == '(') {
		const char *close = memchr(lx->p, ')', (size_t)(b - lx->p));

		if (!close)
			return lex_error(lx, "expected ')' after the version "
					     "specifiers");
		a = lx->p + 1;
		if (parse_specifiers(lx, a, close, &req->specifiers))
			return -1;
		lx->p = close + 1;
		skip_ws(lx);
		if (lx->p != b)
			return lex_error(lx, "unexpected text after ')'");
	} else if (lx->p < b) {
		if (parse_specifiers(lx, lx->p, b, &req->specifiers))
			return -1;
	}
	lx->p = b;
	if (!semi)
		return 0;
	lx->p++;
	lx->code = CODE_MARKER;
	return parse_marker_all(lx, &req->marker);
}

int hwb_pep508_parse(const char *text, size_t len,
		     struct hwb_requirement **out, struct hwb_error *err)
{
	struct lexer lx = { text, text, text + len, 0, err, CODE_REQUIREMENT };
	struct hwb_requirement *req;

	*out = NULL;
	if (memchr(text, '\n', len) || memchr(text, '\0', len))
		return lex_error(&lx, "a requirement is one line");
	if (!(req = calloc(1, sizeof(*req))))
		return hwb_error_oom(err);
	/* Trailing whitespace is allowed; leading is skipped by the parser. */
	while (lx.end > lx.p && (lx.end[-1] == ' ' || lx.end[-1] == '\t' ||
				 lx.end[-1] == '\r'))
		lx.end--;
	if (parse_requirement(&lx, req)) {
		hwb_pep508_free(req);
		return -1;
	}
	*out = req;
	return 0;
}
