/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/release share. release.c runs the
 * steps in order, files.c finds the distributions and the provenance of a
 * --from directory and checks recorded files against the disk, signing.c
 * makes the bundles, the provenance's and the PEP 740 attestations,
 * state.c reads and writes release.json, and publish.c hands the files to
 * pkg/publish.
 */
#pragma once

#include <stddef.h>

#include "pkg/core/error.h"
#include "pkg/release/release.h"

#define HWB_RELEASE__STATE "release.json"
#define HWB_RELEASE__SCHEMA "hwb.release/1"

/* One run: the options, the result it fills, the signer once opened. */
struct hwb_release__run {
	const struct hwb_release_options *o;
	struct hwb_release_result *r;
	struct hwb_signer *signer;
	const char *mode;     /* "publish", "no-publish", "dry-run", "dry-run+sign" */
	char *source;         /* the source or --from directory, absolute */
	int active[HWB_RELEASE_STEPS]; /* the steps this run has */
	const char *why_not[HWB_RELEASE_STEPS]; /* why a step is skipped */
	struct hwb_error failed; /* the error release.json records */
};

/* ---- release.c ---- */
void hwb_release__notify(struct hwb_release__run *run, enum hwb_release_event ev,
			 enum hwb_release_step step, const char *filename,
			 const char *detail);
/* Record the run in release.json now (complete: the last write), synced
 * to disk: after every step. */
int hwb_release__save(struct hwb_release__run *run, int complete,
		      struct hwb_error *err);
/*
 * The same after each file, replaced atomically but not synced: a killed
 * process leaves the whole new record in the page cache (the rename is
 * atomic), and only a machine that loses power can find the step's last
 * synced record, or an empty file (HWB-L002). Two fsyncs per file would
 * cost more than the signature (tens of milliseconds under load).
 */
int hwb_release__note(struct hwb_release__run *run, struct hwb_error *err);

/* ---- files.c ---- */
/* Add one distribution (path copied), its digest and size computed now. */
int hwb_release__add_file(struct hwb_release_result *r, const char *path,
			  struct hwb_error *err);
/* Order the files as an upload goes: wheels, then sdists, by name. */
void hwb_release__sort(struct hwb_release_result *r);
/* The distributions (.whl, .tar.gz) directly in dir; HWB-L004 if none. */
int hwb_release__collect(struct hwb_release_result *r, const char *dir,
			 struct hwb_error *err);
/* The one *.provenance.json in DIR-signatures/ or DIR, or none (NULL). */
int hwb_release__find_provenance(struct hwb_release_result *r, const char *dir,
				 struct hwb_error *err);
/* Every recorded file still has its recorded digest (HWB-L005). */
int hwb_release__check_unchanged(const struct hwb_release_result *r,
				 struct hwb_error *err);
/* name and version from the first file's name (until METADATA is read). */
int hwb_release__name_version(struct hwb_release_result *r, struct hwb_error *err);

/* ---- signing.c ---- */
int hwb_release__sign(struct hwb_release__run *run, struct hwb_error *err);
int hwb_release__sign_provenance(struct hwb_release__run *run, struct hwb_error *err);
int hwb_release__attest(struct hwb_release__run *run, struct hwb_error *err);

/* ---- publish.c ---- */
int hwb_release__publish(struct hwb_release__run *run, struct hwb_error *err);

/* ---- state.c ---- */
/*
 * Read path into r when it records a run of the same mode, index and
 * source: *found 1 (r filled, *complete set). Another run's record:
 * *found 0 (it is replaced). HWB-L002 for a file that is not hwb.release/1.
 */
int hwb_release__load(const char *path, const char *mode, const char *index,
		      const char *source, struct hwb_release_result *r,
		      int *found, int *complete, struct hwb_error *err);
/* The same from text[0..len) read from path (a fuzz target's entry). */
int hwb_release__parse(const char *text, size_t len, const char *path,
		       const char *mode, const char *index, const char *source,
		       struct hwb_release_result *r, int *found, int *complete,
		       struct hwb_error *err);
int hwb_release__write(const char *path, const char *mode, const char *index,
		       const char *source, const struct hwb_release_result *r,
		       int complete, int synced, const struct hwb_error *failed,
		       struct hwb_error *err);
