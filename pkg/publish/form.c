/* SPDX-License-Identifier: Apache-2.0 */
/*
 * form.c: the fields of PyPI's legacy upload form, from the core metadata
 * of the distribution itself. Field names are the ones warehouse reads
 * (forklift/metadata.py maps form fields to packaging's RawMetadata with
 * the overrides platform, supported_platform, license_file); twine sends
 * the same set.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/publish/internal.h"

static const struct {
	const char *header; /* as in core metadata */
	const char *field;  /* as in the upload form */
	int multi;          /* may repeat */
} fields[] = {
	{ "Metadata-Version", "metadata_version", 0 },
	{ "Name", "name", 0 },
	{ "Version", "version", 0 },
	{ "Summary", "summary", 0 },
	{ "Description-Content-Type", "description_content_type", 0 },
	{ "Keywords", "keywords", 0 },
	{ "Home-page", "home_page", 0 },
	{ "Download-URL", "download_url", 0 },
	{ "Author", "author", 0 },
	{ "Author-email", "author_email", 0 },
	{ "Maintainer", "maintainer", 0 },
	{ "Maintainer-email", "maintainer_email", 0 },
	{ "License", "license", 0 },
	{ "License-Expression", "license_expression", 0 },
	{ "License-File", "license_file", 1 },
	{ "Classifier", "classifiers", 1 },
	{ "Requires-Python", "requires_python", 0 },
	{ "Requires-Dist", "requires_dist", 1 },
	{ "Requires-External", "requires_external", 1 },
	{ "Provides-Extra", "provides_extra", 1 },
	{ "Provides-Dist", "provides_dist", 1 },
	{ "Obsoletes-Dist", "obsoletes_dist", 1 },
	{ "Project-URL", "project_urls", 1 },
	{ "Platform", "platform", 1 },
	{ "Supported-Platform", "supported_platform", 1 },
	{ "Dynamic", "dynamic", 1 },
	{ "Requires", "requires", 1 },
	{ "Provides", "provides", 1 },
	{ "Obsoletes", "obsoletes", 1 },
	{ "Import-Name", "import_name", 1 },
	{ "Import-Namespace", "import_namespace", 1 },
};

const char *hwb_publish__field_for(const char *header, int *multi)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcasecmp(fields[i].header, header))
			continue;
		*multi = fields[i].multi;
		return fields[i].field;
	}
	*multi = 0;
	return NULL;
}

int hwb_publish__form_add(struct hwb_publish__form *f, const char *name,
			  const char *value)
{
	struct hwb_http_part *grown;

	if (f->count == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 32;
		if (!(grown = realloc(f->parts, f->cap * sizeof(*grown))))
			return -1;
		f->parts = grown;
	}
	memset(&f->parts[f->count], 0, sizeof(f->parts[0]));
	f->parts[f->count].name = name;
	f->parts[f->count].value = value;
	f->count++;
	return 0;
}

/* The python tag of a wheel: NAME-VER[-BUILD]-PY-ABI-PLAT.whl. */
static char *python_tag(const char *filename)
{
	const char *end = filename + strlen(filename) - 4, *p = end;
	int dashes = 0;

	while (p > filename && dashes < 3)
		if (*--p == '-')
			dashes++;
	if (dashes < 3)
		return NULL;
	end = strchr(p + 1, '-');
	return hwb_strdup_printf("%.*s", (int)(end - p - 1), p + 1);
}

static int add_metadata(struct hwb_publish__form *f,
			const struct hwb_metadata *md)
{
	const char *field, *seen[sizeof(fields) / sizeof(fields[0])];
	size_t i, j, nseen = 0;
	int multi;

	for (i = 0; i < md->count; i++) {
		field = hwb_publish__field_for(md->fields[i].name, &multi);
		if (!field || !md->fields[i].value[0])
			continue;
		/* a single field given twice: the first one, as email.message */
		for (j = 0; !multi && j < nseen && seen[j] != field; j++)
			;
		if (!multi && j < nseen)
			continue;
		if (!multi)
			seen[nseen++] = field;
		if (hwb_publish__form_add(f, field, md->fields[i].value))
			return -1;
	}
	return 0;
}

int hwb_publish__form_build(struct hwb_publish__form *f,
			    const struct hwb_metadata *md,
			    const char *filename, struct hwb_error *err)
{
	const char *desc = hwb_metadata_get(md, "Description");
	int wheel = hwb_publish__kind(filename) == 1;
	static const char *const required[] = { "Metadata-Version", "Name", "Version" };
	size_t i;

	for (i = 0; i < 3; i++) {
		if (hwb_metadata_get(md, required[i]))
			continue;
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-P005",
			      "%s: its core metadata has no %s", filename,
			      required[i]);
		return hwb_error_hint(err, "rebuild the distribution with a "
				      "current build backend");
	}
	f->pyversion = wheel ? python_tag(filename) : hwb_strdup("source");
	if (!f->pyversion) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-P005",
			      "%s: not a wheel file name (NAME-VERSION-PY-ABI-"
			      "PLATFORM.whl)", filename);
		return hwb_error_hint(err, "rebuild the wheel; never rename one");
	}
	if (!desc && md->body && md->body[0])
		desc = md->body;
	if (hwb_publish__form_add(f, ":action", "file_upload") ||
	    hwb_publish__form_add(f, "protocol_version", "1") ||
	    hwb_publish__form_add(f, "filetype", wheel ? "bdist_wheel" : "sdist") ||
	    hwb_publish__form_add(f, "pyversion", f->pyversion) ||
	    add_metadata(f, md) ||
	    (desc && hwb_publish__form_add(f, "description", desc)))
		return hwb_error_oom(err);
	return 0;
}

void hwb_publish__form_release(struct hwb_publish__form *f)
{
	free(f->parts);
	free(f->pyversion);
	memset(f, 0, sizeof(*f));
}
