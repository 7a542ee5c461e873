/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.c: hwb_build_run, one build from source tree to outputs in
 * --outdir: check the options and the machine (pkg/sandbox's namespace
 * probe, or its container engine's), read
 * [build-system] and refuse an escaping backend-path before any backend
 * runs, copy the source, fix SOURCE_DATE_EPOCH, run the stages
 * (pep517.c), then normalise, move the outputs atomically and write the
 * provenance statement.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/lazy.h"
#include "pkg/core/log.h"

void hwb_build_result_release(struct hwb_build_result *r)
{
	free(r->sdist);
	free(r->wheel);
	free(r->provenance);
	memset(r, 0, sizeof(*r));
}

static void ctx_release(struct hwb_build__ctx *c)
{
	if (c->work)
		hwb_build__remove_tree(c->work);
	if (c->work_lock >= 0)
		close(c->work_lock);
	free(c->srcdir);
	free(c->outdir);
	hwb_build__system_release(&c->sys);
	hwb_reqs_interp_release(&c->py);
	free(c->py_prefix);
	hwb_build__origin_release(&c->source);
	hwb_build__wh_release(&c->reqs);
	hwb_reqs_lock_free(c->lock);
	free(c->src_copy);
	free(c->git_dir);
	hwb_sandbox_proxy_stop(c->proxy_pid);
	free(c->proxy_path);
	for (size_t i = 0; c->pass_env && c->pass_env[i]; i++)
		free(c->pass_env[i]);
	free(c->pass_env);
	json_decref(c->config);
	hwb_sandbox_container_free(c->container);
	free(c->work);
	free(c->hook_dir);
	for (size_t i = 0; i < c->find_links_count; i++)
		free(c->find_links[i]);
	free(c->find_links);
}

/* 1 for a URL with a password in its user info (scheme://user:pw@host),
 * the way private index credentials travel in PIP_INDEX_URL. */
static int url_with_password(const char *v)
{
	const char *p = strstr(v, "://"), *end, *at, *colon;

	if (!p)
		return 0;
	p += 3;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
	return colon && colon + 1 < at;
}

/* pass-env names become NAME=VALUE from hwb's environment (unset: none). */
static int pass_env(struct hwb_build__ctx *c, struct hwb_error *err)
{
	const char *const *names = c->o->pass_env;
	size_t count = c->o->pass_env_count, i, n = 0;
	const char *v;

	c->pass_env = calloc(count + 1, sizeof(*c->pass_env));
	if (!c->pass_env)
		return hwb_error_oom(err);
	for (i = 0; i < count; i++) {
		if (hwb_sandbox_check_pass_env(names[i], err))
			return -1;
		if (!(v = getenv(names[i])))
			continue;
		/* The name passed the check; the value must too (a token in
		 * PIP_INDEX_URL's user info, a key in any variable). */
		if (hwb_redact_contains_secret(v, strlen(v)) ||
		    url_with_password(v))
			return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B021",
					     "pass-env %s holds what looks like a "
					     "credential (a token, a private key or "
					     "a password in a URL); builds never "
					     "see secrets", names[i]),
			       hwb_error_hint(err, "remove it from pass-env; a "
					      "private index's credentials belong "
					      "outside the sandbox: hwb fetches "
					      "the locked requirements itself "
					      "(--index-url, http settings)");
		if (!(c->pass_env[n++] = hwb_strdup_printf("%s=%s", names[i], v)))
			return hwb_error_oom(err);
	}
	return 0;
}

/* The settings the build uses, their trust rules already applied by
 * pkg/core/config, and their defaults where the spec is built. */
static void take_settings(struct hwb_build__ctx *c)
{
	const struct hwb_build_options *o = c->o;

	c->isolation = o->settings.isolation;
	c->req_source.find_links = o->settings.find_links;
	c->req_source.find_links_count = o->settings.find_links_count;
	/* asked only outside the sandbox, before the build */
	c->req_source.index_url = o->settings.index_url;
	c->req_source.allow_url_requirements = o->settings.allow_url_requirements;
	c->req_source.cache_dir = o->cache_dir;
	c->req_source.http = o->settings.http;
	/* unset: python3 on PATH, as hwb lock (interp.c unwraps shims) */
	c->python = o->settings.python;
	c->spec.limits = o->limits;
	hwb_sandbox_limits_default(&c->spec.limits);
	c->allow = o->allow_network;
	c->allow_count = o->allow_network_count;
}

