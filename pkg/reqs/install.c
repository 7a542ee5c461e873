/* SPDX-License-Identifier: Apache-2.0 */
/*
 * install.c: install a wheel without pip, into an environment directory
 * being built (the wheel spec's "installing" section): unpack, place the
 * .data schemes, rewrite "#!python" in scripts and write launchers for
 * entry points. The members come from the reader the caller opened with
 * the full hwb check (pkg/wheel), so what is installed is byte for byte
 * what the check approved; the member paths are checked again because
 * this code writes files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/fileio.h"
#include "pkg/wheel/wheel.h"

/* Scripts are read whole to rewrite their first line; real ones are KiBs. */
#define SCRIPT_MAX ((size_t)16 << 20)

static int member_error(struct hwb_error *err, const char *wheel,
			const char *member, const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-B162",
		      "cannot install member '%s' of %s: %s", member, wheel, why);
	hwb_error_hint(err, "the wheel is malformed; rebuild or replace it");
	return hwb_error_at(err, wheel, 0, 0);
}

/* A relative path of plain components: no "", ".", "..", '\\' or NUL. */
static int safe_path(const char *p)
{
	const char *c = p, *slash;
	size_t n;

	if (!*p || *p == '/' || strchr(p, '\\'))
		return 0;
	for (;;) {
		slash = strchr(c, '/');
		n = slash ? (size_t)(slash - c) : strlen(c);
		if (!n || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		if (!slash)
			return 1;
		c = slash + 1;
	}
}

/*
 * Where a member goes, relative to the environment root (malloc'd), and
 * whether it is a script. *dist_info is set from the first ".dist-info/"
 * member seen.
 */
static int destination(const char *member, const char *site, char **out,
		       int *script, const char *wheel, struct hwb_error *err)
{
	const char *slash = strchr(member, '/'), *scheme, *rest;
	size_t top = slash ? (size_t)(slash - member) : strlen(member);
	char distname[256];

	*script = 0;
	if (!slash || top < 6 || strncmp(member + top - 5, ".data", 5)) {
		*out = hwb_strdup_printf("%s/%s", site, member);
		return *out ? 0 : hwb_error_oom(err);
	}
	scheme = slash + 1;
	rest = strchr(scheme, '/');
	if (!rest || !rest[1])
		return member_error(err, wheel, member, "a .data member "
				    "outside a scheme directory");
	rest++;
	if (!strncmp(scheme, "purelib/", 8) || !strncmp(scheme, "platlib/", 8))
		*out = hwb_strdup_printf("%s/%s", site, rest);
	else if (!strncmp(scheme, "scripts/", 8)) {
		*script = 1;
		*out = hwb_strdup_printf("bin/%s", rest);
	} else if (!strncmp(scheme, "data/", 5))
		*out = hwb_strdup_printf("%s", rest);
	else if (!strncmp(scheme, "headers/", 8)) {
		/* include/<distribution name>/..., the name from the .data
		 * directory (name-version.data). */
		const char *dash = memchr(member, '-', top);

		snprintf(distname, sizeof(distname), "%.*s",
			 (int)(dash ? (size_t)(dash - member) : top - 5), member);
		*out = hwb_strdup_printf("include/%s/%s", distname, rest);
	} else
		return member_error(err, wheel, member, "unknown .data scheme "
				    "(purelib, platlib, scripts, data, headers)");
	return *out ? 0 : hwb_error_oom(err);
}

static int make_parent(const char *root, const char *rel, struct hwb_error *err)
{
	char *path = hwb_strdup_printf("%s/%s", root, rel), *slash;
	int ret;

	if (!path)
		return hwb_error_oom(err);
	slash = strrchr(path, '/');
	*slash = 0;
	ret = hwb_mkdir_p(path, 0755, err);
	free(path);
	return ret;
}

static int open_new(const char *root, const char *rel, mode_t mode,
		    const char *wheel, const char *member,
		    struct hwb_error *err)
{
	char *path = hwb_strdup_printf("%s/%s", root, rel);
	int fd;

	if (!path)
		return hwb_error_oom(err);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0 && errno == EEXIST)
		member_error(err, wheel, member, "a file of that name is "
			     "already installed (duplicate member, or two "
			     "wheels install the same file)");
	else if (fd < 0) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				"cannot create %s", path);
	}
	free(path);
	return fd;
}

static int write_all(int fd, const void *data, size_t len, const char *root,
		     const char *rel, struct hwb_error *err)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
					       "cannot write %s/%s", root, rel);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The shebang line for the interpreter; long paths or spaces use /bin/sh. */
static int put_shebang(struct hwb_buf *b, const char *python)
{
	if (strlen(python) < 120 && !strpbrk(python, " \t'\"\\"))
		return hwb_buf_printf(b, "#!%s\n", python);
	return hwb_buf_printf(b, "#!/bin/sh\n'''exec' \"%s\" \"$0\" \"$@\"\n' '''\n",
			      python);
}

/* Collects a script whole, SCRIPT_MAX at most. */
static int to_script(void *ctx, const uint8_t *data, size_t len,
		     struct hwb_error *err)
{
	struct hwb_buf *b = ctx;

