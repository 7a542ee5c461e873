/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container.c: --isolation container's command line. The spec the sandbox
 * would run (hook runner argv, scrubbed environment, binds, cwd, limits)
 * becomes one `podman run` or `docker run`: no network, a read-only root,
 * tmpfs /tmp and HOME, no capabilities, no-new-privileges, a non-root user,
 * pids/memory limits and rlimits. Also the environment the engine's client
 * itself gets. Running it is container_run.c's, choosing and probing the
 * engine container_probe.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/sandbox/internal.h"

/* A NULL-ended array of owned strings being built; adding checks once. */
struct argl {
	struct hwb_buf list;
	size_t count;
	int bad;
};

/* Takes s (may be NULL: out of memory). */
static void add(struct argl *a, char *s)
{
	if (!s || hwb_buf_put(&a->list, &s, sizeof(s))) {
		free(s);
		a->bad = 1;
		return;
	}
	a->count++;
}

static void add2(struct argl *a, const char *flag, char *value)
{
	add(a, hwb_strdup(flag));
	add(a, value);
}

static void argl_free(struct argl *a)
{
	char **v = (char **)(void *)a->list.ptr;
	size_t i;

	for (i = 0; i < a->count; i++)
		free(v[i]);
	hwb_buf_release(&a->list);
}

const char *hwb_sandbox__engine_name(enum hwb_sandbox__engine e)
{
	return e == HWB_ENGINE_DOCKER ? "docker" : "podman";
}

void hwb_sandbox__container_release(struct hwb_sandbox_container *ct)
{
	free(ct->engine_path);
	free(ct->version);
	free(ct->image_id);
	free(ct->rootfs);
	free(ct->seccomp);
	ct->engine_path = ct->version = ct->image_id = ct->rootfs = NULL;
	ct->seccomp = NULL;
}

void hwb_sandbox_container_free(struct hwb_sandbox_container *ct)
{
	if (!ct)
		return;
	hwb_sandbox__container_release(ct);
	free(ct);
}

void hwb_sandbox_container_info(const struct hwb_sandbox_container *ct,
				struct hwb_sandbox_container_info *out)
{
	out->engine = hwb_sandbox__engine_name(ct->engine);
	out->version = ct->version;
	out->runtime = ct->runtime;
	out->image = ct->image;
	out->image_id = ct->image_id;
	out->python = ct->python;
}

/* -v takes "src:dst:mode": a ':' or ',' in a path would be read as a
 * separator, so such paths are refused rather than mangled. */
static int bind_path_ok(const char *path, struct hwb_error *err)
{
	if (!strpbrk(path, ":,"))
		return 0;
	return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B085",
			     "container: the path '%s' holds ':' or ',', which "
			     "the engine's -v option cannot carry", path),
	       hwb_error_hint(err, "move the project, TMPDIR or the cache "
			      "(XDG_CACHE_HOME) to a path without ':' or ','");
}

static void add_bind(struct argl *a, const char *host, const char *inside,
		     int writable)
{
	add2(a, "-v", hwb_strdup_printf("%s:%s:%s", host, inside,
					writable ? "rw" : "ro"));
}

/* The engine's own leading options: podman's OCI runtime is global. */
static void add_engine(struct argl *a, const struct hwb_sandbox_container *ct)
{
	add(a, hwb_strdup(ct->engine_path));
	if (ct->runtime && ct->engine == HWB_ENGINE_PODMAN)
		add2(a, "--runtime", hwb_strdup(ct->runtime));
	add(a, hwb_strdup("run"));
	if (ct->runtime && ct->engine == HWB_ENGINE_DOCKER)
		add2(a, "--runtime", hwb_strdup(ct->runtime));
}

/*
 * Isolation flags. --read-only-tmpfs=false: podman would otherwise add
 * writable /run and /var/tmp; only /tmp and HOME are. --http-proxy=false:
 * podman copies the host's proxy variables (which may carry credentials)
 * into the container by default. --init: a reaper as pid 1, and the
 * engine's kill reaches the whole tree. --log-driver none: the output is
 * hwb's to keep and redact, not the engine's to store on disk.
 */
