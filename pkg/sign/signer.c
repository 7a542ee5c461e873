/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signer.c: the public signing entry points. A signer is made once per
 * `hwb sign` call (trust root, signing config, services, one ephemeral key
 * and its certificate); each file then costs one signature, its timestamps
 * and one log entry. Every bundle is run through the verifier, with the
 * same trust root and the certificate's identity, before it is returned:
 * hwb never hands out a bundle that `hwb verify` would refuse.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/http.h"
#include "pkg/core/oidc.h"
#include "pkg/sign/internal.h"

#define MAX_SIGNING_CONFIG ((size_t)1 << 20)
/*
 * Files signed at once by hwb_sign_files: each waits mostly on the TSA and
 * the log (a Rekor v2 log answers when a checkpoint covers the entry), so
 * a few requests in flight hide that latency; the checks run one at a time.
 */
#define SIGN_JOBS 8
#define INTOTO_TYPE "application/vnd.in-toto+json"

struct hwb_signer {
	struct hwb_verifier *verifier; /* trust root + the identity policy */
	struct hwb_sign__signing_config config;
	struct hwb_sign__selection sel;     /* the signing config's choice */
	struct hwb_sign__selection sel_v1;  /* Rekor v1 only (PEP 740) */
	int has_v1;
	struct hwb_http_client *http;
	EVP_PKEY *key;                 /* read-only once made: shared by workers */
	struct hwb_buf cert_der;
	char identity[1024];
	char issuer[512];
	pthread_mutex_t lock;          /* the verifier's memos; results in order */
};

/* What one signature carries into the bundle. */
struct signing {
	const struct hwb_sign__service *tlog;
	uint8_t digest[32];        /* what the log records */
	struct hwb_buf sig;
	struct hwb_buf timestamps[HWB_SIGN__MAX_SELECTED];
	size_t ntimestamps;
	json_t *entry;
};

static int load_config(struct hwb_signer *s, const struct hwb_sign_options *o,
		       struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	const char *embedded;
	size_t len;
	int rc;

	if (o->signing_config) {
		rc = hwb_file_read_all(o->signing_config, MAX_SIGNING_CONFIG, &text, err) ||
		     hwb_sign__signing_config_parse(&s->config, text.ptr, text.len,
						    o->signing_config, err);
		hwb_buf_release(&text);
		return rc ? -1 : 0;
	}
	if (o->signing_config_json)
		return hwb_sign__signing_config_parse(&s->config, o->signing_config_json,
						      o->signing_config_len,
						      o->trust_name ? o->trust_name
								    : "(signing config)",
						      err);
	embedded = hwb_sign__embedded_signing_config(o->staging, &len);
	return hwb_sign__signing_config_parse(&s->config, embedded, len,
					      o->staging ? "(embedded staging signing config)"
							 : "(embedded production signing config)",
					      err);
}

static int choose_services(struct hwb_signer *s, unsigned rekor_version,
			   struct hwb_error *err)
{
	struct hwb_error ignored = HWB_ERROR_INIT;
	int64_t now = (int64_t)time(NULL);

	if (rekor_version > 2)
		return hwb_error_set(err, HWB_KIND_USAGE, "HWB-S028",
				     "Rekor API version %u is not one hwb writes", rekor_version),
		       hwb_error_hint(err, "give --rekor-version 1 or 2");
	if (hwb_sign__signing_config_select(&s->config, now, rekor_version, &s->sel, err))
		return -1;
	if (!s->sel.ntlogs)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S028",
				     "the signing config names no transparency log valid now%s",
				     rekor_version ? " for that --rekor-version" : ""),
		       hwb_error_hint(err, "use a signing config with a current rekorTlogUrls entry");
	if (s->sel.tlogs[0]->major == 2 && !s->sel.ntsas)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S028",
				     "Rekor v2 entries carry no time, and the signing config names no TSA valid now"),
		       hwb_error_hint(err, "use a signing config with tsaUrls, or --rekor-version 1");
	s->has_v1 = !hwb_sign__signing_config_select(&s->config, now, 1, &s->sel_v1,
						     &ignored) && s->sel_v1.ntlogs;
	return 0;
}

static int make_verifier(struct hwb_signer *s, const struct hwb_sign_options *o,
			 struct hwb_error *err)
{
	struct hwb_verify_options vo;

	memset(&vo, 0, sizeof(vo));
	vo.trusted_root = o->trusted_root;
	vo.trusted_root_json = o->trusted_root_json;
	vo.trusted_root_len = o->trusted_root_len;
	vo.trusted_root_name = o->trust_name;
	vo.staging = o->staging;
	vo.http = o->http;
	/* filled from the certificate once Fulcio has issued it */
	vo.policy.kind = HWB_POLICY_IDENTITY;
	vo.policy.identity = s->identity;
	vo.policy.issuer = s->issuer;
	return hwb_verifier_new(&s->verifier, &vo, err);
}

