/* SPDX-License-Identifier: Apache-2.0 */
/*
 * layout.c: where things sit in a wheel: one .dist-info matching the
 * filename, the .data directory's schemes, executable bits, bytecode, and
 * the findings of check-wheel-contents (jwodder/check-wheel-contents
 * checker.py, W001-W010) as warnings. It looks at names, modes and digests
 * only; bytes are checked in secrets.c and elf.c.
 */
#include "pkg/wheel/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/core/hash.h"

/* check-wheel-contents' COMMON_NAMES (W005). */
static const char *const common_names[] = {
	".eggs", ".nox", ".tox", ".venv", "build", "data", "dist", "doc",
	"docs", "example", "examples", "src", "test", "tests", "venv",
};

/* Python keywords: a package directory cannot be named after one. */
static const char *const keywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await",
	"break", "class", "continue", "def", "del", "elif", "else", "except",
	"finally", "for", "from", "global", "if", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
	"while", "with", "yield",
};

/* The .data schemes an installer knows (binary distribution format). */
static const char *const schemes[] = { "purelib", "platlib", "headers",
				       "scripts", "data" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct layout {
	const struct hwb_wheel_ctx *c;
	int purelib;       /* Root-Is-Purelib: 1, 0, or -1 when unknown */
	char *stem;        /* owned: "name-1.0" of the .dist-info */
	int ret;
};

#define WARN(l, code, member, ...)                                    \
	((l)->ret |= hwb_wheel__add((l)->c->report, code,               \
				    HWB_SEVERITY_WARNING, member, __VA_ARGS__))
#define ERR(l, code, member, ...)                                     \
	((l)->ret |= hwb_wheel__add((l)->c->report, code,               \
				    HWB_SEVERITY_ERROR, member, __VA_ARGS__))

static int ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* Length of the first path component of name. */
static size_t top_len(const char *name)
{
	return strcspn(name, "/");
}

static int is_top(const struct hwb_wheel_member *m, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(m->name, dir, n) && m->name[n] == '/';
}

/* Path of m inside purelib/platlib, or NULL when it is elsewhere
 * (.dist-info, other .data schemes). */
static const char *lib_path(const struct hwb_wheel_member *m)
{
	size_t t = top_len(m->name);

	if (!m->name[t])
		return m->name; /* a file at the top */
	if (ends_with(m->name, t, ".dist-info"))
		return NULL;
	if (ends_with(m->name, t, ".data")) {
		const char *rest = m->name + t + 1;

		if (!strncmp(rest, "purelib/", 8) ||
		    !strncmp(rest, "platlib/", 8))
			return rest + 8;
		return NULL;
	}
	return m->name;
}

/* Root-Is-Purelib from WHEEL (metacheck.c reports what is wrong with it). */
static int read_purelib(const struct hwb_wheel_ctx *c)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	const char *v;
	int r = -1;

	if (!c->wheel || hwb_metadata_parse(c->wheel, c->wheel_len, &md, NULL))
		return -1;
	v = hwb_metadata_get(&md, "Root-Is-Purelib");
	if (v && !strcmp(v, "true"))
		r = 1;
	else if (v && !strcmp(v, "false"))
		r = 0;
	hwb_metadata_release(&md);
	return r;
}

