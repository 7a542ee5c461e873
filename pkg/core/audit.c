/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c: the JSON-lines audit log (see audit.h). jansson builds each
 * record; the redaction of every string happens here, before jansson sees
 * it, so no caller can forget it.
 */
#include "pkg/core/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/buf.h"
#include "pkg/core/config.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"

#define TRUNCATED_MARK "...[truncated]"

int hwb_audit_init(struct hwb_audit *a, const char *dir, int enabled,
		   struct hwb_error *err)
{
	*a = (struct hwb_audit)HWB_AUDIT_INIT;
	if (!dir || !*dir)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-A001",
				     "no directory for the audit log"),
		       hwb_error_hint(err, "set audit.dir in ~/.config/hwb/config.toml "
					   "or HWB_AUDIT_DIR");
	if (!(a->dir = hwb_strdup(dir)))
		return hwb_error_oom(err);
	a->enabled = enabled;
	return 0;
}

void hwb_audit_release(struct hwb_audit *a)
{
	free(a->dir);
	*a = (struct hwb_audit)HWB_AUDIT_INIT;
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && home[0] == '/')
		return home;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

int hwb_audit_from_config(struct hwb_audit *a, const struct hwb_config *cfg,
			  struct hwb_error *err)
{
	const char *dir = hwb_config_str(cfg, "audit.dir"), *home = home_dir();
	int enabled = hwb_config_bool(cfg, "audit.enabled"), rc;
	char *owned = NULL;

	*a = (struct hwb_audit)HWB_AUDIT_INIT;
	if (!enabled)
		return 0;
	/* "~/x" in a TOML file means the home directory, as in a shell. */
	if (dir && (!strcmp(dir, "~") || !strncmp(dir, "~/", 2)) && home)
		dir = owned = hwb_strdup_printf("%s%s", home, dir + 1);
	else if ((!dir || !*dir) && home)
		dir = owned = hwb_strdup_printf("%s/%s", home,
						HWB_AUDIT_DEFAULT_SUBDIR);
	else if (!dir || !*dir)
		return hwb_audit_init(a, NULL, enabled, err);
	if (!dir)
		return hwb_error_oom(err);
	rc = hwb_audit_init(a, dir, enabled, err);
	free(owned);
	return rc;
}

static char *path_for(const struct hwb_audit *a, const struct tm *utc)
{
	return hwb_strdup_printf("%s/audit-%04d-%02d-%02d.jsonl", a->dir,
				 utc->tm_year + 1900, utc->tm_mon + 1,
				 utc->tm_mday);
}

char *hwb_audit_path(const struct hwb_audit *a)
{
	time_t now = time(NULL);
	struct tm utc;

	if (!a->dir || !gmtime_r(&now, &utc))
		return NULL;
	return path_for(a, &utc);
}

static int valid_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

/* Cut at a UTF-8 character boundary no later than max bytes. */
static void cut_utf8(struct hwb_buf *b, size_t max)
{
	size_t n = max;

	if (b->len <= max)
		return;
	while (n && ((unsigned char)b->ptr[n] & 0xc0) == 0x80)
		n--;
	hwb_buf_truncate(b, n);
	hwb_buf_puts(b, TRUNCATED_MARK);
}

/* A redacted, length-capped JSON string; invalid UTF-8 bytes become '?'. */
static json_t *clean_string(const char *s)
{
	struct hwb_buf b = HWB_BUF_INIT;
	json_t *j = NULL;
	size_t i;

	if (hwb_redact(&b, s, strlen(s)))
		goto cleanup;
	cut_utf8(&b, HWB_AUDIT_MAX_VALUE);
	if (b.oom)
		goto cleanup;
	if (!(j = json_stringn(b.ptr, b.len))) {
		for (i = 0; i < b.len; i++)
			if ((unsigned char)b.ptr[i] >= 0x80)
				b.ptr[i] = '?';
		j = json_stringn(b.ptr, b.len);
	}
cleanup:
	hwb_buf_release(&b);
	return j;
}