static void add_isolation(struct argl *a, const struct hwb_sandbox_container *ct,
			  const char *name, const struct hwb_sandbox_limits *l)
{
	static const char *const fixed[] = {
		"--rm", "--network", "none", "--read-only", "--cap-drop", "ALL",
		"--security-opt", "no-new-privileges", "--init", "--log-driver",
		"none", "--hostname", HWB_SANDBOX_HOSTNAME,
	};
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add(a, hwb_strdup(fixed[i]));
	add2(a, "--name", hwb_strdup(name));
	add2(a, "--security-opt", hwb_strdup_printf("seccomp=%s", ct->seccomp));
	if (ct->engine == HWB_ENGINE_PODMAN) {
		add(a, hwb_strdup("--read-only-tmpfs=false"));
		add(a, hwb_strdup("--http-proxy=false"));
	}
	if (ct->image)
		add2(a, "--pull", hwb_strdup("never"));
	add2(a, "--user", hwb_strdup_printf("%u:%u", ct->uid, ct->gid));
	if (ct->keep_id)
		add2(a, "--userns", hwb_strdup("keep-id"));
	/* tmpfs pages count against the memory limit, and their sizes add
	 * up to it (HWB_TMPFS_SHARE) where the engine has no cgroup. */
	add2(a, "--tmpfs", hwb_strdup_printf("/tmp:rw,exec,nosuid,nodev,size=%llu,"
					     "mode=1777", HWB_TMPFS_TMP(l->memory)));
	add2(a, "--tmpfs", hwb_strdup_printf(HWB_SANDBOX_HOME ":rw,exec,nosuid,"
					     "nodev,size=%llu,mode=1777",
					     HWB_TMPFS_HOME(l->memory)));
}

/*
 * Limits: the cgroup's pids and memory for the whole container (no swap
 * beyond it), and the sandbox's rlimits per process. Engines cannot set
 * RLIMIT_AS, so RLIMIT_DATA (heap and private mappings) stands in for it
 * with the same value: a Python memory bomb still gets MemoryError.
 */
static void add_limits(struct argl *a, const struct hwb_sandbox_limits *l)
{
	add2(a, "--pids-limit", hwb_strdup_printf("%ld", l->processes));
	add2(a, "--memory", hwb_strdup_printf("%llu", l->memory));
	add2(a, "--memory-swap", hwb_strdup_printf("%llu", l->memory));
	add2(a, "--ulimit", hwb_strdup_printf("cpu=%ld:%ld", l->cpu_seconds,
					      l->cpu_seconds));
	add2(a, "--ulimit", hwb_strdup_printf("data=%llu:%llu", l->address_space,
					      l->address_space));
	add2(a, "--ulimit", hwb_strdup_printf("fsize=%llu:%llu", l->file_size,
					      l->file_size));
	add2(a, "--ulimit", hwb_strdup_printf("nofile=%ld:%ld", l->open_files,
					      l->open_files));
	add2(a, "--ulimit", hwb_strdup_printf("nproc=%ld:%ld", l->processes,
					      l->processes));
	add2(a, "--ulimit", hwb_strdup("core=0:0"));
}

/* The proxy variables docker's client injects from ~/.docker/config.json
 * unless the command line sets them (docker/cli ParseProxyConfig). */
static const char *const docker_proxy_vars[] = {
	"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY",
	"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy",
};

static int env_has(char *const *envp, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; envp[i]; i++)
		if (!strncmp(envp[i], name, n) && envp[i][n] == '=')
			return 1;
	return 0;
}

/* Only NAME=VALUE pairs of the scrubbed environment: never a bare NAME,
 * which the engine would fill in from the host's environment. */
static int add_env(struct argl *a, const struct hwb_sandbox_container *ct,
		   const struct hwb_sandbox_spec *spec, struct hwb_error *err)
{
	char **envp = NULL;
	size_t i;

	if (hwb_sandbox__env_make(spec, HWB_SANDBOX_HOME, "/tmp", &envp, err))
		return -1;
	for (i = 0; envp[i]; i++)
		add2(a, "--env", hwb_strdup(envp[i]));
	for (i = 0; ct->engine == HWB_ENGINE_DOCKER &&
		    i < sizeof(docker_proxy_vars) / sizeof(docker_proxy_vars[0]);
	     i++)
		if (!env_has(envp, docker_proxy_vars[i]))
			add2(a, "--env",
			     hwb_strdup_printf("%s=", docker_proxy_vars[i]));
	hwb_sandbox__env_free(envp);
	return 0;
}

/* Without an image: the host's system directories read-only in the
 * prepared root (container_probe.c made the symlinks and stubs). */
