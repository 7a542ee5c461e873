/* SPDX-License-Identifier: Apache-2.0 */
/*
 * upload.c: one file to the legacy upload API. The body is multipart
 * streamed from disk by pkg/core/http.c (memory does not grow with the
 * file), and the digests are computed from the same reads while it goes
 * out: the digest fields follow the `content` part (the index reads the
 * whole form before it compares them, as warehouse's request.POST does),
 * so the file is read once and hashing overlaps the transfer. An upload
 * is idempotent (an identical re-upload answers 200, another file 400
 * "File already exists"), so 5xx, 429 and broken connections are retried.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/encode.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"
#include "pkg/publish/internal.h"

#define READ_CHUNK (1u << 20)

int hwb_publish__session_login(struct hwb_publish__session *s,
			       const char *username, const char *password,
			       struct hwb_error *err)
{
	struct hwb_buf pair = HWB_BUF_INIT, b64 = HWB_BUF_INIT;
	int rc;

	hwb_publish__session_logout(s);
	hwb_buf_printf(&pair, "%s:%s", username ? username : "__token__", password);
	rc = pair.oom || hwb_base64_encode(&b64, pair.ptr, pair.len, 0) ||
	     !(s->authorization = hwb_strdup_printf("Basic %s", b64.ptr));
	if (pair.cap)
		explicit_bzero(pair.ptr, pair.cap);
	if (b64.cap)
		explicit_bzero(b64.ptr, b64.cap);
	hwb_buf_release(&pair);
	hwb_buf_release(&b64);
	return rc ? hwb_error_oom(err) : 0;
}

void hwb_publish__session_logout(struct hwb_publish__session *s)
{
	if (s->authorization) {
		explicit_bzero(s->authorization, strlen(s->authorization));
		free(s->authorization);
	}
	s->authorization = NULL;
}

/* One digest of a whole file, for one thread. */
struct digest_job {
	const char *path;
	enum hwb_hash_alg alg;
	char *hex;
	uint64_t size;
	int failed_errno;
};