static int read_identity(struct hwb_signer *s, struct hwb_error *err)
{
	struct hwb_buf san = HWB_BUF_INIT, iss = HWB_BUF_INIT;
	X509 *leaf = hwb_sign__x509_from_der(&s->cert_der);
	int rc = -1;

	if (leaf && !hwb_sign__leaf_san(leaf, &san) &&
	    !hwb_sign__leaf_issuer(leaf, &iss)) {
		snprintf(s->identity, sizeof(s->identity), "%s", san.ptr ? san.ptr : "");
		snprintf(s->issuer, sizeof(s->issuer), "%s", iss.ptr ? iss.ptr : "");
		rc = 0;
	} else {
		hwb_error_oom(err);
	}
	X509_free(leaf);
	hwb_buf_release(&san);
	hwb_buf_release(&iss);
	return rc;
}

int hwb_signer_new(struct hwb_signer **out, const struct hwb_sign_options *opts,
		   const struct hwb_oidc_token *token, struct hwb_error *err)
{
	struct hwb_http_options hopts = HWB_HTTP_OPTIONS_INIT;
	struct hwb_signer *s = calloc(1, sizeof(*s));
	int rc = -1;

	*out = NULL;
	if (!s)
		return hwb_error_oom(err);
	pthread_mutex_init(&s->lock, NULL);
	if (opts->http)
		hopts = *opts->http;
	if (load_config(s, opts, err) ||
	    choose_services(s, opts->rekor_version, err) ||
	    make_verifier(s, opts, err) ||
	    hwb_http_client_new(&s->http, &hopts, err) ||
	    hwb_sign__key_new(&s->key, err) ||
	    hwb_sign__fulcio_certify(s->http, s->sel.ca->url, token, s->key,
				     &s->verifier->trust,
				     s->sel.oidc ? s->sel.oidc->url : NULL,
				     &s->cert_der, err) ||
	    read_identity(s, err))
		goto cleanup;
	*out = s;
	s = NULL;
	rc = 0;
cleanup:
	hwb_signer_free(s);
	return rc;
}

void hwb_signer_free(struct hwb_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key); /* clears the secure heap's scalar */
	hwb_http_client_free(s->http);
	hwb_verifier_free(s->verifier);
	hwb_sign__signing_config_release(&s->config);
	hwb_buf_release(&s->cert_der);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

const char *hwb_signer_identity(const struct hwb_signer *s) { return s->identity; }
const char *hwb_signer_issuer(const struct hwb_signer *s) { return s->issuer; }
const char *hwb_signer_fulcio_url(const struct hwb_signer *s) { return s->sel.ca->url; }
unsigned hwb_signer_rekor_version(const struct hwb_signer *s) { return s->sel.tlogs[0]->major; }

int hwb_sign_oauth_issuer(const struct hwb_sign_options *opts,
			  struct hwb_buf *out, struct hwb_error *err)
{
	struct hwb_signer s;
	struct hwb_sign__selection sel;
	int rc;

	memset(&s, 0, sizeof(s));
	hwb_buf_clear(out);
	if (load_config(&s, opts, err))
		return -1;
	rc = hwb_sign__signing_config_select(&s.config, (int64_t)time(NULL), 0, &sel, err);
	if (!rc && sel.oidc && hwb_buf_puts(out, sel.oidc->url))
		rc = hwb_error_oom(err);
	hwb_sign__signing_config_release(&s.config);
	return rc;
}

static void signing_release(struct signing *g)
{
	size_t i;

	hwb_buf_release(&g->sig);
	for (i = 0; i < HWB_SIGN__MAX_SELECTED; i++)
		hwb_buf_release(&g->timestamps[i]);
	json_decref(g->entry);
}

/* RFC 3161 timestamps over the signature, from each chosen TSA. */
static int timestamp(struct hwb_signer *s, struct hwb_http_client *http,
		     const struct hwb_sign__selection *sel, struct signing *g,
		     struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < sel->ntsas; i++) {
		if (hwb_sign__tsa_timestamp(http, sel->tsas[i]->url,
					    &s->verifier->trust, &s->lock, &g->sig,
					    &g->timestamps[g->ntimestamps], err))
			return -1;
		g->ntimestamps++;
	}
	return 0;
}

