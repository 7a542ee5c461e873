/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metacheck.c: what a wheel's WHEEL and METADATA files must say (codes in
 * docs/errors.md): the binary distribution format specification for WHEEL,
 * the core metadata specification (versions 1.0 to 2.5) for METADATA, and
 * their agreement with the filename. Parsing is in metadata.c, filename.c,
 * pep440.c and pep508.c.
 */
#include "pkg/wheel/internal.h"

#include <stdlib.h>
#include <string.h>

/* Core metadata fields: the version that introduced each, and whether it
 * may appear more than once (core metadata specification). */
static const struct {
	const char *name;
	int since; /* major * 10 + minor */
	int multiple;
} fields[] = {
	{ "Metadata-Version", 10, 0 },  { "Name", 10, 0 },
	{ "Version", 10, 0 },           { "Dynamic", 22, 1 },
	{ "Platform", 10, 1 },          { "Supported-Platform", 11, 1 },
	{ "Summary", 10, 0 },           { "Description", 10, 0 },
	{ "Description-Content-Type", 21, 0 }, { "Keywords", 10, 0 },
	{ "Home-page", 10, 0 },         { "Download-URL", 11, 0 },
	{ "Author", 10, 0 },            { "Author-email", 10, 0 },
	{ "Maintainer", 12, 0 },        { "Maintainer-email", 12, 0 },
	{ "License", 10, 0 },           { "License-Expression", 24, 0 },
	{ "License-File", 24, 1 },      { "Classifier", 11, 1 },
	{ "Requires-Dist", 12, 1 },     { "Requires-Python", 12, 0 },
	{ "Requires-External", 12, 1 }, { "Project-URL", 12, 1 },
	{ "Provides-Extra", 21, 1 },    { "Provides-Dist", 12, 1 },
	{ "Obsoletes-Dist", 12, 1 },    { "Requires", 11, 1 },
	{ "Provides", 11, 1 },          { "Obsoletes", 11, 1 },
	{ "Import-Name", 25, 1 },       { "Import-Namespace", 25, 1 },
};

#define FIELD_COUNT (sizeof(fields) / sizeof(fields[0]))

/* The Metadata-Version values there are (2.0 was never released). */
static const int known_versions[] = { 10, 11, 12, 21, 22, 23, 24, 25 };

struct meta_check {
	const struct hwb_wheel_ctx *c;
	const struct hwb_wheel_filename *f; /* NULL when the filename is bad */
	char *member;                     /* owned: "x.dist-info/METADATA" */
	int ret;                          /* -1 once out of memory */
};

#define ADD(mc, code, sev, ...)                                             \
	((mc)->ret |= hwb_wheel__add((mc)->c->report, code, sev, (mc)->member, \
				     __VA_ARGS__))

/* "2.4" as 24; -1 when it is not MAJOR.MINOR with one-digit parts. */
static int parse_mv(const char *s)
{
	if (!s || s[0] < '0' || s[0] > '9' || s[1] != '.' || s[2] < '0' ||
	    s[2] > '9' || s[3])
		return -1;
	return (s[0] - '0') * 10 + (s[2] - '0');
}

static int field_index(const char *name)
{
	size_t i;

	for (i = 0; i < FIELD_COUNT; i++)
		if (!strcasecmp(fields[i].name, name))
			return (int)i;
	return -1;
}

static char *member_path(const struct hwb_wheel_ctx *c, const char *file)
{
	return c->dist_info ? hwb_strdup_printf("%s/%s", c->dist_info, file)
			    : hwb_strdup(file);
}

/* ---- WHEEL --------------------------------------------------------- */

