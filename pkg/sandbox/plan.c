/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c: turns a struct hwb_sandbox_spec into the plan the child
 * follows (child.c): every mount with resolved host paths, the scrubbed
 * environment, the limits. All allocation and validation happen here,
 * before clone(), so a bad spec never reaches a half-made sandbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"
#include "pkg/core/buf.h"

/* What a Python build needs from the host besides /usr:
 * the loader cache and the alternatives links (cc, c++ point there). Shared
 * with the container's root directory (container.c, container_probe.c). */
const char *const hwb_sandbox__system_dirs[] = { "/usr", "/etc/alternatives",
					       NULL };
const char *const hwb_sandbox__system_files[] = { "/etc/ld.so.cache", NULL };
/* Merged-/usr hosts have these as symlinks into /usr. */
const char *const hwb_sandbox__root_links[] = { "/bin", "/sbin", "/lib",
					      "/lib32", "/lib64", "/libx32",
					      NULL };
static const char *const devices[] = { "null", "zero", "full", "random",
				       "urandom", "tty" };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char hwb_sandbox__passwd_stub[] =
	"root:x:0:0:root:/root:/usr/sbin/nologin\n"
	"build:x:1000:1000:hwb build:" HWB_SANDBOX_HOME ":/bin/sh\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
const char hwb_sandbox__group_stub[] = "root:x:0:\nbuild:x:1000:\n"
				 "nogroup:x:65534:\n";
const char hwb_sandbox__hosts_stub[] = "127.0.0.1 localhost " HWB_SANDBOX_HOSTNAME
				 "\n::1 localhost\n";

void hwb_sandbox__plan_release(struct hwb_sandbox__plan *plan)
{
	size_t i;

	for (i = 0; i < plan->mount_count; i++) {
		free(plan->mounts[i].src);
		free(plan->mounts[i].dest);
		if (plan->mounts[i].fd >= 0)
			close(plan->mounts[i].fd);
	}
	free(plan->mounts);
	plan->mounts = NULL;
	plan->mount_count = 0;
	hwb_sandbox__env_free(plan->envp);
	plan->envp = NULL;
	hwb_buf_release(&plan->seccomp);
	free(plan->cwd);
	plan->cwd = NULL;
}

/* Takes ownership of src and dest, also on failure. */
static int push(struct hwb_sandbox__plan *plan, enum hwb_sandbox__mount_kind kind,
		char *src, char *dest, int is_dir, struct hwb_error *err)
{
	struct hwb_sandbox__mount *m;

	if (!src || !dest)
		goto oom;
	m = realloc(plan->mounts, (plan->mount_count + 1) * sizeof(*m));
	if (!m)
		goto oom;
	plan->mounts = m;
	m[plan->mount_count].kind = kind;
	m[plan->mount_count].src = src;
	m[plan->mount_count].dest = dest;
	m[plan->mount_count].is_dir = is_dir;
	m[plan->mount_count].fd = -1;
	plan->mount_count++;
	return 0;
oom:
	free(src);
	free(dest);
	return hwb_error_oom(err);
}

/* A bind of host path host (resolved here: the child looks it up under
 * /oldroot, where an absolute symlink would point into the wrong root). */
static int push_bind(struct hwb_sandbox__plan *plan,
		     enum hwb_sandbox__mount_kind kind, const char *host,
		     const char *inside, struct hwb_error *err)
{
	char real[PATH_MAX];
	struct stat st;
	int fd = -1;

	/* As root, the set-up user is not host root and may not walk to the
	 * path (a 0700 home): a detached copy of the mount, made here, is
	 * attached by the child instead (open_tree, move_mount). */
	if (!realpath(host, real) || stat(real, &st) ||
	    (geteuid() == 0 &&
	     (fd = open_tree(AT_FDCWD, real, OPEN_TREE_CLONE |
			     OPEN_TREE_CLOEXEC)) < 0))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B020",
				       "sandbox: cannot use '%s' as a bind source",
				       host),
		       hwb_error_hint(err, "make sure the path exists and is "
				      "readable");
	if (push(plan, kind, hwb_strdup_printf("/oldroot%s", real),
		 hwb_strdup_printf("/newroot%s", inside), S_ISDIR(st.st_mode),
		 err)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	plan->mounts[plan->mount_count - 1].fd = fd;
	return 0;
}

