/* SPDX-License-Identifier: Apache-2.0 */
/* error.c: filling and formatting struct hwb_error (see error.h). */
#include "pkg/core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hwb_error_clear(struct hwb_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

static void copy_field(char *dst, size_t dstsz, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= dstsz)
		n = dstsz - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int hwb_error_vset(struct hwb_error *err, enum hwb_error_kind kind,
		   const char *code, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	hwb_error_clear(err);
	err->kind = kind;
	copy_field(err->code, sizeof(err->code), code);
	/* Truncation is accepted: a message is one line, not a payload. */
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return -1;
}

int hwb_error_set(struct hwb_error *err, enum hwb_error_kind kind,
		  const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwb_error_vset(err, kind, code, fmt, ap);
	va_end(ap);
	return -1;
}

int hwb_error_errno(struct hwb_error *err, enum hwb_error_kind kind,
		    const char *code, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	hwb_error_vset(err, kind, code, fmt, ap);
	va_end(ap);
	if (!err)
		return -1;
	len = strlen(err->message);
	snprintf(err->message + len, sizeof(err->message) - len, ": %s",
		 strerror(saved));
	errno = saved;
	return -1;
}

int hwb_error_hint(struct hwb_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
	return -1;
}

int hwb_error_at(struct hwb_error *err, const char *file, unsigned line,
		 unsigned column)
{
	if (!err)
		return -1;
	copy_field(err->file, sizeof(err->file), file);
	err->line = line;
	err->column = column;
	return -1;
}

int hwb_error_oom(struct hwb_error *err)
{
	if (!err)
		return -1;
	hwb_error_clear(err);
	err->kind = HWB_KIND_CONFIG;
	copy_field(err->code, sizeof(err->code), "HWB-C001");
	copy_field(err->message, sizeof(err->message), "out of memory");
	return -1;
}

static void scrub_controls(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void hwb_error_format(const struct hwb_error *err, char *out, size_t outsz)
{
	char where[300] = "";

	if (!outsz)
		return;
	if (err->file[0] && err->line && err->column)
		snprintf(where, sizeof(where), "%s:%u:%u: ", err->file,
			 err->line, err->column);
	else if (err->file[0] && err->line)
		snprintf(where, sizeof(where), "%s:%u: ", err->file, err->line);
	else if (err->file[0])
		snprintf(where, sizeof(where), "%s: ", err->file);
	snprintf(out, outsz, "%s%s%s%s%s%s%s", where, err->code,
		 err->code[0] ? ": " : "", err->message,
		 err->hint[0] ? " (fix: " : "", err->hint,
		 err->hint[0] ? ")" : "");
	scrub_controls(out);
}

void hwb__bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	/* The one place pkg/ writes to stderr: the process is about to abort. */
	fprintf(stderr, "hwb: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
