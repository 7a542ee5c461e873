/* SPDX-License-Identifier: Apache-2.0 */
/*
 * supervise.c: the one supervisor of every kind of run (namespace.c,
 * host.c, container_run.c). It streams the output live through the
 * redacting log and caps what it keeps (a head and the tail, where a
 * flood's final traceback is), takes the child's records, watches the
 * wall-clock timeout, the disk the writable binds hold and the SIGINT or
 * SIGTERM the caller blocked, and turns the end of the run into a result
 * or an error naming the limit that was hit. Stopping a run is its
 * starter's: hwb_sandbox__supervise returns when one must be stopped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"
#include "pkg/core/log.h"

void hwb_sandbox_result_release(struct hwb_sandbox_result *r)
{
	hwb_buf_release(&r->log);
	r->exit_status = -1;
	r->term_signal = 0;
	r->timed_out = 0;
	r->limit_hit = NULL;
	r->log_truncated = 0;
	r->start_ms = 0;
	r->interrupted = 0;
}

double hwb_sandbox__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void hwb_sandbox__close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The child dup2()s onto 0-2, so its descriptors must not be 0-2. */
static int above_stdio(int *fd)
{
	int moved;

	if (*fd > 2)
		return 0;
	moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	close(*fd);
	*fd = moved;
	return moved < 0 ? -1 : 0;
}

