/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdist.c: checking a source distribution, a gzip'd tar read through
 * libarchive (the source distribution format specification, PEP 625, and
 * the tar extraction filters of PEP 706): safe member paths, no links that
 * leave the project directory, no devices, one top-level {name}-{version}/
 * directory, a PKG-INFO that agrees with the filename, no leaked secrets,
 * and limits on what a small file may expand to. A visitor (hwb build's
 * unpacker) may receive every member the check accepts, with its bytes as
 * the check reads them: one walk, so the unpacked tree and the check
 * cannot disagree.
 */
#include "pkg/core/lazy.h"
#include "pkg/wheel/internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CODE_UNSAFE "HWB-W097"
#define CODE_LAYOUT "HWB-W098"
#define CODE_LIMIT "HWB-W099"

/* PyPI's zip-bomb rule: a high ratio matters only past 64 MiB in all. */
#define RATIO_FLOOR ((uint64_t)64 << 20)
#define MAX_ENTRIES 200000
/* PKG-INFO is small; more is not metadata. */
#define MAX_PKG_INFO ((size_t)1 << 20)
/* Findings of one kind beyond this are summarised, not listed. */
#define MAX_LISTED 20

struct sdist {
	struct hwb_check_report *r;
	struct archive *a;
	uint64_t max_member, max_total, max_ratio, file_size, total;
	char *stem;              /* owned: "name-1.0" from the filename */
	char *top;               /* owned: the first top-level name seen */
	int several_tops;
	int has_pkg_info;
	struct hwb_buf pkg_info;
	size_t unsafe;
	uint8_t *buf;            /* owned: read buffer, chunk + overlap */
	int opened;
	int ret;                 /* -1 once out of memory */
	char **names;            /* owned: files and links, for duplicates */
	size_t name_count, name_cap;
	const struct hwb_sdist_visitor *v; /* or NULL */
	struct hwb_error *err;   /* the visitor's error lands here */
	int stopped;             /* the visitor failed: the walk ends */
};

#define CHUNK HWB_WHEEL_CHUNK
#define OVERLAP HWB_WHEEL_CHUNK_OVERLAP

#define ADD(s, code, member, ...)                                      \
	((s)->ret |= hwb_wheel__add((s)->r, code, HWB_SEVERITY_ERROR,    \
				    member, __VA_ARGS__))

static void unsafe(struct sdist *s, const char *member, const char *why)
{
	if (++s->unsafe <= MAX_LISTED)
		ADD(s, CODE_UNSAFE, member, "%s; build the sdist with a "
		    "standard backend from a clean checkout", why);
}

/* Components of a relative path, with ".." resolved; -1 when the path is
 * absolute, climbs above its start, or has empty or "." components. */
static int path_depth(const char *path, int allow_dotdot, int *first_len)
{
	const char *p = path;
	int depth = 0;

	if (*p == '/' || strchr(p, '\\') || (p[0] && p[1] == ':'))
		return -1;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.'))
			return -1;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!allow_dotdot || --depth < 0)
				return -1;
		} else {
			if (depth == 0 && first_len)
				*first_len = (int)n;
			depth++;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	return depth;
}

/* A symlink target, resolved against the link's directory, must stay in
 * the link's top-level directory (PEP 706's data filter, one level
 * stricter). */
static int link_escapes(const char *path, const char *target)
{
	struct hwb_buf joined = HWB_BUF_INIT;
	const char *slash = strrchr(path, '/');
	int depth;

	if (!*target || target[0] == '/')
		return 1;
	if (slash)
		hwb_buf_put(&joined, path, (size_t)(slash - path + 1));
	hwb_buf_puts(&joined, target);
	if (joined.oom) {
		hwb_buf_release(&joined);
		return -1;
	}
	/* Walk the components: depth must never drop below 1 (the top). */
	{
		const char *p = joined.ptr;

		depth = 0;
		while (*p) {
			size_t n = strcspn(p, "/");

			if (n == 2 && !memcmp(p, "..", 2))
				depth--;
			else if (n && !(n == 1 && *p == '.'))
				depth++;
			if (depth < 1) {
				hwb_buf_release(&joined);
				return 1;
			}
			p += n;
			if (*p == '/')
				p++;
		}
	}
	hwb_buf_release(&joined);
	return depth < 1;
}