static void add_system(struct argl *a)
{
	struct stat st;
	size_t i;

	for (i = 0; hwb_sandbox__system_dirs[i]; i++)
		if (!stat(hwb_sandbox__system_dirs[i], &st))
			add_bind(a, hwb_sandbox__system_dirs[i],
				 hwb_sandbox__system_dirs[i], 0);
	for (i = 0; hwb_sandbox__system_files[i]; i++)
		if (!stat(hwb_sandbox__system_files[i], &st))
			add_bind(a, hwb_sandbox__system_files[i],
				 hwb_sandbox__system_files[i], 0);
	/* A host without merged /usr has real /bin, /lib...: bind those. */
	for (i = 0; hwb_sandbox__root_links[i]; i++)
		if (!lstat(hwb_sandbox__root_links[i], &st) && S_ISDIR(st.st_mode))
			add_bind(a, hwb_sandbox__root_links[i],
				 hwb_sandbox__root_links[i], 0);
}

static int add_binds(struct argl *a, const struct hwb_sandbox_spec *spec,
		     struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < spec->bind_count; i++) {
		if (bind_path_ok(spec->binds[i].host, err) ||
		    bind_path_ok(spec->binds[i].inside, err))
			return -1;
		add_bind(a, spec->binds[i].host, spec->binds[i].inside,
			 spec->binds[i].writable);
	}
	if (spec->proxy_socket) {
		if (bind_path_ok(spec->proxy_socket, err))
			return -1;
		add_bind(a, spec->proxy_socket, HWB_SANDBOX_PROXY_INSIDE, 1);
	}
	return 0;
}

int hwb_sandbox__container_argv(const struct hwb_sandbox_container *ct,
			      const struct hwb_sandbox_spec *spec,
			      const char *name, char ***out,
			      struct hwb_error *err)
{
	struct argl a = { HWB_BUF_INIT, 0, 0 };
	struct hwb_sandbox_limits l = spec->limits;
	char *null = NULL;
	size_t i;

	*out = NULL;
	if ((!ct->image && !ct->rootfs) || !ct->seccomp)
		HWB_BUG("container without an image or a root, or a profile");
	if (bind_path_ok(ct->seccomp, err))
		return -1;
	add_engine(&a, ct);
	add_isolation(&a, ct, name, &l);
	add_limits(&a, &l);
	if (!ct->image)
		add_system(&a);
	if (add_env(&a, ct, spec, err) || add_binds(&a, spec, err))
		goto fail;
	add2(&a, "--workdir", hwb_strdup(spec->cwd ? spec->cwd : "/"));
	if (ct->image) {
		add(&a, hwb_strdup(ct->image));
		/* The image's interpreter runs the hook runner; the locked
		 * environment is on PYTHONPATH (pep517.c). */
		add(&a, hwb_strdup(ct->python));
	} else {
		if (bind_path_ok(ct->rootfs, err))
			goto fail;
		add2(&a, "--rootfs", hwb_strdup(ct->rootfs));
		add(&a, hwb_strdup(spec->argv[0]));
	}
	for (i = 1; spec->argv[i]; i++)
		add(&a, hwb_strdup(spec->argv[i]));
	if (a.bad || hwb_buf_put(&a.list, &null, sizeof(null))) {
		hwb_error_oom(err);
		goto fail;
	}
	*out = (char **)(void *)hwb_buf_detach(&a.list, NULL);
	return 0;
fail:
	argl_free(&a);
	return -1;
}

/*
 * What the engine's client needs from hwb's environment to find its
 * daemon, socket, configuration and storage. Nothing else reaches it: the
 * container is given only --env pairs, but the client is a child process
 * too, and tokens in hwb's environment stay out of every child.
 */
static const char *const client_vars[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "TMPDIR",
	"XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
	"DBUS_SESSION_BUS_ADDRESS",
	"CONTAINER_HOST", "CONTAINER_CONNECTION", "CONTAINERS_CONF",
	"CONTAINERS_STORAGE_CONF", "CONTAINERS_REGISTRIES_CONF",
	"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH",
	"DOCKER_TLS_VERIFY",
};

int hwb_sandbox__container_client_env(char *const *environ_in, char ***out,
				    struct hwb_error *err)
{
	struct argl a = { HWB_BUF_INIT, 0, 0 };
	char *null = NULL;
	size_t i, j, n;

	*out = NULL;
	for (i = 0; environ_in && environ_in[i]; i++)
		for (j = 0; j < sizeof(client_vars) / sizeof(client_vars[0]); j++) {
			n = strlen(client_vars[j]);
			if (!strncmp(environ_in[i], client_vars[j], n) &&
			    environ_in[i][n] == '=') {
				add(&a, hwb_strdup(environ_in[i]));
				break;
			}
		}
	if (a.bad || hwb_buf_put(&a.list, &null, sizeof(null))) {
		argl_free(&a);
		return hwb_error_oom(err);
	}
	*out = (char **)(void *)hwb_buf_detach(&a.list, NULL);
	return 0;
}
