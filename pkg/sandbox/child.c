/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child.c: the sandbox's set-up inside the new namespaces, in one function
 * that reads top to bottom in bubblewrap's order. It runs between clone() and
 * execve(), follows a plan the parent computed (plan.c) and never
 * prints: a failed step writes an error record to an O_CLOEXEC pipe and
 * calls _exit(), the one exception to "packages never print" (style rule 7).
 * Validation, clone() and the uid maps are the parent's (namespace.c).
 */
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"

#define NEWROOT "/newroot"
#define OLDROOT "/oldroot"
/* Where the set-up tmpfs goes before the first pivot_root (as bwrap). */
#define BASE "/tmp"

static void report(const struct hwb_sandbox__plan *p, int type, int errnum,
		   int status, const char *what, const char *path)
{
	struct hwb_sandbox__record rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = type;
	rec.errnum = errnum;
	rec.status = status;
	snprintf(rec.what, sizeof(rec.what), "%s%s%s", what, path ? " " : "",
		 path ? path : "");
	/* A short write only loses the detail; the parent sees the exit. */
	if (write(p->err_fd, &rec, sizeof(rec)) < 0)
		return;
}

static __attribute__((noreturn)) void fail(const struct hwb_sandbox__plan *p,
					   const char *what, const char *path)
{
	report(p, HWB_REC_SETUP_ERROR, errno, 0, what, path);
	_exit(127);
}

/* mkdir -p for paths the parent built (absolute, normalised, short). */
static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	memcpy(tmp, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -1;
		tmp[i] = path[i];
	}
	return 0;
}

static int parent_dir(const char *path)
{
	char tmp[4096];
	char *slash;

	if (strlen(path) >= sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	strcpy(tmp, path);
	slash = strrchr(tmp, '/');
	if (slash && slash != tmp) {
		*slash = '\0';
		return mkdir_p(tmp, 0755);
	}
	return 0;
}

static int create_file(const char *path, const char *content, mode_t mode)
{
	int fd;
	size_t len = content ? strlen(content) : 0;

	if (parent_dir(path))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  mode);
	if (fd < 0)
		return -1;
	if (len && write(fd, content, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/*
 * Flags the kernel locked on the source mount (a user namespace may not
 * clear nosuid, noexec, ro or the atime mode of a mount it did not make), so
 * a remount must repeat them or fail with EPERM (as bwrap's
 * get_mountflags()).
 */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv))
		return 0;
	if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
	if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
	return f;
}

static void bind_mount(const struct hwb_sandbox__plan *p,
		       const struct hwb_sandbox__mount *m)
{
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID;

	if (m->is_dir ? mkdir_p(m->dest, 0755) : create_file(m->dest, NULL, 0644))
		fail(p, "creating the mount point", m->dest);
	if (m->fd >= 0 ? move_mount(m->fd, "", AT_FDCWD, m->dest,
				    MOVE_MOUNT_F_EMPTY_PATH)
		       : mount(m->src, m->dest, NULL, MS_BIND, NULL))
		fail(p, "bind-mounting", m->src);
	/* Devices keep working (no nodev) but nothing there executes. */
	if (m->kind == HWB_MNT_DEV)
		flags |= MS_NOEXEC;
	else
		flags |= MS_NODEV;
	if (m->kind == HWB_MNT_BIND_RO || m->kind == HWB_MNT_BIND_RO_NESTED)
		flags |= MS_RDONLY;
	if (mount(NULL, m->dest, NULL, flags | locked_flags(m->dest), NULL))
		fail(p, "remounting", m->dest);
}

static void tmpfs(const struct hwb_sandbox__plan *p, const char *dest,
		  const char *mode)
{
	char opts[128];

	/* mode: "mode=...,size=..." from the plan */
	snprintf(opts, sizeof(opts), "%s,uid=%d,gid=%d", mode,
		 HWB_SANDBOX_UID, HWB_SANDBOX_GID);
	if (mkdir_p(dest, 0755))
		fail(p, "creating the mount point", dest);
	if (mount("tmpfs", dest, "tmpfs", MS_NOSUID | MS_NODEV, opts))
		fail(p, "mounting a tmpfs on", dest);
}