/* protobuf JSON writes int64 as strings; Rekor v1 answers numbers. */
static void int64_as_string(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	char text[24];

	if (json_is_integer(v)) {
		snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
		json_object_set_new(obj, key, json_string(text));
	}
}

static int log_entry(struct hwb_http_client *http, const struct hwb_buf *proposed,
		     struct signing *g, struct hwb_error *err)
{
	json_t *proof;

	if (g->tlog->major == 2)
		return hwb_sign__rekor_v2_log(http, g->tlog->url, proposed, &g->entry, err);
	if (hwb_sign__rekor_v1_log(http, g->tlog->url, proposed, &g->entry, err))
		return -1;
	int64_as_string(g->entry, "logIndex");
	int64_as_string(g->entry, "integratedTime");
	proof = json_object_get(g->entry, "inclusionProof");
	int64_as_string(proof, "logIndex");
	int64_as_string(proof, "treeSize");
	return 0;
}

static json_t *b64_json(const void *data, size_t len)
{
	struct hwb_buf b = HWB_BUF_INIT;
	json_t *out = NULL;

	if (!hwb_base64_encode(&b, data, len, HWB_B64_STD))
		out = json_stringn(b.ptr ? b.ptr : "", b.len);
	hwb_buf_release(&b);
	return out;
}

/* verificationMaterial: certificate, the entry, the timestamps. */
static json_t *material_json(const struct hwb_signer *s, const struct signing *g)
{
	json_t *ts = json_array(), *m;
	size_t i;

	for (i = 0; ts && i < g->ntimestamps; i++)
		json_array_append_new(ts, json_pack("{s:o}", "signedTimestamp",
			b64_json(g->timestamps[i].ptr, g->timestamps[i].len)));
	m = json_pack("{s:{s:o}, s:[O]}", "certificate", "rawBytes",
		      b64_json(s->cert_der.ptr, s->cert_der.len), "tlogEntries", g->entry);
	if (m && ts && json_array_size(ts))
		json_object_set_new(m, "timestampVerificationData",
				    json_pack("{s:O}", "rfc3161Timestamps", ts));
	json_decref(ts);
	return m;
}

static int dump(json_t *doc, struct hwb_buf *out, struct hwb_error *err)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	int rc = text ? hwb_buf_set(out, text, strlen(text)) : -1;

	free(text);
	json_decref(doc);
	return rc ? hwb_error_oom(err) : 0;
}

/* Verify what we made as `hwb verify` would, then fill res. */
static int self_verify(struct hwb_signer *s, const struct hwb_buf *bundle,
		       const struct hwb_sign__artifact *a, const struct signing *g,
		       struct hwb_sign_result *res, struct hwb_error *err)
{
	struct hwb_sign__bundle b;
	struct hwb_verify_result v;
	char why[sizeof(err->message) + 20];
	int rc;

	hwb_sign__bundle_init(&b);
	pthread_mutex_lock(&s->lock);
	rc = hwb_sign__bundle_parse(&b, bundle->ptr, bundle->len, "(new bundle)", err) ||
	     hwb_sign__verify_parsed(s->verifier, &b, a, "(new bundle)", &v, err);
	pthread_mutex_unlock(&s->lock);
	hwb_sign__bundle_release(&b);
	if (rc) {
		snprintf(why, sizeof(why), "%s: %s", err->code, err->message);
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-S027",
			      "the bundle from %s and %s does not verify, so it was not written (%s)",
			      s->sel.ca->url, g->tlog->url, why);
		return hwb_error_hint(err, "a service answered something the trusted root does not vouch for; check --trusted-root and --signing-config describe one instance");
	}
	memset(res, 0, sizeof(*res));
	memcpy(res->sha256, v.artifact_sha256, sizeof(res->sha256));
	snprintf(res->identity, sizeof(res->identity), "%s", v.identity);
	snprintf(res->issuer, sizeof(res->issuer), "%s", v.issuer);
	snprintf(res->entry_kind, sizeof(res->entry_kind), "%s", v.entry_kind);
	snprintf(res->log_url, sizeof(res->log_url), "%s", g->tlog->url);
	res->log_index = v.log_index;
	res->timestamps = g->ntimestamps;
	return 0;
}

static int sign_path(struct hwb_signer *s, struct hwb_http_client *http,
		     const char *path, struct hwb_buf *bundle,
		     struct hwb_sign_result *res, struct hwb_error *err)
{
	struct signing g = { 0 };
	struct hwb_sign__artifact a = { { 0 }, path };
	struct hwb_buf proposed = HWB_BUF_INIT;
	json_t *doc;
	int rc = -1;