static void check_top(struct sdist *s, const char *path, int first_len)
{
	if (!s->top) {
		if (!(s->top = strndup(path, (size_t)first_len)))
			s->ret = -1;
		return;
	}
	if (!s->several_tops && (strlen(s->top) != (size_t)first_len ||
				 strncmp(s->top, path, (size_t)first_len))) {
		s->several_tops = 1;
		ADD(s, CODE_LAYOUT, path,
		    "the sdist has more than one top-level entry ('%s' and "
		    "this); put everything under one {name}-{version}/ "
		    "directory", s->top);
	}
}

/* Read the entry's data: the secret scan in chunks, PKG-INFO kept,
 * sizes counted against the limits. Returns 1 when a limit stops us. */
static int read_data(struct sdist *s, const char *path, int is_pkg_info,
		     int scan)
{
	size_t have = 0, overlap = 0;
	uint64_t member = 0;
	la_ssize_t n;

	for (;;) {
		n = archive_read_data(s->a, s->buf + have,
				      CHUNK + OVERLAP - have);
		if (n < 0) {
			ADD(s, CODE_LAYOUT, path, "cannot read this member: %s",
			    archive_error_string(s->a));
			return 1;
		}
		member += (uint64_t)n;
		s->total += (uint64_t)n;
		s->r->bytes_checked += (uint64_t)n;
		if (member > s->max_member || s->total > s->max_total ||
		    (s->total > RATIO_FLOOR &&
		     s->total / (s->file_size ? s->file_size : 1) > s->max_ratio)) {
			ADD(s, CODE_LIMIT, path,
			    "the sdist expands beyond the size limits (%llu "
			    "bytes per file, %llu in all, ratio %llu); it "
			    "looks like a decompression bomb",
			    (unsigned long long)s->max_member,
			    (unsigned long long)s->max_total,
			    (unsigned long long)s->max_ratio);
			return 1;
		}
		if (is_pkg_info && s->pkg_info.len + (size_t)n <= MAX_PKG_INFO)
			hwb_buf_put(&s->pkg_info, s->buf + have, (size_t)n);
		if (n && s->v && s->v->data(s->v->ctx, s->buf + have, (size_t)n,
					    s->err)) {
			s->stopped = 1;
			return 1;
		}
		have += (size_t)n;
		if (scan && (n == 0 || have == CHUNK + OVERLAP) && have > overlap)
			s->ret |= hwb_wheel__scan_secrets(s->r, path, s->buf,
							  have, overlap, 0);
		if (n == 0)
			return 0;
		if (have == CHUNK + OVERLAP) {
			/* Keep the tail so a token cut in two is seen whole. */
			memmove(s->buf, s->buf + have - OVERLAP, OVERLAP);
			have = overlap = OVERLAP;
		}
	}
}

static int is_binary_name(const char *path)
{
	static const char *const exts[] = { ".so", ".dylib", ".pyd", ".dll",
					    ".exe", ".a", ".o" };
	size_t i, len = strlen(path), n;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		n = strlen(exts[i]);
		if (len >= n && !strcmp(path + len - n, exts[i]))
			return 1;
	}
	return 0;
}

static void check_mode(struct sdist *s, const char *path, unsigned mode);
static void remember(struct sdist *s, const char *path);

/* Hand an accepted member to the visitor; 1 when it failed (the walk
 * stops with its error). */
static int visit(struct sdist *s, const char *path, int type, unsigned mode,
		 const char *link)
{
	const struct hwb_sdist_entry e = { path, type, mode & 07777, link };

	if (!s->v || !s->v->entry(s->v->ctx, &e, s->err))
		return 0;
	s->stopped = 1;
	return 1;
}

