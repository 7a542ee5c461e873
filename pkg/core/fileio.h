/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fileio.h: files that are never half-written and input files that are
 * read with care. Every output hwb writes goes through an atomic file: a
 * temporary file in the target's directory, fsync'd, then renamed over the
 * target, so a reader sees the old file or the complete new one, never a
 * part. The temporary file is unnamed (O_TMPFILE) until just before the
 * rename, so a process killed while writing leaves nothing behind (a named
 * ".NAME.XXXXXX" on file systems without O_TMPFILE). Untrusted input files are read whole with a size cap, refusing
 * symbolic links, FIFOs, devices and directories. Errors are HWB-F0xx with
 * kind HWB_KIND_CONFIG and name the file.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

/*
 * Cap for configuration files and other small documents read whole: far
 * above any real pyproject.toml, small enough that a hostile file cannot
 * exhaust memory.
 */
#define HWB_FILE_CONFIG_MAX ((size_t)4 << 20)

/*
 * An output file being written. Start with HWB_ATOMIC_FILE_INIT; after
 * hwb_atomic_open() succeeds, end with exactly one of hwb_atomic_commit()
 * or hwb_atomic_abort() (both idempotent, both safe on an INIT value).
 */
struct hwb_atomic_file {
	int fd;         /* the temporary file, -1 when none */
	char *tmp_path; /* owned; ".<name>.XXXXXX" beside the target */
	char *path;     /* owned; the target */
	char *dir;      /* owned; the target's directory, fsync'd after rename */
	int unnamed;    /* fd is an O_TMPFILE not yet linked as tmp_path */
};

#define HWB_ATOMIC_FILE_INIT { -1, NULL, NULL, NULL, 0 }

/**
 * Create the temporary file for target path (O_CLOEXEC, exactly mode: the
 * umask is not applied, so outputs are reproducible). The directory must
 * exist. Returns 0, or -1 with err filled.
 */
int hwb_atomic_open(struct hwb_atomic_file *f, const char *path, mode_t mode,
		    struct hwb_error *err);

/** Append len bytes. On failure the caller still calls hwb_atomic_abort(). */
int hwb_atomic_write(struct hwb_atomic_file *f, const void *data, size_t len,
		     struct hwb_error *err);

/** The temporary file's descriptor, for writers that need one (still owned). */
int hwb_atomic_fd(const struct hwb_atomic_file *f);

/**
 * fsync the file, rename it over the target and fsync the directory. On
 * failure the temporary file is removed and the target is untouched.
 * Either way f is released.
 */
int hwb_atomic_commit(struct hwb_atomic_file *f, struct hwb_error *err);

/** Remove the temporary file and release f. */
void hwb_atomic_abort(struct hwb_atomic_file *f);

/** Write data to path atomically in one call (open, write, commit). */
int hwb_file_write_atomic(const char *path, const void *data, size_t len,
			  mode_t mode, struct hwb_error *err);

/**
 * Like hwb_file_write_atomic() (a reader sees the old file or the whole new
 * one), without the two fsyncs, which cost milliseconds each (tens under
 * load): only for a cache whose reader checks every file and can fetch it
 * again, so that a file a crash leaves empty or old is found and replaced.
 */
int hwb_file_replace_cached(const char *path, const void *data, size_t len,
			    mode_t mode, struct hwb_error *err);

/**
 * Read the regular file at path into out (replacing its contents), for
 * untrusted input: O_NOFOLLOW|O_CLOEXEC (a symbolic link as the last
 * component is refused), anything but a regular file is refused, and a
 * file larger than max_bytes is refused without being read.
 * A missing file is HWB-F005 with errno left as ENOENT, so callers can
 * treat absence specially.
 */
int hwb_file_read_all(const char *path, size_t max_bytes, struct hwb_buf *out,
		      struct hwb_error *err);

/**
 * Create path and its missing parents with mode (minus the umask). An
 * existing directory is fine; an existing non-directory is HWB-F010.
 */
int hwb_mkdir_p(const char *path, mode_t mode, struct hwb_error *err);
