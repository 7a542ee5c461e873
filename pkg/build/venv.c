/* SPDX-License-Identifier: Apache-2.0 */
/*
 * env.c: the build requirements' environment without pip. hwb unpacks the
 * resolved wheels itself into a venv-shaped directory under
 * <cache>/envs/<key>, key = sha256 of the interpreter and the sorted wheel
 * hashes, and mounts it read-only at /env in the sandbox. A later build
 * with the same key reuses it after checking every file against the
 * manifest written at creation (a tampered entry is rebuilt, never used);
 * builds that share a key take an flock on it.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"

#define MANIFEST "hwb-env.manifest"
/* A member bigger than this is not a build requirement. */
#define MEMBER_MAX ((size_t)256 << 20)

void hwb_build__venv_release(struct hwb_build__venv *e)
{
	free(e->dir);
	e->dir = NULL;
	e->reused = 0;
	e->key[0] = '\0';
}

static int sha256_hex(const void *data, size_t len, char out[65],
		      struct hwb_error *err)
{
	uint8_t d[32];
	struct hwb_buf hex = HWB_BUF_INIT;

	if (hwb_hash_buffer(HWB_HASH_SHA256, data, len, d, err))
		return -1;
	if (hwb_hex_encode(&hex, d, sizeof(d)))
		return hwb_error_oom(err);
	memcpy(out, hex.ptr, 65);
	hwb_buf_release(&hex);
	return 0;
}

static int file_sha256(const char *path, char out[65], struct hwb_error *err)
{
	uint8_t d[32];
	struct hwb_buf hex = HWB_BUF_INIT;

	if (hwb_hash_file(HWB_HASH_SHA256, path, d, err))
		return -1;
	if (hwb_hex_encode(&hex, d, sizeof(d)))
		return hwb_error_oom(err);
	memcpy(out, hex.ptr, 65);
	hwb_buf_release(&hex);
	return 0;
}

static int env_key(const struct hwb_build__interp *py,
		   const struct hwb_build__wh *reqs, char key[65],
		   struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	size_t i;
	int rc;

	hwb_buf_printf(&text, "hwb-env/1\n%s\n%s\n", py->path, py->python_full_version);
	for (i = 0; i < reqs->count; i++)
		hwb_buf_printf(&text, "%s %s\n", reqs->items[i].name,
			       reqs->items[i].sha256);
	rc = hwb_buf_check(&text, err) || sha256_hex(text.ptr, text.len, key, err);
	hwb_buf_release(&text);
	return rc ? -1 : 0;
}

/* A member name that stays inside the environment. */
static int safe_name(const char *n)
{
	const char *p = n;

	if (!*n || *n == '/' || strchr(n, '\\'))
		return 0;
	while (*p) {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || !p[2]) &&
		    (p == n || p[-1] == '/'))
			return 0;
		p++;
	}
	return 1;
}

/* Where a wheel member goes, relative to the env: site-packages, or bin
 * for .data/scripts; NULL to skip (headers and data are not for builds). */
static char *target_of(const char *member, const char *site)
{
	const char *data = strstr(member, ".data/");
	const char *slash = strchr(member, '/');

	if (data && slash && data < slash) {
		const char *rest = data + 6;

		if (!strncmp(rest, "purelib/", 8) || !strncmp(rest, "platlib/", 8))
			return hwb_strdup_printf("%s/%s", site, rest + 8);
		if (!strncmp(rest, "scripts/", 8))
			return hwb_strdup_printf("bin/%s", rest + 8);
		return NULL;
	}
	return hwb_strdup_printf("%s/%s", site, member);
}

/* A new file in the temporary tree: no fsync per file, because the tree
 * only becomes the cache entry by the final rename, after a manifest. */
static int write_new(const char *path, const struct hwb_buf *data, mode_t mode,
		     struct hwb_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      mode);

	if (fd < 0 || write(fd, data->ptr, data->len) != (ssize_t)data->len) {
		if (fd >= 0)
			close(fd);
		return hwb_error_errno(err, HWB_KIND_BUILD, "HWB-B043",
				       "cannot install '%s' (a duplicate member?)",
				       path);
	}
	fchmod(fd, mode);
	return close(fd);
}