static void check_wheel_version(struct meta_check *mc,
				const struct hwb_metadata *md)
{
	const char *wv = hwb_metadata_get(md, "Wheel-Version");
	int v = parse_mv(wv);

	if (!wv || v < 0) {
		ADD(mc, "HWB-W050", HWB_SEVERITY_ERROR,
		    "Wheel-Version is %s; write 'Wheel-Version: 1.0'",
		    wv ? "not MAJOR.MINOR" : "missing");
	} else if (v / 10 != 1) {
		ADD(mc, "HWB-W051", HWB_SEVERITY_ERROR,
		    "Wheel-Version %s has a major version this checker and "
		    "installers do not know; build the wheel as Wheel-Version "
		    "1.0", wv);
	} else if (v % 10 > 0) {
		ADD(mc, "HWB-W052", HWB_SEVERITY_WARNING,
		    "Wheel-Version %s is newer than 1.0; installers warn about "
		    "it; build with Wheel-Version 1.0", wv);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* WHEEL's Tag lines must be exactly the filename's expanded tags (29). */
static void check_wheel_tags(struct meta_check *mc,
			     const struct hwb_metadata *md)
{
	char **want = NULL, **have = NULL;
	size_t nwant = 0, nhave = 0, i;

	if (!mc->f)
		return;
	if (hwb_wheel__tags_expand(mc->f, &want, &nwant)) {
		ADD(mc, "HWB-W054", HWB_SEVERITY_ERROR,
		    "the filename's tags expand to more than %d tags; "
		    "build one wheel per platform", HWB_WHEEL_MAX_TAGS);
		return;
	}
	if (!(have = calloc(md->count + 1, sizeof(*have)))) {
		mc->ret = -1;
		goto done;
	}
	for (i = 0; i < md->count; i++)
		if (!strcasecmp(md->fields[i].name, "Tag"))
			have[nhave++] = md->fields[i].value;
	qsort(have, nhave, sizeof(*have), cmp_str);
	for (i = 0; i < nhave || i < nwant; i++) {
		if (i < nhave && i < nwant && !strcmp(have[i], want[i]))
			continue;
		ADD(mc, "HWB-W054", HWB_SEVERITY_ERROR,
		    "WHEEL's Tag lines (%zu) differ from the tags of the "
		    "filename (%zu), first at '%s'; write one 'Tag:' line per "
		    "tag of the filename",
		    nhave, nwant,
		    i < nwant ? want[i] : have[i]);
		break;
	}
done:
	free(have);
	hwb_wheel__tags_free(want, nwant);
}

static void check_wheel_build(struct meta_check *mc,
			      const struct hwb_metadata *md)
{
	const char *build = hwb_metadata_get(md, "Build");
	const char *want = mc->f ? mc->f->build : NULL;

	if (!mc->f || (!build && !want))
		return;
	if (!build || !want || strcmp(build, want))
		ADD(mc, "HWB-W055", HWB_SEVERITY_ERROR,
		    "WHEEL's Build is '%s' but the filename's build tag is "
		    "'%s'; make them the same",
		    build ? build : "(none)", want ? want : "(none)");
}

static void check_wheel_file(struct meta_check *mc, const char *text,
			     size_t len)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	/* Names seen, folded: a pairwise comparison was quadratic. */
	struct hwb_wheel_index seen = { NULL, 0, 0, 0 };
	const char *purelib;
	size_t i;
	long first;

	if (hwb_metadata_parse(text, len, &md, &err)) {
		if (!strcmp(err.code, "HWB-C001"))
			mc->ret = -1;
		else
			ADD(mc, "HWB-W050", HWB_SEVERITY_ERROR, "%s; %s",
			    err.message, err.hint);
		return;
	}
	if (md.body && md.body[strspn(md.body, "\r\n \t")])
		ADD(mc, "HWB-W050", HWB_SEVERITY_ERROR,
		    "WHEEL has text after a blank line (line %u); remove it",
		    md.body_line);
	if (hwb_wheel__index_init(&seen, md.count, 1)) {
		mc->ret = -1;
		goto cleanup;
	}
	for (i = 0; i < md.count; i++) {
		if (!strcasecmp(md.fields[i].name, "Tag"))
			continue;
		if ((first = hwb_wheel__index_put(&seen, md.fields[i].name,
						  i)) >= 0)
			ADD(mc, "HWB-W050", HWB_SEVERITY_ERROR,
			    "WHEEL has '%s' twice (lines %u and %u); keep one",
			    md.fields[i].name, md.fields[first].line,
			    md.fields[i].line);
	}
	check_wheel_version(mc, &md);
	purelib = hwb_metadata_get(&md, "Root-Is-Purelib");
	if (!purelib || (strcmp(purelib, "true") && strcmp(purelib, "false")))
		ADD(mc, "HWB-W053", HWB_SEVERITY_ERROR,
		    "Root-Is-Purelib is '%s'; it must be exactly 'true' or "
		    "'false'", purelib ? purelib : "(missing)");
	check_wheel_tags(mc, &md);
	check_wheel_build(mc, &md);
cleanup:
	hwb_wheel__index_release(&seen);
	hwb_metadata_release(&md);
}

/* ---- METADATA ------------------------------------------------------ */

/* text/plain, text/x-rst or text/markdown; charset UTF-8; variant GFM or
 * CommonMark for Markdown (PyPI's README rendering rules). */
static int content_type_valid(const char *s)
{
	static const char *const types[] = { "text/plain", "text/x-rst",
					     "text/markdown" };
	size_t n = strcspn(s, ";"), i;
	int markdown;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	for (i = 0; i < 3; i++)
		if (strlen(types[i]) == n && !strncasecmp(s, types[i], n))
			break;
	if (i == 3)
		return 0;
	markdown = i == 2;
	for (s = strchr(s, ';'); s; s = strchr(s + 1, ';')) {
		const char *p = s + 1, *eq, *v;
		size_t vlen;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!(eq = strchr(p, '=')))
			return 0;
		v = eq + 1;
		vlen = strcspn(v, ";");
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"')
			v++, vlen -= 2;
		if (!strncasecmp(p, "charset=", 8)) {
			if (vlen != 5 || strncasecmp(v, "UTF-8", 5))
				return 0;
		} else if (!strncasecmp(p, "variant=", 8) && markdown) {
			if (!((vlen == 3 && !strncmp(v, "GFM", 3)) ||
			      (vlen == 10 && !strncmp(v, "CommonMark", 10))))
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

static void check_fields(struct meta_check *mc, const struct hwb_metadata *md,
			 int mv)
{
	size_t first[FIELD_COUNT] = { 0 }; /* 1 + index of the first */
	size_t i;
	int k;

	for (i = 0; i < md->count; i++) {
		const struct hwb_metadata_field *fd = &md->fields[i];

		if ((k = field_index(fd->name)) < 0) {
			ADD(mc, "HWB-W067", HWB_SEVERITY_WARNING,
			    "'%s' (line %u) is not a core metadata field; "
			    "remove it or fix its spelling", fd->name, fd->line);
			continue;
		}
		if (fields[k].since > mv && !strcasecmp(fd->name,
							"License-File"))
			/* setuptools wrote License-File under 2.1 for years. */
			ADD(mc, "HWB-W064", HWB_SEVERITY_WARNING,
			    "License-File (line %u) needs Metadata-Version "
			    "2.4; upgrade the build backend", fd->line);
		else if (fields[k].since > mv)
			ADD(mc, "HWB-W063", HWB_SEVERITY_ERROR,
			    "'%s' (line %u) needs Metadata-Version %d.%d or "
			    "later; declare that version", fd->name, fd->line,
			    fields[k].since / 10, fields[k].since % 10);
		if (fields[k].multiple)
			continue;
		if (!first[k])
			first[k] = i + 1;
		else
			ADD(mc, "HWB-W056", HWB_SEVERITY_ERROR,
			    "'%s' appears twice (lines %u and %u) but may be "
			    "given once; keep one", fd->name,
			    md->fields[first[k] - 1].line, fd->line);
	}
	if (md->body && hwb_metadata_get(md, "Description") &&
	    md->body[strspn(md->body, "\r\n \t")])
		ADD(mc, "HWB-W056", HWB_SEVERITY_ERROR,
		    "the description is given both as a Description field and "
		    "as the body; keep one");
}

static void check_name_version(struct meta_check *mc,
			       const struct hwb_metadata *md)
{
	const char *name = hwb_metadata_get(md, "Name");
	const char *version = hwb_metadata_get(md, "Version");
	struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;
	struct hwb_pep440_version v, fv;

	if (!name || !hwb_name_is_valid(name, strlen(name))) {
		ADD(mc, "HWB-W058", HWB_SEVERITY_ERROR,
		    "Name is %s; give the project's name (letters, digits, "
		    "'-_.')", name ? "not a valid project name" : "missing");
	} else if (mc->f) {
		if (hwb_normalize_name(name, strlen(name), &a) ||
		    hwb_normalize_name(mc->f->name, strlen(mc->f->name), &b))
			mc->ret = -1;
		else if (strcmp(a.ptr, b.ptr))
			ADD(mc, "HWB-W058", HWB_SEVERITY_ERROR,
			    "Name '%s' does not match the filename's '%s'; "
			    "rename the file or fix the metadata", name,
			    mc->f->name);
	}
	hwb_buf_clear(&a);
	hwb_buf_clear(&b);
	if (!version || hwb_pep440_parse(version, strlen(version), &v, NULL)) {
		ADD(mc, "HWB-W059", HWB_SEVERITY_ERROR,
		    "Version is %s; give a PEP 440 version",
		    version ? "not a PEP 440 version" : "missing");
	} else if (mc->f && !hwb_pep440_parse(mc->f->version,
					      strlen(mc->f->version), &fv,
					      NULL)) {
		if (hwb_pep440_normalize(&v, &a) ||
		    hwb_pep440_normalize(&fv, &b))
			mc->ret = -1;
		else if (strcmp(a.ptr, b.ptr))
			ADD(mc, "HWB-W059", HWB_SEVERITY_ERROR,
			    "Version '%s' does not match the filename's '%s'; "
			    "rebuild the wheel", version, mc->f->version);
	}
	hwb_buf_release(&a);
	hwb_buf_release(&b);
}

static void check_dependencies(struct meta_check *mc,
			       const struct hwb_metadata *md)
{
	struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *rp;
	size_t i;

	for (i = 0; i < md->count; i++) {
		const struct hwb_metadata_field *fd = &md->fields[i];
		struct hwb_requirement *req = NULL;

		if (!strcasecmp(fd->name, "Requires-Dist")) {
			if (hwb_pep508_parse(fd->value, strlen(fd->value), &req,
					     &err))
				ADD(mc, "HWB-W060", HWB_SEVERITY_ERROR,
				    "Requires-Dist (line %u): %s", fd->line,
				    err.message);
			hwb_pep508_free(req);
		} else if (!strcasecmp(fd->name, "Provides-Extra") &&
			   !hwb_name_is_valid(fd->value, strlen(fd->value))) {
			ADD(mc, "HWB-W060", HWB_SEVERITY_ERROR,
			    "Provides-Extra '%s' (line %u) is not a valid "
			    "extra name; use letters, digits and '-_.'",
			    fd->value, fd->line);
		}
	}
	rp = hwb_metadata_get(md, "Requires-Python");
	if (rp && hwb_specifier_set_parse(rp, strlen(rp), &set, &err))
		ADD(mc, "HWB-W061", HWB_SEVERITY_ERROR, "Requires-Python: %s",
		    err.message);
	hwb_specifier_set_release(&set);
}

static void check_license_and_dynamic(struct meta_check *mc,
				      const struct hwb_metadata *md)
{
	const char *dct = hwb_metadata_get(md, "Description-Content-Type");
	size_t i;

	if (dct && !content_type_valid(dct))
		ADD(mc, "HWB-W062", HWB_SEVERITY_ERROR,
		    "Description-Content-Type '%s' is not text/plain, "
		    "text/x-rst or text/markdown (charset=UTF-8, variant=GFM "
		    "or CommonMark); fix it", dct);
	if (hwb_metadata_get(md, "License") &&
	    hwb_metadata_get(md, "License-Expression"))
		ADD(mc, "HWB-W065", HWB_SEVERITY_ERROR,
		    "both License and License-Expression are given; keep "
		    "License-Expression only");
	for (i = 0; i < md->count; i++) {
		const char *v = md->fields[i].value;

		if (strcasecmp(md->fields[i].name, "Dynamic"))
			continue;
		if (!strcasecmp(v, "Name") || !strcasecmp(v, "Version") ||
		    !strcasecmp(v, "Metadata-Version"))
			ADD(mc, "HWB-W066", HWB_SEVERITY_ERROR,
			    "Dynamic names '%s' (line %u), which can never be "
			    "dynamic; remove that line", v, md->fields[i].line);
	}
}

/* Check 27: Metadata-Version 2.4 puts license files in .dist-info/licenses. */
static void check_license_files(struct meta_check *mc,
				const struct hwb_metadata *md, int mv)
{
	size_t i;

	if (mv < 24 || !mc->c->dist_info)
		return;
	for (i = 0; i < md->count; i++) {
		const char *v = md->fields[i].value;
		char *path;

		if (strcasecmp(md->fields[i].name, "License-File"))
			continue;
		if (!*v || v[0] == '/' || strstr(v, "..") || strchr(v, '\\')) {
			ADD(mc, "HWB-W068", HWB_SEVERITY_ERROR,
			    "License-File '%s' is not a relative path; name "
			    "the file under .dist-info/licenses/", v);
			continue;
		}
		if (!(path = hwb_strdup_printf("%s/licenses/%s",
					       mc->c->dist_info, v))) {
			mc->ret = -1;
			return;
		}
		if (!hwb_wheel__has_member(mc->c, path))
			ADD(mc, "HWB-W068", HWB_SEVERITY_ERROR,
			    "License-File '%s' is not in the wheel at %s; "
			    "include the file or drop the line", v, path);
		free(path);
	}
}

static void check_metadata_file(struct meta_check *mc, const char *text,
				size_t len)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *mvs;
	int mv;
	size_t i;

	if (hwb_metadata_parse(text, len, &md, &err)) {
		if (!strcmp(err.code, "HWB-C001"))
			mc->ret = -1;
		else
			ADD(mc, "HWB-W056", HWB_SEVERITY_ERROR, "%s; %s",
			    err.message, err.hint);
		return;
	}
	mvs = hwb_metadata_get(&md, "Metadata-Version");
	mv = parse_mv(mvs);
	for (i = 0; i < sizeof(known_versions) / sizeof(int); i++)
		if (known_versions[i] == mv)
			break;
	if (i == sizeof(known_versions) / sizeof(int)) {
		ADD(mc, "HWB-W057", HWB_SEVERITY_ERROR,
		    "Metadata-Version is %s%s%s; use 1.0-1.2 or 2.1-2.5",
		    mvs ? "'" : "missing", mvs ? mvs : "", mvs ? "'" : "");
		/* Field ages cannot be judged without a version. */
		mv = 25;
	}
	check_fields(mc, &md, mv);
	check_name_version(mc, &md);
	check_dependencies(mc, &md);
	check_license_and_dynamic(mc, &md);
	check_license_files(mc, &md, mv);
	hwb_metadata_release(&md);
}

int hwb_wheel__check_metadata_files(const struct hwb_wheel_ctx *c,
				    const char *metadata, size_t mlen,
				    const char *wheel, size_t wlen)
{
	struct hwb_wheel_filename f = HWB_WHEEL_FILENAME_INIT;
	struct meta_check mc = { c, NULL, NULL, 0 };

	if (hwb_wheel__filename_of(c, &f))
		return -1;
	mc.f = f.buf ? &f : NULL;
	if (wheel) {
		if (!(mc.member = member_path(c, "WHEEL")))
			goto oom;
		check_wheel_file(&mc, wheel, wlen);
		free(mc.member);
		mc.member = NULL;
	}
	if (metadata) {
		if (!(mc.member = member_path(c, "METADATA")))
			goto oom;
		check_metadata_file(&mc, metadata, mlen);
		free(mc.member);
	}
	hwb_wheel_filename_release(&f);
	return mc.ret ? -1 : 0;
oom:
	hwb_wheel_filename_release(&f);
	return -1;
}
