/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: helpers shared between files of pkg/core and used nowhere
 * else. Not part of any public API. Library types (curl) may appear here,
 * never in public headers.
 */
#pragma once

#include <curl/curl.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/http.h"
#include "pkg/core/lazy.h"
#include "pkg/core/log.h"
#include "pkg/core/toml.h"

/* The value of one hex digit (either case), or -1 (encode.c). */
int hwb_core__hex_value(int c);

/*
 * What one search for credentials has learnt of its text (secret.c): the
 * last maximal run of each token-body character class and where the next
 * PEM END line is, so that trying every position of a text costs time
 * linear in its length. Start zeroed; use with one text and one end only.
 */
struct hwb_core__secret_memo {
	const char *run_from[4], *run_to[4];
	const char *end_from, *end_at;
};

#define HWB_CORE_SECRET_MEMO_INIT { { NULL }, { NULL }, NULL, NULL }

/** hwb_secret_match() for a caller that walks one text position by
 * position (log.c's redaction). */
size_t hwb_core__secret_match_memo(struct hwb_core__secret_memo *m,
				   const char *text, const char *p,
				   const char *end, int flags,
				   enum hwb_secret_kind *kind);

/*
 * hwb_secret_find() without the vector search (secret.c), so tests can
 * hold both to the same answers on any CPU.
 */
enum hwb_secret_kind hwb_core__secret_find_scalar(const char *text,
						  size_t len, size_t from,
						  int flags, size_t *start,
						  size_t *match_len);

/* ---- TOML parser (toml.c: document structure, toml_scalar.c: values) ---- */

/*
 * The cursor over a TOML document. line and col are the 1-based position of
 * text[pos]; col counts characters (UTF-8 code points), not bytes.
 */
struct hwb_core__toml_parser {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line, col;
	const char *filename;
	struct hwb_error *err;
};

/** The byte at pos + off, or -1 past the end. */
static inline int hwb_core__toml_peek(const struct hwb_core__toml_parser *p,
				      size_t off)
{
	if (p->pos >= p->len || off >= p->len - p->pos)
		return -1;
	return (unsigned char)p->text[p->pos + off];
}

/** Move n bytes forward, keeping line and col. */
void hwb_core__toml_advance(struct hwb_core__toml_parser *p, size_t n);

/**
 * Record a TOML error (kind HWB_KIND_CONFIG) at line:col with a fix; returns
 * -1. hint may be NULL.
 */
int hwb_core__toml_fail(struct hwb_core__toml_parser *p, unsigned line,
			unsigned col, const char *code, const char *hint,
			const char *fmt, ...) HWB_PRINTF(6, 7);

/**
 * Parse a string at the cursor (which is on its opening quote) into out.
 * Multi-line forms are refused unless allow_multiline (keys cannot be
 * multi-line). out is cleared first; the caller releases it.
 */
int hwb_core__toml_string(struct hwb_core__toml_parser *p, struct hwb_buf *out,
			  int allow_multiline);

/**
 * Parse a number, boolean or date-time at the cursor into v (its type and
 * u member; position fields are left alone). Returns -1 with the error set
 * when the text there is none of those.
 */
int hwb_core__toml_scalar(struct hwb_core__toml_parser *p,
			  struct hwb_toml_value *v);

/* ---- HTTP client (http.c, http_upload.c) ---- */

/*
 * Take what hwb reads from one response header line (a server's bytes):
 * Content-Type, Retry-After and Location into resp; a status line clears
 * them. Exposed for the fuzz target.
 */
void hwb_core__http_header_line(struct hwb_http_response *resp,
				const char *line, size_t n);

/* Retry-After (delta seconds or HTTP date) in ms from now, capped at a
 * day; -1 when unusable. curl must be loaded (hwb_lazy_require). */
long hwb_core__http_retry_after_ms(const char *value, time_t now);

/* A file streamed as a request body or multipart part; fd starts -1. */
struct hwb_core__http_file {
	int fd;
	off_t size;
	int read_errno; /* set when a read failed mid-transfer */
	const char *path;
	void (*tap)(void *ctx, const void *data, size_t len); /* may be NULL */
	void *tap_ctx;
};

#define HWB_CORE__HTTP_FILE_INIT { -1, 0, 0, NULL, NULL, NULL }