static int write_member(struct archive *a, const char *root, const char *rel,
			int exec, struct hwb_buf *manifest, struct hwb_error *err)
{
	struct hwb_buf data = HWB_BUF_INIT, path = HWB_BUF_INIT;
	char buf[65536], hex[65];
	ssize_t n;
	int ret = -1;

	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (data.len + (size_t)n > MEMBER_MAX) {
			hwb_error_set(err, HWB_KIND_BUILD, "HWB-B043",
				      "wheel member '%s' is too large", rel);
			goto cleanup;
		}
		hwb_buf_put(&data, buf, (size_t)n);
	}
	if (n < 0) {
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B043",
			      "cannot read wheel member '%s': %s", rel,
			      archive_error_string(a));
		goto cleanup;
	}
	/* "#!python" in .data/scripts means "the environment's python". */
	if (!strncmp(rel, "bin/", 4) && data.len >= 8 &&
	    !strncmp(data.ptr, "#!python", 8)) {
		struct hwb_buf fixed = HWB_BUF_INIT;
		const char *nl = memchr(data.ptr, '\n', data.len);

		hwb_buf_puts(&fixed, "#!/bin/sh\n'''exec' \"$(dirname \"$0\")/python\" "
			     "\"$0\" \"$@\"\n' '''\n");
		if (nl)
			hwb_buf_put(&fixed, nl + 1, data.len - (size_t)(nl + 1 - data.ptr));
		hwb_buf_release(&data);
		data = fixed;
		exec = 1;
	}
	if (hwb_buf_check(&data, err) ||
	    hwb_buf_printf(&path, "%s/%s", root, rel))
		goto oom;
	(void)hex;
	{
		char *slash = strrchr(path.ptr, '/');

		*slash = '\0';
		if (hwb_mkdir_p(path.ptr, 0755, err))
			goto cleanup;
		*slash = '/';
	}
	if (write_new(path.ptr, &data, exec ? 0755 : 0644, err))
		goto cleanup;
	(void)manifest;
	ret = 0;
	goto cleanup;
oom:
	if (!err || !err->code[0])
		hwb_error_oom(err);
cleanup:
	hwb_buf_release(&data);
	hwb_buf_release(&path);
	return ret;
}

static int unpack_wheel(const struct hwb_build__wh_item *w, const char *root,
			const char *site, struct hwb_buf *manifest,
			struct hwb_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	const char *name;
	char *rel;
	int r, ret = -1;

	if (!a)
		return hwb_error_oom(err);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, w->path, 65536) != ARCHIVE_OK)
		goto bad;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		if (archive_entry_filetype(e) == AE_IFDIR)
			continue;
		if (!name || !safe_name(name) || archive_entry_filetype(e) != AE_IFREG)
			goto bad;
		if (!(rel = target_of(name, site)))
			continue;
		r = write_member(a, root, rel,
				 (archive_entry_perm(e) & 0111) != 0, manifest, err);
		free(rel);
		if (r)
			goto cleanup;
	}
	if (r == ARCHIVE_EOF)
		ret = 0;
	else
		goto bad;
	goto cleanup;
bad:
	hwb_error_set(err, HWB_KIND_BUILD, "HWB-B043",
		      "the wheel '%s' cannot be installed: %s", w->path,
		      archive_error_string(a) ? archive_error_string(a)
					      : "unsafe or unusual member");
	hwb_error_hint(err, "replace it in the wheelhouse; run 'hwb check' on it");
cleanup:
	archive_read_free(a);
	return ret;
}

/* pyvenv.cfg and bin/python make the directory a venv for the interpreter:
 * /env/bin/python gets sys.prefix /env and only the env's site-packages. */
static int make_venv(const struct hwb_build__interp *py, const char *root,
		     struct hwb_error *err)
{
	struct hwb_buf p = HWB_BUF_INIT, cfg = HWB_BUF_INIT;
	char *dir = NULL;
	int ret = -1;

