/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fileio.c: atomic output files, careful whole-file reads of untrusted
 * input, and mkdir -p (see fileio.h).
 */
#include "pkg/core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int path_error(struct hwb_error *err, const char *code,
		      const char *path, const char *what)
{
	hwb_error_errno(err, HWB_KIND_CONFIG, code, "%s", what);
	return hwb_error_at(err, path, 0, 0);
}

/* Split path into a malloc'd directory and a pointer to the last component. */
static int split_path(const char *path, char **dir, const char **name,
		      struct hwb_error *err)
{
	const char *slash = strrchr(path, '/');

	*name = slash ? slash + 1 : path;
	if (!**name || !strcmp(*name, ".") || !strcmp(*name, "..")) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F004",
			      "'%s' does not name a file", path);
		return hwb_error_at(err, path, 0, 0);
	}
	if (!slash)
		*dir = hwb_strdup(".");
	else if (slash == path)
		*dir = hwb_strdup("/");
	else
		*dir = strndup(path, (size_t)(slash - path));
	return *dir ? 0 : hwb_error_oom(err);
}

int hwb_atomic_open(struct hwb_atomic_file *f, const char *path, mode_t mode,
		    struct hwb_error *err)
{
	const char *name;
	int n;

	*f = (struct hwb_atomic_file)HWB_ATOMIC_FILE_INIT;
	if (split_path(path, &f->dir, &name, err))
		goto fail;
	if (!(f->path = hwb_strdup(path)) ||
	    !(f->tmp_path = hwb_strdup_printf("%s/.%s.XXXXXX", f->dir, name))) {
		hwb_error_oom(err);
		goto fail;
	}
	n = (int)strlen(f->tmp_path);
	if (n >= PATH_MAX) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F004",
			      "path too long for a temporary file (%d bytes)", n);
		hwb_error_at(err, path, 0, 0);
		goto fail;
	}
	/* Unnamed until commit: a process killed while writing leaves
	 * nothing. Where the file system has no O_TMPFILE, or there is no
	 * /proc to name it through later, a named one. */
	if (!access("/proc/self/fd", X_OK))
		f->fd = open(f->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	f->unnamed = f->fd >= 0;
	if (f->fd < 0)
		f->fd = mkostemp(f->tmp_path, O_CLOEXEC);
	if (f->fd < 0) {
		path_error(err, "HWB-F001", path,
			   "cannot create a temporary file beside the output");
		hwb_error_hint(err, "check that the directory exists and is writable");
		/* Nothing was created: forget the name so abort unlinks nothing. */
		free(f->tmp_path);
		f->tmp_path = NULL;
		goto fail;
	}
	if (fchmod(f->fd, mode & 07777)) {
		path_error(err, "HWB-F002", path, "cannot set the output's mode");
		goto fail;
	}
	return 0;
fail:
	hwb_atomic_abort(f);
	return -1;
}

int hwb_atomic_write(struct hwb_atomic_file *f, const void *data, size_t len,
		     struct hwb_error *err)
{
	const char *p = data;
	ssize_t n;