/* --isolation container: the engine from build.container.*, found on
 * PATH before anything runs (probed once the work directory exists). */
static int pick_engine(struct hwb_build__ctx *c, struct hwb_error *err)
{
	if (hwb_sandbox_container_pick(&c->o->container, &c->container, err))
		return -1;
	c->spec.container = c->container;
	return 0;
}

/* find-links from the project's files: resolved beneath the project. */
static int project_find_links(struct hwb_build__ctx *c, struct hwb_error *err)
{
	if (hwb_build__project_find_links(c->srcdir, &c->o->settings,
					  &c->find_links, err))
		return -1;
	if (c->find_links) {
		c->find_links_count = c->o->settings.find_links_count;
		c->req_source.find_links = (const char *const *)c->find_links;
	}
	return 0;
}

static int check_options(struct hwb_build__ctx *c, struct hwb_error *err)
{
	const struct hwb_build_options *o = c->o;
	const char *outdir;
	char real[PATH_MAX];

	take_settings(c);
	if (c->isolation == HWB_ISOLATION_CONTAINER &&
	    pick_engine(c, err))
		return -1;
	if (!realpath(o->srcdir ? o->srcdir : ".", real))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B061",
				       "cannot open the source directory '%s'",
				       o->srcdir ? o->srcdir : "."),
		       hwb_error_hint(err, "give the project's directory");
	c->srcdir = hwb_strdup(real);
	outdir = o->outdir ? o->outdir : "dist";
	if (!c->srcdir)
		return hwb_error_oom(err);
	/* "dist" or the project's own outdir: never through a link out. */
	if (outdir[0] != '/' && o->outdir_on_project_word) {
		if (hwb_build__project_path(real, outdir, "build.outdir",
					    &c->outdir, err))
			return -1;
	} else {
		c->outdir = outdir[0] == '/' ? hwb_strdup(outdir)
					     : hwb_strdup_printf("%s/%s", real,
								 outdir);
	}
	if (!c->outdir)
		return hwb_error_oom(err);
	if (project_find_links(c, err))
		return -1;
	if (hwb_build__config_settings(o->config_settings, o->config_count,
				       &c->config, err) ||
	    pass_env(c, err))
		return -1;
	if (c->isolation == HWB_ISOLATION_NONE)
		hwb_log_warn("--isolation none: the backend runs unsandboxed with "
			     "your user's rights and network; the provenance "
			     "records this build as unisolated");
	else if (c->isolation == HWB_ISOLATION_SANDBOX && hwb_sandbox_probe(err))
		return -1;
	/* Said once in the output and kept for the provenance. */
	hwb_sandbox_memory_bound(c->isolation, &c->spec.limits, c->memory_bound,
				 sizeof(c->memory_bound));
	hwb_log_info("memory bound: %s", c->memory_bound);
	return 0;
}

/* <prefix>/bin/pythonX.Y: the prefix to bind read-only into the sandbox
 * (/usr for Debian's, ~/.pyenv/versions/X.Y.Z for pyenv's). */
static int interpreter_prefix(struct hwb_build__ctx *c, struct hwb_error *err)
{
	char *slash;

	if (!(c->py_prefix = hwb_strdup(c->py.path)))
		return hwb_error_oom(err);
	slash = strrchr(c->py_prefix, '/');
	if (slash)
		*slash = '\0';
	slash = strrchr(c->py_prefix, '/');
	if (!slash || slash == c->py_prefix)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B040",
				     "cannot tell the prefix of the interpreter '%s'",
				     c->py.path),
		       hwb_error_hint(err, "use an interpreter installed as "
				      "PREFIX/bin/pythonX.Y");
	*slash = '\0';
	return 0;
}

