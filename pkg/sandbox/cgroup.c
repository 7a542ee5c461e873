/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgroup.c: one memory and pids control group per sandboxed run, so that
 * build.limits.memory and build.limits.processes bound the build as a whole
 * (every process, and the tmpfs pages they write) rather than each process
 * (RLIMIT_AS, RLIMIT_NPROC). A child of hwb's own group: under cgroup v2
 * where the memory and pids controllers are delegated to it (root, or
 * systemd's delegation on GitHub's runners), else under the v1 memory and
 * pids hierarchies (hybrid hosts, as root). Where neither can be made the
 * run goes on with the per-process limits and the sized tmpfs mounts, and
 * hwb_sandbox_memory_bound() says so in the log and the provenance (and
 * hwb_sandbox_bound() in `hwb doctor`).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"

/* hwb's group in the hierarchy that has controller (v1) or the unified
 * one (controller NULL), as a directory: mount point + path. */
static int own_group(const char *controller, char *out, size_t outsz)
{
	char line[1024], mnt[512] = "", root[512] = "", path[512] = "";
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), fstype[32], opts[256];
		char r[512], m[512];

		if (!sep || sscanf(line, "%*s %*s %*s %511s %511s", r, m) != 2 ||
		    sscanf(sep + 3, "%31s %*s %255s", fstype, opts) != 2)
			continue;
		if (controller ? strcmp(fstype, "cgroup") != 0
			       : strcmp(fstype, "cgroup2") != 0)
			continue;
		if (controller) {
			char *tok, *save = NULL;

			for (tok = strtok_r(opts, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, controller))
					break;
			if (!tok)
				continue;
		}
		snprintf(root, sizeof(root), "%s", r);
		snprintf(mnt, sizeof(mnt), "%s", m);
		found = 1;
	}
	fclose(f);
	if (!found || !(f = fopen("/proc/self/cgroup", "re")))
		return -1;
	found = 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *a = strchr(line, ':'), *b = a ? strchr(a + 1, ':') : NULL;
		char *tok, *save = NULL;

		if (!b)
			continue;
		*b = '\0';
		b[strcspn(b + 1, "\n") + 1] = '\0';
		if (!controller) {
			found = !strcmp(a + 1, "");
		} else {
			for (tok = strtok_r(a + 1, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, controller))
					found = 1;
		}
		if (found)
			snprintf(path, sizeof(path), "%s", b + 1);
	}
	fclose(f);
	if (!found)
		return -1;
	/* A cgroup namespace shows paths relative to the mount's root. */
	if (strcmp(root, "/") && !strncmp(path, root, strlen(root)))
		memmove(path, path + strlen(root), strlen(path) - strlen(root) + 1);
	if ((size_t)snprintf(out, outsz, "%s%s", mnt,
			     strcmp(path, "/") ? path : "") >= outsz)
		return -1;
	return 0;
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	int fd, rc = 0;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -1;
	close(fd);
	return rc;
}

/* The number after key in a "key value" file (memory.events, pids.events,
 * memory.oom_control); 0 when absent. */
static long long read_counter(const char *dir, const char *name,
			      const char *key)
{
	char path[4200], line[256], k[128];
	long long v = 0, found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "re")))
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lld", k, &v) == 2 && !strcmp(k, key)) {
			found = v;
			break;
		}
	fclose(f);
	return found;
}

