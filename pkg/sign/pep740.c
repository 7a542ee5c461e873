/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pep740.c: `hwb verify pypi`: PEP 740 attestations (DIST.publish.attestation,
 * or every attestation of a PyPI Integrity API provenance document). Each
 * is rebuilt as a v0.3 DSSE bundle and verified like one; then the
 * statement must name exactly this distribution with a known predicate.
 */
#include <ctype.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/sign/internal.h"

#define MAX_ATTESTATIONS 16

static const char *const predicate_types[] = {
	"https://docs.pypi.org/attestations/publish/v1",
	"https://slsa.dev/provenance/v1",
};

static int att_fail(struct hwb_error *err, const char *file, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V031",
		      "not a valid PEP 740 attestation: %s", what);
	hwb_error_hint(err, "use the attestation PyPI serves for this file");
	return hwb_error_at(err, file, 0, 0);
}

static int to_bundle(struct hwb_sign__bundle *b, json_t *att, const char *file,
		     struct hwb_error *err)
{
	json_t *vm = json_object_get(att, "verification_material");
	json_t *entries = json_object_get(vm, "transparency_entries");
	json_t *env = json_object_get(att, "envelope");
	json_t *version = json_object_get(att, "version");

	if (!json_is_integer(version) || json_integer_value(version) != 1)
		return att_fail(err, file, "version is not 1");
	if (!json_is_array(entries) || json_array_size(entries) != 1)
		return att_fail(err, file, "it needs exactly one transparency entry");
	/*
	 * The attestation's own fields are pydantic ones, required; only its
	 * transparency entry follows the protobuf JSON mapping (pbjson.c).
	 */
	if (!json_is_string(json_object_get(vm, "certificate")) ||
	    !json_is_string(json_object_get(env, "statement")) ||
	    !json_is_string(json_object_get(env, "signature")))
		return att_fail(err, file, "it needs a certificate, a statement and a signature");
	b->version = 3;
	b->material = HWB_SIGN__MAT_CERT;
	b->ncerts = 1;
	b->is_dsse = 1;
	if (hwb_sign__json_bytes(vm, "certificate", &b->certs[0], file, err) ||
	    hwb_sign__entry_from_json(&b->entry, json_array_get(entries, 0), file,
				      err) ||
	    hwb_sign__json_bytes(env, "statement", &b->payload, file, err) ||
	    hwb_sign__json_bytes(env, "signature", &b->signature, file, err))
		return -1;
	/* no field for RFC 3161 timestamps: the log's promise is the time */
	if (!b->entry.set.len || !b->entry.has_proof || !b->entry.checkpoint.len)
		return att_fail(err, file, "its log entry needs an inclusion promise and a proof with a checkpoint");
	if (hwb_buf_puts(&b->payload_type, "application/vnd.in-toto+json"))
		return hwb_error_oom(err);
	return 0;
}

/* name-version...: the project name normalised (PEP 503), the rest as is. */
static int same_distribution(const char *a, const char *b)
{
	const char *da, *db;
	int sdist = strstr(a, ".tar.gz") != NULL;
	size_t i, j;

	da = sdist ? strrchr(a, '-') : strchr(a, '-');
	db = sdist ? strrchr(b, '-') : strchr(b, '-');
	if (!da || !db || strcmp(da, db))
		return 0;
	for (i = 0, j = 0; a + i < da && b + j < db; i++, j++) {
		int ca = strchr("-_.", a[i]) ? '_' : tolower((unsigned char)a[i]);
		int cb = strchr("-_.", b[j]) ? '_' : tolower((unsigned char)b[j]);

		if (ca != cb)
			return 0;
		while (ca == '_' && a + i + 1 < da && strchr("-_.", a[i + 1]))
			i++;
		while (cb == '_' && b + j + 1 < db && strchr("-_.", b[j + 1]))
			j++;
	}
	return a + i == da && b + j == db;
}

static int statement_fail(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V032",
		      "the attestation's statement %s", what);
	return hwb_error_hint(err, "the attestation was made for another file");
}

