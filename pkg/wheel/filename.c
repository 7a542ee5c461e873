/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filename.c: the wheel filename (check 30 of docs/wheel-checks.md) and
 * its compressed tag sets, which WHEEL's Tag lines must expand to (29,
 * metacheck.c). Rules from the binary distribution format specification,
 * packaging.utils.parse_wheel_filename and PyPI's upload checks.
 */
#include "pkg/wheel/internal.h"

#include <stdlib.h>
#include <string.h>

void hwb_wheel__fname_release(struct hwb_wheel_fname *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

int hwb_wheel__fname_split(const char *filename, struct hwb_wheel_fname *out)
{
	size_t len = strlen(filename), parts = 1, i;
	const char *part[6];
	char *buf;

	memset(out, 0, sizeof(*out));
	if (len < 4 || strcmp(filename + len - 4, ".whl"))
		return 1;
	len -= 4;
	for (i = 0; i < len; i++)
		parts += filename[i] == '-';
	if (parts != 5 && parts != 6)
		return 1;
	if (!(buf = strndup(filename, len)))
		return -1;
	part[0] = buf;
	for (i = 0, parts = 1; i < len; i++) {
		if (buf[i] == '-') {
			buf[i] = '\0';
			part[parts++] = buf + i + 1;
		}
	}
	out->buf = buf;
	out->name = part[0];
	out->version = part[1];
	out->build = parts == 6 ? part[2] : NULL;
	out->python = part[parts - 3];
	out->abi = part[parts - 2];
	out->platform = part[parts - 1];
	return 0;
}

void hwb_wheel__tags_free(char **tags, size_t count)
{
	size_t i;

	if (!tags)
		return;
	for (i = 0; i < count; i++)
		free(tags[i]);
	free(tags);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t dots(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == '.';
	return n;
}

/* The i-th '.'-separated item of set, copied into out (size n). */
static void item(const char *set, size_t i, char *out, size_t n)
{
	size_t len;

	while (i--)
		set = strchr(set, '.') + 1;
	len = strcspn(set, ".");
	if (len >= n)
		len = n - 1;
	memcpy(out, set, len);
	out[len] = '\0';
}

int hwb_wheel__tags_expand(const struct hwb_wheel_fname *f, char ***out,
			   size_t *count)
{
	size_t np = dots(f->python), na = dots(f->abi), nl = dots(f->platform);
	size_t total, i, j, k, n = 0;
	char **tags, py[128], abi[128], plat[128];

	*out = NULL;
	*count = 0;
	if (hwb_size_mul(&total, np, na) || hwb_size_mul(&total, total, nl) ||
	    total > HWB_WHEEL_MAX_TAGS)
		return -1;
	if (!(tags = calloc(total, sizeof(*tags))))
		return -1;
	for (i = 0; i < np; i++) {
		item(f->python, i, py, sizeof(py));
		for (j = 0; j < na; j++) {
			item(f->abi, j, abi, sizeof(abi));
			for (k = 0; k < nl; k++) {
				item(f->platform, k, plat, sizeof(plat));
				tags[n] = hwb_strdup_printf("%s-%s-%s", py, abi,
							    plat);
				if (!tags[n]) {
					hwb_wheel__tags_free(tags, n);
					return -1;
				}
				n++;
			}
		}
	}
	qsort(tags, n, sizeof(*tags), cmp_str);
	for (i = j = 0; i < n; i++) {
		if (j && !strcmp(tags[j - 1], tags[i])) {
			free(tags[i]);
			continue;
		}
		tags[j++] = tags[i];
	}
	*out = tags;
	*count = j;
	return 0;
}

static int is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* A tag set: items of [A-Za-z0-9_] joined by single dots. */
static int tag_set_valid(const char *s)
{
	int in_item = 0;

	for (; *s; s++) {
		if (*s == '.') {
			if (!in_item)
				return 0;
			in_item = 0;
		} else if (is_alnum(*s) || *s == '_') {
			in_item = 1;
		} else {
			return 0;
		}
	}
	return in_item;
}

/* The escaped name: letters, digits, '.' and single '_' between them. */
static int escaped_name_valid(const char *s)
{
	size_t len = strlen(s), i;

	if (!len || !is_alnum(s[0]) || !is_alnum(s[len - 1]))
		return 0;
	for (i = 0; i < len; i++) {
		if (!is_alnum(s[i]) && s[i] != '_' && s[i] != '.')
			return 0;
		if (s[i] == '_' && s[i + 1] == '_')
			return 0;
	}
	return 1;
}

static int check_tags(const struct hwb_wheel_ctx *c,
		      const struct hwb_wheel_fname *f)
{
	const char *p;

	if (!tag_set_valid(f->python) || !tag_set_valid(f->abi) ||
	    !tag_set_valid(f->platform))
		return hwb_wheel__add(c->report, "HWB-W048", HWB_SEVERITY_ERROR,
				      NULL,
				      "the tags '%s-%s-%s' are not valid "
				      "compressed tag sets; write items of "
				      "letters, digits and '_' joined by '.'",
				      f->python, f->abi, f->platform);
	/* PyPI refuses linux_*: such binaries only run where they were
	 * built; auditwheel repair gives them a manylinux tag. */
	for (p = f->platform; p; p = strchr(p, '.')) {
		if (*p == '.')
			p++;
		if (!strncmp(p, "linux_", 6))
			return hwb_wheel__add(
				c->report, "HWB-W049", HWB_SEVERITY_ERROR,
				NULL,
				"the platform tag '%s' is a plain linux_* tag, "
				"which PyPI refuses; run auditwheel repair to "
				"get a manylinux or musllinux tag",
				f->platform);
	}
	return 0;
}

int hwb_wheel__check_filename(const struct hwb_wheel_ctx *c)
{
	struct hwb_wheel_fname f = HWB_WHEEL_FNAME_INIT;
	struct hwb_pep440_version v;
	int r, ret = 0;

	r = hwb_wheel__fname_split(c->filename, &f);
	if (r < 0)
		return -1;
	if (r > 0)
		return hwb_wheel__add(c->report, "HWB-W044", HWB_SEVERITY_ERROR,
				      NULL,
				      "'%s' is not a wheel filename; name it "
				      "{name}-{version}[-{build}]-{python}-"
				      "{abi}-{platform}.whl",
				      c->filename);
	if (!escaped_name_valid(f.name))
		ret |= hwb_wheel__add(c->report, "HWB-W045", HWB_SEVERITY_ERROR,
				      NULL,
				      "the name part '%s' of the filename is "
				      "not escaped; replace each run of '-', "
				      "'_' and '.' with one '_'",
				      f.name);
	if (hwb_pep440_parse(f.version, strlen(f.version), &v, NULL))
		ret |= hwb_wheel__add(c->report, "HWB-W046",
				      HWB_SEVERITY_ERROR, NULL,
				      "the version part '%s' of the filename "
				      "is not a PEP 440 version; use the "
				      "project's normalised version",
				      f.version);
	if (f.build && (f.build[0] < '0' || f.build[0] > '9' ||
			!tag_set_valid(f.build) || strchr(f.build, '.')))
		ret |= hwb_wheel__add(c->report, "HWB-W047",
				      HWB_SEVERITY_ERROR, NULL,
				      "the build tag '%s' must start with a "
				      "digit and hold only letters, digits "
				      "and '_'",
				      f.build);
	ret |= check_tags(c, &f);
	hwb_wheel__fname_release(&f);
	return ret ? -1 : 0;
}