static int check_entry(struct sdist *s, struct archive_entry *e)
{
	const char *path = archive_entry_pathname(e), *link, *why;
	int first_len = 0, depth, is_pkg_info;
	mode_t type = archive_entry_filetype(e);

	if (!path || !hwb_wheel__utf8_valid(path, strlen(path)) ||
	    strpbrk(path, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c"
			  "\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18"
			  "\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f")) {
		unsafe(s, path ? path : "?", "a member name is not UTF-8 text "
					     "without control characters");
		return 0;
	}
	depth = path_depth(path, 0, &first_len);
	if (depth < 0) {
		unsafe(s, path, "the path is absolute or has '..', '.' or "
				"empty components (path traversal)");
		return 0;
	}
	check_top(s, path, first_len);
	if ((link = archive_entry_hardlink(e))) {
		if (path_depth(link, 0, NULL) < 1)
			unsafe(s, path, "a hard link points outside the sdist");
		return 0;
	}
	if (type == AE_IFLNK) {
		link = archive_entry_symlink(e);
		depth = link_escapes(path, link ? link : "");
		if (depth < 0)
			s->ret = -1;
		else if (depth)
			unsafe(s, path, "a symbolic link points outside the "
					"project directory");
		else
			return visit(s, path, 'l', 0777, link);
		return 0;
	}
	if (type != AE_IFREG && type != AE_IFDIR) {
		unsafe(s, path, "a device, FIFO or socket entry; an sdist "
				"holds files and directories only");
		return 0;
	}
	check_mode(s, path, (unsigned)archive_entry_mode(e));
	if (type == AE_IFREG)
		remember(s, path);
	if (hwb_wheel__secret_path(path, &why))
		s->ret |= hwb_wheel__add_firm(s->r, "HWB-W088", path,
					      "is %s, which must never be "
					      "published; revoke what it holds "
					      "and exclude it", why);
	if (visit(s, path, type == AE_IFDIR ? 'd' : 'f',
		  (unsigned)archive_entry_mode(e), NULL))
		return 1;
	if (type == AE_IFDIR)
		return 0;
	is_pkg_info = s->top && depth == 2 &&
		      !strcmp(path + strlen(s->top), "/PKG-INFO");
	s->has_pkg_info |= is_pkg_info;
	return read_data(s, path, is_pkg_info, !is_binary_name(path));
}

/* setuid, setgid and sticky bits are refused, world-writable warned. */
static void check_mode(struct sdist *s, const char *path, unsigned mode)
{
	if (mode & 07000)
		ADD(s, "HWB-W100", path, "the mode %06o has the setuid, setgid "
		    "or sticky bit; extracting it as root makes a setuid "
		    "program; store it 0644 or 0755", mode);
	else if (mode & 0002)
		s->ret |= hwb_wheel__add(s->r, "HWB-W101", HWB_SEVERITY_WARNING,
					 path, "the mode %06o is world-writable; "
					 "store it 0644 or 0755", mode);
}

/* Names of files and links, checked for duplicates once all are read. */
static void remember(struct sdist *s, const char *path)
{
	char *copy;

	if (s->name_count == s->name_cap) {
		size_t cap = s->name_cap ? s->name_cap * 2 : 256;
		char **grown = realloc(s->names, cap * sizeof(*grown));

		if (!grown) {
			s->ret = -1;
			return;
		}
		s->names = grown;
		s->name_cap = cap;
	}
	if (!(copy = strdup(path))) {
		s->ret = -1;
		return;
	}
	s->names[s->name_count++] = copy;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A member's name as a normalisation- and case-insensitive file system
 * stores it, beside the name itself (borrowed from s->names). */
struct folded_name {
	char *key; /* owned */
	const char *name;
};

static int compare_folded(const void *a, const void *b)
{
	const struct folded_name *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->name, y->name);
}

/* Names that differ but fold to one (Core.py/core.py, NFC/NFD é.py):
 * unpacked on macOS or Windows, one file overwrites the other, so the
 * tree built is not the tree reviewed. names is sorted, duplicates kept. */