static void apply_mounts(const struct hwb_sandbox__plan *p,
			 enum hwb_sandbox__mount_kind kind)
{
	const struct hwb_sandbox__mount *m;
	size_t i;

	for (i = 0; i < p->mount_count; i++) {
		m = &p->mounts[i];
		if (m->kind != kind)
			continue;
		switch (kind) {
		case HWB_MNT_SYMLINK:
			if (parent_dir(m->dest) || symlink(m->src, m->dest))
				fail(p, "creating the symlink", m->dest);
			break;
		case HWB_MNT_FILE:
			if (create_file(m->dest, m->src, 0644))
				fail(p, "writing", m->dest);
			break;
		case HWB_MNT_TMPFS:
			tmpfs(p, m->dest, m->src);
			break;
		default:
			bind_mount(p, m);
		}
	}
}

static void loopback_up(const struct hwb_sandbox__plan *p)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		fail(p, "reading the flags of", "lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		fail(p, "bringing up", "lo");
	close(fd);
}

static int capset_empty(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &hdr, data);
}

static void drop_bounding_set(const struct hwb_sandbox__plan *p)
{
	int cap;

	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			fail(p, "dropping the capability bounding set", NULL);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		fail(p, "clearing ambient capabilities", NULL);
}

/*
 * The sandbox user. As root the namespace maps uid 0 to root for the
 * set-up above and 1000 to nobody: the kernel never applies RLIMIT_NPROC
 * to real uid 0, so the command must not run as host root.
 */
static void become_build_user(const struct hwb_sandbox__plan *p)
{
	if (!p->keep_groups && setgroups(0, NULL))
		fail(p, "clearing supplementary groups", NULL);
	if (setresgid(HWB_SANDBOX_GID, HWB_SANDBOX_GID, HWB_SANDBOX_GID))
		fail(p, "setting the sandbox gid", NULL);
	if (setresuid(HWB_SANDBOX_UID, HWB_SANDBOX_UID, HWB_SANDBOX_UID))
		fail(p, "setting the sandbox uid", NULL);
}

static void set_limit(const struct hwb_sandbox__plan *p, int resource,
		      unsigned long long value, const char *name)
{
	/* CPU: SIGXCPU at the soft limit names the cause; SIGKILL at the hard
	 * one, a little later, in case SIGXCPU is caught. */
	struct rlimit rl = { (rlim_t)value,
			     (rlim_t)value + (resource == RLIMIT_CPU ? 5 : 0) };
	struct rlimit cur;

	/* Never raise a hard limit hwb itself runs under. */
	if (!getrlimit(resource, &cur) && cur.rlim_max != RLIM_INFINITY &&
	    cur.rlim_max < rl.rlim_max)
		rl.rlim_cur = rl.rlim_max = cur.rlim_max;
	if (setrlimit(resource, &rl))
		fail(p, "setting the limit", name);
}

static void set_limits(const struct hwb_sandbox__plan *p)
{
	const struct hwb_sandbox_limits *l = &p->limits;

	set_limit(p, RLIMIT_CPU, (unsigned long long)l->cpu_seconds, "cpu");
	set_limit(p, RLIMIT_AS, l->address_space, "address-space");
	set_limit(p, RLIMIT_NPROC, (unsigned long long)l->processes,
		  "processes");
	set_limit(p, RLIMIT_FSIZE, l->file_size, "file-size");
	set_limit(p, RLIMIT_NOFILE, (unsigned long long)l->open_files,
		  "open-files");
	set_limit(p, RLIMIT_CORE, 0, "core");
}

/*
 * PID 1 of the namespace: reaps orphans and reports how the command ended.
 * When it exits the kernel kills every process left in the namespace, which
 * is also how the parent's timeout ends the whole build (kill pid 1).
 */
/* One connection to 127.0.0.1:3128, carried to the host's proxy. */
static __attribute__((noreturn)) void forward(int client)
{
	struct sockaddr_un sa;
	int up = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, HWB_SANDBOX_PROXY_INSIDE);
	if (up >= 0 && !connect(up, (struct sockaddr *)&sa, sizeof(sa)))
		hwb_sandbox__relay(client, up);
	_exit(0);
}

