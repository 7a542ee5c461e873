/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe.c: does this machine let hwb make the sandbox? The probe
 * does the parts that fail late on restricted hosts (the uid map and
 * bringing up loopback, which Ubuntu 24.04's AppArmor rule refuses) and, on
 * failure, names what it detected and the exact remedy. hwb never falls
 * back to an unsandboxed build by itself. `hwb doctor` also reads the
 * kernel settings behind those causes and loads the seccomp filter once.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"

/* First line of a /proc file as a number; -1 when absent. */
static long read_number(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* 1 when this process runs under a seccomp filter (Docker's profile). */
static int under_seccomp(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\nSeccomp:");
	return p && strtol(p + 9, NULL, 10) == 2;
}

int hwb_sandbox__probe_explain(int errnum, struct hwb_error *err)
{
	int root = geteuid() == 0;

	if (read_number("/proc/sys/user/max_user_namespaces") == 0)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B002",
				     "user namespaces are disabled on this machine "
				     "(user.max_user_namespaces = 0), so the build "
				     "sandbox cannot be made"),
		       hwb_error_hint(err, "sudo sysctl -w user.max_user_namespaces"
				      "=15000, or build with --isolation container");
	if (!root && read_number("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B003",
				     "unprivileged user namespaces are disabled "
				     "(kernel.unprivileged_userns_clone = 0)"),
		       hwb_error_hint(err, "sudo sysctl -w kernel.unprivileged_"
				      "userns_clone=1, or build with --isolation "
				      "container");
	if (!root &&
	    read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B001",
				     "AppArmor refuses capabilities in new user "
				     "namespaces (kernel.apparmor_restrict_"
				     "unprivileged_userns = 1, Ubuntu 23.10+)"),
		       hwb_error_hint(err, "sudo sysctl -w kernel.apparmor_restrict_"
				      "unprivileged_userns=0 (GitHub-hosted runners "
				      "allow it), or give hwb an AppArmor profile "
				      "with 'userns,'");
	if (errnum == EPERM && under_seccomp())
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B004",
				     "a seccomp profile refuses new user "
				     "namespaces (a container's default profile, "
				     "as Docker's)"),
		       hwb_error_hint(err, "run the container with --security-opt "
				      "seccomp=unconfined or a profile allowing "
				      "clone(CLONE_NEWUSER) and unshare, or build "
				      "with --isolation none inside it");
	errno = errnum;
	return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B005",
			       "the build sandbox's namespaces cannot be made"),
	       hwb_error_hint(err, "check 'unshare -U -r -n true' on this "
			      "machine, or build with --isolation container");
}

static __attribute__((noreturn)) void probe_child(int sync_fd, int err_fd)
{
	struct ifreq ifr;
	char go;
	int fd, e;

	if (read(sync_fd, &go, 1) != 1)
		_exit(2);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		goto fail;
	_exit(0);
fail:
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(3);
	_exit(1);
}

static int write_map(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	if (write(fd, text, strlen(text)) < 0)
		rc = -1;
	close(fd);
	return rc;
}

int hwb_sandbox_probe(struct hwb_error *err)
{
	int sync[2] = { -1, -1 }, errp[2] = { -1, -1 }, status = 0, e = 0,
	    ret = -1;
	char map[64];
	pid_t pid = -1;

	if (pipe2(sync, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B010",
				"sandbox: cannot create its pipes");
		goto cleanup;
	}
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNET | SIGCHLD,
			     NULL, NULL, NULL, NULL);
	if (pid == 0)
		probe_child(sync[0], errp[1]);
	if (pid < 0) {
		hwb_sandbox__probe_explain(errno, err);
		goto cleanup;
	}
	close(errp[1]);
	errp[1] = -1;
	snprintf(map, sizeof(map), "%d %u 1\n", HWB_SANDBOX_UID,
		 geteuid() ? (unsigned)geteuid() : hwb_sandbox__root_id(1));
	if ((geteuid() != 0 && write_map(pid, "setgroups", "deny")) ||
	    write_map(pid, "uid_map", map)) {
		e = errno;
		kill(pid, SIGKILL);
		hwb_sandbox__probe_explain(e, err);
		goto cleanup;
	}
	if (write(sync[1], "g", 1) != 1 || waitpid(pid, &status, 0) < 0) {
		hwb_sandbox__probe_explain(errno, err);
		goto cleanup;
	}
	pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ret = 0;
		goto cleanup;
	}
	if (read(errp[0], &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = EPERM;
	hwb_sandbox__probe_explain(e, err);
cleanup:
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (int i = 0; i < 2; i++) {
		if (sync[i] >= 0)
			close(sync[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return ret;
}

void hwb_sandbox_host_facts(struct hwb_sandbox_host *h)
{
	h->max_user_namespaces = read_number("/proc/sys/user/max_user_namespaces");
	h->userns_clone = read_number("/proc/sys/kernel/unprivileged_userns_clone");
	h->apparmor_restrict =
		read_number("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	h->under_seccomp = under_seccomp();
}

int hwb_sandbox_seccomp_check(struct hwb_error *err)
{
	struct hwb_buf prog = HWB_BUF_INIT;
	int status = 0, e = 0, pipefd[2];
	pid_t pid;

	if (hwb_sandbox__seccomp_compile(&prog, err))
		goto fail;
	if (pipe2(pipefd, O_CLOEXEC)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B026",
				"sandbox: cannot test the seccomp filter");
		goto fail;
	}
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    hwb_sandbox__seccomp_install(&prog)) {
			e = errno;
			if (write(pipefd[1], &e, sizeof(e)) < 0)
				_exit(3);
			_exit(1);
		}
		_exit(0);
	}
	close(pipefd[1]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		close(pipefd[0]);
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B026",
				"sandbox: cannot test the seccomp filter");
		goto fail;
	}
	if (read(pipefd[0], &e, sizeof(e)) != (ssize_t)sizeof(e))
		e = 0;
	close(pipefd[0]);
	hwb_buf_release(&prog);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	errno = e ? e : EINVAL;
	return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B026",
			       "sandbox: the kernel refuses the build's seccomp "
			       "filter"),
	       hwb_error_hint(err, "use a kernel built with CONFIG_SECCOMP_FILTER "
			      "(every distribution kernel is), or build with "
			      "--isolation container");
fail:
	hwb_buf_release(&prog);
	return -1;
}