int hwb_sandbox__fds_open(struct hwb_sandbox__fds *f, struct hwb_error *err)
{
	sigset_t blocked, watched;

	/* A caller that blocked SIGINT and SIGTERM (hwb build) wants them to
	 * end the run, not hwb: they arrive here while the run lasts. */
	sigemptyset(&watched);
	if (!sigprocmask(SIG_BLOCK, NULL, &blocked)) {
		if (sigismember(&blocked, SIGINT))
			sigaddset(&watched, SIGINT);
		if (sigismember(&blocked, SIGTERM))
			sigaddset(&watched, SIGTERM);
	}
	if (!sigisemptyset(&watched) &&
	    (f->sig_fd = signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B010",
				       "sandbox: cannot watch for signals");
	if (pipe2(f->sync, O_CLOEXEC) || pipe2(f->err, O_CLOEXEC) ||
	    pipe2(f->out, O_CLOEXEC) ||
	    (f->null_fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0 ||
	    above_stdio(&f->sync[0]) || above_stdio(&f->err[1]) ||
	    above_stdio(&f->out[1]) || above_stdio(&f->null_fd))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B010",
				       "sandbox: cannot create its pipes");
	return 0;
}

void hwb_sandbox__fds_close(struct hwb_sandbox__fds *f)
{
	hwb_sandbox__close_fd(&f->sync[0]);
	hwb_sandbox__close_fd(&f->sync[1]);
	hwb_sandbox__close_fd(&f->err[0]);
	hwb_sandbox__close_fd(&f->err[1]);
	hwb_sandbox__close_fd(&f->out[0]);
	hwb_sandbox__close_fd(&f->out[1]);
	hwb_sandbox__close_fd(&f->null_fd);
	hwb_sandbox__close_fd(&f->sig_fd);
}

static void emit_lines(struct hwb_sandbox__supervisor *s, int flush)
{
	char *nl;
	size_t n;

	if (s->quiet) {
		hwb_buf_clear(&s->line);
		return;
	}
	while ((nl = memchr(s->line.ptr, '\n', s->line.len))) {
		n = (size_t)(nl - s->line.ptr);
		hwb_log_text(HWB_LOG_INFO, s->line.ptr, n);
		memmove(s->line.ptr, nl + 1, s->line.len - n - 1);
		hwb_buf_truncate(&s->line, s->line.len - n - 1);
	}
	if (flush && s->line.len) {
		hwb_log_text(HWB_LOG_INFO, s->line.ptr, s->line.len);
		hwb_buf_clear(&s->line);
	}
}

/* The head of the output is kept (log-max less the tail) and streamed;
 * past it, a window of the last TAIL_KEEP bytes, where a flood's final
 * traceback is, joins the log at the end of the run. */
#define TAIL_KEEP ((size_t)64 << 10)

static size_t head_max(const struct hwb_sandbox__supervisor *s)
{
	return s->log_max > 2 * TAIL_KEEP ? s->log_max - TAIL_KEEP : s->log_max / 2;
}

static void keep_tail(struct hwb_sandbox__supervisor *s, const char *data, size_t n)
{
	size_t keep = s->log_max - head_max(s), drop;

	hwb_buf_put(&s->tail, data, n);
	if (s->tail.len > 2 * keep) {
		drop = s->tail.len - keep;
		s->dropped += drop;
		memmove(s->tail.ptr, s->tail.ptr + drop, keep);
		hwb_buf_truncate(&s->tail, keep);
	}
}

static void take_output(struct hwb_sandbox__supervisor *s, const char *data, size_t n)
{
	struct hwb_sandbox_result *r = s->result;
	size_t max = head_max(s),
	       room = max > r->log.len ? max - r->log.len : 0;

	if (n > room) {
		if (!r->log_truncated && !s->quiet)
			hwb_log_warn("build output beyond %zu bytes is not shown "
				     "as it comes; its last %zu KiB follow when "
				     "the step ends (log-max)", max,
				     (s->log_max - max) >> 10);
		r->log_truncated = 1;
		keep_tail(s, data + room, n - room);
		n = room;
	}
	if (!n)
		return;
	hwb_buf_put(&r->log, data, n);
	hwb_buf_put(&s->line, data, n);
	/* A line longer than 64 KiB is streamed in pieces. */
	emit_lines(s, s->line.len > 65536);
}

/* Head, a marker, then the tail: into the log, and shown. */
static void join_tail(struct hwb_sandbox__supervisor *s)
{
	struct hwb_sandbox_result *r = s->result;
	size_t keep = s->log_max - head_max(s), start = 0;
	char mark[128];

	if (!r->log_truncated)
		return;
	emit_lines(s, 1);
	if (s->tail.len > keep) {
		start = s->tail.len - keep;
		s->dropped += start;
	}
	/* Start the tail at a line. */
	while (start < s->tail.len && start < keep / 2 &&
	       s->tail.ptr[start] != '\n')
		start++, s->dropped++;
	snprintf(mark, sizeof(mark), "\n[hwb: %llu bytes of output left out; "
		 "the last %zu follow]\n", s->dropped, s->tail.len - start);
	hwb_buf_put(&r->log, mark, strlen(mark));
	hwb_buf_put(&r->log, s->tail.ptr + start, s->tail.len - start);
	hwb_buf_put(&s->line, mark + 1, strlen(mark) - 1);
	hwb_buf_put(&s->line, s->tail.ptr + start, s->tail.len - start);
	emit_lines(s, 1);
}

static void take_record(struct hwb_sandbox__supervisor *s,
			const struct hwb_sandbox__record *rec, double t0)
{
	switch (rec->type) {
	case HWB_REC_SETUP_ERROR:
		if (!s->have_setup_error)
			s->setup_error = *rec;
		s->have_setup_error = 1;
		break;
	case HWB_REC_EXEC:
		s->result->start_ms = hwb_sandbox__now_ms() - t0;
		break;
	case HWB_REC_EXIT:
		s->have_exit = 1;
		s->exit_status = rec->status;
		break;
	}
}

/* Bytes allocated under the directory open at fd (closed here); depth
 * bounds the recursion, and a tree deeper than that counts as full. */
static unsigned long long disk_usage(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	struct stat st;
	unsigned long long total = 0;
	int sub;

	if (!d) {
		close(fd);
		return 0;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		total += (unsigned long long)st.st_blocks * 512;
		if (!S_ISDIR(st.st_mode))
			continue;
		if (!depth) {
			total = ~0ULL >> 1;
			break;
		}
		sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY |
			     O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			total += disk_usage(sub, depth - 1);
	}
	closedir(d);
	return total;
}

#define DISK_CHECK_MS 250.0
#define DISK_MAX_DEPTH 256

/* 1 when the writable binds newly hold more than limits.disk: the run
 * is stopped as at a timeout. */
static int disk_over(struct hwb_sandbox__supervisor *s)
{
	unsigned long long used = 0;
	size_t i;
	int fd;

	s->next_disk_check = hwb_sandbox__now_ms() + DISK_CHECK_MS;
	for (i = 0; i < s->spec->bind_count; i++) {
		if (!s->spec->binds[i].writable ||
		    (fd = open(s->spec->binds[i].host, O_RDONLY | O_DIRECTORY |
			       O_CLOEXEC)) < 0)
			continue;
		used += disk_usage(fd, DISK_MAX_DEPTH);
	}
	if (used <= s->spec->limits.disk || s->disk_hit)
		return 0;
	s->disk_hit = 1;
	return 1;
}

void hwb_sandbox__supervisor_init(struct hwb_sandbox__supervisor *s,
				  struct hwb_sandbox_result *result,
				  const struct hwb_sandbox_limits *limits,
				  int quiet)
{
	memset(s, 0, sizeof(*s));
	hwb_buf_init(&s->line);
	hwb_buf_init(&s->tail);
	s->result = result;
	s->limits = *limits;
	s->log_max = limits->log_max;
	s->quiet = quiet;
	hwb_sandbox__supervisor_start(s);
}

void hwb_sandbox__supervisor_start(struct hwb_sandbox__supervisor *s)
{
	s->t0 = hwb_sandbox__now_ms();
	s->deadline = s->limits.timeout_seconds > 0
			      ? s->t0 + s->limits.timeout_seconds * 1000.0 : 0;
}

void hwb_sandbox__supervisor_release(struct hwb_sandbox__supervisor *s)
{
	hwb_buf_release(&s->line);
	hwb_buf_release(&s->tail);
}

int hwb_sandbox__supervise(struct hwb_sandbox__supervisor *s,
			   struct hwb_sandbox__fds *f)
{
	struct pollfd pfd[3];
	struct signalfd_siginfo si;
	struct hwb_sandbox__record rec;
	char buf[16384];
	ssize_t n;
	int wait_ms;

	while (f->out[0] >= 0 || f->err[0] >= 0) {
		pfd[0].fd = f->out[0];
		pfd[1].fd = f->err[0];
		pfd[2].fd = s->result->interrupted ? -1 : f->sig_fd;
		pfd[0].events = pfd[1].events = pfd[2].events = POLLIN;
		pfd[2].revents = 0;
		wait_ms = -1;
		if (s->deadline && !s->result->timed_out) {
			double left = s->deadline - hwb_sandbox__now_ms();

			wait_ms = left > 0 ? (int)left + 1 : 0;
		}
		if (s->spec && !s->disk_hit) {
			double left = s->next_disk_check - hwb_sandbox__now_ms();

			if (left <= 0) {
				if (disk_over(s))
					return 1;
				left = DISK_CHECK_MS;
			}
			if (wait_ms < 0 || left < wait_ms)
				wait_ms = (int)left + 1;
		}
		n = poll(pfd, 3, wait_ms);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && s->deadline && hwb_sandbox__now_ms() >= s->deadline &&
		    !s->result->timed_out) {
			s->result->timed_out = 1;
			return 1;
		}
		if (n <= 0)
			continue;
		if (pfd[2].revents &&
		    read(f->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			/* Ctrl-C or SIGTERM: the whole sandbox ends now. */
			s->result->interrupted = (int)si.ssi_signo;
			return 1;
		}
		if (pfd[0].revents) {
			n = read(f->out[0], buf, sizeof(buf));
			if (n > 0)
				take_output(s, buf, (size_t)n);
			else if (n == 0 || errno != EINTR)
				hwb_sandbox__close_fd(&f->out[0]);
		}
		if (pfd[1].revents) {
			n = read(f->err[0], &rec, sizeof(rec));
			if (n == (ssize_t)sizeof(rec))
				take_record(s, &rec, s->t0);
			else if (n >= 0 || errno != EINTR)
				hwb_sandbox__close_fd(&f->err[0]);
		}
	}
	emit_lines(s, 1);
	join_tail(s);
	return 0;
}

/*
 * Which limit a failed run hit. The CPU and file-size limits end a process
 * with a signal; the address-space, process and open-file limits surface as
 * errno values inside the build (ENOMEM, EAGAIN from fork, EMFILE), so those
 * are recognised from what the build printed about them.
 */
const char *hwb_sandbox_limit_from_log(const struct hwb_buf *log)
{
	static const struct {
		const char *text;
		const char *limit;
	} signs[] = {
		{ "MemoryError", "address-space" },
		{ "Cannot allocate memory", "address-space" },
		{ "std::bad_alloc", "address-space" },
		{ "virtual memory exhausted", "address-space" },
		{ "out of memory", "address-space" },
		{ "BlockingIOError", "processes" },
		{ "fork: Resource temporarily unavailable", "processes" },
		{ "fork: retry", "processes" },
		{ "Too many open files", "open-files" },
		{ "File too large", "file-size" },
	};
	size_t i;

	for (i = 0; i < sizeof(signs) / sizeof(signs[0]); i++)
		if (memmem(log->ptr, log->len, signs[i].text,
			   strlen(signs[i].text)))
			return signs[i].limit;
	return NULL;
}

static void describe_limit(const struct hwb_sandbox_limits *l,
			   const char *limit, char *out, size_t outsz)
{
	if (!strcmp(limit, "cpu"))
		snprintf(out, outsz, "the CPU time limit (cpu = %ld s)",
			 l->cpu_seconds);
	else if (!strcmp(limit, "address-space"))
		snprintf(out, outsz, "the address-space limit (address-space = "
			 "%llu MiB)", l->address_space >> 20);
	else if (!strcmp(limit, "processes"))
		snprintf(out, outsz, "the process limit (processes = %ld)",
			 l->processes);
	else if (!strcmp(limit, "memory"))
		snprintf(out, outsz, "the memory limit of the whole build "
			 "(memory = %llu MiB, processes and tmpfs together; the "
			 "kernel's OOM killer acted)", l->memory >> 20);
	else if (!strcmp(limit, "disk"))
		snprintf(out, outsz, "the disk limit of the whole build (disk = "
			 "%llu MiB in its source copy and outputs)", l->disk >> 20);
	else if (!strcmp(limit, "open-files"))
		snprintf(out, outsz, "the open-file limit (open-files = %ld)",
			 l->open_files);
	else
		snprintf(out, outsz, "the file-size limit (file-size = %llu MiB)",
			 l->file_size >> 20);
}

int hwb_sandbox__judge(struct hwb_sandbox__supervisor *s, struct hwb_error *err)
{
	struct hwb_sandbox_result *r = s->result;
	const struct hwb_sandbox_limits *l = &s->limits;

	if (r->interrupted)
		return hwb_sandbox_interrupted_error(r->interrupted, err);
	if (s->disk_hit) {
		r->limit_hit = "disk";
		return hwb_sandbox_limit_error(l, r->limit_hit, err);
	}
	if (r->timed_out)
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B011",
				     "the build was killed after the wall-clock "
				     "timeout of %ld s", l->timeout_seconds),
		       hwb_error_hint(err, "raise it with --timeout SECONDS if the "
				      "build is just slow");
	if (s->have_setup_error) {
		errno = s->setup_error.errnum;
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B010",
				       "sandbox set-up failed while %.200s",
				       s->setup_error.what),
		       hwb_error_hint(err, "the namespace probe passed, so this is "
				      "a host layout hwb does not handle: report "
				      "it, or build with --isolation none");
	}
	/* The OOM killer may have ended pid 1 itself: the group knows. */
	if (s->cgroup && (r->limit_hit = hwb_sandbox__cgroup_limit_hit(s->cgroup)))
		return hwb_sandbox_limit_error(l, r->limit_hit, err);
	if (!s->have_exit)
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B012",
				     "the sandbox ended without reporting the "
				     "build's status (killed from outside?)"),
		       hwb_error_hint(err, "check the system log for the OOM "
				      "killer, then build again");
	if (WIFSIGNALED(s->exit_status)) {
		r->term_signal = WTERMSIG(s->exit_status);
		if (r->term_signal == SIGXCPU)
			r->limit_hit = "cpu";
		else if (r->term_signal == SIGXFSZ)
			r->limit_hit = "file-size";
	} else {
		r->exit_status = WEXITSTATUS(s->exit_status);
		if (r->exit_status)
			r->limit_hit = hwb_sandbox_limit_from_log(&r->log);
	}
	if (!r->limit_hit)
		return 0;
	return hwb_sandbox_limit_error(l, r->limit_hit, err);
}

int hwb_sandbox_interrupted_error(int sig, struct hwb_error *err)
{
	return hwb_error_set(err, sig == SIGINT ? HWB_KIND_INTERRUPTED
						: HWB_KIND_TERMINATED,
			     "HWB-B014", "interrupted by %s: the sandbox was "
			     "killed and nothing was written to the output "
			     "directory", sig == SIGINT ? "SIGINT" : "SIGTERM"),
	       hwb_error_hint(err, "run the command again to build");
}

int hwb_sandbox_limit_error(const struct hwb_sandbox_limits *l,
			   const char *limit, struct hwb_error *err)
{
	char what[128];

	describe_limit(l, limit, what, sizeof(what));
	return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B013",
			     "the build failed after hitting %s", what),
	       hwb_error_hint(err, "raise the limit in your hwb configuration "
			      "(tool.hwb.build.limits may only lower it) if the "
			      "build legitimately needs more");
}