	dir = hwb_strdup(py->path);
	if (!dir)
		return hwb_error_oom(err);
	*strrchr(dir, '/') = '\0';
	hwb_buf_printf(&cfg, "home = %s\ninclude-system-site-packages = false\n"
		       "version = %s\n", dir, py->python_full_version);
	hwb_buf_printf(&p, "%s/bin", root);
	if (hwb_buf_check(&cfg, err) || hwb_buf_check(&p, err) ||
	    hwb_mkdir_p(p.ptr, 0755, err))
		goto cleanup;
	hwb_buf_puts(&p, "/python");
	if (symlink(py->path, p.ptr)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B048",
				"cannot create '%s'", p.ptr);
		goto cleanup;
	}
	hwb_buf_clear(&p);
	hwb_buf_printf(&p, "%s/pyvenv.cfg", root);
	if (hwb_buf_check(&p, err) ||
	    hwb_file_write_atomic(p.ptr, cfg.ptr, cfg.len, 0644, err))
		goto cleanup;
	ret = 0;
cleanup:
	free(dir);
	hwb_buf_release(&p);
	hwb_buf_release(&cfg);
	return ret;
}

/*
 * Byte-compile the environment once, with unchecked-hash .pyc files: the
 * sandbox mounts it read-only, and without them every hook would compile
 * setuptools again. Compiling does not run the code.
 */
static int compile_env(const struct hwb_build__interp *py, const char *root,
		       const char *site, struct hwb_error *err)
{
	char *dir = hwb_strdup_printf("%s/%s", root, site);
	const char *argv[] = { py->path, "-I", "-m", "compileall", "-q", "-j", "0",
			       "--invalidation-mode", "unchecked-hash", dir, NULL };
	int status = 0, rc;

	if (!dir)
		return hwb_error_oom(err);
	rc = hwb_build__run(argv, NULL, &status, err);
	free(dir);
	if (rc)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B049",
				     "byte-compiling the build environment failed "
				     "(status %d)", status),
		       hwb_error_hint(err, "a build requirement has a module that "
				      "does not compile with this interpreter");
	return 0;
}

/* The manifest: "sha256  path" for every regular file under root. */
static int record(const char *root, struct hwb_buf *manifest,
		  struct hwb_error *err)
{
	char *paths[] = { (char *)root, NULL }, hex[65];
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	FTSENT *e;
	size_t n = strlen(root);
	int ret = 0;

	if (!fts)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B048",
				       "cannot walk '%s'", root);
	while (!ret && (e = fts_read(fts)))
		if (e->fts_info == FTS_F) {
			if (file_sha256(e->fts_path, hex, err))
				ret = -1;
			else
				hwb_buf_printf(manifest, "%s  %s\n", hex,
					       e->fts_path + n + 1);
		}
	fts_close(fts);
	return ret ? -1 : hwb_buf_check(manifest, err);
}

static int create_env(const struct hwb_build__interp *py,
		      const struct hwb_build__wh *reqs, const char *tmp,
		      struct hwb_error *err)
{
	struct hwb_buf manifest = HWB_BUF_INIT, site = HWB_BUF_INIT,
		       path = HWB_BUF_INIT;
	size_t i;
	int ret = -1;

	if (mkdir(tmp, 0755)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B048",
				"cannot create the environment '%s'", tmp);
		goto cleanup;
	}
	hwb_buf_printf(&site, "lib/python%s/site-packages", py->python_version);
	if (hwb_buf_check(&site, err) || make_venv(py, tmp, err))
		goto cleanup;

	for (i = 0; i < reqs->count; i++)
		if (unpack_wheel(&reqs->items[i], tmp, site.ptr, &manifest, err))
			goto cleanup;
	if (compile_env(py, tmp, site.ptr, err) || record(tmp, &manifest, err))
		goto cleanup;
	hwb_buf_printf(&path, "%s/" MANIFEST, tmp);
	if (hwb_buf_check(&path, err) ||
	    hwb_file_write_atomic(path.ptr, manifest.ptr, manifest.len, 0444, err))
		goto cleanup;
	ret = 0;
cleanup:
	hwb_buf_release(&manifest);
	hwb_buf_release(&site);
	hwb_buf_release(&path);
	return ret;
}

/* Regular files under root except the manifest; SIZE_MAX when something
 * is unreadable or neither a file, a directory nor a symlink. */
