/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tree.c: directory trees for a build: the writable COPY of the source that
 * the backend gets (setuptools cannot build from a read-only tree, and the
 * origin must stay untouched), unpacking the sdist for the wheel stage, and
 * removing a work directory. Version-control metadata and bytecode caches
 * are not copied.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/build/internal.h"

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
 * Unpack an sdist the backend just made into dir. libarchive refuses
 * absolute paths, '..' and writes through symlinks; only regular files,
 * directories and symlinks inside are kept, with 644/755 modes.
 */
int hwb_build__unpack_sdist(const char *sdist, const char *dir,
			    struct hwb_error *err)
{
	struct archive *in = archive_read_new(), *out = archive_write_disk_new();
	struct archive_entry *e;
	struct hwb_buf path = HWB_BUF_INIT;
	int r, ret = -1;

	if (!in || !out) {
		hwb_error_oom(err);
		goto cleanup;
	}
	archive_read_support_filter_gzip(in);
	archive_read_support_format_tar(in);
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
				       ARCHIVE_EXTRACT_SECURE_SYMLINKS |
				       ARCHIVE_EXTRACT_PERM);
	if (mkdir(dir, 0755) ||
	    archive_read_open_filename(in, sdist, 65536) != ARCHIVE_OK)
		goto fail;
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		mode_t type = archive_entry_filetype(e);

		const char *name = archive_entry_pathname(e);

		if ((type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) ||
		    archive_entry_hardlink(e))
			continue;
		/* Absolute names are refused here; '..' by libarchive. */
		if (!name || name[0] == '/') {
			errno = EINVAL;
			goto fail;
		}
		hwb_buf_clear(&path);
		if (hwb_buf_printf(&path, "%s/%s", dir, name))
			goto fail;
		archive_entry_set_pathname(e, path.ptr);
		archive_entry_set_perm(e, type == AE_IFDIR ||
				       (archive_entry_perm(e) & 0111) ? 0755 : 0644);
		archive_entry_set_uid(e, getuid());
		archive_entry_set_gid(e, getgid());
		if (archive_write_header(out, e) != ARCHIVE_OK)
			goto fail;
		if (type == AE_IFREG) {
			const void *buf;
			size_t size;
			la_int64_t off;

			while ((r = archive_read_data_block(in, &buf, &size, &off)) ==
			       ARCHIVE_OK)
				if (archive_write_data_block(out, buf, size, off) !=
				    ARCHIVE_OK)
					goto fail;
			if (r != ARCHIVE_EOF)
				goto fail;
		}
		archive_write_finish_entry(out);
	}
	if (r != ARCHIVE_EOF)
		goto fail;
	ret = 0;
	goto cleanup;
fail:
	hwb_error_set(err, HWB_KIND_BUILD, "HWB-B037",
		      "cannot unpack the sdist '%s' the backend built: %s", sdist,
		      archive_error_string(in) ? archive_error_string(in)
		      : archive_error_string(out) ? archive_error_string(out)
		      : strerror(errno));
	hwb_error_hint(err, "the backend produced a broken sdist; build with "
		       "--wheel to skip it, and report it to the backend");
cleanup:
	hwb_buf_release(&path);
	if (in)
		archive_read_free(in);
	if (out)
		archive_write_free(out);
	return ret;
}