static json_t *field_value(const struct hwb_audit_field *f)
{
	switch (f->type) {
	case HWB_AUDIT_STRING:
		return f->s ? clean_string(f->s) : json_null();
	case HWB_AUDIT_INT:
		return json_integer((json_int_t)f->i);
	case HWB_AUDIT_BOOL:
		return json_boolean(f->b);
	}
	HWB_BUG("audit field '%s' has an unknown type %d", f->key, (int)f->type);
}

/* RFC 3339 UTC with milliseconds: 2025-01-02T03:04:05.678Z */
static int timestamp(char *out, size_t outsz, struct tm *utc)
{
	struct timespec ts;
	int n;

	if (clock_gettime(CLOCK_REALTIME, &ts) || !gmtime_r(&ts.tv_sec, utc))
		return -1;
	n = snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		     utc->tm_year + 1900, utc->tm_mon + 1, utc->tm_mday,
		     utc->tm_hour, utc->tm_min, utc->tm_sec,
		     ts.tv_nsec / 1000000L);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static json_t *build_record(const char *event, const char *stamp,
			    const struct hwb_audit_field *fields, size_t n)
{
	json_t *rec = json_object(), *v;
	size_t i;

	if (!rec || json_object_set_new(rec, "timestamp", json_string(stamp)) ||
	    json_object_set_new(rec, "event", clean_string(event)))
		goto fail;
	for (i = 0; i < n; i++) {
		if (!valid_name(fields[i].key) ||
		    !strcmp(fields[i].key, "timestamp") ||
		    !strcmp(fields[i].key, "event") ||
		    json_object_get(rec, fields[i].key))
			HWB_BUG("audit event %s: bad or repeated field key '%s'",
				event, fields[i].key ? fields[i].key : "(null)");
		v = field_value(&fields[i]);
		if (!v || json_object_set_new(rec, fields[i].key, v))
			goto fail;
	}
	return rec;
fail:
	json_decref(rec);
	return NULL;
}

static int append_line(const char *path, const char *line, size_t len,
		       struct hwb_error *err)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		      0600), rc = -1;

	if (fd < 0) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-A002",
				"cannot open the audit log");
		hwb_error_hint(err, "check audit.dir (HWB_AUDIT_DIR), or set "
				    "audit.enabled = false in ~/.config/hwb/config.toml");
		return hwb_error_at(err, path, 0, 0);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-A002",
			      "the audit log is not a regular file");
		hwb_error_hint(err, "remove it; hwb creates the file itself");
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	/* One write() per record: O_APPEND keeps concurrent lines whole. */
	n = write(fd, line, len);
	if (n < 0 || (size_t)n != len) {
		if (n >= 0)
			errno = ENOSPC;
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-A003",
				"cannot append to the audit log");
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	rc = 0;
cleanup:
	close(fd);
	return rc;
}

int hwb_audit_event(const struct hwb_audit *a, const char *event,
		    const struct hwb_audit_field *fields, size_t n,
		    struct hwb_error *err)
{
	char stamp[40], *path = NULL, *text = NULL;
	struct hwb_buf line = HWB_BUF_INIT;
	json_t *rec = NULL;
	struct tm utc;
	int rc = -1;

	if (!a->enabled)
		return 0;
	if (!valid_name(event))
		HWB_BUG("audit event name '%s' is not [a-z0-9_.-]+",
			event ? event : "(null)");
	if (timestamp(stamp, sizeof(stamp), &utc))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-A004",
				       "cannot read the clock for the audit log");
	if (!(rec = build_record(event, stamp, fields, n)) ||
	    !(text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER)) ||
	    hwb_buf_puts(&line, text) || hwb_buf_putc(&line, '\n') ||
	    !(path = path_for(a, &utc))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (line.len > HWB_AUDIT_MAX_RECORD) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-A005",
			      "audit record for %s is %zu bytes, more than %d",
			      event, line.len, HWB_AUDIT_MAX_RECORD);
		goto cleanup;
	}
	if (hwb_mkdir_p(a->dir, 0700, err))
		goto cleanup;
	rc = append_line(path, line.ptr, line.len, err);
cleanup:
	json_decref(rec);
	free(text);
	free(path);
	hwb_buf_release(&line);
	return rc;
}
