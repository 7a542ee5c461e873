/* SPDX-License-Identifier: Apache-2.0 */
/*
 * leftovers.c: what a killed build leaves behind, and its safe removal by
 * the next one. Every work directory (TMPDIR/hwb-build-XXXXXX) holds a
 * .lock file that its build keeps flock()ed while it runs, and every
 * temporary copy into an outdir on another file system (.NAME.XXXXXX, from
 * pkg/core/fileio.h) is flock()ed while it is written. A sweep removes only
 * entries of that shape, owned by hwb's user, whose lock it can take: no
 * running build's files, nobody else's.
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

void hwb_build__sweep_work(const char *tmpdir)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char *path;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!stale_work(dirfd(d), e->d_name) ||
		    !(path = hwb_strdup_printf("%s/%s", tmpdir, e->d_name)))
			continue;
		hwb_build__remove_tree(path);
		rmdir(path);
		hwb_log_info("removed '%s', left by a build that was killed", path);
		free(path);
	}
	closedir(d);
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

void hwb_build__sweep_outdir(const char *outdir)
{
	DIR *d = opendir(outdir);
	struct dirent *e;
	struct stat st;
	int fd;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!temp_copy_name(e->d_name) ||
		    (fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW |
				 O_CLOEXEC)) < 0)
			continue;
		if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid() && unlocked(fd) &&
		    !unlinkat(dirfd(d), e->d_name, 0))
			hwb_log_info("removed '%s/%s', a copy a killed build left "
				     "unfinished", outdir, e->d_name);
		close(fd);
	}
	closedir(d);
}