/* A fresh child directory "hwb-<pid>-<n>" of parent. */
static int make_child(const char *parent, char *out, size_t outsz)
{
	static const char *fmt = "%s/hwb-%d-%ld";
	long n = (long)time(NULL) ^ (long)clock();
	int i;

	for (i = 0; i < 16; i++, n++) {
		if ((size_t)snprintf(out, outsz, fmt, parent, (int)getpid(), n) >=
		    outsz)
			return -1;
		if (!mkdir(out, 0755))
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int limit_v1(struct hwb_sandbox__cgroup *cg, unsigned long long memory,
		    long processes)
{
	char parent[2048], num[32];

	if (own_group("memory", parent, sizeof(parent)) ||
	    make_child(parent, cg->mem, sizeof(cg->mem)))
		return -1;
	snprintf(num, sizeof(num), "%llu", memory);
	/* memsw (memory + swap) must stay >= memory: set memory first. */
	if (write_file(cg->mem, "memory.limit_in_bytes", num))
		return -1;
	write_file(cg->mem, "memory.memsw.limit_in_bytes", num);
	if (own_group("pids", parent, sizeof(parent)) ||
	    make_child(parent, cg->pids, sizeof(cg->pids))) {
		cg->pids[0] = '\0';
		return -1;
	}
	snprintf(num, sizeof(num), "%ld", processes);
	return write_file(cg->pids, "pids.max", num);
}

static int limit_v2(struct hwb_sandbox__cgroup *cg, unsigned long long memory,
		    long processes)
{
	char parent[2048], num[32], path[2200];

	if (own_group(NULL, parent, sizeof(parent)))
		return -1;
	/* Enabling the controllers for our children fails (EBUSY) where our
	 * own group holds processes and is not the root: then the delegation
	 * must already have done it, which the child's files show. */
	write_file(parent, "cgroup.subtree_control", "+memory +pids");
	if (make_child(parent, cg->mem, sizeof(cg->mem)))
		return -1;
	snprintf(path, sizeof(path), "%s/memory.max", cg->mem);
	if (access(path, W_OK))
		return -1;
	snprintf(num, sizeof(num), "%llu", memory);
	if (write_file(cg->mem, "memory.max", num))
		return -1;
	write_file(cg->mem, "memory.swap.max", "0");
	snprintf(num, sizeof(num), "%ld", processes);
	return write_file(cg->mem, "pids.max", num);
}

int hwb_sandbox__cgroup_make(struct hwb_sandbox__cgroup *cg,
			   unsigned long long memory, long processes)
{
	char probe[2048];

	memset(cg, 0, sizeof(*cg));
	if (!own_group("memory", probe, sizeof(probe))) {
		cg->version = 1;
		if (!limit_v1(cg, memory, processes))
			return 0;
	} else if (!own_group(NULL, probe, sizeof(probe))) {
		cg->version = 2;
		if (!limit_v2(cg, memory, processes))
			return 0;
	}
	snprintf(cg->why, sizeof(cg->why), "%s",
		 !cg->version ? "no memory cgroup controller is mounted"
		 : errno == EACCES || errno == EPERM || errno == EROFS
			 ? "hwb may not create a child of its own cgroup "
			   "(run as root, or under a delegated systemd scope)"
			 : "hwb's cgroup has no usable memory and pids controllers");
	hwb_sandbox__cgroup_destroy(cg);
	cg->version = 0;
	return -1;
}

int hwb_sandbox__cgroup_attach(const struct hwb_sandbox__cgroup *cg, pid_t pid)
{
	char num[32];

	if (!cg->version)
		return 0;
	snprintf(num, sizeof(num), "%d", (int)pid);
	if (write_file(cg->mem, "cgroup.procs", num))
		return -1;
	return cg->pids[0] ? write_file(cg->pids, "cgroup.procs", num) : 0;
}

const char *hwb_sandbox__cgroup_limit_hit(const struct hwb_sandbox__cgroup *cg)
{
	if (!cg->version)
		return NULL;
	if (cg->version == 1 ? read_counter(cg->mem, "memory.oom_control",
					    "oom_kill") > 0
			     : read_counter(cg->mem, "memory.events",
					    "oom_kill") > 0)
		return "memory";
	if (read_counter(cg->version == 1 ? cg->pids : cg->mem, "pids.events",
			 "max") > 0)
		return "processes";
	return NULL;
}

unsigned long long hwb_sandbox__cgroup_peak(const struct hwb_sandbox__cgroup *cg)
{
	char path[4200];
	unsigned long long v = 0;
	FILE *f;

	if (!cg->version)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", cg->mem,
		 cg->version == 1 ? "memory.max_usage_in_bytes" : "memory.peak");
	if ((f = fopen(path, "re"))) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* SIGKILL everything still in dir until it is empty (a process may fork
 * while we read, so repeat), then remove it. */
static void empty_and_remove(const char *dir)
{
	char path[4200];
	int round;

	if (!dir[0])
		return;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	for (round = 0; round < 200; round++) {
		FILE *f = fopen(path, "re");
		int pid, any = 0;

		if (!f)
			break;
		while (fscanf(f, "%d", &pid) == 1) {
			kill(pid, SIGKILL);
			any = 1;
		}
		fclose(f);
		if (!any && !rmdir(dir))
			return;
		if (!any && errno != EBUSY)
			return;
		usleep(5000);
	}
}

void hwb_sandbox__cgroup_destroy(struct hwb_sandbox__cgroup *cg)
{
	empty_and_remove(cg->mem);
	if (cg->version == 1)
		empty_and_remove(cg->pids);
	cg->mem[0] = cg->pids[0] = '\0';
}

/* One line: the bound a namespaced run gets, from a trial group. */
static void describe(const struct hwb_sandbox__cgroup *cg,
		     const struct hwb_sandbox_limits *l, char *out, size_t outsz)
{
	if (cg->version)
		snprintf(out, outsz, "cgroup v%d: memory = %llu MiB and processes "
			 "= %ld for the whole build; tmpfs mounts sized within "
			 "the memory budget", cg->version, l->memory >> 20,
			 l->processes);
	else
		snprintf(out, outsz, "per process only (%s): address-space = %llu "
			 "MiB and processes = %ld per process; tmpfs mounts sized "
			 "within memory = %llu MiB", cg->why,
			 l->address_space >> 20, l->processes, l->memory >> 20);
}

int hwb_sandbox_bound(const struct hwb_sandbox_limits *l, char *out,
		      size_t outsz)
{
	struct hwb_sandbox_limits lim = *l;
	struct hwb_sandbox__cgroup cg;
	int version;

	memset(&cg, 0, sizeof(cg));
	hwb_sandbox_limits_default(&lim);
	hwb_sandbox__cgroup_make(&cg, lim.memory, lim.processes);
	version = cg.version;
	describe(&cg, &lim, out, outsz);
	hwb_sandbox__cgroup_destroy(&cg);
	return version;
}

void hwb_sandbox_memory_bound(enum hwb_isolation isolation,
			      const struct hwb_sandbox_limits *l, char *out,
			      size_t outsz)
{
	if (isolation == HWB_ISOLATION_NONE)
		snprintf(out, outsz, "none (--isolation none): address-space = "
			 "%llu MiB per process only", l->address_space >> 20);
	else if (isolation == HWB_ISOLATION_CONTAINER)
		snprintf(out, outsz, "the container's cgroup: memory = %llu MiB "
			 "and processes = %ld for the whole build",
			 l->memory >> 20, l->processes);
	else /* each sandboxed run makes its own group the same way */
		hwb_sandbox_bound(l, out, outsz);
}
