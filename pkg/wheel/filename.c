/* SPDX-License-Identifier: Apache-2.0 */
/*
 * filename.c: the wheel filename. Rules from the binary distribution format
 * specification, packaging.utils.parse_wheel_filename and PyPI's upload
 * checks.
 */
#include "pkg/wheel/internal.h"

#include <string.h>

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
		      const struct hwb_wheel_filename *f)
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
				c->report, "HWB-W049",
				c->opts->for_local ? HWB_SEVERITY_WARNING
						   : HWB_SEVERITY_ERROR,
				NULL,
				"the platform tag '%s' is a plain linux_* tag, "
				"which PyPI refuses (an error for --for pypi, "
				"a warning for --for local); run auditwheel "
				"repair to get a manylinux or musllinux tag",
				f->platform);
	}
	return 0;
}

int hwb_wheel__check_filename(const struct hwb_wheel_ctx *c)
{
	struct hwb_wheel_filename f = HWB_WHEEL_FILENAME_INIT;
	struct hwb_pep440_version v;
	int ret = 0;

	if (hwb_wheel__filename_of(c, &f))
		return -1;
	if (!f.buf)
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
	hwb_wheel_filename_release(&f);
	return ret ? -1 : 0;
}
