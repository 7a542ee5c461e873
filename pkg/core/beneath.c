/* SPDX-License-Identifier: Apache-2.0 */
/*
 * beneath.c: hwb_resolve_beneath. The existing prefix of the path is
 * opened with RESOLVE_BENEATH (links that leave root, '..' above it and
 * absolute links fail with EXDEV); what follows it does not exist yet, so
 * it can hold no link. The answer is the prefix's real path (from
 * /proc/self/fd) with the rest appended.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pkg/core/beneath.h"
#include "pkg/core/buf.h"

static int open_beneath(int dirfd, const char *rel)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

static char *join(const char *dir, const char *rest);

/* Where rel really leads, for the message: realpath of its existing part. */
static char *leads_to(const char *root, const char *rel)
{
	char real[PATH_MAX], *full = hwb_strdup_printf("%s/%s", root, rel), *out;
	size_t cut, base = strlen(root) + 1;

	if (!full)
		return NULL;
	for (cut = strlen(full); cut > base; cut--) {
		char keep = full[cut];

		if (keep != '/' && keep != '\0')
			continue;
		full[cut] = '\0';
		if (realpath(full, real)) {
			full[cut] = keep;
			out = join(real, full + cut);
			free(full);
			return out;
		}
		full[cut] = keep;
	}
	return full;
}

/* Kernels without openat2: realpath resolves every component, links
 * included; the answer must be root or below it. */
static int fallback(const char *root, const char *prefix, char **out)
{
	char real[PATH_MAX], *full = hwb_strdup_printf("%s/%s", root, prefix);
	size_t n = strlen(root);

	if (!full)
		return errno = ENOMEM, -1;
	if (!realpath(full, real)) {
		free(full);
		return -1;
	}
	free(full);
	*out = hwb_strdup(real);
	if (!*out)
		return errno = ENOMEM, -1;
	if (strncmp(real, root, n) || (real[n] != '/' && real[n] != '\0'))
		return errno = EXDEV, -1;
	return 0;
}

/* dir + "/" + what is left of rel after the existing prefix. */
static char *join(const char *dir, const char *rest)
{
	while (*rest == '/')
		rest++;
	return *rest ? hwb_strdup_printf("%s/%s", dir, rest) : hwb_strdup(dir);
}

int hwb_resolve_beneath(const char *root, const char *rel, char **out)
{
	char real_root[PATH_MAX], link[64], target[PATH_MAX], *prefix;
	size_t len = strlen(rel), cut = len;
	ssize_t n;
	int rootfd, fd = -1, saved;

	*out = NULL;
	if (!realpath(root, real_root) ||
	    (rootfd = open(real_root, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (!(prefix = hwb_strdup(rel))) {
		close(rootfd);
		return errno = ENOMEM, -1;
	}
	/* The longest prefix that exists; a link anywhere in it counts. */
	for (;;) {
		prefix[cut] = '\0';
		if (!cut) {
			fd = dup(rootfd);
			break;
		}
		fd = open_beneath(rootfd, prefix);
		if (fd >= 0 || errno != ENOENT)
			break;
		while (cut > 0 && prefix[cut - 1] != '/')
			cut--;
		while (cut > 0 && prefix[cut - 1] == '/')
			cut--;
	}
	saved = errno;
	close(rootfd);
	if (fd < 0 && saved == ENOSYS) {
		int rc = fallback(real_root, prefix, out);

		if (rc && errno == EXDEV) {
			free(prefix);
			return -1;
		}
		free(prefix);
		if (rc)
			return -1;
		prefix = *out;
		*out = join(prefix, rel + cut);
		free(prefix);
		return *out ? 0 : (errno = ENOMEM, -1);
	}
	free(prefix);
	if (fd < 0) {
		if (saved == EXDEV || saved == ELOOP)
			*out = leads_to(real_root, rel);
		return errno = saved == ELOOP ? EXDEV : saved, -1;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	target[n] = '\0';
	*out = join(target, rel + cut);
	return *out ? 0 : (errno = ENOMEM, -1);
}