static int make_work(struct hwb_build__ctx *c, struct hwb_error *err)
{
	const char *tmp = hwb_build_tmpdir();
	char *tpl = hwb_strdup_printf("%s/hwb-build-XXXXXX", tmp);

	if (!tpl)
		return hwb_error_oom(err);
	/* Work directories of killed builds (not locked by a live one). */
	hwb_build__sweep_work(tmp);
	if (!mkdtemp(tpl)) {
		free(tpl);
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B062",
				       "cannot create a work directory in '%s'",
				       tmp),
		       hwb_error_hint(err, "set TMPDIR to a writable directory");
	}
	c->work = tpl;
	if (hwb_build__work_lock(tpl, &c->work_lock, err))
		return -1;
	c->hook_dir = hwb_strdup_printf("%s/hook", tpl);
	if (!c->hook_dir)
		return hwb_error_oom(err);
	if (mkdir(c->hook_dir, 0755) || chmod(tpl, 0755))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B062",
				       "cannot prepare the work directory '%s'", tpl);
	return hwb_sandbox_prepare_dir(c->hook_dir, err);
}

/* --allow-network: hwb's CONNECT proxy, bound into each sandbox. */
static int start_proxy(struct hwb_build__ctx *c, struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < c->allow_count; i++)
		hwb_log_info("allow-network: the build may reach %s through hwb's "
			     "proxy", c->allow[i]);
	if (c->isolation == HWB_ISOLATION_NONE)
		return 0; /* unsandboxed: the network is there anyway */
	if (!(c->proxy_path = hwb_strdup_printf("%s/proxy.sock", c->work)))
		return hwb_error_oom(err);
	if (hwb_sandbox_proxy_start(c->proxy_path, c->allow, c->allow_count,
				   &c->proxy_pid, err))
		return -1;
	c->spec.proxy_socket = c->proxy_path;
	return 0;
}

/* A fresh output directory for one stage, owned by the sandbox user. */
static char *stage_dir(struct hwb_build__ctx *c, const char *name,
		       struct hwb_error *err)
{
	char *d = hwb_strdup_printf("%s/%s", c->work, name);

	if (!d) {
		hwb_error_oom(err);
		return NULL;
	}
	if (mkdir(d, 0755)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B062", "cannot create '%s'",
				d);
		free(d);
		return NULL;
	}
	if (hwb_sandbox_prepare_dir(d, err)) {
		free(d);
		return NULL;
	}
	return d;
}

/* The one directory an sdist unpacks to (name-version/). */
static char *sdist_root(const char *dir, struct hwb_error *err)
{
	char *found = NULL;
	struct dirent **list = NULL;
	int n = scandir(dir, &list, NULL, alphasort), i, dirs = 0;

	for (i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.' && list[i]->d_type == DT_DIR) {
			dirs++;
			free(found);
			found = hwb_strdup_printf("%s/%s", dir, list[i]->d_name);
		}
		free(list[i]);
	}
	free(list);
	if (dirs != 1) {
		free(found);
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B037",
			      "the sdist does not unpack to exactly one directory");
		hwb_error_hint(err, "sdists hold a single name-version/ directory "
			       "(PEP 625); report it to the backend");
		return NULL;
	}
	return found;
}

/* Across file systems: a temporary copy beside dest, flock()ed while it is
 * written so that the next build's sweep knows a live one from a killed
 * one's (leftovers.c), then renamed. */
static int copy_locked(const char *from, const char *dest,
		       struct hwb_error *err)
{
	struct hwb_atomic_file f;
	struct stat st;
	off_t left;
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC);

	if (in < 0 || fstat(in, &st)) {
		if (in >= 0)
			close(in);
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B063",
				       "cannot read '%s'", from);
	}
	if (hwb_atomic_open(&f, dest, 0644, err)) {
		close(in);
		return -1;
	}
	if (flock(hwb_atomic_fd(&f), LOCK_EX))
		goto fail;
	for (left = st.st_size; left > 0; left -= n)
		if ((n = sendfile(hwb_atomic_fd(&f), in, NULL,
				  left > (1 << 30) ? (1 << 30) : (size_t)left)) <= 0)
			goto fail;
	close(in);
	return hwb_atomic_commit(&f, err);
