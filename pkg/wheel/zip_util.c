/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_util.c: small helpers the zip reader, RECORD and the content checks
 * share: archive path safety (check 15) and full preads.
 */
#include <errno.h>
#include <unistd.h>

#include "pkg/wheel/internal.h"

enum hwb_path_problem hwb_wheel__path_problem(const char *p, size_t n,
					      int is_dir)
{
	size_t i, start = 0;

	if (!n)
		return HWB_PATH_EMPTY_PART;
	for (i = 0; i < n; i++)
		if (p[i] == '\\')
			return HWB_PATH_BACKSLASH;
	if (p[0] == '/' || (n >= 2 && p[1] == ':' &&
			    ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z')))
		return HWB_PATH_ABSOLUTE;
	/* A directory's name ends in '/': that last empty part is fine. */
	if (is_dir && p[n - 1] == '/')
		n--;
	for (i = 0; i <= n; i++) {
		size_t len;

		if (i < n && p[i] != '/')
			continue;
		len = i - start;
		if (!len)
			return HWB_PATH_EMPTY_PART;
		if (len == 2 && p[start] == '.' && p[start + 1] == '.')
			return HWB_PATH_DOTDOT;
		if (len == 1 && p[start] == '.')
			return HWB_PATH_DOT;
		start = i + 1;
	}
	return HWB_PATH_OK;
}

const char *hwb_wheel__path_problem_text(enum hwb_path_problem p)
{
	switch (p) {
	case HWB_PATH_ABSOLUTE: return "is absolute (leading '/' or a drive letter)";
	case HWB_PATH_DOTDOT: return "has a '..' component that climbs out of the install directory";
	case HWB_PATH_DOT: return "has a '.' component";
	case HWB_PATH_EMPTY_PART: return "has an empty component ('//' or an empty name)";
	case HWB_PATH_BACKSLASH: return "holds a backslash, a directory separator on Windows";
	default: return "is a safe relative path";
	}
}

int hwb_wheel__pread(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}