	if (f->fd < 0)
		HWB_BUG("write to an atomic file that is not open");
	while (len) {
		n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return path_error(err, "HWB-F002", f->path,
					  "cannot write the output");
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hwb_atomic_fd(const struct hwb_atomic_file *f)
{
	return f->fd;
}

/*
 * Make the rename durable. Some file systems (FUSE, some network ones) do
 * not support fsync on a directory; the rename itself has happened then,
 * so only real I/O errors count.
 */
static int sync_dir(const char *dir, const char *path, struct hwb_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return path_error(err, "HWB-F011", path,
				  "cannot open the output's directory to sync it");
	if (fsync(fd) && errno != EINVAL && errno != ENOTSUP && errno != EROFS)
		rc = path_error(err, "HWB-F011", path,
				"cannot sync the output's directory");
	close(fd);
	return rc;
}

/* Give the unnamed file the temporary name (the template's XXXXXX made
 * random), just before the rename: through /proc/self/fd, or by the
 * descriptor itself where /proc is missing (that needs privilege). */
static int name_unnamed(struct hwb_atomic_file *f)
{
	char *x = f->tmp_path + strlen(f->tmp_path) - 6, proc[64];
	unsigned char r[6];
	int tries, i;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->fd);
	for (tries = 0; tries < 16; tries++) {
		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -1;
		for (i = 0; i < 6; i++)
			x[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[r[i] % 36];
		if (!linkat(AT_FDCWD, proc, AT_FDCWD, f->tmp_path, AT_SYMLINK_FOLLOW) ||
		    (errno == ENOENT &&
		     !linkat(f->fd, "", AT_FDCWD, f->tmp_path, AT_EMPTY_PATH))) {
			f->unnamed = 0;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Rename the finished temporary file over the target; durable makes
 * the file and the rename reach the disk first and after. */
static int commit(struct hwb_atomic_file *f, int durable, struct hwb_error *err)
{
	int rc = -1, fd = f->fd;

	if (fd < 0)
		HWB_BUG("commit of an atomic file that is not open");
	if (durable && fsync(fd)) {
		path_error(err, "HWB-F002", f->path, "cannot sync the output");
		goto cleanup;
	}
	if (f->unnamed && name_unnamed(f)) {
		path_error(err, "HWB-F003", f->path,
			   "cannot give the finished output a name beside the target");
		goto cleanup;
	}
	f->fd = -1;
	if (close(fd)) {
		path_error(err, "HWB-F002", f->path, "cannot close the output");
		goto cleanup;
	}
	if (rename(f->tmp_path, f->path)) {
		path_error(err, "HWB-F003", f->path,
			   "cannot move the finished output into place");
		goto cleanup;
	}
	free(f->tmp_path);
	f->tmp_path = NULL; /* renamed: nothing left to remove */
	rc = durable ? sync_dir(f->dir, f->path, err) : 0;
cleanup:
	hwb_atomic_abort(f);
	return rc;
}

int hwb_atomic_commit(struct hwb_atomic_file *f, struct hwb_error *err)
{
	return commit(f, 1, err);
}

void hwb_atomic_abort(struct hwb_atomic_file *f)
{
	int saved = errno;

	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp_path && !f->unnamed)
		unlink(f->tmp_path);
	free(f->tmp_path);
	free(f->path);
	free(f->dir);
	*f = (struct hwb_atomic_file)HWB_ATOMIC_FILE_INIT;
	errno = saved;
}

static int write_whole(const char *path, const void *data, size_t len,
		       mode_t mode, int durable, struct hwb_error *err)
{
	struct hwb_atomic_file f = HWB_ATOMIC_FILE_INIT;

	if (hwb_atomic_open(&f, path, mode, err))
		return -1;
	if (hwb_atomic_write(&f, data, len, err)) {
		hwb_atomic_abort(&f);
		return -1;
	}
	return commit(&f, durable, err);
}

int hwb_file_write_atomic(const char *path, const void *data, size_t len,
			  mode_t mode, struct hwb_error *err)
{
	return write_whole(path, data, len, mode, 1, err);
}

int hwb_file_replace_cached(const char *path, const void *data, size_t len,
			    mode_t mode, struct hwb_error *err)
{
	return write_whole(path, data, len, mode, 0, err);
}

static int open_input(const char *path, struct hwb_error *err)
{
	/* O_NONBLOCK: opening a FIFO must not hang; it is refused below. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0)
		return fd;
	if (errno == ELOOP) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F006",
			      "is a symbolic link; input files are not followed "
			      "through links");
		hwb_error_hint(err, "pass the file the link points to");
	} else {
		path_error(err, "HWB-F005", path, "cannot open");
		hwb_error_hint(err, "check that the file exists and is readable");
		errno = errno ? errno : EIO;
	}
	hwb_error_at(err, path, 0, 0);
	return -1;
}

static int read_fd(int fd, const char *path, size_t max_bytes,
		   struct hwb_buf *out, struct hwb_error *err)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return path_error(err, "HWB-F009", path, "cannot read");
		if (n == 0)
			return 0;
		/* The file may grow after fstat: the cap holds while reading too. */
		if ((size_t)n > max_bytes - out->len) {
			hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F008",
				      "larger than the %zu-byte limit for this "
				      "input", max_bytes);
			return hwb_error_at(err, path, 0, 0);
		}
		if (hwb_buf_put(out, chunk, (size_t)n))
			return hwb_error_oom(err);
	}
}

int hwb_file_read_all(const char *path, size_t max_bytes, struct hwb_buf *out,
		      struct hwb_error *err)
{
	struct stat st;
	int fd = -1, rc = -1;

	hwb_buf_clear(out);
	if ((fd = open_input(path, err)) < 0)
		return -1;
	if (fstat(fd, &st)) {
		path_error(err, "HWB-F009", path, "cannot stat");
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F007",
			      "is not a regular file");
		hwb_error_hint(err, "pass a regular file, not a directory, "
				    "device or pipe");
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	if ((uintmax_t)st.st_size > (uintmax_t)max_bytes) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F008",
			      "is %jd bytes, more than the %zu-byte limit for "
			      "this input", (intmax_t)st.st_size, max_bytes);
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	if (hwb_buf_grow(out, (size_t)st.st_size)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = read_fd(fd, path, max_bytes, out, err);
cleanup:
	if (rc)
		hwb_buf_clear(out);
	close(fd);
	return rc;
}

/* Create one directory; an existing directory is success. */
static int make_one(const char *path, const char *shown, mode_t mode,
		    struct hwb_error *err)
{
	struct stat st;

	if (!mkdir(path, mode))
		return 0;
	if (errno != EEXIST)
		return path_error(err, "HWB-F010", shown,
				  "cannot create the directory");
	if (stat(path, &st) || !S_ISDIR(st.st_mode)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F010",
			      "'%s' exists and is not a directory", path);
		hwb_error_hint(err, "remove it or choose another directory");
		return hwb_error_at(err, shown, 0, 0);
	}
	return 0;
}

int hwb_mkdir_p(const char *path, mode_t mode, struct hwb_error *err)
{
	char *copy = hwb_strdup(path), *p;
	int rc = -1;

	if (!copy)
		return hwb_error_oom(err);
	if (!*copy) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-F010",
			      "empty directory name");
		goto cleanup;
	}
	for (p = copy + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (make_one(copy, path, mode, err))
			goto cleanup;
		*p = '/';
	}
	rc = make_one(copy, path, mode, err);
cleanup:
	free(copy);
	return rc;
}