fail:
	hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B063", "cannot copy '%s' to "
			"'%s'", from, dest);
	close(in);
	hwb_atomic_abort(&f);
	return -1;
}

/* Move a built file into outdir: a rename, or an atomic copy across file
 * systems. *dest (owned) is the final path. */
static int deliver(struct hwb_build__ctx *c, const char *dir, const char *name,
		   char **dest, struct hwb_error *err)
{
	char *from = hwb_strdup_printf("%s/%s", dir, name);
	int ret = -1;

	*dest = hwb_strdup_printf("%s/%s", c->outdir, name);
	if (!from || !*dest) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_mkdir_p(c->outdir, 0755, err))
		goto cleanup;
	hwb_build__sweep_outdir(c->outdir);
	if (chmod(from, 0644) == 0 && rename(from, *dest) == 0) {
		ret = 0;
		goto cleanup;
	}
	if (errno != EXDEV) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B063",
				"cannot move '%s' into '%s'", name, c->outdir);
		goto cleanup;
	}
	if (copy_locked(from, *dest, err))
		goto cleanup;
	ret = 0;
cleanup:
	if (ret) {
		free(*dest);
		*dest = NULL;
	}
	free(from);
	return ret;
}

/* "name-version-..." of a wheel or "name-version.tar.gz" of an sdist. */
static void name_version(const char *file, char *name, size_t nsz,
			 char *version, size_t vsz)
{
	char tmp[512], *dash;
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", file);
	n = strlen(tmp);
	if (n > 7 && !strcmp(tmp + n - 7, ".tar.gz")) {
		tmp[n - 7] = '\0';
		dash = strrchr(tmp, '-');
	} else {
		dash = strchr(tmp, '-');
		if (dash) {
			char *end = strchr(dash + 1, '-');

			if (end)
				*end = '\0';
		}
	}
	if (dash)
		*dash = '\0';
	snprintf(name, nsz, "%s", tmp);
	snprintf(version, vsz, "%s", dash ? dash + 1 : "0");
}

static int stages(struct hwb_build__ctx *c, struct hwb_build_result *r,
		  struct hwb_error *err)
{
	const struct hwb_build_options *o = c->o;
	int want_sdist = o->sdist || !o->wheel, want_wheel = o->wheel || !o->sdist,
	    unsupported = 0, ret = -1;
	char *src = NULL, *out_s = NULL, *out_w = NULL, *sdist = NULL,
	     *wheel = NULL, *unpacked = NULL, *wsrc = NULL;

