/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container_probe.c: choosing the container engine and making sure it can
 * run a build before any backend runs: the engine on PATH, `<engine> info`
 * (its version, for the provenance), the image present locally (hwb never
 * pulls), and one container made like the build's that runs the
 * interpreter. Each refusal names what failed, quotes the engine, and
 * gives the remedy; hwb never falls back to another isolation by itself.
 * Without an image, the container's root is a directory made here with
 * only mount points, the host's /bin-style symlinks and the sandbox's stub
 * /etc files, so the build sees what the sandbox shows and nothing of the
 * host's home directories or /etc.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"

extern char **environ;

/* A first `podman info` may set up its storage: allow it a minute. */
#define PROBE_TIMEOUT 60L
#define PROBE_LOG_MAX ((size_t)64 << 10)
#define VERSION_CODE "import sys; print('%d.%d' % sys.version_info[:2])"

/* The absolute path of name in the PATH-style list search, or NULL. */
static char *find_on_path(const char *name, const char *search)
{
	const char *p = search, *colon;
	char *cand;
	struct stat st;

	while (p && *p) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		if (*p == '/') {
			cand = hwb_strdup_printf("%.*s/%s", (int)(colon - p), p,
						 name);
			if (cand && !stat(cand, &st) && S_ISREG(st.st_mode) &&
			    !access(cand, X_OK))
				return cand;
			free(cand);
		}
		p = *colon ? colon + 1 : colon;
	}
	return NULL;
}

/* Fill ct (zeroed) from req. */
static int pick(const struct hwb_sandbox_container_request *req,
		struct hwb_sandbox_container *ct, struct hwb_error *err)
{
	const char *want = req->engine ? req->engine : "auto";
	const char *search = req->search_path ? req->search_path : getenv("PATH");

	if (!strcmp(want, "auto") || !strcmp(want, "podman"))
		ct->engine_path = find_on_path("podman", search);
	ct->engine = HWB_ENGINE_PODMAN;
	if (!ct->engine_path &&
	    (!strcmp(want, "auto") || !strcmp(want, "docker"))) {
		ct->engine_path = find_on_path("docker", search);
		ct->engine = HWB_ENGINE_DOCKER;
	}
	if (!ct->engine_path)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B080",
				     "--isolation container: %s is not on PATH",
				     !strcmp(want, "auto") ? "no container engine "
							     "(podman or docker)"
							   : want),
		       hwb_error_hint(err, "install podman (Debian: apt-get "
				      "install podman) or docker, or use the "
				      "default sandbox");
	if (ct->engine == HWB_ENGINE_DOCKER && !req->image)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B081",
				     "--isolation container: docker needs an "
				     "image (build.container.image): it cannot "
				     "run the host's /usr as the root"),
		       hwb_error_hint(err, "set build.container.image (or "
				      "--container-image) to a local image with "
				      "the build's Python, or use podman, which "
				      "can");
	ct->image = req->image;
	ct->python = req->python ? req->python : "python3";
	ct->runtime = req->runtime;
	/* Never root inside: the invoking user, or nobody when hwb is root
	 * (the work directories were handed to 65534 for the sandbox). */
	ct->uid = geteuid() ? (unsigned)geteuid() : hwb_sandbox__root_id(1);
	ct->gid = geteuid() ? (unsigned)getegid() : hwb_sandbox__root_id(1);
	ct->keep_id = ct->engine == HWB_ENGINE_PODMAN && geteuid() != 0;
	return 0;
}

int hwb_sandbox_container_pick(const struct hwb_sandbox_container_request *req,
			       struct hwb_sandbox_container **out,
			       struct hwb_error *err)
{
	struct hwb_sandbox_container *ct = calloc(1, sizeof(*ct));

	*out = NULL;
	if (!ct)
		return hwb_error_oom(err);
	if (pick(req, ct, err)) {
		hwb_sandbox_container_free(ct);
		return -1;
	}
	*out = ct;
	return 0;
}