static size_t count_files(const char *root)
{
	char *paths[] = { (char *)root, NULL };
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	FTSENT *e;
	size_t n = 0;

	if (!fts)
		return SIZE_MAX;
	while (n != SIZE_MAX && (e = fts_read(fts))) {
		if (e->fts_info == FTS_F) {
			if (strcmp(e->fts_name, MANIFEST))
				n++;
		} else if (e->fts_info != FTS_D && e->fts_info != FTS_DP &&
			   e->fts_info != FTS_SL) {
			n = SIZE_MAX;
		}
	}
	fts_close(fts);
	return n;
}

/* 0 when every file matches the manifest and nothing was added. */
static int verify_env(const char *root, struct hwb_error *err)
{
	struct hwb_buf m = HWB_BUF_INIT, path = HWB_BUF_INIT;
	char hex[65], *line, *save = NULL;
	size_t listed = 0;
	int ok = 0;
	struct hwb_error ignored = HWB_ERROR_INIT;

	hwb_buf_printf(&path, "%s/" MANIFEST, root);
	if (hwb_buf_check(&path, err) ||
	    hwb_file_read_all(path.ptr, (size_t)64 << 20, &m, &ignored))
		goto cleanup;
	for (line = strtok_r(m.ptr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strlen(line) < 67 || line[64] != ' ')
			goto cleanup;
		hwb_buf_clear(&path);
		hwb_buf_printf(&path, "%s/%s", root, line + 66);
		if (hwb_buf_check(&path, err) || file_sha256(path.ptr, hex, &ignored) ||
		    memcmp(hex, line, 64))
			goto cleanup;
		listed++;
	}
	ok = count_files(root) == listed;
cleanup:
	hwb_buf_release(&m);
	hwb_buf_release(&path);
	return ok ? 0 : -1;
}

static char *cache_root(const char *configured)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (configured)
		return hwb_strdup(configured);
	if (xdg && xdg[0] == '/')
		return hwb_strdup_printf("%s/hwb", xdg);
	return hwb_strdup_printf("%s/.cache/hwb", home && *home ? home : "/tmp");
}

int hwb_build__venv_get(const struct hwb_build__interp *py,
		       const struct hwb_build__wh *reqs, const char *cache,
		       struct hwb_build__venv *env, struct hwb_error *err)
{
	char *root = cache_root(cache), *envs = NULL, *lock = NULL,
	     *tmp = NULL;
	int lock_fd = -1, ret = -1;

	memset(env, 0, sizeof(*env));
	if (!root || env_key(py, reqs, env->key, err))
		goto oom;
	envs = hwb_strdup_printf("%s/envs", root);
	lock = hwb_strdup_printf("%s/envs/%s.lock", root, env->key);
	env->dir = hwb_strdup_printf("%s/envs/%s", root, env->key);
	tmp = hwb_strdup_printf("%s/envs/.tmp-%s-%d", root, env->key, (int)getpid());
	if (!envs || !lock || !env->dir || !tmp)
		goto oom;
	if (hwb_mkdir_p(envs, 0755, err))
		goto cleanup;
	lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (lock_fd < 0 || flock(lock_fd, LOCK_EX)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B048",
				"cannot lock the environment cache entry '%s'", lock);
		goto cleanup;
	}
	if (!access(env->dir, F_OK)) {
		if (!verify_env(env->dir, err)) {
			env->reused = 1;
			ret = 0;
			goto cleanup;
		}
		hwb_log_warn("the cached build environment '%s' does not match "
			     "its manifest; rebuilding it", env->dir);
		hwb_build__remove_tree(env->dir);
	}
	hwb_build__remove_tree(tmp);
	if (create_env(py, reqs, tmp, err)) {
		hwb_build__remove_tree(tmp);
		goto cleanup;
	}
	if (rename(tmp, env->dir)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B048",
				"cannot move the new environment into '%s'",
				env->dir);
		hwb_build__remove_tree(tmp);
		goto cleanup;
	}
	ret = 0;
	goto cleanup;
oom:
	if (!err || !err->code[0])
		hwb_error_oom(err);
cleanup:
	if (lock_fd >= 0)
		close(lock_fd);
	if (ret)
		hwb_build__venv_release(env);
	free(root);
	free(envs);
	free(lock);
	free(tmp);
	return ret;
}