static int add_system(struct hwb_sandbox__plan *plan, struct hwb_error *err)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;
	size_t i;

	const char *const *links = hwb_sandbox__root_links;
	const char *const *dirs = hwb_sandbox__system_dirs;
	const char *const *files = hwb_sandbox__system_files;

	for (i = 0; links[i]; i++) {
		if (lstat(links[i], &st))
			continue;
		if (!S_ISLNK(st.st_mode)) {
			if (push_bind(plan, HWB_MNT_BIND_RO, links[i], links[i],
				      err))
				return -1;
			continue;
		}
		n = readlink(links[i], target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (push(plan, HWB_MNT_SYMLINK, hwb_strdup(target),
			 hwb_strdup_printf("/newroot%s", links[i]), 0, err))
			return -1;
	}
	for (i = 0; dirs[i]; i++)
		if (!stat(dirs[i], &st) &&
		    push_bind(plan, HWB_MNT_BIND_RO, dirs[i], dirs[i], err))
			return -1;
	for (i = 0; files[i]; i++)
		if (!stat(files[i], &st) &&
		    push_bind(plan, HWB_MNT_BIND_RO, files[i], files[i], err))
			return -1;
	return 0;
}

static int add_dev(struct hwb_sandbox__plan *plan, struct hwb_error *err)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },	 { "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" }, { "/proc/self/fd/2", "stderr" },
	};
	struct stat st;
	char host[64];
	size_t i;

	for (i = 0; i < COUNT(devices); i++) {
		snprintf(host, sizeof(host), "/dev/%s", devices[i]);
		if (stat(host, &st) || !S_ISCHR(st.st_mode))
			continue;
		if (push(plan, HWB_MNT_DEV, hwb_strdup_printf("/oldroot%s", host),
			 hwb_strdup_printf("/newroot%s", host), 0, err))
			return -1;
	}
	for (i = 0; i < COUNT(links); i++)
		if (push(plan, HWB_MNT_SYMLINK, hwb_strdup(links[i][0]),
			 hwb_strdup_printf("/newroot/dev/%s", links[i][1]), 0,
			 err))
			return -1;
	return push(plan, HWB_MNT_TMPFS,
		    hwb_strdup_printf("mode=1777,size=%llu",
				      HWB_TMPFS_SHM(plan->limits.memory)),
		    hwb_strdup("/newroot/dev/shm"), 1, err);
}

static int add_stubs(struct hwb_sandbox__plan *plan, struct hwb_error *err)
{
	return push(plan, HWB_MNT_FILE, hwb_strdup(hwb_sandbox__passwd_stub),
		    hwb_strdup("/newroot/etc/passwd"), 0, err) ||
	       push(plan, HWB_MNT_FILE, hwb_strdup(hwb_sandbox__group_stub),
		    hwb_strdup("/newroot/etc/group"), 0, err) ||
	       push(plan, HWB_MNT_FILE, hwb_strdup(hwb_sandbox__hosts_stub),
		    hwb_strdup("/newroot/etc/hosts"), 0, err) ||
	       push(plan, HWB_MNT_TMPFS,
		    hwb_strdup_printf("mode=1777,size=%llu",
				      HWB_TMPFS_TMP(plan->limits.memory)),
		    hwb_strdup("/newroot/tmp"), 1, err) ||
	       push(plan, HWB_MNT_TMPFS,
		    hwb_strdup_printf("mode=0755,size=%llu",
				      HWB_TMPFS_HOME(plan->limits.memory)),
		    hwb_strdup("/newroot" HWB_SANDBOX_HOME), 1, err);
}

void hwb_sandbox__env_free(char **envp)
{
	size_t i;

	for (i = 0; envp && envp[i]; i++)
		free(envp[i]);
	free(envp);
}

