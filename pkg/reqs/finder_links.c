/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finder_links.c: wheels in --find-links directories (a wheelhouse such as
 * Debian's /usr/share/python-wheels). Only regular files named like wheels
 * are listed; their hashes are computed when a wheel is chosen.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/reqs/internal.h"
#include "pkg/wheel/wheel.h"

static int scan_dir(const char *dir, const char *name,
		    struct hwb_reqs__project *p, struct hwb_error *err)
{
	struct hwb_wheel_filename wn;
	struct hwb_reqs__dist d;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct dirent *e;
	struct stat st;
	char real[PATH_MAX], *path = NULL;
	DIR *dh = NULL;
	int ret = -1;

	if (!realpath(dir, real) || !(dh = opendir(real))) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B132",
				"cannot read the find-links directory '%s'", dir);
		hwb_error_hint(err, "give an existing directory of wheels");
		return -1;
	}
	while ((e = readdir(dh))) {
		if (hwb_wheel_filename_parse(e->d_name, &wn, &ignored))
			continue;
		if (strcmp(wn.project, name)) {
			hwb_wheel_filename_release(&wn);
			continue;
		}
		free(path);
		path = hwb_strdup_printf("%s/%s", real, e->d_name);
		if (!path) {
			hwb_wheel_filename_release(&wn);
			hwb_error_oom(err);
			goto cleanup;
		}
		/* A symbolic link or anything but a regular file is not a
		 * wheel we install. */
		if (lstat(path, &st) || !S_ISREG(st.st_mode)) {
			hwb_wheel_filename_release(&wn);
			continue;
		}
		memset(&d, 0, sizeof(d));
		d.filename = e->d_name;
		d.version = (char *)wn.version;
		d.tags = (char *)wn.tags;
		d.path = path;
		d.size = (uint64_t)st.st_size;
		ret = hwb_reqs__project_add(p, &d, err);
		hwb_wheel_filename_release(&wn);
		if (ret)
			goto cleanup;
	}
	ret = 0;
cleanup:
	free(path);
	closedir(dh);
	return ret;
}

int hwb_reqs__links_scan(const struct hwb_reqs_source *src,
			  const char *name, struct hwb_reqs__project *p,
			  struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < src->find_links_count; i++)
		if (scan_dir(src->find_links[i], name, p, err))
			return -1;
	return 0;
}
