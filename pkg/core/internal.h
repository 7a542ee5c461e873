/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: helpers shared between files of pkg/core and used by nothing
 * outside it. Library types (curl) may appear here, never in public headers.
 */
#pragma once

#include <curl/curl.h>
#include <stddef.h>
#include <sys/types.h>

#include "pkg/core/error.h"
#include "pkg/core/http.h"

/* ---- HTTP client (http.c, http_upload.c) ---- */

/* A file streamed as a request body or multipart part; fd starts -1. */
struct hwb_core__http_file {
	int fd;
	off_t size;
	int read_errno; /* set when a read failed mid-transfer */
	const char *path;
};

#define HWB_CORE__HTTP_FILE_INIT { -1, 0, 0, NULL }

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