/* Appends the pointer entry to list (an array of char *); takes it. */
static int env_push(struct hwb_buf *list, size_t *count, char *entry)
{
	if (!entry || hwb_buf_put(list, &entry, sizeof(entry))) {
		free(entry);
		return -1;
	}
	(*count)++;
	return 0;
}

int hwb_sandbox__env_make(const struct hwb_sandbox_spec *spec,
			const char *home, const char *tmpdir, char ***out,
			struct hwb_error *err)
{
	struct hwb_buf list = HWB_BUF_INIT;
	char *null = NULL;
	size_t count = 0, i;
	int bad = 0;

	bad |= env_push(&list, &count, hwb_strdup_printf(
		"PATH=%s", spec->path ? spec->path : "/usr/bin:/bin"));
	bad |= env_push(&list, &count, hwb_strdup_printf("HOME=%s", home));
	bad |= env_push(&list, &count, hwb_strdup_printf("TMPDIR=%s", tmpdir));
	bad |= env_push(&list, &count, hwb_strdup("LANG=C.UTF-8"));
	bad |= env_push(&list, &count, hwb_strdup("PYTHONHASHSEED=0"));
	if (spec->source_date_epoch >= 0)
		bad |= env_push(&list, &count, hwb_strdup_printf(
			"SOURCE_DATE_EPOCH=%lld", spec->source_date_epoch));
	for (i = 0; spec->env && spec->env[i]; i++)
		bad |= env_push(&list, &count, hwb_strdup(spec->env[i]));
	if (bad || hwb_buf_put(&list, &null, sizeof(null))) {
		char **e = (char **)(void *)list.ptr;

		for (i = 0; i < count; i++)
			free(e[i]);
		hwb_buf_release(&list);
		return hwb_error_oom(err);
	}
	*out = (char **)(void *)hwb_buf_detach(&list, NULL);
	return 0;
}

/* 1 when inside lies under a writable bind of spec (so it is mounted
 * after that bind, or the writable one would hide it). */
static int nested(const struct hwb_sandbox_spec *spec, const char *inside)
{
	size_t i, n;

	for (i = 0; i < spec->bind_count; i++) {
		n = strlen(spec->binds[i].inside);
		if (spec->binds[i].writable &&
		    !strncmp(inside, spec->binds[i].inside, n) && inside[n] == '/')
			return 1;
	}
	return 0;
}

int hwb_sandbox__plan_make(const struct hwb_sandbox_spec *spec,
			 struct hwb_sandbox__plan *plan, struct hwb_error *err)
{
	size_t i;

	if (add_system(plan, err))
		return -1;
	for (i = 0; i < spec->bind_count; i++)
		if (!spec->binds[i].writable &&
		    push_bind(plan, nested(spec, spec->binds[i].inside)
					    ? HWB_MNT_BIND_RO_NESTED
					    : HWB_MNT_BIND_RO,
			      spec->binds[i].host, spec->binds[i].inside, err))
			return -1;
	/* before the tmpfs mounts, which are sized from the limits */
	plan->limits = spec->limits;
	if (add_dev(plan, err) || add_stubs(plan, err))
		return -1;
	for (i = 0; i < spec->bind_count; i++)
		if (spec->binds[i].writable &&
		    push_bind(plan, HWB_MNT_BIND_RW, spec->binds[i].host,
			      spec->binds[i].inside, err))
			return -1;
	if (spec->proxy_socket) {
		plan->proxy = 1;
		if (push_bind(plan, HWB_MNT_BIND_RW, spec->proxy_socket,
			      HWB_SANDBOX_PROXY_INSIDE, err))
			return -1;
	}
	if (hwb_sandbox__env_make(spec, HWB_SANDBOX_HOME, "/tmp", &plan->envp,
				err))
		return -1;
	if (!(plan->cwd = hwb_strdup(spec->cwd ? spec->cwd : "/")))
		return hwb_error_oom(err);
	plan->argv = spec->argv;
	plan->keep_groups = geteuid() != 0;
	plan->own_ids = geteuid() == 0;
	return hwb_sandbox__seccomp_compile(&plan->seccomp, err);
}
