/* SPDX-License-Identifier: Apache-2.0 */
/*
 * envcache.c: the content-addressed build environments under
 * <cache>/envs/<key>: chosen wheels installed without pip, compiled, made
 * read-only and described by a manifest. A build reuses an environment
 * only after checking it against the manifest (env_verify.c); one that
 * fails is rebuilt, never used. Concurrent builds serialise on an flock of
 * <key>.lock; an environment is built in a temporary directory and renamed
 * into place, so a half-built one is never seen.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"
#include "pkg/wheel/wheel.h"

/* One package of the lock to install, and the wheel chosen for it. */
struct chosen {
	const struct hwb_reqs_lock_pkg *pkg;
	const struct hwb_reqs_lock_wheel *wheel;
};

void hwb_reqs_env_release(struct hwb_reqs_env *env)
{
	size_t i;

	free(env->python);
	free(env->key);
	free(env->root);
	free(env->site_packages);
	free(env->bin);
	for (i = 0; i < env->pkg_count; i++) {
		free(env->pkgs[i].name);
		free(env->pkgs[i].version);
		free(env->pkgs[i].wheel);
	}
	free(env->pkgs);
	*env = (struct hwb_reqs_env)HWB_REQS_ENV_INIT;
}

/* The packages whose markers hold, each with a compatible wheel. */
static int choose(const struct hwb_reqs_lock *lock,
		  const struct hwb_reqs_interp *in, struct chosen **out,
		  size_t *count, struct hwb_error *err)
{
	struct hwb_marker_env env;
	struct hwb_wheel_filename wn;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct chosen *c;
	size_t i, k;
	int r;

	*count = 0;
	if (!(c = *out = calloc(lock->pkg_count ? lock->pkg_count : 1, sizeof(*c))))
		return hwb_error_oom(err);
	if (hwb_reqs__lock_covers(lock, in, err))
		return -1;
	hwb_reqs__interp_marker_env(in, &env);
	for (i = 0; i < lock->pkg_count; i++) {
		const struct hwb_reqs_lock_pkg *p = &lock->pkgs[i];

		if ((r = hwb_reqs__marker_holds(p->marker, &env, err)) < 0)
			return -1;
		if (!r)
			continue;
		for (k = 0; k < p->wheel_count; k++) {
			if (hwb_wheel_filename_parse(p->wheels[k].name, &wn,
						       &ignored))
				continue;
			r = hwb_reqs_wheel_compatible(wn.tags, in);
			hwb_wheel_filename_release(&wn);
			if (r)
				break;
		}
		if (k == p->wheel_count) {
			hwb_error_set(err, HWB_KIND_FAILED, "HWB-B160",
				      "the lock has no wheel of %s %s for this "
				      "interpreter (%s, %s)", p->name, p->version,
				      in->cache_tag, in->platform);
			return hwb_error_hint(err, "run `hwb lock` with this "
					      "interpreter (--python) so that a "
					      "matching wheel is locked");
		}
		c[*count].pkg = p;
		c[*count].wheel = &p->wheels[k];
		(*count)++;
	}
	return 0;
}

static int cmp_sha(const void *a, const void *b)
{
	return strcmp(((const struct chosen *)a)->wheel->sha256,
		      ((const struct chosen *)b)->wheel->sha256);
}

/* sha256 over the sorted wheel hashes and the interpreter's identity. */
static int env_key(struct chosen *c, size_t n,
		   const struct hwb_reqs_interp *in, char **out,
		   struct hwb_error *err)
{
	struct hwb_buf b = HWB_BUF_INIT, hex = HWB_BUF_INIT;
	uint8_t d[32];
	size_t i;
	int ret = -1;

	if (n)
		qsort(c, n, sizeof(*c), cmp_sha);
	hwb_buf_printf(&b, "hwb-env-v1\n%s\n%s\n%s\n%s\n", in->path, in->version,
		       in->cache_tag, in->platform);
	for (i = 0; i < n; i++)
		hwb_buf_printf(&b, "%s\n", c[i].wheel->sha256);
	if (hwb_buf_check(&b, err) ||
	    hwb_hash_buffer(HWB_HASH_SHA256, b.ptr, b.len, d, err))
		goto cleanup;
	if (hwb_hex_encode(&hex, d, sizeof(d))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	*out = hwb_buf_detach(&hex, NULL);
	ret = 0;
cleanup:
	hwb_buf_release(&b);
	hwb_buf_release(&hex);
	return ret;
}

/* chmod every directory under path (pre-order, links never followed). */
static int chmod_tree(int dfd, const char *name, mode_t dir_mode,
		      int files_too)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	struct stat st;
	DIR *dh;
	int ret = 0;

