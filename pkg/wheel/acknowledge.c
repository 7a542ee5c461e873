/* SPDX-License-Identifier: Apache-2.0 */
/*
 * acknowledge.c: the private keys a project ships on purpose, as test
 * fixtures (requests' tests/certs/). A leaked credential (W087) stays an
 * error unless check.acknowledged-keys lists that very file: its path in
 * the project and the sha256 of its bytes ("tests/certs/server.key
 * sha256:HEX"), the way gitleaks' ignore file names findings by
 * fingerprint. A new or changed key never matches, so it is never
 * silently allowed; an unacknowledged one is reported with the line to
 * paste. Runs only when a W087 finding exists. A wheel's members were
 * hashed by the check itself (the zip as it read it); an sdist is read a
 * second, short time to hash just the members that have one.
 */
#include "pkg/core/encode.h"
#include "pkg/core/hash.h"
#include "pkg/core/lazy.h"
#include "pkg/wheel/internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#define SECRET_CODE "HWB-W087"

struct flagged {
	struct hwb_finding *f;
	char hex[65]; /* sha256 of the member, "" until read */
};

static int is_flagged(const struct hwb_finding *f)
{
	return !strcmp(f->code, SECRET_CODE) && f->member &&
	       f->severity == HWB_SEVERITY_ERROR;
}

/* The sha256 the check computed for every flagged member of a wheel. */
static int wheel_hashes(const struct hwb_zip *z, struct flagged *fl, size_t n,
			struct hwb_error *err)
{
	struct hwb_buf hex = HWB_BUF_INIT;
	size_t i;
	long k;

	for (i = 0; i < n; i++) {
		k = hwb_wheel__index_get(&z->by_name, fl[i].f->member);
		if (k < 0 || !z->members[k].sha256_valid)
			continue;
		hwb_buf_clear(&hex);
		if (hwb_hex_encode(&hex, z->members[k].sha256, 32)) {
			hwb_buf_release(&hex);
			return hwb_error_oom(err);
		}
		memcpy(fl[i].hex, hex.ptr, 65);
	}
	hwb_buf_release(&hex);
	return 0;
}

/* Hash every flagged member of an sdist, reading the archive once more. */
static int sdist_hashes(const char *path, struct flagged *fl, size_t n,
			struct hwb_error *err)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	struct hwb_hash *h = NULL;
	uint8_t digest[32], buf[65536];
	struct hwb_buf hex = HWB_BUF_INIT;
	la_ssize_t got;
	size_t i;
	int rc = -1;

	if (hwb_lazy_require(HWB_LAZY_ARCHIVE, err) || !(a = archive_read_new()))
		goto cleanup;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		goto done; /* the check itself reported why */
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		for (i = 0; i < n; i++)
			if (name && !fl[i].hex[0] && !strcmp(fl[i].f->member, name))
				break;
		if (i == n)
			continue;
		if (hwb_hash_new(&h, HWB_HASH_SHA256, err))
			goto cleanup;
		while ((got = archive_read_data(a, buf, sizeof(buf))) > 0)
			hwb_hash_update(h, buf, (size_t)got);
		if (got < 0 || hwb_hash_final(h, digest) ||
		    hwb_hex_encode(&hex, digest, sizeof(digest)))
			goto done;
		hwb_hash_free(h);
		h = NULL;
		/* every finding of that member */
		for (; i < n; i++)
			if (!strcmp(fl[i].f->member, name))
				memcpy(fl[i].hex, hex.ptr, 65);
		hwb_buf_clear(&hex);
	}
done:
	rc = 0;
cleanup:
	if (rc && !err->code[0])
		hwb_error_oom(err);
	hwb_hash_free(h);
	hwb_buf_release(&hex);
	if (a)
		archive_read_free(a);
	return rc;
}

/* The member's path in the project: an sdist's members sit under
 * NAME-VERSION/, a wheel's are the project's package paths already. */
static const char *project_path(const char *member, int sdist)
{
	const char *slash = sdist ? strchr(member, '/') : NULL;

	return slash ? slash + 1 : member;
}

static int listed(const struct hwb_check_options *o, const char *rel,
		  const char *hex)
{
	size_t i, n = strlen(rel);

	for (i = 0; i < o->acknowledged_count; i++) {
		const char *a = o->acknowledged_keys[i];

		if (!strncmp(a, rel, n) && !strncmp(a + n, " sha256:", 8) &&
		    !strcmp(a + n + 8, hex))
			return 1;
	}
	return 0;
}

static int rewrite(struct flagged *fl, int sdist,
		   const struct hwb_check_options *o)
{
	const char *rel = project_path(fl->f->member, sdist);
	char *msg;

	if (!fl->hex[0])
		return 0;
	if (listed(o, rel, fl->hex)) {
		msg = hwb_strdup_printf("an acknowledged test-fixture key "
					"(check.acknowledged-keys lists \"%s "
					"sha256:%s\"); it is published as it is",
					rel, fl->hex);
		if (!msg)
			return -1;
		fl->f->severity = HWB_SEVERITY_INFO;
	} else {
		msg = hwb_strdup_printf("%s; if it is a test fixture and not a "
					"credential, acknowledge exactly this "
					"file: check.acknowledged-keys = "
					"[\"%s sha256:%s\"]", fl->f->message,
					rel, fl->hex);
		if (!msg)
			return -1;
	}
	free(fl->f->message);
	fl->f->message = msg;
	return 0;
}

int hwb_wheel__acknowledge(struct hwb_check_report *r, const char *path,
			   const struct hwb_zip *z,
			   const struct hwb_check_options *o,
			   struct hwb_error *err)
{
	struct flagged *fl;
	size_t i, n = 0;
	int rc = -1;

	for (i = 0; i < r->count; i++)
		n += is_flagged(&r->findings[i]);
	if (!n)
		return 0;
	if (!(fl = calloc(n, sizeof(*fl))))
		return hwb_error_oom(err);
	for (i = 0, n = 0; i < r->count; i++)
		if (is_flagged(&r->findings[i]))
			fl[n++].f = &r->findings[i];
	if (z ? wheel_hashes(z, fl, n, err) : sdist_hashes(path, fl, n, err))
		goto cleanup;
	for (i = 0; i < n; i++)
		if (rewrite(&fl[i], !z, o)) {
			hwb_error_oom(err);
			goto cleanup;
		}
	rc = 0;
cleanup:
	free(fl);
	return rc;
}