static void *digest_thread(void *arg)
{
	struct digest_job *j = arg;
	struct hwb_hash *h = NULL;
	uint8_t d[HWB_HASH_MAX_SIZE];
	char *buf = malloc(READ_CHUNK);
	int fd = -1;
	ssize_t n = -1;

	j->failed_errno = ENOMEM;
	if (!buf || hwb_hash_new(&h, j->alg, NULL))
		goto cleanup;
	if ((fd = open(j->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		j->failed_errno = errno;
		goto cleanup;
	}
	j->size = 0;
	while ((n = read(fd, buf, READ_CHUNK)) > 0) {
		hwb_hash_update(h, buf, (size_t)n);
		j->size += (uint64_t)n;
	}
	j->failed_errno = n < 0 ? errno : 0;
	if (!n) {
		hwb_hash_final(h, d);
		hwb_hex_format(d, hwb_hash_size(j->alg), j->hex);
	}
cleanup:
	if (fd >= 0)
		close(fd);
	hwb_hash_free(h);
	free(buf);
	return NULL;
}

/*
 * The two digests in parallel, one thread each: they are the client's own
 * share of an upload's time, and a release machine has two cores.
 */
int hwb_publish__digests(struct hwb_publish_file *f, struct hwb_error *err)
{
	struct digest_job sha = { f->path, HWB_HASH_SHA256, f->sha256, 0, 0 };
	struct digest_job b2 = { f->path, HWB_HASH_BLAKE2B_256, f->blake2_256, 0, 0 };
	pthread_t t;
	int threaded = !pthread_create(&t, NULL, digest_thread, &b2);

	digest_thread(&sha);
	if (threaded)
		pthread_join(t, NULL);
	else
		digest_thread(&b2);
	if (sha.failed_errno == ENOMEM || b2.failed_errno == ENOMEM)
		return hwb_error_oom(err);
	if (sha.failed_errno || b2.failed_errno || sha.size != b2.size) {
		errno = sha.failed_errno ? sha.failed_errno : b2.failed_errno;
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-P003", "cannot read %s%s",
				f->path, errno ? "" : " (it changed while being read)");
		return hwb_error_at(err, f->path, 0, 0);
	}
	f->size = sha.size;
	return 0;
}

struct progress {
	const struct hwb_publish_options *opts;
	const struct hwb_publish_file *file;
};

static void on_progress(void *ctx, uint64_t sent, uint64_t total)
{
	struct progress *p = ctx;

	p->opts->notify(p->opts->notify_ctx, HWB_PUBLISH_EVENT_PROGRESS,
			p->file, sent, total);
}

/* A redirected POST loses its body: the configured URL is not the index's. */
static void redirected(struct hwb_publish_file *f, const char *url,
		       const struct hwb_http_response *resp)
{
	size_t n = strcspn(resp->location.ptr ? resp->location.ptr : "", "?");

	hwb_error_set(&f->error, HWB_KIND_CONFIG, "HWB-P006",
		      "%s: the index at %s answered HTTP %ld, a redirect to %.*s; "
		      "a redirected upload loses its body, so hwb never follows it",
		      f->filename, url, resp->status, (int)(n > 200 ? 200 : n),
		      resp->location.ptr ? resp->location.ptr : "");
	hwb_error_hint(&f->error, "the index URL is wrong: give the upload "
		       "endpoint itself (PyPI: %s, with its trailing slash)",
		       HWB_PUBLISH_PYPI_URL);
}

static void refused(struct hwb_publish__session *s, struct hwb_publish_file *f,
		    const struct hwb_http_response *resp)
{
	struct hwb_buf text = HWB_BUF_INIT;
	const char *t;

	hwb_publish__error_text(resp->body.ptr ? resp->body.ptr : "", resp->body.len, &text);
	t = text.oom || !text.ptr ? "" : text.ptr;
	if (hwb_publish__already_exists(resp->status, t)) {
		if (s->skip_existing) {
			f->status = HWB_PUBLISH_SKIPPED;
			goto cleanup;
		}
		hwb_error_set(&f->error, HWB_KIND_FAILED, "HWB-P007",
			      "%s: the index has a different file of that name: %s",
			      f->filename, t);
		hwb_error_hint(&f->error, "a released file can never be replaced; "
			       "publish a new version, or pass --skip-existing "
			       "to complete an interrupted release");
	} else if (resp->status == 401 || resp->status == 403) {
		hwb_error_set(&f->error, HWB_KIND_FAILED, "HWB-P008",
			      "%s: the index refused the credentials (HTTP %ld): %s",
			      f->filename, resp->status, t);
		hwb_error_hint(&f->error, s->trusted
			       ? "the minted upload token was refused: check the "
				 "project's trusted publisher"
			       : "check HWB_PASSWORD (a pypi- API token for the "
				 "project, with HWB_USERNAME unset or __token__)");
	} else {
		hwb_error_set(&f->error, HWB_KIND_FAILED, "HWB-P009",
			      "%s: the index refused the upload (HTTP %ld): %s",
			      f->filename, resp->status, t);
		hwb_error_hint(&f->error, "the index's message says what to "
			       "fix; hwb check shows what it sees in the file");
	}
	f->status = HWB_PUBLISH_FAILED;
cleanup:
	hwb_buf_release(&text);
}

/*
 * The digests of the body as libcurl reads it (stream.c). The digest parts
 * ask for their value after the whole file went out; a retry starts the
 * body, and so the digests, over.
 */
struct streamed {
	struct hwb_publish_file *f;
	const char *attested_sha256; /* the attestation's subject, or NULL */
	struct hwb_publish__stream *digests;
	uint64_t size;               /* bytes that went out */
	int final;
	int changed;                 /* the file is not the one announced */
};

static void stream_tap(void *ctx, const void *data, size_t len)
{
	struct streamed *st = ctx;

	if (!data)
		st->final = 0;
	hwb_publish__stream_tap(st->digests, data, len);
}

static int stream_final(struct streamed *st)
{
	if (st->final)
		return st->changed ? -1 : 0;
	st->final = 1;
	st->size = hwb_publish__stream_final(st->digests, st->f->sha256,
					     st->f->blake2_256);
	st->changed = st->size != st->f->size ||
		      (st->attested_sha256 && strcmp(st->attested_sha256, st->f->sha256));
	return st->changed ? -1 : 0;
}

static const char *stream_sha256(void *ctx)
{
	struct streamed *st = ctx;

	return stream_final(st) ? NULL : st->f->sha256;
}

static const char *stream_blake2(void *ctx)
{
	struct streamed *st = ctx;

	return stream_final(st) ? NULL : st->f->blake2_256;
}

static int add_streamed(struct hwb_publish__form *form, const char *name,
			const char *(*cb)(void *), struct streamed *st)
{
	struct hwb_http_part p = { 0 };

	if (hwb_publish__form_add(form, name, ""))
		return -1;
	p.name = name;
	p.value_len = 2 * 32; /* both digests are 256 bits, in hex */
	p.value_cb = cb;
	p.value_ctx = st;
	form->parts[form->count - 1] = p;
	return 0;
}

static void changed(struct hwb_publish_file *f, const struct streamed *st)
{
	hwb_error_set(&f->error, HWB_KIND_FAILED, "HWB-P003",
		      "%s changed while it was being uploaded (%llu bytes read, "
		      "%llu expected%s); the upload was stopped", f->filename,
		      (unsigned long long)st->size, (unsigned long long)f->size,
		      st->attested_sha256 ? ", or not the file attested" : "");
	hwb_error_at(&f->error, f->path, 0, 0);
	hwb_error_hint(&f->error, "do not modify dist/ during hwb publish; "
		       "rebuild and publish again");
}

int hwb_publish__upload(struct hwb_publish__session *s,
			struct hwb_publish__form *form,
			struct hwb_publish_file *f, const char *attestation,
			struct hwb_error *err)
{
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_http_request req = { 0 };
	struct hwb_http_header auth = { "Authorization", s->authorization };
	struct progress prog = { s->opts, f };
	struct hwb_http_part file = { 0 };
	struct streamed st = { 0 };
	char attested[HWB_HASH_MAX_HEX];
	size_t base = form->count;
	int rc = 0;

	/* an attested file's digest was computed for its statement */
	if (attestation && f->sha256[0]) {
		memcpy(attested, f->sha256, sizeof(attested));
		st.attested_sha256 = attested;
	}
	st.f = f;
	if (hwb_publish__stream_new(&st.digests, err)) {
		rc = -1;
		goto cleanup;
	}
	file.name = "content";
	file.file_path = f->path;
	file.filename = f->filename;
	file.tap = stream_tap;
	file.tap_ctx = &st;
	if ((attestation && hwb_publish__form_add(form, "attestations", attestation)) ||
	    hwb_publish__form_add(form, "content", "")) {
		rc = hwb_error_oom(err);
		goto cleanup;
	}
	form->parts[form->count - 1] = file;
	if (add_streamed(form, "sha256_digest", stream_sha256, &st) ||
	    add_streamed(form, "blake2_256_digest", stream_blake2, &st)) {
		rc = hwb_error_oom(err);
		goto cleanup;
	}
	req.method = HWB_HTTP_POST;
	req.url = s->url;
	req.service = "index upload";
	req.headers = &auth;
	req.header_count = 1;
	req.parts = form->parts;
	req.part_count = form->count;
	req.max_response = 1u << 20;
	req.idempotent = 1;
	if (s->opts->notify) {
		req.progress = on_progress;
		req.progress_ctx = &prog;
	}
	if (hwb_http_send(s->http, &req, &resp, &f->error)) {
		f->status = HWB_PUBLISH_FAILED;
		if (st.changed)
			changed(f, &st);
		else if (!strcmp(f->error.code, "HWB-H007"))
			redirected(f, s->url, &resp);
		else if (!strcmp(f->error.code, "HWB-C001"))
			rc = hwb_error_oom(err);
	} else if (resp.status == 200) {
		f->status = HWB_PUBLISH_UPLOADED;
	} else if (resp.status >= 300 && resp.status < 400) {
		f->status = HWB_PUBLISH_FAILED;
		redirected(f, s->url, &resp);
	} else {
		refused(s, f, &resp);
	}
	f->attempts = resp.attempts;
cleanup:
	form->count = base; /* the next file gets its own digests */
	hwb_publish__stream_free(st.digests);
	hwb_http_response_release(&resp);
	return rc;
}
