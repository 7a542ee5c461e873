/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/publish share. dists.c finds and orders
 * the files, distmeta.c reads their METADATA / PKG-INFO, form.c turns that
 * into the upload's form fields, url.c holds the URL rules, answer.c reads
 * the index's answers, upload.c sends one file (stream.c hashes it as it
 * goes), trusted.c does the trusted
 * publishing exchange, credentials.c chooses how to authenticate, and
 * publish.c runs the whole call.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/hash.h"
#include "pkg/core/http.h"
#include "pkg/publish/publish.h"
#include "pkg/wheel/wheel.h"

/* ---- dists.c ---- */

/**
 * Expand the arguments into files: a file as given (.whl or .tar.gz), a
 * directory as every .whl and .tar.gz directly in it. Wheels come first,
 * then sdists, each group in name order (twine's order: an index then
 * sees binaries before the sdist). A file given twice is kept once.
 * HWB-P003 for an argument that is neither, HWB-P004 for no file at all.
 */
int hwb_publish__collect(const char *const *args, size_t n,
			 struct hwb_publish_file **out, size_t *count,
			 struct hwb_error *err);

/** Order of two file names as hwb_publish__collect sorts them. */
int hwb_publish__order(const char *a, const char *b);

/** 1 for a wheel (.whl), 0 for an sdist (.tar.gz), -1 for anything else. */
int hwb_publish__kind(const char *filename);

/* ---- distmeta.c ---- */

/**
 * Read the distribution's own core metadata: a wheel's
 * NAME-VERSION.dist-info/METADATA (the directory named by the file name's
 * first two parts, as warehouse reads it) or an sdist's
 * NAME-VERSION/PKG-INFO, and parse it. HWB-P005 when it is missing, too
 * big or not core metadata.
 */
int hwb_publish__read_metadata(const char *path, const char *filename,
			       struct hwb_metadata *md, struct hwb_error *err);

/* ---- form.c ---- */

/* The form fields of one upload (everything but the file and digests). */
struct hwb_publish__form {
	struct hwb_http_part *parts; /* owned array; values point into md
				      * or into owned below */
	size_t count, cap;
	char *pyversion;             /* owned */
};

#define HWB_PUBLISH__FORM_INIT { NULL, 0, 0, NULL }

/**
 * The fields twine sends, from md (borrowed: keep it alive as long as the
 * form): ":action", "protocol_version", "filetype", "pyversion" (the
 * wheel's python tag from its file name; "source" for an sdist), then one
 * field per core metadata field in the table of form.c, list fields once
 * per value. HWB-P005 when Metadata-Version, Name or Version is missing.
 */
int hwb_publish__form_build(struct hwb_publish__form *f,
			    const struct hwb_metadata *md,
			    const char *filename, struct hwb_error *err);

/** Append one text field (value borrowed). -1 when out of memory. */
int hwb_publish__form_add(struct hwb_publish__form *f, const char *name,
			  const char *value);

void hwb_publish__form_release(struct hwb_publish__form *f);

/**
 * The form field for a core metadata header ("Classifier" gives
 * "classifiers"), or NULL for a header the upload does not carry; *multi
 * says whether it may repeat.
 */
const char *hwb_publish__field_for(const char *header, int *multi);

/* ---- url.c ---- */

/**
 * The URL rule: https://, or http:// to a loopback address (127.0.0.0/8,
 * ::1, localhost); no user:password@. HWB-P002 otherwise.
 */
int hwb_publish__check_url(const char *url, struct hwb_error *err);

/** scheme://host[:port] of url followed by path (malloc'd), or NULL. */
char *hwb_publish__url_at(const char *url, const char *path);

/**
 * Where a project's release can be seen: pypi.org/project/NAME/VERSION/
 * for PyPI and TestPyPI, the index's /simple/NAME/ page otherwise.
 */
char *hwb_publish__project_url(const char *upload_url, const char *name,
			       const char *version);

/* ---- answer.c: the index's answers (outside input; fuzzed) ---- */

/**
 * The message of an upload error page: warehouse's status line text is
 * repeated as the page's <title> ("400 File already exists ..."); a plain
 * text body gives its first non-blank line. The status number is dropped,
 * control characters become '?', at most 300 bytes. Never fails.
 */
void hwb_publish__error_text(const char *body, size_t len, struct hwb_buf *out);

/** 1 when an upload refusal says the file is there already. */
int hwb_publish__already_exists(long status, const char *text);

/**
 * GET /_/oidc/audience: {"audience": "pypi"}. HWB-P010 when the answer
 * is not that.
 */
int hwb_publish__parse_audience(const char *body, size_t len, char **out,
				struct hwb_error *err);

/* A mint-token answer. */
struct hwb_publish__mint {
	char *token;        /* owned, wiped on release; NULL when refused */
	int64_t expires;    /* unix time */
	struct hwb_buf errors; /* refused: "code: description; ..." */
	char first_code[48];   /* refused: the first error code */
};