static void check_collisions(struct sdist *s)
{
	struct folded_name *f = calloc(s->name_count + 1, sizeof(*f));
	size_t i, n = 0;

	if (!f) {
		s->ret = -1;
		return;
	}
	for (i = 0; i < s->name_count; i++) {
		if (i && !strcmp(s->names[i], s->names[i - 1]))
			continue; /* W103 already */
		if (!(f[n].key = hwb_wheel__fold_name(s->names[i]))) {
			s->ret = -1;
			goto cleanup;
		}
		f[n++].name = s->names[i];
	}
	qsort(f, n, sizeof(*f), compare_folded);
	for (i = 1; i < n; i++)
		if (!strcmp(f[i].key, f[i - 1].key))
			ADD(s, "HWB-W014", f[i].name, "%s '%s': one overwrites "
			    "the other when the sdist is unpacked on macOS, "
			    "Windows or a normalisation-insensitive file system; "
			    "rename one",
			    hwb_wheel__ascii_only(f[i].name) &&
				    hwb_wheel__ascii_only(f[i - 1].name)
				    ? "differs only in case from"
				    : "is the same name after Unicode "
				      "normalisation and case folding as",
			    f[i - 1].name);
cleanup:
	for (i = 0; i < n; i++)
		free(f[i].key);
	free(f);
}

/* One name twice: tar extraction keeps the last copy, other readers the
 * first, so what is reviewed is not what is built. */
static void check_duplicates(struct sdist *s)
{
	size_t i;

	qsort(s->names, s->name_count, sizeof(*s->names), compare_names);
	for (i = 1; i < s->name_count; i++)
		if (!strcmp(s->names[i], s->names[i - 1]) &&
		    (i < 2 || strcmp(s->names[i], s->names[i - 2])))
			ADD(s, "HWB-W103", s->names[i], "the member appears more "
			    "than once: tar keeps the last copy, other readers "
			    "the first; rebuild the sdist so each file is "
			    "stored once");
	check_collisions(s);
}

/* PKG-INFO's Name and Version against the filename. */
static void check_pkg_info(struct sdist *s)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;
	struct hwb_pep440_version v1, v2;
	const char *name, *version, *dash = strrchr(s->stem, '-');

	if (hwb_metadata_parse(s->pkg_info.ptr, s->pkg_info.len, &md, NULL)) {
		ADD(s, CODE_LAYOUT, "PKG-INFO", "PKG-INFO is not valid core "
		    "metadata; regenerate the sdist");
		return;
	}
	name = hwb_metadata_get(&md, "Name");
	version = hwb_metadata_get(&md, "Version");
	if (!name || !version || !dash ||
	    hwb_normalize_name(name, strlen(name), &a) ||
	    hwb_normalize_name(s->stem, (size_t)(dash - s->stem), &b) ||
	    strcmp(a.ptr, b.ptr) ||
	    hwb_pep440_parse(version, strlen(version), &v1, NULL) ||
	    hwb_pep440_parse(dash + 1, strlen(dash + 1), &v2, NULL) ||
	    hwb_pep440_compare(&v1, &v2) || strcmp(v1.local, v2.local))
		ADD(s, CODE_LAYOUT, "PKG-INFO",
		    "PKG-INFO's Name and Version (%s %s) do not match the "
		    "filename's '%s'; rebuild the sdist",
		    name ? name : "(none)", version ? version : "(none)",
		    s->stem);
	hwb_buf_release(&a);
	hwb_buf_release(&b);
	hwb_metadata_release(&md);
}

/* "name-1.0.tar.gz": the stem, a valid name and a PEP 440 version. */
static int check_filename(struct sdist *s, const char *path)
{
	const char *base = strrchr(path, '/'), *dash;
	struct hwb_pep440_version v;
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len <= 7 || strcmp(base + len - 7, ".tar.gz")) {
		ADD(s, CODE_LAYOUT, NULL, "'%s' is not named "
		    "{name}-{version}.tar.gz", base);
		return 0;
	}
	if (!(s->stem = strndup(base, len - 7)))
		return -1;
	dash = strrchr(s->stem, '-');
	if (!dash || !hwb_name_is_valid(s->stem, (size_t)(dash - s->stem)) ||
	    hwb_pep440_parse(dash + 1, strlen(dash + 1), &v, NULL))
		ADD(s, CODE_LAYOUT, NULL, "'%s' is not {name}-{version}.tar.gz "
		    "with a valid name and PEP 440 version", base);
	return 0;
}