/**
 * Open path for streaming (O_NOFOLLOW, regular files only) and record its
 * size. On failure fills err with HWB-H008 (kind CONFIG) naming prefix (the
 * "<service> (<url>)" text) and the path.
 */
int hwb_core__http_file_open(struct hwb_core__http_file *f, const char *path,
			     const char *prefix, struct hwb_error *err);
/** Seek back to the start before another attempt. Returns 0 or -1. */
int hwb_core__http_file_rewind(struct hwb_core__http_file *f);
/** Close the file; idempotent. */
void hwb_core__http_file_close(struct hwb_core__http_file *f);

/* libcurl read and seek callbacks; arg is a struct hwb_core__http_file. */
size_t hwb_core__http_file_read(char *ptr, size_t size, size_t nitems,
				void *arg);
int hwb_core__http_file_seek(void *arg, curl_off_t offset, int origin);

/**
 * Build the multipart/form-data body of req on the easy handle curl. files
 * holds one opened file per part that has a file_path, in part order.
 * Returns the mime (caller frees it with curl_mime_free) or NULL when out
 * of memory.
 */
curl_mime *hwb_core__http_mime_build(CURL *curl,
				     const struct hwb_http_request *req,
				     struct hwb_core__http_file *files);
/* ---- configuration (config.c: layers, config_value.c: values, config_get.c) ---- */

#include "pkg/core/config.h"

/* The effective value of one key. */
struct hwb_core__config_entry {
	enum hwb_config_source source;
	char *origin; /* owned: "hwb.toml:3:1", "HWB_BUILD_TIMEOUT", ... */
	int set;      /* 0: no value (a string key without default) */
	int b;        /* HWB_CONFIG_BOOL */
	int64_t i;    /* HWB_CONFIG_INT */
	char *s;      /* owned; HWB_CONFIG_STRING and HWB_CONFIG_ENUM */
	char **items; /* owned; HWB_CONFIG_LIST */
	size_t count;
};

#define HWB_CORE__CONFIG_ENTRY_INIT { HWB_CONFIG_DEFAULT, NULL, 0, 0, 0, NULL, NULL, 0 }

/* pyproject.toml, hwb.toml and the user's file: the files a configuration reads. */
enum { HWB_CORE__CONFIG_FILES = 3 };

struct hwb_config {
	struct hwb_core__config_entry *entries; /* parallel to the key table */
	size_t count;
	struct hwb_config_file files[HWB_CORE__CONFIG_FILES];
	char *paths[HWB_CORE__CONFIG_FILES]; /* owned; files[i].path points here */
	size_t nfiles;
	char *project_dir; /* owned; NULL when none */
	struct hwb_core__config_named *named; /* owned; the named tables */
	size_t named_count;
};

struct hwb_core__config_layer;

/* One field of a named table ([publish.repositories.NAME] url = ...). */
struct hwb_core__config_named {
	char *prefix; /* owned: "publish.repositories" */
	char *name;   /* owned: NAME */
	char *field;  /* owned: "url" */
	char *value;  /* owned */
	char *origin; /* owned: "config.toml:3:7" */
};

/**
 * 1 when name ("publish.repositories") is the prefix of named tables;
 * then apply the table v (its sub-tables are NAME = { field = "..." })
 * from layer l into c, refusing it from the project's files (HWB-G006)
 * and any unknown field or non-string value (HWB-G002, HWB-G003).
 */
int hwb_core__config_is_named(const char *name);
int hwb_core__config_apply_named(struct hwb_config *c,
				 const struct hwb_core__config_layer *l,
				 const char *prefix,
				 const struct hwb_toml_value *v,
				 struct hwb_error *err);
void hwb_core__config_named_release(struct hwb_config *c);

/** Position of k in the key table (and in hwb_config's entries). */
size_t hwb_core__config_key_index(const struct hwb_config_key *k);

/** Free what e owns; leaves it as HWB_CORE__CONFIG_ENTRY_INIT. */
void hwb_core__config_entry_release(struct hwb_core__config_entry *e);

/** A configuration holding only the defaults (free with hwb_config_free). */
int hwb_core__config_new(struct hwb_config **out, struct hwb_error *err);

/**
 * Apply a TOML document (len bytes) as the layer source, shown as shown in
 * messages; subtable is "tool.hwb" for pyproject.toml, else NULL.
 * *configures is set when the document holds hwb settings. The fuzz
 * target enters here.
 */
