/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tree.c: directory trees for a build: the writable COPY of the source that
 * the backend gets (setuptools cannot build from a read-only tree, and the
 * origin must stay untouched), unpacking the sdist for the wheel stage (in
 * the walk of hwb check, pkg/wheel's hwb_check_sdist), and removing a work
 * directory. Version-control metadata and bytecode caches
 * are not copied.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/wheel/wheel.h"

static int skipped(const char *name)
{
	static const char *const names[] = { ".git", ".hg", ".svn", ".bzr",
					     "__pycache__", ".tox", ".nox" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

static int copy_file(int sfd, const char *name, int ddir, mode_t mode)
{
	int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out = -1;
	struct stat st;
	ssize_t n = 0;
	off_t left;

	if (in < 0 || fstat(in, &st))
		goto fail;
	/* Modes from the executable bit only (as archives are normalised). */
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		     O_CLOEXEC, (mode & 0111) ? 0755 : 0644);
	if (out < 0)
		goto fail;
	for (left = st.st_size; left > 0; left -= n) {
		n = sendfile(out, in, NULL, (size_t)(left > (1 << 30) ? (1 << 30) : left));
		if (n <= 0)
			goto fail;
	}
	close(in);
	return close(out);
fail:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return -1;
}

/* Copy the directory open at sfd into the one open at dfd. */
static int copy_dir(int sfd, int dfd, long long *newest, char *failed,
		    size_t failedsz)
{
	DIR *d = fdopendir(dup(sfd));
	struct dirent *e;
	struct stat st;
	char target[4096];
	ssize_t n;
	int rc = 0, s2, d2;

	if (!d)
		return -1;
	while (!rc && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    skipped(e->d_name))
			continue;
		snprintf(failed, failedsz, "%s", e->d_name);
		if (fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			rc = -1;
			break;
		}
		if (st.st_mtime > *newest)
			*newest = st.st_mtime;
		if (S_ISREG(st.st_mode)) {
			rc = copy_file(sfd, e->d_name, dfd, st.st_mode);
		} else if (S_ISLNK(st.st_mode)) {
			n = readlinkat(sfd, e->d_name, target, sizeof(target) - 1);
			if (n < 0)
				rc = -1;
			else {
				target[n] = '\0';
				rc = symlinkat(target, dfd, e->d_name);
			}
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdirat(dfd, e->d_name, 0755))
				rc = -1;
			s2 = openat(sfd, e->d_name, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			d2 = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY |
				    O_NOFOLLOW | O_CLOEXEC);
			if (!rc && (s2 < 0 || d2 < 0))
				rc = -1;
			if (!rc)
				rc = copy_dir(s2, d2, newest, failed, failedsz);
			if (s2 >= 0)
				close(s2);
			if (d2 >= 0)
				close(d2);
		}
		/* Sockets, FIFOs and devices have no place in a source tree. */
	}
	closedir(d);
	return rc;
}

int hwb_build__copy_tree(const char *src, const char *dst, long long *newest,
			 struct hwb_error *err)
{
	char failed[256] = "";
	int sfd = -1, dfd = -1, rc = -1;

	*newest = 0;
	sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mkdir(dst, 0755) ||
	    (dfd = open(dst, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    sfd < 0 || copy_dir(sfd, dfd, newest, failed, sizeof(failed))) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B036",
				"cannot copy the source tree '%s' (at '%s')", src,
				failed);
		hwb_error_hint(err, "check that the tree is readable and that "
			       "TMPDIR has room");
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

static int remove_entry(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) && errno != ENOENT ? 0 : 0;
	return unlink(path) && errno != ENOENT ? 0 : 0;
}

void hwb_build__remove_tree(const char *path)
{
	if (path && *path)
		nftw(path, remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/*
 * The unpacker hwb_check_sdist() drives: each member the check accepted,
 * with the bytes the check read, goes below dir. The check has refused
 * absolute paths, '..' and links that leave the project; directories are
 * still opened without following symbolic links (O_NOFOLLOW at every
 * component), so no member is written through a link another member made.
 * Modes are 644/755 from the executable bit. A name that exists already
 * (a duplicate, refused by the check as W103) keeps its first copy.
 */
static int unpack_error(struct hwb_build__unpack *u, const char *path,
			struct hwb_error *err)
{
	hwb_error_errno(err, HWB_KIND_BUILD, "HWB-B037",
			"cannot unpack '%s' of the sdist into %s", path, u->dir);
	return hwb_error_hint(err, "the backend produced a broken sdist; "
			      "build with --wheel to skip it, and report it "
			      "to the backend");
}

/* The directory holding path's last component, created as needed; *last
 * points at that component. Returns a descriptor, or -1 with errno. */
static int open_parent(int root, const char *path, const char **last)
{
	char part[NAME_MAX + 1];
	const char *p = path, *slash;
	int fd = dup(root), next;
	size_t n;

	while (fd >= 0 && (slash = strchr(p, '/')) && slash[1]) {
		n = (size_t)(slash - p);
		if (n > NAME_MAX) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		if (mkdirat(fd, part, 0755) && errno != EEXIST)
			next = -1;
		else
			next = openat(fd, part, O_RDONLY | O_DIRECTORY |
				      O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*last = p;
	return fd;
}

static int unpack_entry(void *ctx, const struct hwb_sdist_entry *e,
			struct hwb_error *err)
{
	struct hwb_build__unpack *u = ctx;
	char name[NAME_MAX + 1];
	const char *last;
	size_t n;
	int dir;

	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	if ((dir = open_parent(u->root, e->path, &last)) < 0)
		return unpack_error(u, e->path, err);
	n = strcspn(last, "/");
	if (n > NAME_MAX) {
		close(dir);
		errno = ENAMETOOLONG;
		return unpack_error(u, e->path, err);
	}
	memcpy(name, last, n);
	name[n] = '\0';
	errno = 0;
	if (e->type == 'd') {
		if (mkdirat(dir, name, 0755) && errno != EEXIST)
			goto fail;
	} else if (e->type == 'l') {
		if (symlinkat(e->link, dir, name) && errno != EEXIST)
			goto fail;
	} else {
		u->fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL |
			       O_NOFOLLOW | O_CLOEXEC,
			       (e->mode & 0111) ? 0755 : 0644);
		if (u->fd < 0 && errno != EEXIST)
			goto fail;
	}
	close(dir);
	return 0;
fail:
	close(dir);
	return unpack_error(u, e->path, err);
}

static int unpack_data(void *ctx, const uint8_t *data, size_t len,
		       struct hwb_error *err)
{
	struct hwb_build__unpack *u = ctx;
	ssize_t n;

	while (u->fd >= 0 && len) {
		n = write(u->fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return unpack_error(u, "a file", err);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int hwb_build__unpack_open(struct hwb_build__unpack *u, const char *dir,
			   struct hwb_sdist_visitor *v, struct hwb_error *err)
{
	u->dir = dir;
	u->fd = -1;
	u->root = -1;
	if (mkdir(dir, 0755) ||
	    (u->root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC)) < 0)
		return unpack_error(u, ".", err);
	v->entry = unpack_entry;
	v->data = unpack_data;
	v->ctx = u;
	return 0;
}

void hwb_build__unpack_close(struct hwb_build__unpack *u)
{
	if (u->fd >= 0)
		close(u->fd);
	if (u->root >= 0)
		close(u->root);
	u->fd = u->root = -1;
}