	if (b->len + len > SCRIPT_MAX)
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-B162",
				     "a script is larger than 16 MiB");
	return hwb_buf_put(b, data, len) ? hwb_error_oom(err) : 0;
}

static int install_script(struct hwb_wheel_reader *rd, size_t i,
			  const char *wheel, const char *member,
			  const char *root, const char *rel,
			  const struct hwb_reqs_interp *in,
			  struct hwb_error *err)
{
	struct hwb_buf data = HWB_BUF_INIT, out = HWB_BUF_INIT;
	const char *nl, *body;
	int fd = -1, ret = -1;

	if (hwb_wheel_read(rd, i, to_script, &data, err)) {
		if (!strcmp(err->code, "HWB-B162"))
			member_error(err, wheel, member, "script larger than "
				     "16 MiB");
		goto cleanup;
	}
	/* The wheel spec: "#!python" (or "#!pythonw") becomes the
	 * interpreter; what follows on the line (arguments) is kept. */
	if (data.len >= 8 && !memcmp(data.ptr, "#!python", 8)) {
		nl = memchr(data.ptr, '\n', data.len);
		body = nl ? nl + 1 : data.ptr + data.len;
		put_shebang(&out, in->path);
		hwb_buf_put(&out, body, (size_t)(data.ptr + data.len - body));
	} else {
		hwb_buf_put(&out, data.ptr, data.len);
	}
	if (hwb_buf_check(&out, err) || make_parent(root, rel, err))
		goto cleanup;
	if ((fd = open_new(root, rel, 0755, wheel, member, err)) < 0)
		goto cleanup;
	ret = write_all(fd, out.ptr, out.len, root, rel, err);
cleanup:
	if (fd >= 0)
		close(fd);
	hwb_buf_release(&data);
	hwb_buf_release(&out);
	return ret;
}

/* Where install_file's bytes go. */
struct file_sink {
	int fd;
	const char *root, *rel;
};

static int to_file(void *ctx, const uint8_t *data, size_t len,
		   struct hwb_error *err)
{
	const struct file_sink *f = ctx;

	return write_all(f->fd, data, len, f->root, f->rel, err);
}

static int install_file(struct hwb_wheel_reader *rd, size_t i,
			const char *wheel, const char *member,
			const char *root, const char *rel, mode_t mode,
			struct hwb_error *err)
{
	struct file_sink f = { -1, root, rel };
	int ret;

	if (make_parent(root, rel, err) ||
	    (f.fd = open_new(root, rel, mode, wheel, member, err)) < 0)
		return -1;
	ret = hwb_wheel_read(rd, i, to_file, &f, err);
	close(f.fd);
	return ret;
}

/* The top-level "name-version.dist-info" of member name, or 0. */
static int dist_info_dir(const char *name, size_t *len)
{
	const char *slash = strchr(name, '/');

	*len = slash ? (size_t)(slash - name) : 0;
	return *len > 10 && !memcmp(name + *len - 10, ".dist-info", 10);
}

static int unpack(struct hwb_wheel_reader *rd, const char *wheel,
		  const char *root, const char *site,
		  const struct hwb_reqs_interp *in, char **dist_info,
		  struct hwb_error *err)
{
	struct hwb_wheel_item it;
	char *rel = NULL;
	size_t i, n = hwb_wheel_count(rd), dlen;
	int script, ret = -1;
	mode_t mode;

	*dist_info = NULL;
	for (i = 0; i < n; i++) {
		hwb_wheel_item(rd, i, &it);
		if (it.is_dir)
			continue;
		if ((it.mode & S_IFMT) && !S_ISREG(it.mode)) {
			member_error(err, wheel, it.name, "not a regular file "
				     "(symbolic link or special file)");
			goto cleanup;
		}
		if (!safe_path(it.name)) {
			member_error(err, wheel, it.name, "unsafe path");
			goto cleanup;
		}
		if (!*dist_info && dist_info_dir(it.name, &dlen) &&
		    !(*dist_info = strndup(it.name, dlen))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		free(rel);
		rel = NULL;
		if (destination(it.name, site, &rel, &script, wheel, err))
			goto cleanup;
		mode = (it.mode & 0111) ? 0755 : 0644;
		if (script ? install_script(rd, i, wheel, it.name, root, rel,
					    in, err)
			   : install_file(rd, i, wheel, it.name, root, rel,
					  mode, err))
			goto cleanup;
	}
	ret = 0;
cleanup:
	free(rel);
	return ret;
}

/* A dotted Python name: identifiers of [A-Za-z0-9_] separated by dots. */
static int dotted_name(const char *s, size_t len)
{
	size_t i;
	int start = 1;

	if (!len)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (start)
				return 0;
			start = 1;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '_' || (!start && c >= '0' && c <= '9')))
			return 0;
		start = 0;
	}
	return !start;
}

static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
}

/*
 * One launcher: the entry point's module and object are checked to be
 * dotted names before they are written into Python source, so a hostile
 * entry_points.txt cannot inject code; the script name must be a plain
 * file name.
 */