int hwb_core__config_apply_text(struct hwb_config *c,
				enum hwb_config_source source, const char *shown,
				const char *text, size_t len,
				const char *subtable, int *configures,
				struct hwb_error *err);

/* A configuration file being read, for positions in errors. */
struct hwb_core__config_layer {
	enum hwb_config_source source;
	const char *shown; /* the file as shown in messages */
	const char *text;  /* its contents */
	size_t len;
};

/** Index of choice s (n bytes) in "a|b|c", or -1. */
int hwb_core__config_choice(const char *choices, const char *s, size_t n);

/** 1 for the layers that come from the project being built. */
int hwb_core__config_untrusted(enum hwb_config_source source);

/**
 * Convert a TOML value for key k into out (released first). Errors
 * (HWB-G001, G003, G004) point at the value in l.
 */
int hwb_core__config_from_toml(const struct hwb_config_key *k,
			       const struct hwb_toml_value *v,
			       const struct hwb_core__config_layer *l,
			       struct hwb_core__config_entry *out,
			       struct hwb_error *err);

/**
 * Convert text (a default, an environment variable or a flag) for key k
 * into out. split_list: a list is comma-separated (else text is one item).
 * where prefixes errors ("environment variable HWB_X: ").
 */
int hwb_core__config_from_text(const struct hwb_config_key *k,
			       const char *text, int split_list,
			       const char *where,
			       struct hwb_core__config_entry *out,
			       struct hwb_error *err);

/**
 * The trust rule for a value read from a project file (HWB-G006, G007,
 * G008 at line:col of l).
 */
int hwb_core__config_check_trust(const struct hwb_config_key *k,
				 const struct hwb_core__config_entry *v,
				 const struct hwb_core__config_layer *l,
				 unsigned line, unsigned col,
				 struct hwb_error *err);

/**
 * Append to out the known key closest to name ("'build.timeout'", by edit
 * distance), or the keys with the same last part ("'http.timeout' or
 * 'build.timeout'"), or nothing. -1 when out of memory.
 */
int hwb_core__config_suggest(const char *name, struct hwb_buf *out);

/**
 * The column (in characters) where key segment seg starts on line, found
 * before the value's column vcol; the line's first non-blank otherwise.
 */
unsigned hwb_core__config_key_column(const struct hwb_core__config_layer *l,
				     unsigned line, unsigned vcol,
				     const char *seg);

/* ---- libraries loaded on first use (lazy.c, lazy_curl.c, lazy_git2.c, lazy_archive.c) ---- */

/* One lazily loaded library; lazy_<lib>.c defines it with its loader. */
struct hwb_core__lazy_lib {
	const char *name;    /* "libcurl" */
	const struct hwb_lazy_candidate *candidates; /* lazy.h */
	/* NULL, or a check of an opened candidate (libgit2: its version is
	 * the headers'); -1 with why filled refuses it */
	int (*accept)(void *handle, char *why, size_t whysz);
	pthread_once_t once;
	void (*load)(void);  /* lazy_<lib>.c: open and resolve every function */
	void *handle;        /* NULL until opened; never closed */
	const char *soname;  /* the candidate opened, or the first tried */
	char failure[256];   /* why loading failed; empty once loaded */
};

extern struct hwb_core__lazy_lib hwb_core__lazy_curl;
extern struct hwb_core__lazy_lib hwb_core__lazy_git2;
extern struct hwb_core__lazy_lib hwb_core__lazy_archive;

/** dlopen l's candidates in order (RTLD_NOW | RTLD_LOCAL), the first that
 * opens and is accepted wins; NULL with l->failure set. */
void *hwb_core__lazy_open(struct hwb_core__lazy_lib *l);
/** dlsym name in l; NULL with l->failure set (the first missing name). */
void *hwb_core__lazy_sym(struct hwb_core__lazy_lib *l, const char *name);
/**
 * Run l's loader once; HWB_BUG when it failed (a caller skipped
 * hwb_lazy_require). Called by every forwarding function.
 */
void hwb_core__lazy_ensure(struct hwb_core__lazy_lib *l);

/*
 * Forwarding functions, from a list F(ret, name, (params), (args)) and
 * V(name, (params), (args)) for functions returning void. fn is the file's
 * table of typed pointers, lib its struct hwb_core__lazy_lib. Defining the
 * function under the header's own name makes the compiler check that the
 * prototype matches the library's header exactly.
 */
