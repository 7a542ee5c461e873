/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check.c: hwb_check_file(), the order of a check (see internal.h): open
 * the file, read the zip framing, the dist-info files and RECORD, one
 * inflate pass over every member, then the checks that need everything.
 * An sdist goes to the sdist checker instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/core/buf.h"
#include "pkg/wheel/internal.h"

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && !strcmp(s + n - k, suffix);
}

void hwb_wheel__resolve_options(struct hwb_check_options *o,
				const struct hwb_check_options *in)
{
	static const struct hwb_check_options none;

	*o = in ? *in : none;
	if (!o->max_member_size)
		o->max_member_size = HWB_CHECK_DEFAULT_MAX_MEMBER_SIZE;
	if (!o->max_total_size)
		o->max_total_size = HWB_CHECK_DEFAULT_MAX_TOTAL_SIZE;
	if (!o->max_ratio)
		o->max_ratio = HWB_CHECK_DEFAULT_MAX_RATIO;
}

/* "a.dist-info" when name is "a.dist-info/...", in buf; 0 if not one. */
static int dist_info_of(const char *name, char *buf, size_t bufsz)
{
	const char *slash = strchr(name, '/');
	size_t n = slash ? (size_t)(slash - name) : 0;

	if (!n || n >= bufsz || n <= 10 ||
	    memcmp(name + n - 10, ".dist-info", 10))
		return 0;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return 1;
}

/*
 * The .dist-info RECORD is read from: the only one, or the one named after
 * the file's "{name}-{version}" (several are a layout error, check 22).
 */
static char *choose_dist_info(const struct hwb_zip *z, const char *filename)
{
	char cand[512], first[512] = "", want[512];
	const char *dash = strchr(filename, '-');
	size_t i, n = 0;

	want[0] = '\0';
	if (dash && (dash = strchr(dash + 1, '-')) &&
	    (size_t)(dash - filename) + 11 < sizeof(want))
		snprintf(want, sizeof(want), "%.*s.dist-info",
			 (int)(dash - filename), filename);
	for (i = 0; i < z->count; i++) {
		if (!dist_info_of(z->members[i].name, cand, sizeof(cand)))
			continue;
		if (!n++)
			snprintf(first, sizeof(first), "%s", cand);
		if (want[0] && !strcmp(cand, want))
			return hwb_strdup(cand);
	}
	return n ? hwb_strdup(first) : NULL;
}

/* METADATA or WHEEL of the dist-info, whole, when present and sane. */
static int read_meta(struct hwb_zip *z, const char *dist_info,
		     const char *file, uint8_t **out, size_t *len,
		     struct hwb_check_report *r, struct hwb_error *err)
{
	char path[600];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dist_info, file);
	for (i = 0; i < z->count; i++)
		if (!strcmp(z->members[i].name, path))
			break;
	if (i == z->count)
		return 0;
	if (z->members[i].size > HWB_WHEEL_WHOLE_CAP)
		return hwb_wheel__add(r, "HWB-W018", HWB_SEVERITY_ERROR, path,
				      "%llu bytes, over the 64 MiB hwb reads "
				      "for a metadata file",
				      (unsigned long long)z->members[i].size) ?
		       hwb_error_oom(err) : 0;
	return hwb_zip__read_whole(z, i, HWB_WHEEL_WHOLE_CAP, out, len, r,
				   err) < 0 ? -1 : 0;
}

/* The basename index the ELF policy of manylinux/musllinux wheels uses. */
static int index_basenames(struct hwb_wheel_ctx *c, struct hwb_wheel_index *ix,
			   struct hwb_error *err)
{
	if (!strstr(c->filename, "manylinux") && !strstr(c->filename, "musllinux"))
		return 0;
	if (hwb_wheel__index_basenames(ix, c->members, c->member_count))
		return hwb_error_oom(err);
	c->basenames = ix;
	return 0;
}

