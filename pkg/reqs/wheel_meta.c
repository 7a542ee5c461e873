/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wheel_meta.c: a wheel's dependencies for the resolver: the METADATA
 * member of its .dist-info directory, read through pkg/wheel's reader
 * (the zip structure validated as hwb check validates it, so the resolver
 * sees the METADATA the check sees) and parsed with its core metadata
 * parser. Only that one member is inflated.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/reqs/internal.h"
#include "pkg/wheel/wheel.h"

/* Real METADATA files are a few KiB to a few hundred (long descriptions). */
#define METADATA_MAX ((size_t)4 << 20)

void hwb_reqs__wheel_meta_release(struct hwb_reqs__wheel_meta *m)
{
	size_t i;

	free(m->name);
	free(m->version);
	free(m->requires_python);
	for (i = 0; i < m->require_count; i++)
		free(m->requires[i]);
	free(m->requires);
	memset(m, 0, sizeof(*m));
}

static int meta_error(struct hwb_error *err, const char *path, const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-B144",
		      "cannot read the metadata of wheel %s: %s", path, why);
	hwb_error_hint(err, "check the wheel with `hwb check`; remove a broken "
			    "file from the wheelhouse or index");
	return hwb_error_at(err, path, 0, 0);
}

/* The top-level "*.dist-info/METADATA" member, read whole into out. */
static int read_member(const char *path, struct hwb_buf *out,
		       struct hwb_error *err)
{
	struct hwb_wheel_reader *rd;
	struct hwb_wheel_item it;
	const char *slash;
	size_t i, n;
	int ret = -1;

	/* Its own code (a W code) names what is wrong with the zip. */
	if (hwb_wheel_open(path, NULL, NULL, &rd, err))
		return hwb_error_at(err, path, 0, 0);
	for (i = 0, n = hwb_wheel_count(rd); i < n; i++) {
		hwb_wheel_item(rd, i, &it);
		slash = strchr(it.name, '/');
		if (slash && slash - it.name >= 11 &&
		    !strncmp(slash - 10, ".dist-info", 10) &&
		    !strcmp(slash, "/METADATA"))
			break;
	}
	if (i == n)
		meta_error(err, path, "no .dist-info/METADATA member");
	else if (!hwb_wheel_read_all(rd, i, METADATA_MAX, out, err))
		ret = 0;
	hwb_wheel_close(rd);
	return ret;
}

int hwb_reqs__wheel_meta_read(const char *path,
			       struct hwb_reqs__wheel_meta *out,
			       struct hwb_error *err)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	const char *name, *version, *rp;
	size_t i, n;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (read_member(path, &text, err))
		goto cleanup;
	if (hwb_metadata_parse(text.ptr, text.len, &md, err)) {
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	name = hwb_metadata_get(&md, "Name");
	version = hwb_metadata_get(&md, "Version");
	rp = hwb_metadata_get(&md, "Requires-Python");
	if (!name || !version) {
		meta_error(err, path, "METADATA has no Name or Version");
		goto cleanup;
	}
	n = hwb_metadata_count(&md, "Requires-Dist");
	if (!(out->name = hwb_strdup(name)) ||
	    !(out->version = hwb_strdup(version)) ||
	    (rp && !(out->requires_python = hwb_strdup(rp))) ||
	    (n && !(out->requires = calloc(n, sizeof(char *))))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < md.count; i++) {
		if (strcasecmp(md.fields[i].name, "Requires-Dist"))
			continue;
		if (!(out->requires[out->require_count] =
			      hwb_strdup(md.fields[i].value))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		out->require_count++;
	}
	ret = 0;
cleanup:
	if (ret)
		hwb_reqs__wheel_meta_release(out);
	hwb_metadata_release(&md);
	hwb_buf_release(&text);
	return ret;
}