static int open_archive(struct sdist *s, const char *path, int *fd,
			struct hwb_error *err)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return hwb_error_errno(err, HWB_KIND_CONFIG, CODE_LAYOUT,
				       "cannot open %s", path);
	if (fstat(*fd, &st) || !S_ISREG(st.st_mode))
		return hwb_error_set(err, HWB_KIND_CONFIG, CODE_LAYOUT,
				     "%s is not a regular file", path);
	s->file_size = (uint64_t)st.st_size;
	if (hwb_lazy_require(HWB_LAZY_ARCHIVE, err))
		return -1;
	if (!(s->a = archive_read_new()) || !(s->buf = malloc(CHUNK + OVERLAP)))
		return hwb_error_oom(err);
	archive_read_support_filter_gzip(s->a);
	archive_read_support_format_tar(s->a);
	if (archive_read_open_fd(s->a, *fd, 65536) != ARCHIVE_OK)
		ADD(s, CODE_LAYOUT, NULL, "not a gzip'd tar archive: %s",
		    archive_error_string(s->a));
	else
		s->opened = 1;
	return 0;
}

static void walk(struct sdist *s)
{
	struct archive_entry *e;
	size_t entries = 0;
	int r;

	while ((r = archive_read_next_header(s->a, &e)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		if (++entries > MAX_ENTRIES) {
			ADD(s, CODE_LIMIT, NULL, "the sdist has more than %d "
			    "entries", MAX_ENTRIES);
			return;
		}
		s->r->members++;
		if (check_entry(s, e) || s->ret)
			return;
	}
	if (r != ARCHIVE_EOF)
		ADD(s, CODE_LAYOUT, NULL, "the archive is damaged or not a "
		    "gzip'd tar: %s", archive_error_string(s->a));
}

int hwb_wheel__check_sdist(const char *path,
			   const struct hwb_check_options *opts,
			   const struct hwb_sdist_visitor *v,
			   struct hwb_check_report *r, struct hwb_error *err)
{
	struct sdist s;
	int fd = -1, ret = -1;

	memset(&s, 0, sizeof(s));
	hwb_buf_init(&s.pkg_info);
	s.r = r;
	s.v = v;
	s.err = err;
	/* hwb_check_file() resolves the defaults; direct callers may not. */
	s.max_member = HWB_CHECK_DEFAULT_MAX_MEMBER_SIZE;
	s.max_total = HWB_CHECK_DEFAULT_MAX_TOTAL_SIZE;
	s.max_ratio = HWB_CHECK_DEFAULT_MAX_RATIO;
	if (opts && opts->max_member_size)
		s.max_member = opts->max_member_size;
	if (opts && opts->max_total_size)
		s.max_total = opts->max_total_size;
	if (opts && opts->max_ratio)
		s.max_ratio = opts->max_ratio;
	if (open_archive(&s, path, &fd, err))
		goto cleanup;
	if (check_filename(&s, path))
		goto oom;
	if (!s.opened)
		goto done;
	walk(&s);
	if (s.stopped)
		goto cleanup;
	check_duplicates(&s);
	if (s.ret)
		goto oom;
	if (s.unsafe > MAX_LISTED)
		ADD(&s, CODE_UNSAFE, NULL, "%zu unsafe entries in all; only "
		    "the first %d are listed", s.unsafe, MAX_LISTED);
	if (s.stem && s.top && !s.several_tops && strcmp(s.stem, s.top))
		ADD(&s, CODE_LAYOUT, s.top, "the top-level directory '%s' is "
		    "not '%s/', as the filename says", s.top, s.stem);
	if (!s.top)
		ADD(&s, CODE_LAYOUT, NULL, "the sdist is empty");
	else if (!s.has_pkg_info)
		ADD(&s, CODE_LAYOUT, NULL, "%s/PKG-INFO is missing; an sdist "
		    "carries its core metadata there", s.top);
	else if (s.stem)
		check_pkg_info(&s);
done:
	if (s.ret || s.pkg_info.oom)
		goto oom;
	ret = 0;
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	if (s.a)
		archive_read_free(s.a);
	if (fd >= 0)
		close(fd);
	free(s.buf);
	free(s.stem);
	free(s.top);
	while (s.name_count)
		free(s.names[--s.name_count]);
	free(s.names);
	hwb_buf_release(&s.pkg_info);
	return ret;
}