	g.tlog = s->sel.tlogs[0];
	if (hwb_hash_file(HWB_HASH_SHA256, path, g.digest, err) ||
	    hwb_sign__key_sign_digest(s->key, g.digest, &g.sig, err) ||
	    timestamp(s, http, &s->sel, &g, err))
		goto cleanup;
	if (hwb_sign__proposed_hashedrekord(&proposed, g.tlog->major, g.digest,
					    &g.sig, &s->cert_der)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (log_entry(http, &proposed, &g, err))
		goto cleanup;
	doc = json_pack("{s:s, s:o, s:{s:{s:s, s:o}, s:o}}", "mediaType",
			"application/vnd.dev.sigstore.bundle.v0.3+json",
			"verificationMaterial", material_json(s, &g),
			"messageSignature", "messageDigest", "algorithm", "SHA2_256",
			"digest", b64_json(g.digest, 32),
			"signature", b64_json(g.sig.ptr, g.sig.len));
	memcpy(a.sha256, g.digest, 32);
	if (dump(doc, bundle, err) || self_verify(s, bundle, &a, &g, res, err))
		goto cleanup;
	rc = 0;
cleanup:
	hwb_buf_release(&proposed);
	signing_release(&g);
	return rc;
}

int hwb_sign_file(struct hwb_signer *s, const char *path, struct hwb_buf *bundle,
		  struct hwb_sign_result *res, struct hwb_error *err)
{
	return sign_path(s, s->http, path, bundle, res, err);
}

/* One file's outcome, kept until every file before it is reported. */
struct slot {
	int done, failed;
	struct hwb_buf bundle;
	struct hwb_sign_result res;
	struct hwb_error err;
};

struct pool {
	struct hwb_signer *s;
	const char *const *paths;
	size_t n, next, reported, failed;
	struct slot *slots;
	hwb_sign_done_fn done;
	void *ctx;
};

/* Under s->lock: report the finished files that come next, in order. */
static void report_ready(struct pool *p)
{
	struct slot *sl;

	while (p->reported < p->n && (sl = &p->slots[p->reported])->done) {
		p->done(p->ctx, p->reported, sl->failed ? NULL : &sl->bundle,
			sl->failed ? NULL : &sl->res, sl->failed ? &sl->err : NULL);
		hwb_buf_release(&sl->bundle);
		p->reported++;
	}
}

struct worker {
	struct pool *pool;
	struct hwb_http_client *http;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	struct slot *sl;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->s->lock);
		i = p->next < p->n ? p->next++ : p->n;
		pthread_mutex_unlock(&p->s->lock);
		if (i == p->n)
			return NULL;
		sl = &p->slots[i];
		sl->failed = sign_path(p->s, w->http, p->paths[i], &sl->bundle,
				       &sl->res, &sl->err) != 0;
		pthread_mutex_lock(&p->s->lock);
		sl->done = 1;
		p->failed += (size_t)sl->failed;
		report_ready(p);
		pthread_mutex_unlock(&p->s->lock);
	}
}

static int start_workers(struct pool *p, struct worker *w, pthread_t *tid,
			 size_t jobs, const struct hwb_http_options *hopts,
			 size_t *started, struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < jobs; i++) {
		w[i].pool = p;
		w[i].http = i ? NULL : p->s->http;
		if (i && hwb_http_client_new(&w[i].http, hopts, err))
			return -1;
		if (pthread_create(&tid[i], NULL, work, &w[i])) {
			if (i)
				hwb_http_client_free(w[i].http);
			return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-C001",
					       "cannot start a signing thread");
		}
		(*started)++;
	}
	return 0;
}

int hwb_sign_files(struct hwb_signer *s, const char *const *paths, size_t n,
		   hwb_sign_done_fn done, void *ctx, struct hwb_error *err)
{
	struct hwb_http_options hopts = HWB_HTTP_OPTIONS_INIT;
	struct pool p = { s, paths, n, 0, 0, 0, NULL, done, ctx };
	size_t jobs = n < SIGN_JOBS ? n : SIGN_JOBS, started = 0, i;
	struct worker w[SIGN_JOBS];
	pthread_t tid[SIGN_JOBS];
	int rc;

	if (!n)
		return 0;
	if (!(p.slots = calloc(n, sizeof(*p.slots))))
		return hwb_error_oom(err);
	if (s->verifier->opts.http)
		hopts = *s->verifier->opts.http;
	rc = start_workers(&p, w, tid, jobs, &hopts, &started, err);
	if (rc) {
		/* the started ones finish every file; nothing is lost */
		pthread_mutex_lock(&s->lock);
		if (!started)
			p.next = n;
		pthread_mutex_unlock(&s->lock);
	}
	for (i = 0; i < started; i++) {
		pthread_join(tid[i], NULL);
		if (i)
			hwb_http_client_free(w[i].http);
	}
	free(p.slots);
	if (rc && !started)
		return -1;
	return p.failed ? hwb_error_set(err, HWB_KIND_FAILED, "HWB-S032",
					"%zu of %zu file(s) could not be signed",
					p.failed, n)
			: 0;
}

