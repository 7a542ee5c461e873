/* SPDX-License-Identifier: Apache-2.0 */
/*
 * leftovers.c: what a killed build leaves behind, and its safe removal by
 * the next one. Every work directory (TMPDIR/hwb-build-XXXXXX) holds a
 * .lock file that its build keeps flock()ed while it runs, and every
 * temporary copy into an outdir on another file system (.NAME.XXXXXX, from
 * pkg/core/fileio.h) is flock()ed while it is written. A sweep removes only
 * entries of that shape, owned by hwb's user, whose lock it can take: no
 * running build's files, nobody else's. `hwb doctor` lists the same
 * entries without removing them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/core/log.h"

#define WORK_PREFIX "hwb-build-"
#define LOCK_NAME ".lock"

int hwb_build__work_lock(const char *work, int *fd, struct hwb_error *err)
{
	char *path = hwb_strdup_printf("%s/" LOCK_NAME, work);

	if (!path)
		return hwb_error_oom(err);
	*fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (*fd < 0 || flock(*fd, LOCK_EX | LOCK_NB))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B062",
				       "cannot lock the work directory '%s'", work);
	return 0;
}

/* 1 when fd's lock could be taken: nobody holds it. */
static int unlocked(int fd)
{
	return fd >= 0 && !flock(fd, LOCK_EX | LOCK_NB);
}

/* A directory of ours named like a work directory, no longer locked. */
static int stale_work(int dirfd, const char *name)
{
	struct stat st;
	int d, lock, stale;

	if (strncmp(name, WORK_PREFIX, strlen(WORK_PREFIX)) ||
	    strlen(name) != strlen(WORK_PREFIX) + 6 ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return 0;
	if ((d = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC)) < 0)
		return 0;
	lock = openat(d, LOCK_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(d);
	/* No lock file: a build between mkdtemp and its lock, or one from an
	 * older hwb; neither is ours to judge, so it stays. */
	stale = unlocked(lock);
	if (lock >= 0)
		close(lock);
	return stale;
}

/* Disk space under path (not following links); 0 when unreadable. */
static unsigned long long tree_bytes(int at, const char *name, int depth)
{
	unsigned long long sum = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	sum = (unsigned long long)st.st_blocks * 512ULL;
	if (!S_ISDIR(st.st_mode) || depth > 64 ||
	    (fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			 O_CLOEXEC)) < 0)
		return sum;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return sum;
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			sum += tree_bytes(dirfd(d), e->d_name, depth + 1);
	closedir(d);
	return sum;
}

/* ".NAME.XXXXXX" where NAME is a distribution's file name. */
static int temp_copy_name(const char *name)
{
	size_t n = strlen(name);
	const char *dot = n > 8 ? name + n - 7 : NULL;

	if (name[0] != '.' || !dot || *dot != '.')
		return 0;
	return (dot - name > 5 && !memcmp(dot - 4, ".whl", 4)) ||
	       (dot - name > 8 && !memcmp(dot - 7, ".tar.gz", 7));
}

/* A file of ours named like an outdir copy, no longer locked. */
static int stale_copy(int dirfd, const char *name)
{
	struct stat st;
	int fd, stale;

	if (!temp_copy_name(name) ||
	    (fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	stale = !fstat(fd, &st) && S_ISREG(st.st_mode) &&
		st.st_uid == geteuid() && unlocked(fd);
	close(fd);
	return stale;
}

/* Call found(dir, name, ctx) for every stale entry of dir: work
 * directories (work) or outdir copies; stops when it returns -1. */
static int each_stale(const char *dir, int work,
		      int (*found)(DIR *d, const char *dir, const char *name,
				   void *ctx),
		      void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return 0;
	while (!rc && (e = readdir(d)))
		if (work ? stale_work(dirfd(d), e->d_name)
			 : stale_copy(dirfd(d), e->d_name))
			rc = found(d, dir, e->d_name, ctx);
	closedir(d);
	return rc;
}

static int remove_work(DIR *d, const char *dir, const char *name, void *ctx)
{
	char *path = hwb_strdup_printf("%s/%s", dir, name);

	(void)d;
	(void)ctx;
	if (!path)
		return 0;
	hwb_build__remove_tree(path);
	rmdir(path);
	hwb_log_info("removed '%s', left by a build that was killed", path);
	free(path);
	return 0;
}

void hwb_build__sweep_work(const char *tmpdir)
{
	each_stale(tmpdir, 1, remove_work, NULL);
}

static int remove_copy(DIR *d, const char *dir, const char *name, void *ctx)
{
	(void)ctx;
	if (!unlinkat(dirfd(d), name, 0))
		hwb_log_info("removed '%s/%s', a copy a killed build left "
			     "unfinished", dir, name);
	return 0;
}

void hwb_build__sweep_outdir(const char *outdir)
{
	each_stale(outdir, 0, remove_copy, NULL);
}

/* ---- the report mode of the two sweeps (hwb doctor) ---- */

struct listing {
	struct hwb_build_leftover *items;
	size_t count, cap;
	int work;
};

static int list_one(DIR *d, const char *dir, const char *name, void *ctx)
{
	struct listing *l = ctx;
	struct hwb_build_leftover *it;

	if (l->count == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;

		if (!(it = realloc(l->items, cap * sizeof(*it))))
			return -1;
		l->items = it;
		l->cap = cap;
	}
	it = &l->items[l->count];
	if (!(it->path = hwb_strdup_printf("%s/%s", dir, name)))
		return -1;
	it->work = l->work;
	it->bytes = tree_bytes(dirfd(d), name, 0);
	l->count++;
	return 0;
}

const char *hwb_build_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");

	return tmp && tmp[0] == '/' ? tmp : "/tmp";
}

int hwb_build_leftovers(const char *tmpdir, const char *outdir,
			struct hwb_build_leftover **out, size_t *count,
			struct hwb_error *err)
{
	struct listing l = { NULL, 0, 0, 1 };

	*out = NULL;
	*count = 0;
	if (each_stale(tmpdir, 1, list_one, &l) ||
	    (outdir && (l.work = 0, each_stale(outdir, 0, list_one, &l)))) {
		hwb_build_leftovers_free(l.items, l.count);
		return hwb_error_oom(err);
	}
	*out = l.items;
	*count = l.count;
	return 0;
}

void hwb_build_leftovers_free(struct hwb_build_leftover *l, size_t count)
{
	size_t i;

	for (i = 0; i < count && l; i++)
		free(l[i].path);
	free(l);
}
