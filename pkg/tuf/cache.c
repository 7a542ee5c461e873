/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cache.c: the TUF cache directory, ~/.cache/hwb/tuf/HOST/ (XDG base
 * directory rules): root.json, timestamp.json, snapshot.json,
 * targets.json, delegated/ROLE.json and targets/NAME. Files are replaced
 * atomically (pkg/core/fileio.h); an update holds an exclusive flock on
 * .lock and a reader a shared one, so a reader never sees half of an
 * update and two updates never interleave. The files are not fsync'd
 * (hwb_file_replace_cached): they are a cache, every read checks that they
 * belong together (load.c), and a file a crash left empty or old is then
 * reported and fetched again by the next update, while two fsyncs a file
 * cost more than the rest of an update (6 files: 80 ms under load here).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/fileio.h"
#include "pkg/core/log.h"
#include "pkg/tuf/internal.h"

/* How long a reader waits for a running update before giving up. */
#define LOCK_WAIT_MS 30000

int hwb_tuf__lock(const char *dir, int exclusive, int *fd_out,
		  struct hwb_error *err)
{
	struct hwb_buf path = HWB_BUF_INIT;
	struct timespec pause = { 0, 50 * 1000000L };
	int fd, waited = 0, logged = 0;

	*fd_out = -1;
	if (exclusive && hwb_mkdir_p(dir, 0700, err))
		return -1;
	if (hwb_buf_printf(&path, "%s/.lock", dir))
		return hwb_error_oom(err);
	/* A reader creates nothing: no lock file, no cache (an update makes
	 * the lock file before it writes anything). */
	fd = exclusive ? open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)
		       : open(path.ptr, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && !exclusive && errno == ENOENT) {
		hwb_buf_release(&path);
		return 1;
	}
	if (fd < 0) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-R013",
				"TUF cache %s: cannot open the lock file", path.ptr);
		hwb_buf_release(&path);
		return hwb_error_hint(err, "make the cache directory writable, or "
				      "set XDG_CACHE_HOME to one that is");
	}
	hwb_buf_release(&path);
	while (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS) {
			close(fd);
			hwb_error_set(err, HWB_KIND_CONFIG, "HWB-R013",
				      "TUF cache %s: another hwb process holds its "
				      "lock for more than %d s", dir,
				      LOCK_WAIT_MS / 1000);
			return hwb_error_hint(err, "wait for the other 'hwb trust "
					      "update' to finish, then retry");
		}
		if (!logged++)
			hwb_log_info("waiting for another hwb process updating %s",
				     dir);
		nanosleep(&pause, NULL);
		waited += 50;
	}
	*fd_out = fd;
	return 0;
}

void hwb_tuf__unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

int hwb_tuf__cache_read(const char *dir, const char *name, size_t max,
			struct hwb_buf *out, int64_t *mtime,
			struct hwb_error *err)
{
	struct hwb_buf path = HWB_BUF_INIT;
	struct stat st;
	int rc;

	if (hwb_buf_printf(&path, "%s/%s", dir, name))
		return hwb_error_oom(err);
	rc = hwb_file_read_all(path.ptr, max, out, err);
	if (rc && errno == ENOENT && !strcmp(err->code, "HWB-F005")) {
		hwb_error_clear(err);
		rc = 1;
	}
	if (!rc && mtime)
		*mtime = stat(path.ptr, &st) ? 0 : (int64_t)st.st_mtime;
	hwb_buf_release(&path);
	return rc;
}

int hwb_tuf__cache_write(const char *dir, const char *name, const void *data,
			 size_t len, struct hwb_error *err)
{
	struct hwb_buf path = HWB_BUF_INIT;
	char *slash;
	int rc;

	if (hwb_buf_printf(&path, "%s/%s", dir, name))
		return hwb_error_oom(err);
	/* dir exists (the lock file is in it): only targets/ or delegated/
	 * may be missing */
	slash = strrchr(path.ptr, '/');
	rc = 0;
	if (strchr(name, '/')) {
		*slash = 0;
		if (mkdir(path.ptr, 0700) && errno != EEXIST)
			rc = hwb_mkdir_p(path.ptr, 0700, err);
		*slash = '/';
	}
	if (!rc)
		rc = hwb_file_replace_cached(path.ptr, data, len, 0600, err);
	hwb_buf_release(&path);
	return rc;
}

void hwb_tuf__cache_remove(const char *dir, const char *name)
{
	struct hwb_buf path = HWB_BUF_INIT;

	if (!hwb_buf_printf(&path, "%s/%s", dir, name))
		unlink(path.ptr);
	hwb_buf_release(&path);
}

int hwb_tuf__cache_name(struct hwb_buf *out, const char *sub, const char *name)
{
	const char *p;

	hwb_buf_clear(out);
	hwb_buf_printf(out, "%s/", sub);
	/* A leading '.' would hide the file or name "..": encode it too. */
	for (p = name; *p; p++) {
		if (*p == '/' || *p == '%' || (p == name && *p == '.'))
			hwb_buf_printf(out, "%%%02X", (unsigned char)*p);
		else
			hwb_buf_putc(out, *p);
	}
	return out->oom ? -1 : 0;
}

/* The host (and port) of url, as a directory name. */
static int url_host(const char *url, struct hwb_buf *out)
{
	const char *p = strstr(url, "://"), *end;
	size_t start = out->len;

	if (!p)
		return -1;
	p += 3;
	end = p + strcspn(p, "/?#");
	if (memchr(p, '@', (size_t)(end - p)) || end == p)
		return -1;
	for (; p < end; p++) {
		char c = *p;

		if (c == ':')
			c = '_';
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '.' || c == '-' ||
			   c == '[' || c == ']'))
			return -1;
		hwb_buf_putc(out, c);
	}
	/* a host starting with '.' could name "." or ".." */
	return out->len > start && out->ptr[start] != '.' ? 0 : -1;
}

int hwb_tuf_cache_dir(const char *url, struct hwb_buf *out,
		      struct hwb_error *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	hwb_buf_clear(out);
	/* XDG: a relative XDG_CACHE_HOME is invalid and is ignored. */
	if (xdg && xdg[0] == '/')
		hwb_buf_printf(out, "%s/hwb/tuf/", xdg);
	else if (home && home[0] == '/')
		hwb_buf_printf(out, "%s/.cache/hwb/tuf/", home);
	else {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-R014",
			      "no cache directory for TUF metadata: neither "
			      "XDG_CACHE_HOME nor HOME is an absolute path");
		return hwb_error_hint(err, "set HOME or XDG_CACHE_HOME");
	}
	if (url_host(url, out)) {
		if (out->oom)
			return hwb_error_oom(err);
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-R014",
			      "TUF repository URL %s has no usable host name", url);
		return hwb_error_hint(err, "give an URL such as "
				      "https://tuf-repo-cdn.sigstore.dev");
	}
	return hwb_buf_check(out, err);
}