/* The digest of the statement's first subject, to verify against. */
static int first_subject(const struct hwb_buf *statement,
			 struct hwb_sign__artifact *a, struct hwb_error *err)
{
	json_t *doc = json_loadb(statement->ptr, statement->len, 0, NULL);
	json_t *subj = json_array_get(json_object_get(doc, "subject"), 0);
	const char *hex = json_string_value(json_object_get(
		json_object_get(subj, "digest"), "sha256"));
	struct hwb_buf raw = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	int rc = -1;

	if (hex && !hwb_hex_decode(&raw, hex, strlen(hex), &ignored) && raw.len == 32) {
		memcpy(a->sha256, raw.ptr, 32);
		rc = 0;
	} else {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-S029",
			      "the statement's first subject has no SHA-256 digest");
		hwb_error_hint(err, "give subjects with \"digest\": {\"sha256\": HEX}");
	}
	a->path = NULL;
	hwb_buf_release(&raw);
	json_decref(doc);
	return rc;
}

static json_t *envelope_json(const struct hwb_buf *statement, const struct hwb_buf *sig)
{
	return json_pack("{s:o, s:s, s:[{s:o}]}", "payload",
			 b64_json(statement->ptr, statement->len), "payloadType",
			 INTOTO_TYPE, "signatures", "sig", b64_json(sig->ptr, sig->len));
}

static int propose_dsse(const struct hwb_signer *s, const struct hwb_buf *statement,
			struct signing *g, struct hwb_buf *proposed,
			struct hwb_error *err)
{
	json_t *env;
	char *text;
	int rc;

	if (g->tlog->major == 2)
		return hwb_sign__proposed_hashedrekord(proposed, 2, g->digest, &g->sig,
						       &s->cert_der) ? hwb_error_oom(err) : 0;
	env = envelope_json(statement, &g->sig);
	text = env ? json_dumps(env, JSON_COMPACT) : NULL;
	rc = text ? hwb_sign__proposed_dsse(proposed, text, &s->cert_der) : -1;
	free(text);
	json_decref(env);
	return rc ? hwb_error_oom(err) : 0;
}

int hwb_sign_statement(struct hwb_signer *s, const struct hwb_buf *statement,
		       int pep740, struct hwb_buf *bundle,
		       struct hwb_sign_result *res, struct hwb_error *err)
{
	const struct hwb_sign__selection *sel = pep740 ? &s->sel_v1 : &s->sel;
	struct hwb_buf type = HWB_BUF_INIT, pae = HWB_BUF_INIT, proposed = HWB_BUF_INIT;
	struct signing g = { 0 };
	struct hwb_sign__artifact a;
	json_t *doc;
	int rc = -1;

	if (pep740 && !s->has_v1) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S028",
			      "PEP 740 attestations must be logged in Rekor v1, and the signing config names no Rekor v1 log valid now");
		hwb_error_hint(err, "use a signing config with a Rekor v1 entry in rekorTlogUrls");
		goto cleanup;
	}
	g.tlog = sel->tlogs[0];
	hwb_buf_puts(&type, INTOTO_TYPE);
	if (first_subject(statement, &a, err) || hwb_buf_check(&type, err) ||
	    hwb_sign__pae(&pae, &type, statement) ||
	    hwb_sign__sha256(pae.ptr, pae.len, g.digest) ||
	    hwb_sign__key_sign_digest(s->key, g.digest, &g.sig, err) ||
	    (!pep740 && timestamp(s, s->http, sel, &g, err)) ||
	    propose_dsse(s, statement, &g, &proposed, err) ||
	    log_entry(s->http, &proposed, &g, err))
		goto cleanup;
	doc = json_pack("{s:s, s:o, s:o}", "mediaType",
			"application/vnd.dev.sigstore.bundle.v0.3+json",
			"verificationMaterial", material_json(s, &g),
			"dsseEnvelope", envelope_json(statement, &g.sig));
	if (dump(doc, bundle, err) || self_verify(s, bundle, &a, &g, res, err))
		goto cleanup;
	rc = 0;
cleanup:
	if (rc && !err->code[0])
		hwb_error_oom(err);
	hwb_buf_release(&type);
	hwb_buf_release(&pae);
	hwb_buf_release(&proposed);
	signing_release(&g);
	return rc;
}