/* The remedy for what the engine said. */
static const char *remedy(const char *line)
{
	if (strstr(line, "cgroups in hybrid mode"))
		return "use the default sandbox, or run on a cgroups v2 host "
		       "(or set build.container.runtime = \"runc\", which "
		       "handles hybrid cgroups)";
	if (strstr(line, "Cannot connect to the Docker daemon") ||
	    strstr(line, "connection refused") ||
	    strstr(line, "no such file or directory"))
		return "start the engine's daemon or socket, or use the default "
		       "sandbox";
	if (strstr(line, "permission denied"))
		return "give your user access to the engine (docker group, "
		       "rootless podman), or use the default sandbox";
	return "fix what the engine reports, or use the default sandbox";
}

/* The engine's first error line, else the first line it printed that is
 * not blank (docker prints an empty --format result before its error). */
static void first_line(const struct hwb_sandbox_result *r, char *out,
		       size_t outsz)
{
	struct hwb_buf clean = HWB_BUF_INIT;
	const char *p = r->log.ptr, *end = r->log.ptr + r->log.len, *nl;

	hwb_sandbox__engine_error_line(&r->log, out, outsz);
	if (out[0])
		return;
	snprintf(out, outsz, "(no output)");
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (p + strspn(p, " \t\r") >= nl)
			continue;
		if (!hwb_redact(&clean, p, (size_t)(nl - p)))
			snprintf(out, outsz, "%s", clean.ptr);
		break;
	}
	hwb_buf_release(&clean);
}

/* Run argv (the engine's client) quietly; *ok: it exited 0 in time. The
 * first line of its output stays in r->log. */
static int engine_cmd(const char *const *argv, char **client_env,
		      struct hwb_sandbox_result *r, int *ok,
		      struct hwb_error *err)
{
	int ret = hwb_sandbox__engine_quiet(argv, client_env, PROBE_TIMEOUT,
					  PROBE_LOG_MAX, r, err);

	*ok = !ret && r->exit_status == 0 && !r->term_signal;
	/* A timeout or a limit is the engine's failure too, not hwb's. */
	if (ret && (r->timed_out || r->limit_hit))
		ret = 0;
	return ret;
}

static int unusable(const struct hwb_sandbox_container *ct, const char *what,
		    const struct hwb_sandbox_result *r, struct hwb_error *err)
{
	char line[512];

	if (r->timed_out)
		snprintf(line, sizeof(line), "no answer within %ld s",
			 PROBE_TIMEOUT);
	else
		first_line(r, line, sizeof(line));
	return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B060",
			     "--isolation container: %s %s failed: %s",
			     hwb_sandbox__engine_name(ct->engine), what, line),
	       hwb_error_hint(err, "%s", remedy(line));
}

/* The first line of r's output, trimmed, as a new string (NULL: OOM). */
static char *output_line(const struct hwb_sandbox_result *r)
{
	size_t n = strcspn(r->log.ptr, "\r\n");

	return strndup(r->log.ptr, n);
}

static int info(struct hwb_sandbox_container *ct, char **client_env,
		struct hwb_error *err)
{
	struct hwb_sandbox_result r = HWB_SANDBOX_RESULT_INIT;
	const char *argv[8];
	size_t n = 0;
	int ok = 0, ret = -1;

	argv[n++] = ct->engine_path;
	if (ct->runtime && ct->engine == HWB_ENGINE_PODMAN) {
		argv[n++] = "--runtime";
		argv[n++] = ct->runtime;
	}
	argv[n++] = "info";
	argv[n++] = "--format";
	argv[n++] = ct->engine == HWB_ENGINE_PODMAN ? "{{.Version.Version}}"
						    : "{{.ServerVersion}}";
	argv[n] = NULL;
	if (engine_cmd(argv, client_env, &r, &ok, err))
		goto cleanup;
	if (!ok) {
		unusable(ct, "info", &r, err);
		goto cleanup;
	}
	if (!(ct->version = output_line(&r))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_sandbox_result_release(&r);
	return ret;
}

static int image_id(struct hwb_sandbox_container *ct, char **client_env,
		    struct hwb_error *err)
{
	struct hwb_sandbox_result r = HWB_SANDBOX_RESULT_INIT;
	const char *argv[] = { ct->engine_path, "image", "inspect", "--format",
			       "{{.Id}}", ct->image, NULL };
	char line[512];
	int ok = 0, ret = -1;

