/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tags.c: splitting a wheel filename into its parts (the one filename
 * parser hwb has) and expanding its
 * compressed tag sets ("py2.py3-none-any"), which WHEEL's Tag lines must
 * equal (check 29, metacheck.c). What the parts must look like is checked
 * in filename.c.
 */
#include "pkg/wheel/internal.h"

#include <stdlib.h>
#include <string.h>

void hwb_wheel_filename_release(struct hwb_wheel_filename *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

int hwb_wheel_filename_parse(const char *filename,
			     struct hwb_wheel_filename *out,
			     struct hwb_error *err)
{
	size_t len = strlen(filename), parts = 1, i, nlen, dashes = 0;
	size_t tags = 0, project, tags_at;
	struct hwb_buf b = HWB_BUF_INIT;
	const char *part[6];
	char *buf;

	memset(out, 0, sizeof(*out));
	if (len < 4 || strcmp(filename + len - 4, ".whl"))
		goto bad;
	len -= 4;
	for (i = 0; i < len; i++)
		parts += filename[i] == '-';
	if (parts != 5 && parts != 6)
		goto bad;
	/* buf: the parts, NUL-separated; the normalised name; the tags. */
	for (i = 0; i < len; i++)
		if (filename[i] == '-' && ++dashes == parts - 3) {
			tags = i + 1;
			break;
		}
	nlen = strcspn(filename, "-");
	if (hwb_buf_put(&b, filename, len) || hwb_buf_putc(&b, '\0') ||
	    hwb_normalize_name(filename, nlen, &b) || hwb_buf_putc(&b, '\0') ||
	    hwb_buf_put(&b, filename + tags, len - tags))
		goto oom;
	project = len + 1;
	tags_at = b.len - (len - tags);
	if (!(buf = hwb_buf_detach(&b, NULL)))
		goto oom;
	part[0] = buf;
	for (i = 0, parts = 1; i < len; i++) {
		if (buf[i] == '-') {
			buf[i] = '\0';
			part[parts++] = buf + i + 1;
		}
	}
	out->buf = buf;
	out->name = part[0];
	out->project = buf + project;
	out->version = part[1];
	out->build = parts == 6 ? part[2] : NULL;
	out->python = part[parts - 3];
	out->abi = part[parts - 2];
	out->platform = part[parts - 1];
	out->tags = buf + tags_at;
	return 0;
oom:
	hwb_buf_release(&b);
	return hwb_error_oom(err);
bad:
	return hwb_error_set(err, HWB_KIND_FAILED, "HWB-W044",
			     "'%s' is not a wheel filename ({name}-{version}"
			     "[-{build}]-{python}-{abi}-{platform}.whl)",
			     filename);
}

int hwb_wheel__filename_of(const struct hwb_wheel_ctx *c,
			   struct hwb_wheel_filename *f)
{
	struct hwb_error err = HWB_ERROR_INIT;

	if (!hwb_wheel_filename_parse(c->filename, f, &err))
		return 0;
	return strcmp(err.code, "HWB-C001") ? 0 : -1;
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

int hwb_wheel__tags_expand(const struct hwb_wheel_filename *f, char ***out,
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