/* With allow-network, pid 1 also accepts proxy connections, so it polls
 * for them between non-blocking waits. */
static pid_t wait_or_forward(int lfd, int *status)
{
	struct pollfd pfd = { lfd, POLLIN, 0 };
	pid_t pid;
	int client;

	if (lfd < 0)
		return waitpid(-1, status, 0);
	for (;;) {
		pid = waitpid(-1, status, WNOHANG);
		if (pid != 0)
			return pid;
		if (poll(&pfd, 1, 20) > 0 &&
		    (client = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			if (fork() == 0) {
				close(lfd);
				forward(client);
			}
			close(client);
		}
	}
}

static __attribute__((noreturn)) void reap(const struct hwb_sandbox__plan *p,
					   pid_t command, int lfd)
{
	int status = 0;
	pid_t pid;

	close(p->out_fd);
	close(p->null_fd);
	for (;;) {
		pid = wait_or_forward(lfd, &status);
		if (pid == command)
			break;
		if (pid < 0 && errno != EINTR)
			fail(p, "waiting for the command", NULL);
	}
	report(p, HWB_REC_EXIT, 0, status, "exit", NULL);
	_exit(0);
}

static void close_other_fds(const struct hwb_sandbox__plan *p)
{
	/* err_fd is O_CLOEXEC and reports until execve; nothing else leaks. */
	if (p->err_fd > 3 &&
	    syscall(SYS_close_range, 3U, (unsigned)p->err_fd - 1, 0U))
		fail(p, "closing inherited descriptors", NULL);
	if (syscall(SYS_close_range, (unsigned)p->err_fd + 1, ~0U, 0U))
		fail(p, "closing inherited descriptors", NULL);
}

static void wait_for_maps(const struct hwb_sandbox__plan *p)
{
	char go;

	/* EOF: the parent died or gave up before writing the maps. */
	if (read(p->sync_fd, &go, 1) != 1)
		_exit(127);
}

/*
 * A change of uid clears the parent-death signal, so it is set again after
 * the last one; hwb may have died in between, which the sync pipe shows
 * (hwb holds its write end until the run ends: EOF means it is gone), as
 * bubblewrap's --die-with-parent checks.
 */
static void die_with_parent(const struct hwb_sandbox__plan *p)
{
	struct pollfd pfd = { p->sync_fd, POLLIN, 0 };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		fail(p, "setting the parent-death signal", NULL);
	if (poll(&pfd, 1, 0) != 0)
		_exit(127);
}

/* One field (1-based, as proc(5) numbers them) of /proc/self/stat. */
static unsigned long stat_field(const char *stat, int field)
{
	const char *s = strrchr(stat, ')');
	int i;

	/* field 3 is the first after the command name's ')' */
	for (i = 2; s && i < field; i++)
		s = strchr(s + 1, ' ');
	return s ? strtoul(s + 1, NULL, 10) : 0;
}

/*
 * pid 1 is a fork of hwb: its copy of hwb's argv and environment (tokens
 * included) would show in /proc/1/cmdline and environ. Zero both before
 * anything of the build runs; the command gets only the plan's envp.
 */
static void forget_invocation(const struct hwb_sandbox__plan *p)
{
	char stat[2048];
	unsigned long a0, a1, e0, e1;
	size_t i;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || (n = read(fd, stat, sizeof(stat) - 1)) <= 0)
		fail(p, "reading", "/proc/self/stat");
	close(fd);
	stat[n] = '\0';
	a0 = stat_field(stat, 48);
	a1 = stat_field(stat, 49);
	e0 = stat_field(stat, 50);
	e1 = stat_field(stat, 51);
	if (!a0 || a1 < a0 || !e0 || e1 < e0)
		fail(p, "reading the argument area from", "/proc/self/stat");
	/* A caller that runs its own argv (tests/tools/sandbox-run) keeps it:
	 * it is the command line the sandbox runs anyway. */
	for (i = 0; p->argv[i]; i++)
		if ((unsigned long)p->argv[i] >= a0 && (unsigned long)p->argv[i] < a1)
			a1 = a0;
	for (volatile char *c = (volatile char *)a0; c < (volatile char *)a1; c++)
		*c = '\0';
	for (volatile char *c = (volatile char *)e0; c < (volatile char *)e1; c++)
		*c = '\0';
}