static int write_launcher(const char *root, const char *site,
			  const char *line, size_t len,
			  const struct hwb_reqs_interp *in, const char *wheel,
			  struct hwb_error *err)
{
	const char *eq = memchr(line, '=', len), *end = line + len;
	const char *ns = line, *ne, *vs, *ve, *colon, *bracket, *p;
	struct hwb_buf b = HWB_BUF_INIT;
	char *rel = NULL, name[256], module[512], attr[512];
	int fd = -1, ret = -1;

	if (!eq)
		return 0;
	ne = eq;
	vs = eq + 1;
	ve = end;
	trim(&ns, &ne);
	if ((bracket = memchr(vs, '[', (size_t)(ve - vs))))
		ve = bracket;
	trim(&vs, &ve);
	colon = memchr(vs, ':', (size_t)(ve - vs));
	for (p = ns; p < ne; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		      *p == '.'))
			break;
	if (ne == ns || p < ne || (ne - ns == 1 && *ns == '.') ||
	    (ne - ns == 2 && ns[0] == '.' && ns[1] == '.') || !colon ||
	    !dotted_name(vs, (size_t)(colon - vs)) ||
	    !dotted_name(colon + 1, (size_t)(ve - colon - 1)) ||
	    ne - ns >= (long)sizeof(name) || colon - vs >= (long)sizeof(module) ||
	    ve - colon - 1 >= (long)sizeof(attr))
		return member_error(err, wheel, "entry_points.txt",
				    "an entry point is not 'name = module:object'");
	snprintf(name, sizeof(name), "%.*s", (int)(ne - ns), ns);
	snprintf(module, sizeof(module), "%.*s", (int)(colon - vs), vs);
	snprintf(attr, sizeof(attr), "%.*s", (int)(ve - colon - 1), colon + 1);
	put_shebang(&b, in->path);
	hwb_buf_printf(&b,
		"# Launcher written by hwb for the entry point %s = %s:%s.\n"
		"import os\nimport sys\n"
		"sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname("
		"os.path.realpath(__file__))), '%s'))\n"
		"import %s as _module\n"
		"if __name__ == '__main__':\n"
		"    sys.argv[0] = os.path.basename(sys.argv[0])\n"
		"    sys.exit(_module.%s())\n", name, module, attr, site, module,
		attr);
	if (hwb_buf_check(&b, err) ||
	    !(rel = hwb_strdup_printf("bin/%s", name))) {
		if (!err->code[0])
			hwb_error_oom(err);
		goto cleanup;
	}
	/* "import a.b as _module" binds a.b; the object may be dotted. */
	if (make_parent(root, rel, err) ||
	    (fd = open_new(root, rel, 0755, wheel, "entry_points.txt", err)) < 0)
		goto cleanup;
	ret = write_all(fd, b.ptr, b.len, root, rel, err);
cleanup:
	if (fd >= 0)
		close(fd);
	free(rel);
	hwb_buf_release(&b);
	return ret;
}

static int write_launchers(const char *root, const char *site,
			   const char *dist_info,
			   const struct hwb_reqs_interp *in,
			   const char *wheel, struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	char *path;
	const char *p, *nl, *end;
	int in_section = 0, ret = 0;

	path = hwb_strdup_printf("%s/%s/%s/entry_points.txt", root, site,
				 dist_info);
	if (!path)
		return hwb_error_oom(err);
	if (hwb_file_read_all(path, 1 << 20, &text, &ignored)) {
		free(path);
		return 0; /* no entry points */
	}
	end = text.ptr + text.len;
	for (p = text.ptr; p < end && !ret; p = nl + 1) {
		const char *ls = p, *le;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		le = nl;
		trim(&ls, &le);
		if (ls == le || *ls == '#' || *ls == ';')
			continue;
		if (*ls == '[') {
			in_section = (le - ls == 17 && !memcmp(ls, "[console_scripts]", 17)) ||
				     (le - ls == 13 && !memcmp(ls, "[gui_scripts]", 13));
			continue;
		}
		if (in_section)
			ret = write_launcher(root, site, ls, (size_t)(le - ls), in,
					     wheel, err);
	}
	free(path);
	hwb_buf_release(&text);
	return ret;
}

int hwb_reqs__install_wheel(struct hwb_wheel_reader *rd,
			     const char *wheel_path, const char *env_root,
			     const struct hwb_reqs_interp *interp,
			     struct hwb_error *err)
{
	char *dist_info = NULL, *site = hwb_reqs__env_site_dir(interp);
	int ret = -1;

	if (!site)
		return hwb_error_oom(err);
	if (unpack(rd, wheel_path, env_root, site, interp, &dist_info, err))
		goto cleanup;
	if (!dist_info) {
		member_error(err, wheel_path, "*.dist-info", "no .dist-info "
			     "directory");
		goto cleanup;
	}
	ret = write_launchers(env_root, site, dist_info, interp, wheel_path, err);
cleanup:
	free(site);
	free(dist_info);
	return ret;
}