/* Check 22: one top-level .dist-info, named after the filename. */
static void check_dist_info(struct layout *l)
{
	const struct hwb_wheel_ctx *c = l->c;
	struct hwb_wheel_filename f = HWB_WHEEL_FILENAME_INIT;
	const char *first = NULL, *dash;
	size_t i, n = 0, flen = 0, t;
	struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;
	struct hwb_pep440_version v1, v2;

	for (i = 0; i < c->member_count; i++) {
		const char *name = c->members[i].name;

		t = top_len(name);
		if (!name[t] || !ends_with(name, t, ".dist-info"))
			continue;
		if (first && t == flen && !strncmp(first, name, t))
			continue;
		if (!first) {
			first = name;
			flen = t;
		}
		if (++n == 2)
			ERR(l, "HWB-W069", name,
			    "the wheel has more than one top-level .dist-info "
			    "directory; keep only the one of this project");
	}
	if (!n) {
		ERR(l, "HWB-W069", NULL,
		    "the wheel has no {name}-{version}.dist-info directory; "
		    "build it with a standard build backend");
		return;
	}
	if (!c->dist_info || strlen(c->dist_info) <= 10)
		return;
	l->stem = strndup(c->dist_info, strlen(c->dist_info) - 10);
	if (!l->stem || hwb_wheel__filename_of(c, &f)) {
		l->ret = -1;
		goto done;
	}
	if (!f.buf)
		goto done; /* the filename is reported by filename.c */
	/* A filename version that is no version is reported by filename.c;
	 * then the directory is compared by name only. */
	dash = strchr(l->stem, '-');
	if (hwb_pep440_parse(f.version, strlen(f.version), &v2, NULL))
		v2.release_count = 0;
	if (!dash || strchr(dash + 1, '-') ||
	    hwb_normalize_name(l->stem, (size_t)(dash - l->stem), &a) ||
	    hwb_normalize_name(f.name, strlen(f.name), &b) ||
	    strcmp(a.ptr, b.ptr) ||
	    hwb_pep440_parse(dash + 1, strlen(dash + 1), &v1, NULL) ||
	    (v2.release_count && (hwb_pep440_compare(&v1, &v2) ||
				  strcmp(v1.local, v2.local))))
		ERR(l, "HWB-W069", c->dist_info,
		    "the .dist-info directory '%s' does not match the "
		    "filename's name and version (%s-%s); rebuild the wheel",
		    c->dist_info, f.name, f.version);
done:
	hwb_buf_release(&a);
	hwb_buf_release(&b);
	hwb_wheel_filename_release(&f);
}

/* Checks 22 (.data) and 24: the .data directory and its schemes. */
static void check_data_dir(struct layout *l)
{
	const struct hwb_wheel_ctx *c = l->c;
	const char *first = NULL;
	size_t i, j, t, flen = 0;
	int reported_scheme = 0, reported_lib = 0;

	for (i = 0; i < c->member_count; i++) {
		const struct hwb_wheel_member *m = &c->members[i];
		const char *rest;

		t = top_len(m->name);
		if (!m->name[t] || !ends_with(m->name, t, ".data"))
			continue;
		if (!first) {
			first = m->name;
			flen = t;
			if (l->stem && (t - 5 != strlen(l->stem) ||
					strncmp(m->name, l->stem, t - 5)))
				ERR(l, "HWB-W070", m->name,
				    "the .data directory '%.*s' does not match "
				    "the .dist-info '%s.dist-info'; name it "
				    "'%s.data'", (int)t, m->name, l->stem,
				    l->stem);
		} else if (t != flen || strncmp(first, m->name, t)) {
			ERR(l, "HWB-W070", m->name,
			    "the wheel has more than one .data directory; "
			    "keep one, '{name}-{version}.data'");
			first = m->name;
			flen = t;
		}
		rest = m->name + t + 1;
		if (!*rest)
			continue;
		for (j = 0; j < COUNT(schemes); j++) {
			size_t n = strlen(schemes[j]);

			if (!strncmp(rest, schemes[j], n) && rest[n] == '/')
				break;
		}
		if (j == COUNT(schemes)) {
			if (!reported_scheme++)
				ERR(l, "HWB-W072", m->name,
				    "'%s' is not under one of purelib, "
				    "platlib, headers, scripts or data in the "
				    ".data directory; installers drop it",
				    m->name);
			continue;
		}
		if (!reported_lib &&
		    ((l->purelib == 1 && j == 0) || (l->purelib == 0 && j == 1))) {
			reported_lib = 1;
			ERR(l, "HWB-W073", m->name,
			    "a %s wheel (Root-Is-Purelib: %s) must not have "
			    ".data/%s; put those files at the top of the wheel",
			    schemes[j], l->purelib ? "true" : "false",
			    schemes[j]);
		}
		if (j == 3 && (m->is_dir || strchr(rest + 8, '/')))
			ERR(l, "HWB-W075", m->name,
			    ".data/scripts/ must hold only files, not "
			    "directories; installers copy scripts flat");
	}
}

/* Check 32 by name: files that hold credentials by their nature. */
static void check_secret_files(struct layout *l)
{
	const struct hwb_wheel_ctx *c = l->c;
	const char *why;
	size_t i;

	for (i = 0; i < c->member_count; i++)
		if (hwb_wheel__secret_path(c->members[i].name, &why))
			l->ret |= hwb_wheel__add_firm(
				c->report, "HWB-W088", c->members[i].name,
				"is %s, which must never be published; "
				"revoke what it holds and exclude it from "
				"the build", why);
}