/* PEP 740's rules on the statement, beyond the subject digest. */
static int check_statement(const struct hwb_buf *payload, const char *dist,
			   struct hwb_error *err)
{
	json_t *st = json_loadb(payload->ptr, payload->len, 0, NULL);
	json_t *subjects = json_object_get(st, "subject");
	const char *name, *pt, *base = strrchr(dist, '/');
	size_t i;
	int rc = -1;

	base = base ? base + 1 : dist;
	if (json_array_size(subjects) != 1) {
		statement_fail(err, "must have exactly one subject");
		goto cleanup;
	}
	name = json_string_value(json_object_get(json_array_get(subjects, 0), "name"));
	if (!name || !same_distribution(name, base)) {
		statement_fail(err, "names another distribution file");
		goto cleanup;
	}
	pt = json_string_value(json_object_get(st, "predicateType"));
	for (i = 0; pt && i < sizeof(predicate_types) / sizeof(*predicate_types); i++)
		if (!strcmp(pt, predicate_types[i]))
			rc = 0;
	if (rc)
		statement_fail(err, "has an unknown predicate type");
cleanup:
	json_decref(st);
	return rc;
}

static int verify_one(struct hwb_verifier *v, json_t *att,
		      const struct hwb_sign__artifact *a, const char *dist,
		      const char *file, struct hwb_verify_result *res,
		      struct hwb_error *err)
{
	struct hwb_sign__bundle b;
	int rc = -1;

	hwb_sign__bundle_init(&b);
	if (to_bundle(&b, att, file, err) ||
	    hwb_sign__verify_parsed(v, &b, a, file, res, err) ||
	    check_statement(&b.payload, dist, err))
		goto cleanup;
	rc = 0;
cleanup:
	if (rc && !err->file[0])
		hwb_error_at(err, file, 0, 0);
	hwb_sign__bundle_release(&b);
	return rc;
}

/* The attestations: one object, or those of a provenance document. */
static int collect(json_t *doc, json_t **out, size_t *n, const char *file,
		   struct hwb_error *err)
{
	json_t *bundles = json_object_get(doc, "attestation_bundles"), *ab, *att;
	size_t i, j;

	*n = 0;
	if (!bundles) {
		out[(*n)++] = doc;
		return 0;
	}
	json_array_foreach(bundles, i, ab) {
		json_array_foreach(json_object_get(ab, "attestations"), j, att) {
			if (*n == MAX_ATTESTATIONS)
				return att_fail(err, file, "too many attestations");
			out[(*n)++] = att;
		}
	}
	return *n ? 0 : att_fail(err, file, "the provenance holds no attestation");
}

int hwb_verify_pypi(struct hwb_verifier *v, const char *dist,
		    const char *provenance, struct hwb_verify_result *res,
		    struct hwb_error *err)
{
	struct hwb_sign__artifact a;
	struct hwb_buf path = HWB_BUF_INIT, text = HWB_BUF_INIT;
	json_t *doc = NULL, *atts[MAX_ATTESTATIONS];
	size_t i, n;
	int rc = -1;

	if (hwb_sign__artifact_load(&a, dist, err))
		goto cleanup;
	if (!a.path) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-V009",
			      "hwb verify pypi needs the distribution file, not a digest");
		hwb_error_hint(err, "download the file and give its path");
		goto cleanup;
	}
	if (provenance)
		hwb_buf_puts(&path, provenance);
	else
		hwb_buf_printf(&path, "%s.publish.attestation", dist);
	if (hwb_buf_check(&path, err) ||
	    hwb_file_read_all(path.ptr, HWB_SIGN__MAX_BUNDLE, &text, err))
		goto cleanup;
	if (!(doc = json_loadb(text.ptr, text.len, JSON_REJECT_DUPLICATES, NULL))) {
		att_fail(err, path.ptr, "it is not valid JSON");
		goto cleanup;
	}
	if (collect(doc, atts, &n, path.ptr, err))
		goto cleanup;
	/* every attestation PyPI holds for the file must verify */
	for (i = 0; i < n; i++)
		if (verify_one(v, atts[i], &a, dist, path.ptr, res, err))
			goto cleanup;
	rc = 0;
cleanup:
	json_decref(doc);
	hwb_buf_release(&path);
	hwb_buf_release(&text);
	return rc;
}