/* hwb build blocks SIGINT and SIGTERM to see them; the build must not. */
static void unblock_signals(const struct hwb_sandbox__plan *p)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_UNBLOCK, &set, NULL))
		fail(p, "unblocking signals", NULL);
}

/* The last steps, shared with --isolation none: the command's own process. */
static __attribute__((noreturn)) void exec_command(const struct hwb_sandbox__plan *p,
						   int seccomp)
{
	if (dup2(p->null_fd, 0) < 0 || dup2(p->out_fd, 1) < 0 ||
	    dup2(p->out_fd, 2) < 0)
		fail(p, "redirecting the command's output", NULL);
	close_other_fds(p);
	umask(022); /* wheels copy their members' modes from disk */
	set_limits(p);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		fail(p, "setting the parent-death signal", NULL);
	/* No controlling terminal: TIOCSTI injection (CVE-2017-5226). */
	if (setsid() < 0)
		fail(p, "starting a new session", NULL);
	if (chdir(p->cwd))
		fail(p, "changing directory to", p->cwd);
	report(p, HWB_REC_EXEC, 0, 0, "exec", NULL);
	/* Last before execve: everything above needs calls it denies. */
	if (seccomp && hwb_sandbox__seccomp_install(&p->seccomp))
		fail(p, "installing the seccomp filter", NULL);
	execve(p->argv[0], (char *const *)p->argv, p->envp);
	fail(p, "executing", p->argv[0]);
}

void hwb_sandbox__unsandboxed_child(const struct hwb_sandbox__plan *p)
{
	unblock_signals(p);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail(p, "setting no_new_privs", NULL);
	exec_command(p, 0);
}

/*
 * The engine's client confines the build itself, so it gets no rlimits of
 * ours (podman's own processes would count against RLIMIT_NPROC). It stays
 * in hwb's session: Ctrl-C reaches it, and it forwards signals to the
 * container (--sig-proxy); SIGTERM when hwb dies does the same.
 */
void hwb_sandbox__engine_child(const struct hwb_sandbox__plan *p)
{
	unblock_signals(p);
	if (dup2(p->null_fd, 0) < 0 || dup2(p->out_fd, 1) < 0 ||
	    dup2(p->out_fd, 2) < 0)
		fail(p, "redirecting the engine's output", NULL);
	close_other_fds(p);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0))
		fail(p, "setting the parent-death signal", NULL);
	if (chdir(p->cwd))
		fail(p, "changing directory to", p->cwd);
	report(p, HWB_REC_EXEC, 0, 0, "exec", NULL);
	execve(p->argv[0], (char *const *)p->argv, p->envp);
	fail(p, "executing", p->argv[0]);
}

/* 127.0.0.1:3128 in the sandbox's own network namespace. */
static int proxy_listener(const struct hwb_sandbox__plan *p)
{
	struct sockaddr_in sa;
	int fd;

	if (!p->proxy)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(HWB_SANDBOX_PROXY_PORT);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 64))
		fail(p, "listening for the allow-network proxy on", "127.0.0.1:3128");
	return fd;
}