/* Unix permission bits of a member, or 0 when not made on Unix. */
static unsigned member_mode(const struct hwb_wheel_member *m)
{
	return (m->made_by >> 8) == 3 ? m->external_attr >> 16 : 0;
}

static int is_shared_object(const char *name)
{
	size_t len = strlen(name);

	return ends_with(name, len, ".so") || strstr(name, ".so.") ||
	       ends_with(name, len, ".dylib") || ends_with(name, len, ".pyd");
}

/* Check 25: executable bits only on scripts (and native code in platlib
 * wheels, where auditwheel and linkers leave them). */
static void check_modes(struct layout *l)
{
	const struct hwb_wheel_ctx *c = l->c;
	size_t i, bad = 0;
	const char *first = NULL;

	for (i = 0; i < c->member_count; i++) {
		const struct hwb_wheel_member *m = &c->members[i];
		unsigned mode = member_mode(m);
		const char *scripts;

		if (m->is_dir || !(mode & 0111) || S_ISDIR(mode))
			continue;
		scripts = strstr(m->name, ".data/scripts/");
		if (scripts && (size_t)(scripts - m->name) == top_len(m->name) - 5)
			continue;
		if (l->purelib != 1 && is_shared_object(m->name))
			continue;
		if (!bad++)
			first = m->name;
	}
	if (bad)
		ERR(l, "HWB-W074", first,
		    "%zu member(s) have executable bits outside "
		    ".data/scripts/, starting with '%s'; clear them (chmod -x) "
		    "before building", bad, first);
}

/* Check 26 and check-wheel-contents W001: compiled bytecode. */
static void check_bytecode(struct layout *l)
{
	const struct hwb_wheel_ctx *c = l->c;
	size_t i, n = 0;
	const char *first = NULL;

	for (i = 0; i < c->member_count; i++) {
		const char *name = c->members[i].name;
		size_t len = strlen(name);

		if (ends_with(name, len, ".pyc") || ends_with(name, len, ".pyo") ||
		    strstr(name, "__pycache__/") == name ||
		    strstr(name, "/__pycache__/")) {
			if (!n++)
				first = name;
		}
	}
	if (n)
		WARN(l, "HWB-W077", first,
		     "%zu bytecode file(s) or __pycache__ entries, starting "
		     "with '%s'; installers compile bytecode themselves, so "
		     "leave it out of the wheel", n, first);
}

/* ---- check-wheel-contents ------------------------------------------ */

/* The part of a file name before a module extension, or 0: "x.py",
 * "x.so", "x.cpython-312-x86_64-linux-gnu.so", "x.cp312-win_amd64.pyd"
 * (check-wheel-contents' MODULE_EXT_RGX). */