	if (fd < 0)
		return -1;
	if (dir_mode & 0200)
		fchmod(fd, dir_mode); /* writable before we recurse */
	if (!(dh = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	while ((e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (S_ISDIR(st.st_mode))
			ret |= chmod_tree(fd, e->d_name, dir_mode, files_too);
		else if (files_too && S_ISREG(st.st_mode))
			fchmodat(fd, e->d_name, (st.st_mode & 0100) ? 0555 : 0444,
				 0);
	}
	if (!(dir_mode & 0200))
		fchmod(fd, dir_mode); /* read-only after its contents */
	closedir(dh);
	return ret;
}

static int remove_tree_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	DIR *dh;

	if (fd < 0)
		return unlinkat(dfd, name, 0);
	if (!(dh = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	while ((e = readdir(dh))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			if (unlinkat(fd, e->d_name, 0) && errno == EISDIR)
				remove_tree_at(fd, e->d_name);
	}
	closedir(dh);
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Remove a (read-only) environment tree; best effort. */
static void remove_tree(const char *path)
{
	chmod_tree(AT_FDCWD, path, 0700, 0);
	remove_tree_at(AT_FDCWD, path);
}

static int compile_bytecode(const char *tmp, const char *final,
			    const struct hwb_reqs_interp *in,
			    struct hwb_error *err)
{
	char *site = hwb_reqs__env_site_dir(in);
	char *sp = site ? hwb_strdup_printf("%s/%s", tmp, site) : NULL;
	char *dest = site ? hwb_strdup_printf("%s/%s", final, site) : NULL;
	const char *argv[] = { in->path, "-I", "-m", "compileall", "-q",
			       "--invalidation-mode", "unchecked-hash", "-d", dest,
			       sp, NULL };
	int status = 0, ret = -1;

	if (!sp || !dest) {
		hwb_error_oom(err);
		goto cleanup;
	}
	/* Unchecked-hash .pyc files do not depend on mtimes and are never
	 * rewritten, which a read-only environment needs: without them
	 * every build would compile setuptools again. */
	if (hwb_reqs__run(argv, NULL, &status, err))
		goto cleanup;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B164",
			      "compiling the build environment's modules with "
			      "%s failed (status %d)", in->path, status);
		hwb_error_hint(err, "a locked wheel holds Python code this "
				    "interpreter cannot compile; lock a version "
				    "that supports it");
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(site);
	free(sp);
	free(dest);
	return ret;
}

/*
 * pyvenv.cfg and bin/python (bin/python3) make the directory a virtual
 * environment of the interpreter: <root>/bin/python, even with -I, has the
 * environment's site-packages and not the system's. The links are the only
 * ones in an environment; the manifest records their targets.
 */
static int make_venv(const char *tmp, const struct hwb_reqs_interp *in,
		     struct hwb_error *err)
{
	static const char *const links[] = { "python", "python3" };
	struct hwb_buf cfg = HWB_BUF_INIT;
	char *home = hwb_strdup(in->path), *slash, *path = NULL;
	size_t i;
	int ret = -1;

	if (!home)
		return hwb_error_oom(err);
	slash = strrchr(home, '/');
	*(slash == home ? slash + 1 : slash) = 0;
	hwb_buf_printf(&cfg, "home = %s\ninclude-system-site-packages = false\n"
			     "version = %s\n", home, in->python_full_version);
	if (hwb_buf_check(&cfg, err) ||
	    !(path = hwb_strdup_printf("%s/pyvenv.cfg", tmp))) {
		if (!err->code[0])
			hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_file_write_atomic(path, cfg.ptr, cfg.len, 0644, err))
		goto cleanup;
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		free(path);
		if (!(path = hwb_strdup_printf("%s/bin/%s", tmp, links[i]))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (symlink(in->path, path)) {
			hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
					"cannot create %s", path);
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	hwb_buf_release(&cfg);
	free(home);
	free(path);
	return ret;
}

static int write_manifest(const char *tmp, const char *key,
			  const struct hwb_reqs_interp *in,
			  const struct chosen *c, size_t n,
			  const struct hwb_reqs__manifest *m,
			  struct hwb_error *err)
{
	json_t *doc, *pkgs = json_array(), *files = json_array();
	char *text = NULL, *path = NULL;
	size_t i;
	int ret = -1;

	for (i = 0; pkgs && i < n; i++)
		json_array_append_new(pkgs, json_pack("{s:s, s:s, s:s, s:s}",
			"name", c[i].pkg->name, "version", c[i].pkg->version,
			"wheel", c[i].wheel->name, "sha256", c[i].wheel->sha256));
	for (i = 0; files && i < m->count; i++)
		json_array_append_new(files, m->files[i].link
			? json_pack("{s:s, s:s}", "path", m->files[i].path,
				    "link", m->files[i].link)
			: json_pack("{s:s, s:I, s:b, s:s}", "path", m->files[i].path,
				    "size", (json_int_t)m->files[i].size,
				    "executable", m->files[i].exec,
				    "sha256", m->files[i].sha256));
	doc = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:o, s:o}",
			"schema", "hwb.env/1", "key", key, "interpreter",
			"path", in->path, "version", in->version, "cache_tag",
			in->cache_tag, "platform", in->platform, "packages", pkgs,
			"files", files);
	if (!doc || !(text = json_dumps(doc, JSON_INDENT(1) | JSON_ENSURE_ASCII)) ||
	    !(path = hwb_strdup_printf("%s/%s", tmp, HWB_REQS_ENV_MANIFEST))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	ret = hwb_file_write_atomic(path, text, strlen(text), 0444, err);
cleanup:
	json_decref(doc);
	free(text);
	free(path);
	return ret;
}

/*
 * Open the locked wheel with the full hwb check; what is installed is then
 * read from the same open file, byte for byte what the check approved.
 */
static int open_checked(const struct hwb_reqs_lock_pkg *p, const char *path,
			struct hwb_wheel_reader **rd, struct hwb_error *err)
{
	struct hwb_check_report report = HWB_CHECK_REPORT_INIT;
	struct hwb_check_options opts;
	size_t i;
	int ret = -1;

	memset(&opts, 0, sizeof(opts));
	if (hwb_wheel_open(path, &opts, &report, rd, err) &&
	    !hwb_check_failed(&report, 0))
		goto cleanup;
	if (hwb_check_failed(&report, 0)) {
		hwb_wheel_close(*rd);
		*rd = NULL;
		for (i = 0; i < report.count; i++)
			if (report.findings[i].severity == HWB_SEVERITY_ERROR)
				break;
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-B161",
			      "the locked wheel %s of %s %s fails hwb check: %s %s",
			      path, p->name, p->version,
			      i < report.count ? report.findings[i].code : "",
			      i < report.count ? report.findings[i].message : "");
		hwb_error_hint(err, "run `hwb check` on the wheel; lock another "
				    "version if it is broken");
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_check_report_release(&report);
	return ret;
}

static int build_env(const struct hwb_reqs_env_request *req,
		     const char *cache, const char *envs, const char *root,
		     const char *key, const struct chosen *c, size_t n,
		     struct hwb_error *err)
{
	struct hwb_reqs__manifest m = { 0 };
	struct hwb_wheel_reader *rd = NULL;
	char *tmp = NULL, *wheel = NULL, *dir = NULL;
	size_t i;
	int ret = -1, rc;

	if (!(tmp = hwb_strdup_printf("%s/.tmp-%.16s-XXXXXX", envs, key)))
		return hwb_error_oom(err);
	if (!mkdtemp(tmp)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				"cannot create a directory in %s", envs);
		free(tmp);
		return -1;
	}
	chmod(tmp, 0755);
	for (i = 0; i < 2; i++) {
		char *site = hwb_reqs__env_site_dir(req->interp);

		free(dir);
		dir = site ? hwb_strdup_printf("%s/%s", tmp, i ? "bin" : site) : NULL;
		free(site);
		if (!dir) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (hwb_mkdir_p(dir, 0755, err))
			goto cleanup;
	}
	if (make_venv(tmp, req->interp, err))
		goto cleanup;
	for (i = 0; i < n; i++) {
		free(wheel);
		wheel = NULL;
		if (hwb_reqs__fetch(c[i].pkg, c[i].wheel, req->lock_dir,
				     req->source, cache, &wheel, err) ||
		    open_checked(c[i].pkg, wheel, &rd, err))
			goto cleanup;
		rc = hwb_reqs__install_wheel(rd, wheel, tmp, req->interp, err);
		hwb_wheel_close(rd);
		if (rc)
			goto cleanup;
	}
	if (compile_bytecode(tmp, root, req->interp, err) ||
	    hwb_reqs__manifest_build(tmp, req->check_threads, &m, err) ||
	    write_manifest(tmp, key, req->interp, c, n, &m, err))
		goto cleanup;
	chmod_tree(AT_FDCWD, tmp, 0555, 1);
	if (rename(tmp, root)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				"cannot move the new environment to %s", root);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (ret)
		remove_tree(tmp);
	hwb_reqs__manifest_release(&m);
	free(tmp);
	free(wheel);
	free(dir);
	return ret;
}

static int fill_out(struct hwb_reqs_env *out, const char *root,
		    char **key, const struct chosen *c, size_t n,
		    const struct hwb_reqs_interp *in, struct hwb_error *err)
{
	size_t i;

	out->key = *key;
	*key = NULL;
	if (!(out->root = hwb_strdup(root)) ||
	    !(out->python = hwb_strdup_printf("%s/bin/python", root)) ||
	    !(out->site_packages = hwb_strdup_printf("%s/lib/python%s/site-packages",
						     root, in->python_version)) ||
	    !(out->bin = hwb_strdup_printf("%s/bin", root)) ||
	    (n && !(out->pkgs = calloc(n, sizeof(*out->pkgs)))))
		return hwb_error_oom(err);
	for (i = 0; i < n; i++) {
		struct hwb_reqs_env_pkg *p = &out->pkgs[out->pkg_count++];

		memcpy(p->sha256, c[i].wheel->sha256, sizeof(p->sha256));
		if (!(p->name = hwb_strdup(c[i].pkg->name)) ||
		    !(p->version = hwb_strdup(c[i].pkg->version)) ||
		    !(p->wheel = hwb_strdup(c[i].wheel->name)))
			return hwb_error_oom(err);
	}
	return 0;
}

static int cmp_env_pkg(const void *a, const void *b)
{
	return strcmp(((const struct hwb_reqs_env_pkg *)a)->name,
		      ((const struct hwb_reqs_env_pkg *)b)->name);
}

int hwb_reqs_env_prepare(const struct hwb_reqs_env_request *req,
			   struct hwb_reqs_env *out, struct hwb_error *err)
{
	struct hwb_reqs_env env = HWB_REQS_ENV_INIT;
	struct chosen *c = NULL;
	char *cache = NULL, *envs = NULL, *root = NULL, *lockpath = NULL;
	char *key = NULL, *reason = NULL;
	size_t n = 0, checked = 0;
	int lockfd = -1, ret = -1, r;
	struct stat st;

	if ((req->cache_dir ? !(cache = hwb_strdup(req->cache_dir))
			    : hwb_reqs_cache_dir(&cache, err) != 0)) {
		if (!err->code[0])
			hwb_error_oom(err);
		goto cleanup;
	}
	if (choose(req->lock, req->interp, &c, &n, err) ||
	    env_key(c, n, req->interp, &key, err))
		goto cleanup;
	if (!(envs = hwb_strdup_printf("%s/envs", cache)) ||
	    !(root = hwb_strdup_printf("%s/%s", envs, key)) ||
	    !(lockpath = hwb_strdup_printf("%s.lock", root))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_mkdir_p(envs, 0755, err))
		goto cleanup;
	lockfd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (lockfd < 0 || flock(lockfd, LOCK_EX)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				"cannot lock %s", lockpath);
		goto cleanup;
	}
	if (!lstat(root, &st)) {
		r = S_ISDIR(st.st_mode)
			    ? hwb_reqs__env_verify(root, req->check_threads,
						    &reason, &checked, err)
			    : (reason = hwb_strdup("it is not a directory"), 1);
		if (r < 0)
			goto cleanup;
		if (r == 0) {
			env.reused = 1;
			env.files_checked = checked;
			hwb_log_verbose("build environment %s reused (%zu files "
					"checked)", root, checked);
			goto done;
		}
		hwb_log_warn("the cached build environment %s was modified (%s); "
			     "it is not used and is being rebuilt", root,
			     reason ? reason : "?");
		env.rebuilt = 1;
		remove_tree(root);
	}
	if (build_env(req, cache, envs, root, key, c, n, err))
		goto cleanup;
	hwb_log_verbose("build environment %s built (%zu packages)", root, n);
done:
	if (fill_out(&env, root, &key, c, n, req->interp, err))
		goto cleanup;
	if (env.pkg_count > 1)
		qsort(env.pkgs, env.pkg_count, sizeof(*env.pkgs), cmp_env_pkg);
	*out = env;
	env = (struct hwb_reqs_env)HWB_REQS_ENV_INIT;
	ret = 0;
cleanup:
	if (lockfd >= 0)
		close(lockfd); /* releases the flock */
	hwb_reqs_env_release(&env);
	free(c);
	free(cache);
	free(envs);
	free(root);
	free(lockpath);
	free(key);
	free(reason);
	return ret;
}