#define HWB_CORE__LAZY_SLOT(ret, name, params, args) __typeof__(name) *name;
#define HWB_CORE__LAZY_VSLOT(name, params, args) __typeof__(name) *name;
#define HWB_CORE__LAZY_RESOLVE(lib, fn, name) \
	fn.name = (__typeof__(fn.name))hwb_core__lazy_sym(&(lib), #name)

/* ---- OIDC tokens (oidc.c: claims, oidc_ambient.c: sources, oidc_oauth.c) ---- */

#include "pkg/core/oidc.h"

/** Wipe a buffer's whole allocation (it held a secret), then release it. */
void hwb_core__wipe_buf(struct hwb_buf *b);

/** hwb_oidc_token_parse() with the clock given: what the tests hold fixed. */
int hwb_core__oidc_parse_at(struct hwb_oidc_token *out, const char *text,
			    size_t len, const char *audience, long leeway_s,
			    const char *origin, int64_t now,
			    struct hwb_error *err);

/** t as "2025-01-31T12:00:00Z" (UTC), or the number when out of range. */

/** Append s percent-encoded (RFC 3986: all but unreserved characters). */
int hwb_core__oidc_pct(struct hwb_buf *out, const char *s);

/**
 * HWB-O015 (CONFIG) naming service unless url is https:// or http:// to a
 * loopback host (127.0.0.0/8, [::1], localhost): a token never travels
 * in clear text beyond this machine.
 */
int hwb_core__oidc_check_url(const char *url, const char *service,
			     struct hwb_error *err);

/**
 * Send req with a client made from opts->http; anything but 200 is an
 * error (HWB-H009 quoting the answer), as are hwb_http_send's.
 */
int hwb_core__oidc_fetch(const struct hwb_oidc_options *opts,
			 const struct hwb_http_request *req,
			 struct hwb_http_response *resp, struct hwb_error *err);

/** "SIGSTORE_ID_TOKEN" for "sigstore": the variable source 2 reads. */
void hwb_core__oidc_env_name(const char *audience, char *out, size_t outsz);

/** Source 5, the browser sign-in (oidc_oauth.c). */
int hwb_core__oidc_interactive(struct hwb_oidc_token *out,
			       const struct hwb_oidc_options *opts,
			       struct hwb_error *err);

/*
 * The browser sign-in's local side (oidc_redirect.c): a one-shot HTTP
 * server on 127.0.0.1 for the redirect, the browser started with a minimal
 * environment, and the terminal for the out-of-band code.
 */
struct hwb_core__oidc_redirect {
	int fd;      /* listening socket, -1 when none */
	int port;
	pid_t browser; /* the opener, -1 when none or reaped */
};

#define HWB_CORE__OIDC_REDIRECT_INIT { -1, 0, -1 }
#define HWB_CORE__OIDC_CODE_MAX 2048

/** Listen on 127.0.0.1 at an ephemeral port (HWB-O021 on failure). */
int hwb_core__oidc_redirect_listen(struct hwb_core__oidc_redirect *r,
				   struct hwb_error *err);

/** 1 when a browser may be opened: $BROWSER, or a display and xdg-open. */
int hwb_core__oidc_browser_possible(void);

/** Start $BROWSER (else xdg-open) on url; -1 when it could not start. */
int hwb_core__oidc_browser_open(struct hwb_core__oidc_redirect *r,
				const char *url);

/**
 * Serve until the redirect to /auth/callback with this state arrives (0,
 * its code in code[HWB_CORE__OIDC_CODE_MAX]), the browser's opener fails
 * (1: fall back to the out-of-band flow), or an error: the issuer's error
 * or a wrong state (HWB-O017), timeout_ms passed (HWB-O019).
 */
int hwb_core__oidc_redirect_wait(struct hwb_core__oidc_redirect *r,
				 const char *state, long timeout_ms,
				 char *code, struct hwb_error *err);

/** Close the socket; leave the opener to finish on its own. */
void hwb_core__oidc_redirect_close(struct hwb_core__oidc_redirect *r);

/** Open /dev/tty for the out-of-band code (HWB-O020 when there is none). */
int hwb_core__oidc_tty_open(int *fd, struct hwb_error *err);

/** Read one line, the code, from the terminal fd within timeout_ms. */
int hwb_core__oidc_tty_code(int fd, long timeout_ms, char *code,
			    struct hwb_error *err);