int hwb_wheel__check_zip(struct hwb_zip *z, int fd, uint64_t size,
			 const char *path, const struct hwb_check_options *opts,
			 struct hwb_check_report *r, struct hwb_error *err)
{
	struct hwb_record rec = HWB_RECORD_INIT;
	struct hwb_wheel_ctx c;
	struct hwb_wheel_index basenames = { NULL, 0, 0, 0 };
	const char *base = strrchr(path, '/');
	uint8_t *metadata = NULL, *wheel = NULL;
	size_t mlen = 0, wlen = 0;
	char *dist_info = NULL;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.report = r;
	c.filename = base ? base + 1 : path;
	c.opts = opts;
	if (hwb_zip__read(z, fd, size, opts, r, err))
		goto cleanup;
	r->members = z->count;
	if (hwb_wheel__check_filename(&c)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (!z->cd_ok) {
		rc = 0;
		goto cleanup;
	}
	c.members = z->members;
	c.member_count = z->count;
	c.by_name = &z->by_name;
	dist_info = choose_dist_info(z, c.filename);
	c.dist_info = dist_info;
	if (dist_info &&
	    (read_meta(z, dist_info, "METADATA", &metadata, &mlen, r, err) ||
	     read_meta(z, dist_info, "WHEEL", &wheel, &wlen, r, err)))
		goto cleanup;
	c.metadata = (const char *)metadata;
	c.metadata_len = mlen;
	c.wheel = (const char *)wheel;
	c.wheel_len = wlen;
	if (hwb_wheel__check_metadata_files(&c, c.metadata, mlen, c.wheel,
					    wlen)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_record__load(&rec, z, dist_info, r, err) ||
	    index_basenames(&c, &basenames, err) ||
	    hwb_wheel__inflate_all(z, &c, &rec, err))
		goto cleanup;
	if (hwb_zip__check_layout(z, r) || hwb_record__verify(&rec, z, r) ||
	    hwb_wheel__check_layout(&c)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_wheel__index_release(&basenames);
	hwb_record__release(&rec);
	free(dist_info);
	free(metadata);
	free(wheel);
	return rc;
}

int hwb_wheel__check_fd(int fd, uint64_t size, const char *path,
			const struct hwb_check_options *opts,
			struct hwb_check_report *r, struct hwb_error *err)
{
	struct hwb_zip z = HWB_ZIP_INIT;
	int rc = hwb_wheel__check_zip(&z, fd, size, path, opts, r, err);

	hwb_zip__release(&z);
	return rc;
}

int hwb_wheel__open_file(const char *path, int *fd, uint64_t *size,
			 struct hwb_error *err)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0 || fstat(*fd, &st)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-W029",
				"cannot open %s", path);
		hwb_error_hint(err, "check the path and its permissions; "
			       "hwb check dist checks every distribution "
			       "in dist");
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-W029",
			      "%s is not a regular file", path);
		hwb_error_hint(err, "give a wheel or sdist file, or the "
			       "directory that holds them");
		goto fail;
	}
	*size = (uint64_t)st.st_size;
	return 0;
fail:
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	return -1;
}

int hwb_wheel__check_open(struct hwb_zip *z, int fd, uint64_t size,
			  const char *path,
			  const struct hwb_check_options *opts,
			  struct hwb_check_report *report,
			  struct hwb_error *err)
{
	if (hwb_wheel__check_zip(z, fd, size, path, opts, report, err) ||
	    hwb_wheel__acknowledge(report, path, z, opts, err))
		return -1;
	return hwb_wheel__report_filter(report, opts) ? hwb_error_oom(err) : 0;
}

/* The sdist half of hwb_check_file(), report prepared, opts resolved. */
static int check_sdist(const char *path, const struct hwb_check_options *o,
		       struct hwb_check_report *report,
		       const struct hwb_sdist_visitor *v, struct hwb_error *err)
{
	if (hwb_wheel__check_sdist(path, o, v, report, err) ||
	    hwb_wheel__acknowledge(report, path, NULL, o, err))
		return -1;
	return hwb_wheel__report_filter(report, o) ? hwb_error_oom(err) : 0;
}

int hwb_check_sdist(const char *path, const struct hwb_check_options *opts,
		    struct hwb_check_report *report,
		    const struct hwb_sdist_visitor *v, struct hwb_error *err)
{
	struct hwb_check_options o;

	hwb_wheel__resolve_options(&o, opts);
	if (!(report->file = hwb_strdup(path)) ||
	    hwb_wheel__report_prepare(report, err))
		return hwb_error_oom(err);
	return check_sdist(path, &o, report, v, err);
}

int hwb_check_file(const char *path, const struct hwb_check_options *opts,
		   struct hwb_check_report *report, struct hwb_error *err)
{
	struct hwb_check_options o;
	struct hwb_zip z = HWB_ZIP_INIT;
	uint64_t size;
	int fd, rc;

	hwb_wheel__resolve_options(&o, opts);
	if (!(report->file = hwb_strdup(path)) ||
	    hwb_wheel__report_prepare(report, err))
		return hwb_error_oom(err);
	if (has_suffix(path, ".tar.gz"))
		return check_sdist(path, &o, report, NULL, err);
	if (!has_suffix(path, ".whl"))
		return hwb_error_set(err, HWB_KIND_USAGE, "HWB-W030",
				     "%s: hwb check reads wheels (.whl) and "
				     "sdists (.tar.gz)", path),
		       hwb_error_hint(err, "rename the file or check another");
	if (hwb_wheel__open_file(path, &fd, &size, err))
		return -1;
	rc = hwb_wheel__check_open(&z, fd, size, path, &o, report, err);
	hwb_zip__release(&z);
	close(fd);
	return rc;
}
