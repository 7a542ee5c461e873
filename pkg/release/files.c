/* SPDX-License-Identifier: Apache-2.0 */
/*
 * files.c: the distributions of a release and their provenance: those the
 * build made, or those in a --from directory (what earlier build jobs
 * handed on: DIR with the distributions, DIR-signatures/ with hwb build's
 * provenance statement); and the check that what release.json recorded is
 * still on disk unchanged before a resumed run goes on with it.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/core/buf.h"
#include "pkg/core/hash.h"
#include "pkg/release/internal.h"
#include "pkg/sign/sign.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

/* 1 wheel, 0 sdist, -1 anything else */
static int kind(const char *name)
{
	return ends_with(name, ".whl") ? 1 : ends_with(name, ".tar.gz") ? 0 : -1;
}

int hwb_release__add_file(struct hwb_release_result *r, const char *path,
			  struct hwb_error *err)
{
	struct hwb_release_file *f, *grown;
	struct stat st;
	char *slash;

	grown = realloc(r->files, (r->count + 1) * sizeof(*r->files));
	if (!grown)
		return hwb_error_oom(err);
	r->files = grown;
	f = &r->files[r->count];
	memset(f, 0, sizeof(*f));
	f->log_index = f->attestation_log_index = -1;
	if (!(f->path = hwb_strdup(path)))
		return hwb_error_oom(err);
	r->count++;
	slash = strrchr(f->path, '/');
	f->filename = slash ? slash + 1 : f->path;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-L004",
				       "cannot read the distribution %s", path),
		       hwb_error_hint(err, "give the directory the build jobs wrote");
	f->size = (uint64_t)st.st_size;
	return hwb_hash_file_hex(HWB_HASH_SHA256, path, f->sha256, err);
}

static int by_upload_order(const void *a, const void *b)
{
	const struct hwb_release_file *x = a, *y = b;
	int kx = kind(x->filename), ky = kind(y->filename);

	return kx != ky ? ky - kx : strcmp(x->filename, y->filename);
}

void hwb_release__sort(struct hwb_release_result *r)
{
	size_t i;

	if (r->count > 1)
		qsort(r->files, r->count, sizeof(*r->files), by_upload_order);
	/* filename points into path, which moved with its struct: fine */
	for (i = 0; i < r->count; i++) {
		char *slash = strrchr(r->files[i].path, '/');

		r->files[i].filename = slash ? slash + 1 : r->files[i].path;
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir ending with one of the suffixes, sorted; owned. */
static int list_dir(const char *dir, int dists, char ***out, size_t *n,
		    struct hwb_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL, **grown;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!d)
		return 1; /* absent: the caller decides */
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    (dists ? kind(e->d_name) < 0 : !ends_with(e->d_name, ".provenance.json")))
			continue;
		if (!(grown = realloc(names, (*n + 1) * sizeof(*names))) ||
		    !(grown[*n] = hwb_strdup_printf("%s/%s", dir, e->d_name))) {
			names = grown ? grown : names;
			rc = hwb_error_oom(err);
			break;
		}
		names = grown;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_names);
	*out = names;
	return rc;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int hwb_release__collect(struct hwb_release_result *r, const char *dir,
			 struct hwb_error *err)
{
	char **names;
	size_t n, i;
	int rc = list_dir(dir, 1, &names, &n, err);

	if (rc < 0)
		goto cleanup;
	if (rc > 0 || !n) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-L004",
			      "--from %s: %s", dir, rc > 0 ? "cannot open the directory"
							   : "it holds no wheel or sdist");
		rc = hwb_error_hint(err, "give the directory where the build jobs' "
				    "distributions were downloaded (dist/)");
		goto cleanup;
	}
	for (i = 0; i < n && !rc; i++)
		rc = hwb_release__add_file(r, names[i], err);
	if (!rc)
		hwb_release__sort(r);
cleanup:
	free_names(names, n);
	return rc;
}

/* The one provenance statement in dir; more than one is ambiguous. */
static int provenance_in(struct hwb_release_result *r, const char *dir,
			 struct hwb_error *err)
{
	char **names;
	size_t n;
	int rc = list_dir(dir, 0, &names, &n, err);

	if (rc > 0)
		return 0;
	if (!rc && n > 1) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-L006",
			      "%s holds %zu provenance statements (%s, ...): one "
			      "release has one", dir, n, names[0]);
		rc = hwb_error_hint(err, "hand on the provenance of this release's build only");
	} else if (!rc && n == 1 && !(r->provenance = hwb_strdup(names[0]))) {
		rc = hwb_error_oom(err);
	}
	free_names(names, n);
	return rc;
}

int hwb_release__find_provenance(struct hwb_release_result *r, const char *dir,
				 struct hwb_error *err)
{
	struct hwb_buf sigdir = HWB_BUF_INIT, probe = HWB_BUF_INIT;
	char sha[65];
	int rc;

	/* DIR-signatures/ is where hwb build writes it beside DIR */
	hwb_buf_printf(&probe, "%s/x.whl", dir);
	rc = probe.oom || hwb_sign_signature_dir(probe.ptr, &sigdir) || sigdir.oom
		     ? hwb_error_oom(err)
		     : provenance_in(r, sigdir.ptr, err);
	if (!rc && !r->provenance)
		rc = provenance_in(r, dir, err);
	if (!rc && r->provenance) {
		if (hwb_hash_file_hex(HWB_HASH_SHA256, r->provenance, sha, err) ||
		    !(r->provenance_sha256 = hwb_strdup(sha)))
			rc = err->code[0] ? -1 : hwb_error_oom(err);
	}
	hwb_buf_release(&sigdir);
	hwb_buf_release(&probe);
	return rc;
}

static int changed(const char *path, const char *want, struct hwb_error *err)
{
	char sha[65];
	struct hwb_error ignored = HWB_ERROR_INIT;

	if (!hwb_hash_file_hex(HWB_HASH_SHA256, path, sha, &ignored) && !strcmp(sha, want))
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-L005",
		      "%s is not the file this release recorded (sha256 %.16s...): "
		      "it changed or went away since the interrupted run", path, want);
	hwb_error_at(err, path, 0, 0);
	return hwb_error_hint(err, "restore the files, or remove release.json to "
			      "start the release over");
}

int hwb_release__check_unchanged(const struct hwb_release_result *r,
				 struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (changed(r->files[i].path, r->files[i].sha256, err))
			return -1;
	if (r->provenance && r->provenance_sha256 &&
	    changed(r->provenance, r->provenance_sha256, err))
		return -1;
	return 0;
}

int hwb_release__name_version(struct hwb_release_result *r, struct hwb_error *err)
{
	const char *f, *dash, *end;

	if (r->name || !r->count)
		return 0;
	f = r->files[0].filename;
	/* NAME-VERSION-...whl or NAME-VERSION.tar.gz: names hold no '-' */
	if (!(dash = strchr(f, '-')))
		return 0;
	end = kind(f) == 1 ? strchr(dash + 1, '-') : f + strlen(f) - strlen(".tar.gz");
	if (!end || end <= dash + 1)
		return 0;
	r->name = hwb_strdup_printf("%.*s", (int)(dash - f), f);
	r->version = hwb_strdup_printf("%.*s", (int)(end - dash - 1), dash + 1);
	return r->name && r->version ? 0 : hwb_error_oom(err);
}