	if (!(src = hwb_strdup_printf("%s/src", c->work)) ||
	    !(c->src_copy = hwb_strdup(src)))
		goto oom;
	{
		struct stat st;
		char *git = hwb_strdup_printf("%s/.git", c->srcdir);

		if (git && !lstat(git, &st) && S_ISDIR(st.st_mode))
			c->git_dir = git;
		else
			free(git);
	}
	{
		long long newest = 0;

		if (hwb_build__copy_tree(c->srcdir, src, &newest, err) ||
		    hwb_sandbox_prepare_dir(src, err) ||
		    hwb_build__origin_read(c->srcdir, newest, &c->source, err))
			goto cleanup;
	}
	c->spec.source_date_epoch = c->source.epoch;
	r->source_date_epoch = c->source.epoch;
	if (hwb_build__check_interrupt(err))
		goto cleanup;
	if (want_sdist) {
		if (!(out_s = stage_dir(c, "out-sdist", err)) ||
		    hwb_build__stage_run(c, 0, src, out_s, &sdist, &unsupported, err))
			goto cleanup;
		if (unsupported && !want_wheel) {
			hwb_error_set(err, HWB_KIND_BUILD, "HWB-B058",
				      "the backend '%s' cannot build sdists "
				      "(UnsupportedOperation)", c->sys.backend);
			hwb_error_hint(err, "build the wheel with --wheel");
			goto cleanup;
		}
		if (unsupported)
			hwb_log_warn("the backend cannot build an sdist; building "
				     "the wheel from the source tree (PEP 517)");
	}
	/* The sdist is checked, and unpacked for the wheel in that walk. */
	if (sdist) {
		hwb_log_progress("normalising and checking the sdist (for "
				 "local use)");
		if (want_wheel && !o->wheel &&
		    !(unpacked = hwb_strdup_printf("%s/sdist", c->work)))
			goto oom;
		if (hwb_build__finish_sdist(c, out_s, sdist, unpacked, err) ||
		    (unpacked && (!(wsrc = sdist_root(unpacked, err)) ||
				  hwb_sandbox_prepare_dir(unpacked, err))))
			goto cleanup;
	}
	if (want_wheel) {
		if (hwb_build__check_interrupt(err))
			goto cleanup;
		if (!(out_w = stage_dir(c, "out-wheel", err)) ||
		    hwb_build__stage_run(c, 1, wsrc ? wsrc : src, out_w, &wheel,
					 &unsupported, err))
			goto cleanup;
		if (unsupported) {
			hwb_error_set(err, HWB_KIND_BUILD, "HWB-B058",
				      "the backend raised UnsupportedOperation in "
				      "build_wheel");
			hwb_error_hint(err, "report it to the backend");
			goto cleanup;
		}
	}
	if (wheel)
		hwb_log_progress("normalising and checking the wheel (for "
				 "local use)");
	if ((wheel && hwb_build__finish_wheel(c, out_w, wheel, err)) ||
	    hwb_build__check_interrupt(err))
		goto cleanup;
	if ((sdist && (deliver(c, out_s, sdist, &r->sdist, err) ||
		       hwb_hash_file_hex(HWB_HASH_SHA256, r->sdist,
					 r->sdist_sha256, err))) ||
	    (wheel && (deliver(c, out_w, wheel, &r->wheel, err) ||
		       hwb_hash_file_hex(HWB_HASH_SHA256, r->wheel,
					 r->wheel_sha256, err))))
		goto cleanup;
	ret = 0;
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	free(src);
	free(out_s);
	free(out_w);
	free(sdist);
	free(wheel);
	free(unpacked);
	free(wsrc);
	return ret;
}

/* One build; outdir, when given, replaces the configured one and no
 * provenance is written (the first build of --verify-reproducible). */
static int build_once(const struct hwb_build_options *o, const char *outdir,
		      struct hwb_build_result *r, struct hwb_error *err)
{
	struct hwb_build__ctx c;
	char name[512], version[512];
	int ret = -1;

	memset(&c, 0, sizeof(c));
	memset(r, 0, sizeof(*r));
	c.work_lock = -1;
	c.o = o;
	c.all_reused = 1;
	c.started = (long long)time(NULL);
	hwb_log_progress("checking the project and the sandbox");
	if (check_options(&c, err))
		goto cleanup;
	if (outdir) {
		free(c.outdir);
		if (!(c.outdir = hwb_strdup(outdir))) {
			hwb_error_oom(err);
			goto cleanup;
		}
	}
	if (hwb_build__read_system(c.srcdir, &c.sys, err) ||
	    hwb_build__check_backend_path(c.srcdir, &c.sys, err) ||
	    hwb_build__validate_source(o->acknowledged_keys,
				       o->acknowledged_count, c.srcdir, &c.sys,
				       o->strict, err) ||
	    hwb_reqs_interp_probe(c.python, o->cache_dir, &c.py, err) ||
	    interpreter_prefix(&c, err) || make_work(&c, err))
		goto cleanup;
	if (c.isolation == HWB_ISOLATION_CONTAINER &&
	    hwb_sandbox_container_probe(c.container, c.work, c.py.path,
					c.py.python_version, c.py_prefix, err))
		goto cleanup;
	c.spec.isolation = c.isolation;
	if (c.allow_count && start_proxy(&c, err))
		goto cleanup;
	c.spec.env = (const char *const *)c.pass_env;
	if (stages(&c, r, err))
		goto cleanup;
	c.finished = (long long)time(NULL);
	r->env_reused = c.all_reused;
	name_version(r->wheel ? strrchr(r->wheel, '/') + 1
			      : strrchr(r->sdist, '/') + 1,
		     name, sizeof(name), version, sizeof(version));
	if (!outdir && hwb_build__provenance(&c, r, name, version, err))
		goto cleanup;
	ret = 0;
cleanup:
	ctx_release(&c);
	return ret;
}