#define HWB_PUBLISH__MINT_INIT { NULL, 0, HWB_BUF_INIT, "" }

/**
 * POST /_/oidc/mint-token's answer: 200 {"success": true, "token",
 * "expires"} or 422 {"message", "errors": [{"code", "description"}]}.
 * Returns 0 with either token or errors filled; -1 (HWB-P011) when the
 * body is neither.
 */
int hwb_publish__parse_mint(long status, const char *body, size_t len,
			    struct hwb_publish__mint *out,
			    struct hwb_error *err);

void hwb_publish__mint_release(struct hwb_publish__mint *m);

/** What an index's trusted-publishing error code means, for users. */
const char *hwb_publish__mint_code_help(const char *code);

/* ---- upload.c ---- */

struct hwb_publish__session {
	struct hwb_http_client *http;
	const char *url;
	char *authorization;   /* owned, wiped: "Basic base64(user:pass)" */
	int skip_existing;
	int trusted;           /* attestations may go along */
	int64_t expires;       /* trusted: the upload token's end (unix) */
	char *audience;        /* owned; trusted: the index's OIDC audience */
	const struct hwb_publish_options *opts;
};

/** Set the Authorization header from a user name and password. */
int hwb_publish__session_login(struct hwb_publish__session *s,
			       const char *username, const char *password,
			       struct hwb_error *err);
void hwb_publish__session_logout(struct hwb_publish__session *s);

/** sha256 and blake2b-256 of the file in one read. */
int hwb_publish__digests(struct hwb_publish_file *f, struct hwb_error *err);

/**
 * Upload one file with its form (f's digests computed). Sets f->status
 * and, when it failed, f->error; returns 0 unless nothing could be sent
 * at all (out of memory).
 */
int hwb_publish__upload(struct hwb_publish__session *s,
			struct hwb_publish__form *form,
			struct hwb_publish_file *f, const char *attestation,
			struct hwb_error *err);

/* ---- stream.c ---- */

/* Digests of a body computed while it streams (on a thread of their own). */
struct hwb_publish__stream;

int hwb_publish__stream_new(struct hwb_publish__stream **out,
			    struct hwb_error *err);
/** A struct hwb_http_part tap: a block read, or (NULL, 0) to start over. */
void hwb_publish__stream_tap(void *ctx, const void *data, size_t len);
/** Wait for the hashing; both digests in hex; returns the bytes seen. */
uint64_t hwb_publish__stream_final(struct hwb_publish__stream *s,
				   char sha256_hex[HWB_HASH_MAX_HEX],
				   char blake2_hex[HWB_HASH_MAX_HEX]);
void hwb_publish__stream_free(struct hwb_publish__stream *s);

/* ---- credentials.c ---- */

/**
 * Choose how to authenticate (a password or API token from the caller,
 * else trusted publishing as opts->trusted says) and set s's header;
 * records the kind and the publisher's identity in r. HWB-P015 when
 * attestations would go with a password, HWB-P016 with no credentials.
 */
int hwb_publish__login(struct hwb_publish__session *s,
		       struct hwb_publish_result *r, int attesting,
		       struct hwb_error *err);

/**
 * Under trusted publishing, mint a new upload token (with a fresh OIDC
 * token) when less than HWB_PUBLISH_REMINT_MARGIN_S of the current one's
 * life remain. Does nothing otherwise.
 */
int hwb_publish__refresh(struct hwb_publish__session *s,
			 struct hwb_publish_result *r, struct hwb_error *err);

/* ---- trusted.c ---- */

struct hwb_oidc_claims;

/**
 * GET the index's audience: 404 means no trusted publishing there
 * (HWB-P012), 403 that it is switched off (HWB-P013).
 */
int hwb_publish__audience(struct hwb_http_client *http, const char *upload_url,
			  char **out, struct hwb_error *err);

/**
 * Exchange the OIDC token jwt for an upload token. A refusal is explained
 * (HWB-P014) with each error code's meaning and the token's claims.
 */
int hwb_publish__mint_token(struct hwb_http_client *http,
			    const char *upload_url, const char *jwt,
			    const struct hwb_oidc_claims *claims,
			    struct hwb_publish__mint *out,
			    struct hwb_error *err);

/** "sub=..., repository=..., ..." of the claims users need to compare. */
void hwb_publish__describe_claims(const struct hwb_oidc_claims *c,
				  struct hwb_buf *out);

/* ---- attest.c ---- */

/**
 * --attestations: open a Sigstore signer with an ambient OIDC token
 * (audience "sigstore") and write DIST.publish.attestation for each file
 * (PEP 740 publish/v1, logged in Rekor v1), computing its digests first.
 * Stops at the first failure (pkg/sign's or pkg/core/oidc's error).
 */
int hwb_publish__attest(const struct hwb_publish_options *o,
			struct hwb_publish_file *files, size_t n,
			struct hwb_error *err);