	if (engine_cmd(argv, client_env, &r, &ok, err))
		goto cleanup;
	if (!ok) {
		first_line(&r, line, sizeof(line));
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B084",
			      "--isolation container: the image '%s' is not in "
			      "%s's local storage: %s", ct->image,
			      hwb_sandbox__engine_name(ct->engine), line);
		hwb_error_hint(err, "pull it first ('%s pull %s'): hwb never "
			       "fetches images during a build",
			       hwb_sandbox__engine_name(ct->engine), ct->image);
		goto cleanup;
	}
	if (!(ct->image_id = output_line(&r))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_sandbox_result_release(&r);
	return ret;
}

static int put_file(const char *path, const char *text, struct hwb_error *err)
{
	return hwb_file_write_atomic(path, text, strlen(text), 0644, err);
}

/* One entry of the root directory; mode applied despite the umask. */
static int put_dir(const char *root, const char *rel, mode_t mode)
{
	char *path = hwb_strdup_printf("%s%s", root, rel);
	int ret = -1;

	if (path && (!mkdir(path, mode) || errno == EEXIST) && !chmod(path, mode))
		ret = 0;
	free(path);
	return ret;
}

/*
 * The root directory without an image. runc gives a tmpfs the mode of the
 * directory it covers, so /tmp and HOME are made 1777 here. System
 * directories and files are bound over their mount points (container.c).
 */
static int make_rootfs(struct hwb_sandbox_container *ct, const char *work,
		       struct hwb_error *err)
{
	static const char *const dirs[] = { "", "/etc", "/home", "/proc",
					    "/dev", "/sys", "/run", "/var" };
	static const struct { const char *rel, *text; } stubs[] = {
		{ "/etc/passwd", hwb_sandbox__passwd_stub },
		{ "/etc/group", hwb_sandbox__group_stub },
		{ "/etc/hosts", hwb_sandbox__hosts_stub },
	};
	char target[PATH_MAX], *path = NULL;
	struct stat st;
	ssize_t n;
	size_t i;
	int ret = -1;