static void discard(struct hwb_build_result *r)
{
	if (r->sdist)
		unlink(r->sdist);
	if (r->wheel)
		unlink(r->wheel);
	if (r->provenance)
		unlink(r->provenance);
}

/* SIGINT or SIGTERM arrived since the last check (they are blocked while
 * a build runs): consume it and fail with HWB-B014. */
int hwb_build__check_interrupt(struct hwb_error *err)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sig = sigtimedwait(&set, NULL, &zero);
	return sig > 0 ? hwb_sandbox_interrupted_error(sig, err) : 0;
}

static int build_all(const struct hwb_build_options *o,
		     struct hwb_build_result *r, struct hwb_error *err);

/*
 * SIGINT and SIGTERM are blocked while the build runs: a sandbox run sees
 * them on a signalfd and kills the whole sandbox, the stages check between
 * steps, and the command then fails with 130 or 143 after its clean-up
 * (the work directory removed, nothing left in the output directory).
 */
int hwb_build_run(const struct hwb_build_options *o, struct hwb_build_result *r,
		  struct hwb_error *err)
{
	sigset_t set, old;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, &old))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B062",
				       "cannot block SIGINT and SIGTERM");
	ret = build_all(o, r, err);
	if (!ret && hwb_build__check_interrupt(err)) {
		discard(r);
		hwb_build_result_release(r);
		ret = -1;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/*
 * --verify-reproducible: a first build into a scratch directory, then the
 * real one, with a different work path and a later clock; the outputs are
 * kept only when both give the same digests.
 */
static int build_all(const struct hwb_build_options *o,
		     struct hwb_build_result *r, struct hwb_error *err)
{
	struct hwb_build_result first = HWB_BUILD_RESULT_INIT;
	const char *tmp = getenv("TMPDIR");
	char *scratch = NULL;
	int ret = -1;

	/* loaded here, before any child process enters the sandbox */
	if (hwb_lazy_require(HWB_LAZY_ARCHIVE, err) ||
	    hwb_lazy_require(HWB_LAZY_GIT2, err))
		return -1;
	if (!o->verify_reproducible)
		return build_once(o, NULL, r, err);
	scratch = hwb_strdup_printf("%s/hwb-verify-XXXXXX",
				    tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (!scratch || !mkdtemp(scratch)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B062",
				"cannot create a scratch directory for "
				"--verify-reproducible");
		goto cleanup;
	}
	if (build_once(o, scratch, &first, err))
		goto cleanup;
	sleep(1); /* the second build runs at another second of the clock */
	if (build_once(o, NULL, r, err))
		goto cleanup;
	if (strcmp(first.sdist_sha256, r->sdist_sha256) ||
	    strcmp(first.wheel_sha256, r->wheel_sha256)) {
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B067",
			      "the build is not reproducible: two builds gave "
			      "%s %.12s and %.12s", r->wheel ? "wheels" : "sdists",
			      r->wheel ? first.wheel_sha256 : first.sdist_sha256,
			      r->wheel ? r->wheel_sha256 : r->sdist_sha256);
		hwb_error_hint(err, "compare the two with diffoscope; the backend "
			       "embeds something that changes (paths, times, "
			       "random order)");
		discard(r);
		hwb_build_result_release(r);
		goto cleanup;
	}
	hwb_log_info("reproducible: two builds gave the same digests");
	ret = 0;
cleanup:
	hwb_build_result_release(&first);
	if (scratch && scratch[0]) {
		hwb_build__remove_tree(scratch);
		rmdir(scratch);
	}
	free(scratch);
	return ret;
}