static size_t module_base(const char *base)
{
	size_t len = strlen(base), stem, tag;
	const char *p;

	if (len > 3 && ends_with(base, len, ".py"))
		return len - 3;
	if (len > 3 && ends_with(base, len, ".so"))
		stem = len - 3;
	else if (len > 4 && ends_with(base, len, ".pyd"))
		stem = len - 4;
	else
		return 0;
	/* An ABI tag between the module name and the extension, if any. */
	for (tag = stem; tag > 0 && base[tag - 1] != '.'; tag--)
		;
	if (tag < 2 || tag == stem)
		return stem;
	for (p = base + tag; p < base + stem; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return stem;
	return tag - 1;
}

static int is_identifier(const char *s, size_t n)
{
	size_t i;

	if (!n || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		/* Non-ASCII letters are valid in identifiers (PEP 3131). */
		if (!(ch >= 0x80 || ch == '_' || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return 0;
	}
	/* No keyword is longer than 8 ("continue", "nonlocal"). */
	for (i = 0; n <= 8 && i < COUNT(keywords); i++)
		if (keywords[i][0] == s[0] && !strncmp(keywords[i], s, n) &&
		    !keywords[i][n])
			return 0;
	return 1;
}

/* W004: every directory and the module's base name are identifiers. */
static int importable(const char *path)
{
	const char *p = path, *slash;

	while ((slash = strchr(p, '/'))) {
		if (!is_identifier(p, (size_t)(slash - p)))
			return 0;
		p = slash + 1;
	}
	return is_identifier(p, module_base(p));
}

static int is_pth(const char *name, size_t len)
{
	return len > 4 && ends_with(name, len, ".pth");
}

struct toplevel {
	char name[256];
	int is_dir;
	int has_module;
};

struct cwc {
	struct toplevel *tops;
	size_t count;
	struct hwb_wheel_index by_name; /* into tops: names are looked up
					 * per member, and a wheel may have
					 * tens of thousands of them */
	size_t files; /* in purelib/platlib */
	size_t bad_top_files, bad_paths;
	const char *first_top_file, *first_bad_path;
};

/* The entry for the top-level name (n bytes at name), added if new. */
static struct toplevel *find_top(struct cwc *w, const char *name, size_t n)
{
	struct toplevel *top = &w->tops[w->count];
	long at;

	snprintf(top->name, sizeof(top->name), "%.*s",
		 (int)(n < sizeof(top->name) - 1 ? n : sizeof(top->name) - 1),
		 name);
	if ((at = hwb_wheel__index_put(&w->by_name, top->name, w->count)) >= 0)
		return &w->tops[at];
	top->is_dir = name[n] == '/';
	w->count++;
	return top;
}

/* Collect the library's top-level entries and W003/W004 findings. */
static int collect_library(struct layout *l, struct cwc *w)
{
	const struct hwb_wheel_ctx *c = l->c;
	size_t i;

	w->tops = calloc(c->member_count + 1, sizeof(*w->tops));
	if (!w->tops || hwb_wheel__index_init(&w->by_name, c->member_count, 0))
		return -1;
	for (i = 0; i < c->member_count; i++) {
		const struct hwb_wheel_member *m = &c->members[i];
		const char *lp = lib_path(m), *base;
		size_t t;
		struct toplevel *top;

		/* check-wheel-contents reads RECORD, which lists no
		 * directories; directory entries are skipped the same way. */
		if (!lp || m->is_dir || !*lp)
			continue;
		w->files++;
		t = top_len(lp);
		base = strrchr(lp, '/') ? strrchr(lp, '/') + 1 : lp;
		top = find_top(w, lp, t);
		if (module_base(base))
			top->has_module = 1;
		if (!lp[t] && !module_base(lp) && !is_pth(lp, t) &&
		    !w->bad_top_files++)
			w->first_top_file = m->name;
		if (module_base(base) && !importable(lp) && !w->bad_paths++)
			w->first_bad_path = m->name;
	}
	return 0;
}

static void check_library(struct layout *l, struct cwc *w)
{
	size_t i, j, counted = 0;
	const char *name;

	if (w->bad_top_files)
		WARN(l, "HWB-W079", w->first_top_file,
		     "%zu non-module file(s) at the top of the library, "
		     "starting with '%s'; move them into a package",
		     w->bad_top_files, w->first_top_file);
	if (w->bad_paths)
		WARN(l, "HWB-W080", w->first_bad_path,
		     "%zu module(s) at paths Python cannot import, starting "
		     "with '%s'; use identifiers for package directories",
		     w->bad_paths, w->first_bad_path);
	for (i = 0; i < w->count; i++) {
		name = w->tops[i].name;
		for (j = 0; j < COUNT(common_names); j++)
			if (!strcmp(name, common_names[j]))
				WARN(l, "HWB-W081", name,
				     "the library has a top-level '%s', a name "
				     "many projects ship by mistake and that "
				     "clashes between them; exclude it from the "
				     "wheel", name);
		if (!w->tops[i].is_dir && !strcmp(name, "__init__.py"))
			WARN(l, "HWB-W082", name,
			     "__init__.py at the top of the library; put it "
			     "inside the package directory");
		if (w->tops[i].is_dir && !w->tops[i].has_module &&
		    !ends_with(name, strlen(name), "-stubs"))
			WARN(l, "HWB-W086", name,
			     "the top-level directory '%s' holds no Python "
			     "module; add the package's modules or leave it out",
			     name);
		if (name[0] != '_' &&
		    !(!w->tops[i].is_dir && is_pth(name, strlen(name))))
			counted++;
	}
	if (!w->files)
		WARN(l, "HWB-W083", NULL,
		     "the library is empty: no files outside .dist-info and the "
		     ".data schemes; check the build backend's package list");
	/* A note, not a warning: attrs ships attr and attrs on purpose. */
	if (counted > 1)
		l->ret |= hwb_wheel__add(l->c->report, "HWB-W085",
					 HWB_SEVERITY_INFO, NULL,
					 "the library has %zu top-level packages "
					 "or modules; check that nothing extra "
					 "was included", counted);
}

/* W008: nothing outside the .dist-info directory. */
static void check_not_empty(struct layout *l)
{
	const struct hwb_wheel_ctx *c = l->c;
	size_t i;

	if (!c->dist_info)
		return;
	for (i = 0; i < c->member_count; i++)
		if (!is_top(&c->members[i], c->dist_info))
			return;
	WARN(l, "HWB-W084", NULL,
	     "the wheel holds nothing but its .dist-info directory; check "
	     "the build backend's package list");
}

/* Sizes and digests of the files check-wheel-contents allows twice. */
static const char *const allowed_dups[] = {
	"", "\n", "\r\n", "# -*- coding: utf-8 -*-",
	"# -*- coding: utf-8 -*-\n", "# -*- coding: utf-8 -*-\n\r",
};

static int dup_allowed(const struct hwb_wheel_member *m)
{
	uint8_t d[32];
	size_t i;

	for (i = 0; i < COUNT(allowed_dups); i++)
		if (m->size == strlen(allowed_dups[i]) &&
		    !hwb_hash_buffer(HWB_HASH_SHA256, allowed_dups[i],
				     strlen(allowed_dups[i]), d, NULL) &&
		    !memcmp(d, m->sha256, 32))
			return 1;
	return 0;
}

static int cmp_digest(const void *a, const void *b)
{
	const struct hwb_wheel_member *x = *(const struct hwb_wheel_member *const *)a;
	const struct hwb_wheel_member *y = *(const struct hwb_wheel_member *const *)b;
	int r = memcmp(x->sha256, y->sha256, 32);

	if (r)
		return r;
	return (x->size > y->size) - (x->size < y->size);
}

/* W002: files with the same contents. */
static int check_duplicates(struct layout *l)
{
	const struct hwb_wheel_ctx *c = l->c;
	const struct hwb_wheel_member **v;
	size_t i, j, n = 0, groups = 0, first = 0;

	if (!(v = calloc(c->member_count + 1, sizeof(*v))))
		return -1;
	for (i = 0; i < c->member_count; i++) {
		const struct hwb_wheel_member *m = &c->members[i];

		if (!m->is_dir && m->sha256_valid && !dup_allowed(m) &&
		    !(c->dist_info && is_top(m, c->dist_info)))
			v[n++] = m;
	}
	qsort(v, n, sizeof(*v), cmp_digest);
	/* One finding for all groups: vendored copies come by the dozen. */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !cmp_digest(&v[i], &v[j]); j++)
			;
		if (j - i > 1 && !groups++)
			first = i;
	}
	if (groups)
		WARN(l, "HWB-W078", v[first]->name,
		     "%zu group(s) of members have the same contents, such as "
		     "'%s' and '%s'; remove the copies", groups,
		     v[first]->name, v[first + 1]->name);
	free(v);
	return 0;
}

int hwb_wheel__check_layout(const struct hwb_wheel_ctx *c)
{
	struct layout l = { c, read_purelib(c), NULL, 0 };
	struct cwc w = { 0 };
	const char *lacks;

	check_dist_info(&l);
	if (c->dist_info) {
		char *meta = hwb_strdup_printf("%s/METADATA", c->dist_info);
		char *wheel = hwb_strdup_printf("%s/WHEEL", c->dist_info);

		if (!meta || !wheel)
			l.ret = -1;
		else if ((lacks = !hwb_wheel__has_member(c, meta) ? "METADATA"
				  : !hwb_wheel__has_member(c, wheel) ? "WHEEL"
								     : NULL))
			ERR(&l, "HWB-W071", c->dist_info,
			    "the .dist-info directory lacks %s; build the "
			    "wheel with a standard build backend", lacks);
		free(meta);
		free(wheel);
	}
	check_data_dir(&l);
	check_secret_files(&l);
	check_modes(&l);
	check_bytecode(&l);
	if (check_duplicates(&l) || collect_library(&l, &w)) {
		l.ret = -1;
	} else {
		check_library(&l, &w);
		check_not_empty(&l);
	}
	hwb_wheel__index_release(&w.by_name);
	free(w.tops);
	free(l.stem);
	return l.ret ? -1 : 0;
}