	if (!(ct->rootfs = hwb_strdup_printf("%s/rootfs", work)))
		return hwb_error_oom(err);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (put_dir(ct->rootfs, dirs[i], 0755))
			goto io;
	if (put_dir(ct->rootfs, "/tmp", 01777) ||
	    put_dir(ct->rootfs, HWB_SANDBOX_HOME, 01777))
		goto io;
	for (i = 0; hwb_sandbox__root_links[i]; i++) {
		if (lstat(hwb_sandbox__root_links[i], &st) || !S_ISLNK(st.st_mode))
			continue;
		n = readlink(hwb_sandbox__root_links[i], target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		free(path);
		path = hwb_strdup_printf("%s%s", ct->rootfs,
					 hwb_sandbox__root_links[i]);
		if (!path || symlink(target, path))
			goto io;
	}
	for (i = 0; i < sizeof(stubs) / sizeof(stubs[0]); i++) {
		free(path);
		if (!(path = hwb_strdup_printf("%s%s", ct->rootfs,
					       stubs[i].rel)) ||
		    put_file(path, stubs[i].text, err))
			goto cleanup;
	}
	ret = 0;
	goto cleanup;
io:
	hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B062",
			"cannot prepare the container's root in '%s'", ct->rootfs);
cleanup:
	if (ret && !err->code[0])
		hwb_error_oom(err);
	free(path);
	return ret;
}

/* One container made like the build's runs the interpreter: the runtime
 * starts (cgroups, mounts, limits) and the image's Python is the one the
 * environment was made for. */
static int trial_run(struct hwb_sandbox_container *ct, const char *python,
		     const char *python_version, const char *prefix,
		     struct hwb_error *err)
{
	struct hwb_sandbox_result r = HWB_SANDBOX_RESULT_INIT;
	struct hwb_sandbox_spec spec;
	struct hwb_sandbox_bind bind = { prefix, prefix, 0 };
	const char *argv[] = { python, "-c", VERSION_CODE, NULL };
	char *version = NULL;
	int ret = -1, ran;

	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.cwd = "/";
	spec.path = ct->image ? HWB_SANDBOX_IMAGE_PATH : NULL;
	spec.source_date_epoch = -1;
	spec.isolation = HWB_ISOLATION_CONTAINER;
	spec.container = ct;
	spec.limits.timeout_seconds = PROBE_TIMEOUT;
	if (!ct->image && strcmp(prefix, "/usr") && strncmp(prefix, "/usr/", 5)) {
		spec.binds = &bind;
		spec.bind_count = 1;
	}
	hwb_sandbox_limits_default(&spec.limits);
	spec.limits.log_max = PROBE_LOG_MAX;
	ran = hwb_sandbox__container_exec(&spec, 1, &r, err);
	/* A timeout or a limit is the engine's failure here, not the build's. */
	if (ran && !r.timed_out && !r.limit_hit)
		goto cleanup;
	if (ran || r.exit_status != 0 || r.term_signal) {
		unusable(ct, "run", &r, err);
		goto cleanup;
	}
	if (!(version = output_line(&r))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (strcmp(version, python_version)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B083",
			      "--isolation container: the image's %s is Python "
			      "%s, but the build environment is for %s (%s)",
			      ct->python, version, python_version, python);
		hwb_error_hint(err, "use an image with Python %s, or build with "
			       "--python set to a Python %s", python_version,
			       version);
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(version);
	hwb_sandbox_result_release(&r);
	return ret;
}

/* <work>/seccomp.json: the sandbox's deny list for the engine. */
static int write_profile(struct hwb_sandbox_container *ct, const char *work,
			 struct hwb_error *err)
{
	struct hwb_buf json = HWB_BUF_INIT;
	int ret = -1;

	if (!(ct->seccomp = hwb_strdup_printf("%s/seccomp.json", work))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_sandbox__seccomp_profile(&json, err) ||
	    hwb_file_write_atomic(ct->seccomp, json.ptr, json.len, 0644, err))
		goto cleanup;
	ret = 0;
cleanup:
	hwb_buf_release(&json);
	return ret;
}

int hwb_sandbox_container_probe(struct hwb_sandbox_container *ct,
				const char *work, const char *python,
				const char *python_version, const char *prefix,
				struct hwb_error *err)
{
	char **client_env = NULL;
	int ret = -1;

	if (write_profile(ct, work, err) ||
	    hwb_sandbox__container_client_env(environ, &client_env, err) ||
	    info(ct, client_env, err) ||
	    (ct->image && image_id(ct, client_env, err)) ||
	    (!ct->image && make_rootfs(ct, work, err)) ||
	    trial_run(ct, python, python_version, prefix, err))
		goto cleanup;
	hwb_log_info("container: %s %s%s%s, %s%s", hwb_sandbox__engine_name(ct->engine),
		     ct->version, ct->runtime ? " with runtime " : "",
		     ct->runtime ? ct->runtime : "",
		     ct->image ? "image " : "no image: the host's /usr read-only",
		     ct->image ? ct->image : "");
	ret = 0;
cleanup:
	hwb_sandbox__env_free(client_env);
	return ret;
}

int hwb_sandbox_container_check(const struct hwb_sandbox_container_request *req,
				int ask, char **engine, char **version,
				struct hwb_error *err)
{
	struct hwb_sandbox_container ct;
	char **client_env = NULL;
	int ret = -1;

	memset(&ct, 0, sizeof(ct));
	*engine = *version = NULL;
	if (pick(req, &ct, err) ||
	    (ask && (hwb_sandbox__container_client_env(environ, &client_env,
						       err) ||
		     info(&ct, client_env, err))))
		goto cleanup;
	*engine = ct.engine_path;
	*version = ct.version;
	ct.engine_path = ct.version = NULL;
	ret = 0;
cleanup:
	hwb_sandbox__env_free(client_env);
	hwb_sandbox__container_release(&ct);
	return ret;
}