void hwb_sandbox__sandbox_child(const struct hwb_sandbox__plan *p)
{
	pid_t command;
	int proxy_fd;

	/* A setuid or file-capability binary in a bind gains nothing. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		fail(p, "setting no_new_privs", NULL);
	/* If hwb dies, the namespace's pid 1 dies, and with it everything
	 * (armed again after each credential change, which clears it). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0))
		fail(p, "setting the parent-death signal", NULL);
	unblock_signals(p);
	forget_invocation(p);
	/* The parent writes uid_map/gid_map (setgroups denied unless root). */
	wait_for_maps(p);
	/* As root, host root is not mapped: become the namespace's root (a
	 * host id of this build's own) so that files it creates have an
	 * owner the namespace knows. */
	if (p->own_ids && (setgroups(0, NULL) || setresgid(0, 0, 0) ||
			   setresuid(0, 0, 0)))
		fail(p, "becoming the namespace's root", NULL);
	/* Loopback only: egress gets ENETUNREACH, 127.0.0.1 is our own. */
	loopback_up(p);
	/* --allow-network: the only way out is the host's CONNECT proxy. */
	proxy_fd = proxy_listener(p);
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL))
		fail(p, "making / a recursive slave", NULL);
	/* The new root starts as an empty tmpfs; the host root moves to
	 * /oldroot so binds name their sources there (as bwrap). */
	if (mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV, HWB_TMPFS_ROOT))
		fail(p, "mounting the root tmpfs on", BASE);
	if (chdir(BASE) || mkdir("newroot", 0755) || mkdir("oldroot", 0755))
		fail(p, "preparing the new root in", BASE);
	if (mount("newroot", "newroot", NULL, MS_BIND | MS_REC, NULL))
		fail(p, "bind-mounting the new root", NULL);
	if (syscall(SYS_pivot_root, BASE, BASE OLDROOT) || chdir("/"))
		fail(p, "pivot_root to the set-up tmpfs", NULL);
	/* Read-only nosuid/nodev binds of /usr and friends, the interpreter's
	 * prefix and the requirements environment; /bin, /lib* as symlinks
	 * when the host has merged /usr. */
	apply_mounts(p, HWB_MNT_SYMLINK);
	apply_mounts(p, HWB_MNT_BIND_RO);
	/* A fresh /proc: only this PID namespace's processes are visible. */
	if (mkdir(NEWROOT "/proc", 0755) ||
	    mount("proc", NEWROOT "/proc", "proc",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		fail(p, "mounting", "/proc");
	/* A minimal /dev: null, zero, full, random, urandom, tty. */
	apply_mounts(p, HWB_MNT_DEV);
	/* Stub /etc/passwd and /etc/group: getpass.getuser() needs an entry. */
	apply_mounts(p, HWB_MNT_FILE);
	/* The writable copy of the source and the output directory; then the
	 * read-only repository metadata inside the copy (setuptools-scm). */
	apply_mounts(p, HWB_MNT_BIND_RW);
	apply_mounts(p, HWB_MNT_BIND_RO_NESTED);
	/* HOME, TMPDIR and /dev/shm in tmpfs, owned by the build user. */
	apply_mounts(p, HWB_MNT_TMPFS);
	/* The binds' host descriptors are not the build's to keep. */
	for (size_t i = 0; i < p->mount_count; i++)
		if (p->mounts[i].fd >= 0)
			close(p->mounts[i].fd);
	/* Detach the host root, then pivot into the new root with the
	 * pivot_root(".", ".") idiom (runc, LXC) and drop what was stacked. */
	if (umount2(OLDROOT, MNT_DETACH))
		fail(p, "detaching the old root", NULL);
	if (chdir(NEWROOT) || syscall(SYS_pivot_root, ".", ".") ||
	    umount2(".", MNT_DETACH) || chdir("/"))
		fail(p, "pivot_root into the new root", NULL);
	/* Everything outside the writable mounts is read-only. */
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID |
		  MS_NODEV, NULL))
		fail(p, "remounting the root read-only", NULL);
	if (sethostname(HWB_SANDBOX_HOSTNAME, strlen(HWB_SANDBOX_HOSTNAME)))
		fail(p, "setting the hostname", NULL);

	/* PID 1 stays behind to reap; the command runs in its child. */
	command = fork();
	if (command < 0)
		fail(p, "forking the command", NULL);
	/* Neither process needs a capability from here on: the bounding set
	 * first (needs CAP_SETPCAP), then the uid change (needs CAP_SETUID),
	 * then the permitted and effective sets. */
	drop_bounding_set(p);
	become_build_user(p);
	if (capset_empty())
		fail(p, "dropping capabilities", NULL);
	die_with_parent(p);
	if (command > 0) {
		close(p->sync_fd);
		reap(p, command, proxy_fd);
	}
	/* Then, in exec_command: descriptors, umask 022, rlimits, die with
	 * the parent, a new session, seccomp last, execve. */
	exec_command(p, 1);
}
