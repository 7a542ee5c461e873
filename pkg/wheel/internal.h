/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/wheel share. The zip reader and the
 * checker (zip*.c, inflate.c, record.c, check.c, report.c) walk the archive
 * and hand each member's name and bytes to the content checks (filename,
 * WHEEL, METADATA, layout, secrets, ELF), which live in their own files and
 * are declared in the second half of this header.
 *
 * Order of a wheel check (check.c, hwb_check_file):
 *   1. framing: the zip is read from its raw bytes (codes HWB-W001..W039);
 *   2. hwb_wheel__check_filename(ctx)                       always;
 *   when the central directory could be read (ctx->members is valid):
 *   3. METADATA and WHEEL of ctx->dist_info are inflated (bounded size) and
 *      hwb_wheel__check_metadata_files(ctx, ...) is called once;
 *   4. every member is inflated once, CRC-32, size and digests checked, and
 *      hwb_wheel__check_member_bytes(ctx, member, chunk) is called for it
 *      from worker threads;
 *   5. RECORD is compared with what was inflated (HWB-W0xx of record.c);
 *   6. hwb_wheel__check_layout(ctx) is called once, last, when every
 *      member's sha256 is known.
 * An sdist (.tar.gz) goes to hwb_wheel__check_sdist() instead.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/wheel/wheel.h"

/* ------------------------------------------------------------------------
 * Report (report.c)
 */

/**
 * Add a finding to r; thread-safe once hwb_wheel__report_prepare() has run.
 * The message is printf-formatted, one line: what is wrong and the fix;
 * member may be NULL. Both are stored printable: control characters and
 * bytes that are not UTF-8 become '?'. Errors with a code in
 * HWB-W001..W039 (zip framing, paths, RECORD) are firm: --select and
 * --ignore never hide them. Returns 0, or -1 when out of memory.
 */
int hwb_wheel__add(struct hwb_check_report *r, const char *code,
		   enum hwb_severity severity, const char *member,
		   const char *fmt, ...) HWB_PRINTF(5, 6);

/**
 * Turn each leaked-key finding (W087) whose member is listed with its
 * sha256 in opts->acknowledged_keys into a note, and give the others the
 * line that would acknowledge them (acknowledge.c). z: the wheel's zip as
 * the check read it, whose members' sha256 are used; NULL for the sdist at
 * path, read again for those members only. -1 with err when out of memory.
 */
struct hwb_zip;
int hwb_wheel__acknowledge(struct hwb_check_report *r, const char *path,
			   const struct hwb_zip *z,
			   const struct hwb_check_options *opts,
			   struct hwb_error *err);

/**
 * Like hwb_wheel__add() with HWB_SEVERITY_ERROR, for an error that --select
 * and --ignore can never hide whatever its code: a leaked secret (32).
 */
int hwb_wheel__add_firm(struct hwb_check_report *r, const char *code,
			const char *member, const char *fmt, ...)
	HWB_PRINTF(4, 5);

/**
 * Create r->state so threads may add findings, and so the findings of one
 * code beyond the first 1,000 are counted rather than kept. Returns -1
 * when out of memory.
 */
int hwb_wheel__report_prepare(struct hwb_check_report *r,
			      struct hwb_error *err);

/**
 * Add one finding per code whose findings were not all kept, saying how
 * many more there were; drop the findings opts->select / opts->ignore
 * deselect (firm ones stay) and sort the rest by member, then code, so
 * output is stable whatever order the threads found them in. Returns -1
 * when out of memory.
 */
int hwb_wheel__report_filter(struct hwb_check_report *r,
			     const struct hwb_check_options *opts);

/* ------------------------------------------------------------------------
 * Helpers shared by the zip reader and the content checks (zip_util.c)
 */

/* hwb_wheel__utf8_valid() (metadata.c, below) serves the zip reader too. */

/*
 * What is wrong with an archive path (check 15), or HWB_PATH_OK. Used for
 * member names and RECORD rows alike.
 */
enum hwb_path_problem {
	HWB_PATH_OK = 0,
	HWB_PATH_ABSOLUTE,   /* leading '/' or a drive letter "C:" */
	HWB_PATH_DOTDOT,     /* a ".." component */
	HWB_PATH_DOT,        /* a "." component */
	HWB_PATH_EMPTY_PART, /* "a//b", or empty */
	HWB_PATH_BACKSLASH,  /* '\\' anywhere */
};
enum hwb_path_problem hwb_wheel__path_problem(const char *p, size_t n,
					      int is_dir);
/** One phrase for a problem ("has a '..' component"). */
const char *hwb_wheel__path_problem_text(enum hwb_path_problem p);

/*
 * An index of NUL-terminated names by position (open addressing, linear
 * probing, a seeded hash), exact or ASCII case-insensitive (fold). Keys are borrowed: they must
 * outlive the index. Sized for count names (at most UINT32_MAX) at init;
 * never grows.
 */
struct hwb_wheel_index_slot {
	const char *key;
	uint32_t pos;
	uint32_t hash; /* low bits of the key's hash: most misses end here */
};

struct hwb_wheel_index {
	struct hwb_wheel_index_slot *slots; /* owned */
	size_t mask;
	int fold;
	uint64_t seed;
};

int hwb_wheel__index_init(struct hwb_wheel_index *ix, size_t count, int fold);

/*
 * The name a case- and normalisation-insensitive file system stores: full
 * Unicode case folding to NFD (so NFC and NFD spellings, and 'ß' and "ss",
 * meet). ASCII names only need lower case. Owned; NULL when out of memory.
 * Wheels and sdists both refuse two members that fold to one name (W014).
 */
char *hwb_wheel__fold_name(const char *name);

/* 1 when s is plain ASCII (the W014 message then says "differs in case"). */
int hwb_wheel__ascii_only(const char *s);
void hwb_wheel__index_release(struct hwb_wheel_index *ix);
/** Add key at pos; returns -1, or the position of an equal key (not added). */
long hwb_wheel__index_put(struct hwb_wheel_index *ix, const char *key,
			  size_t pos);
/** The position of key, or -1. */
long hwb_wheel__index_get(const struct hwb_wheel_index *ix, const char *key);

/** Read exactly len bytes at off; -1 with errno (EIO for a short file). */
int hwb_wheel__pread(int fd, void *buf, size_t len, uint64_t off);

static inline uint16_t hwb_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t hwb_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t hwb_le64(const uint8_t *p)
{
	return (uint64_t)hwb_le32(p) | (uint64_t)hwb_le32(p + 4) << 32;
}

/* ------------------------------------------------------------------------
 * What the content checks receive (filled by check.c).
 */

/* One archive member, as the central directory describes it. */
struct hwb_wheel_member {
	const char *name;       /* NUL-terminated copy of the central name;
				 * names with NUL bytes are a framing error
				 * and are cut at the first NUL here */
	size_t name_len;
	uint32_t external_attr; /* high 16 bits: Unix st_mode when the host
				 * system (made_by >> 8) is 3, Unix */
	uint16_t made_by;       /* "version made by" */
	uint16_t method;        /* 0 stored, 8 deflate */
	uint64_t size;          /* uncompressed size, ZIP64 resolved */
	uint64_t compressed_size;
	uint32_t crc32;         /* from the central directory */
	int is_dir;             /* name ends in '/' */
	int path_ok;            /* the name is a safe relative UTF-8 path
				 * (checks 10, 15 passed) */
	int data_ok;            /* set after step 4: inflated, CRC-32 and
				 * size matched both headers */
	uint8_t sha256[32];     /* of the inflated bytes; valid after step 4
				 * when sha256_valid */
	int sha256_valid;
};

/*
 * An index of the members' basenames (the part after the last '/'): the
 * first member of each. A scan of all members per library an ELF file
 * needs made crafted wheels quadratic. -1 when out of memory.
 */
int hwb_wheel__index_basenames(struct hwb_wheel_index *ix,
			       const struct hwb_wheel_member *members,
			       size_t count);

/* Everything a content check may look at; read-only for the checks. */
struct hwb_wheel_ctx {
	struct hwb_check_report *report;        /* add findings here */
	const char *filename;                   /* basename of the file */
	const struct hwb_check_options *opts;   /* defaults resolved */
	const struct hwb_wheel_member *members; /* central-directory order */
	size_t member_count;
	const char *dist_info;   /* "name-1.0.dist-info": the top-level
				  * .dist-info directory RECORD is read from
				  * (the one matching the filename when there
				  * are several), or NULL when there is none */
	const char *metadata;    /* METADATA bytes (not NUL-terminated), or
				  * NULL when absent or unreadable */
	size_t metadata_len;
	const char *wheel;       /* WHEEL bytes, same rules */
	size_t wheel_len;
	/* The members by basename, for manylinux/musllinux wheels (the ELF
	 * policy asks whether a wheel ships a library); NULL otherwise. */
	const struct hwb_wheel_index *basenames;
	/* The members by name (the zip's index), or NULL: members are then
	 * looked up one by one. */
	const struct hwb_wheel_index *by_name;
};

/** 1 if the wheel has a member named path. */
int hwb_wheel__has_member(const struct hwb_wheel_ctx *c, const char *path);

/*
 * Bytes of one member handed to hwb_wheel__check_member_bytes(). A member
 * of up to HWB_WHEEL_WHOLE_CAP bytes (when memory allows) arrives in one
 * call with whole = 1. A larger member is streamed: successive calls from
 * one thread, in order, each chunk at most HWB_WHEEL_CHUNK + overlap bytes.
 * Chunks after the first start with the last `overlap` bytes of the
 * previous chunk (overlap == HWB_WHEEL_CHUNK_OVERLAP for them, 0 for the
 * first), so any pattern shorter than HWB_WHEEL_CHUNK_OVERLAP lies whole in
 * some chunk; to report it once, a check reports a match only when it ends
 * after data + overlap.
 */
#define HWB_WHEEL_WHOLE_CAP ((size_t)64 << 20)
#define HWB_WHEEL_CHUNK ((size_t)1 << 20)
#define HWB_WHEEL_CHUNK_OVERLAP ((size_t)4096)

struct hwb_wheel_chunk {
	const uint8_t *data;
	size_t len;
	uint64_t offset; /* position of data[0] in the member */
	size_t overlap;  /* leading bytes already seen in the previous chunk */
	int whole;       /* 1: data is the entire member, one call */
	int last;        /* 1: no more chunks follow for this member */
};

/* ------------------------------------------------------------------------
 * Content checks (implemented in the content-check files, called by
 * check.c). Each adds findings with hwb_wheel__add()/_add_firm() and
 * returns 0, or -1 only when out of memory (the whole check then fails
 * with HWB-C001). None of them may change ctx or the members.
 */

/**
 * Check 30: the file's name (ctx->filename) is a valid wheel filename.
 * Called once, first, even when the zip could not be read.
 */
int hwb_wheel__check_filename(const struct hwb_wheel_ctx *c);

/**
 * Checks 27-29 and 31: WHEEL and METADATA of ctx->dist_info and their
 * agreement with the filename. metadata / wheel are also in ctx; either
 * may be NULL (absent: reported by check_layout as 23, not here). Called
 * once, before any member bytes.
 */
int hwb_wheel__check_metadata_files(const struct hwb_wheel_ctx *c,
				    const char *metadata, size_t mlen,
				    const char *wheel, size_t wlen);

/**
 * Checks 32 (secrets in text and .pyc), .pth files, 34 (ELF) on one
 * member's inflated bytes (see struct hwb_wheel_chunk). Called for every
 * member that is not a directory and whose data could be located, from
 * several threads at once: must be thread-safe and keep no state between
 * calls except through findings. The bytes are what inflating produced,
 * even when the CRC-32 later proves wrong (that is reported separately);
 * m->data_ok and m->sha256 are not yet final during this call.
 */
int hwb_wheel__check_member_bytes(const struct hwb_wheel_ctx *c,
				  const struct hwb_wheel_member *m,
				  const struct hwb_wheel_chunk *chunk);

/**
 * Checks 22-26, 33: the layout of ctx->members (dist-info, .data, modes,
 * __pycache__, check-wheel-contents' findings). Called once, last; every
 * member's data_ok and sha256 are final. RECORD's presence is checked by
 * record.c (17), METADATA's and WHEEL's here.
 */
int hwb_wheel__check_layout(const struct hwb_wheel_ctx *c);

/**
 * Check a gzip'd tar sdist at path (libarchive) into r, handing each
 * member it accepts to v when v is not NULL (see hwb_check_sdist). Returns
 * 0 when the file was read, whatever was found; -1 with err (HWB_KIND_CONFIG)
 * when it could not be read at all, or with the visitor's error.
 */
int hwb_wheel__check_sdist(const char *path,
			   const struct hwb_check_options *opts,
			   const struct hwb_sdist_visitor *v,
			   struct hwb_check_report *r, struct hwb_error *err);

/* ------------------------------------------------------------------------
 * Zip reader (zip.c, zip_entry.c, zip_local.c), the inflate pass
 * (inflate.c) and RECORD (record.c). Only check.c drives them.
 */

/* Limits on the archive's own structures, with the reason for each. */
#define HWB_ZIP_MAX_CD_SIZE ((uint64_t)64 << 20)
/* The largest real wheels hold tens of thousands of files; each member
 * costs about 250 bytes of bookkeeping, so this bounds it near 100 MiB. */
#define HWB_ZIP_MAX_MEMBERS 400000
/* Data above this ratio over 64 MiB inflated is a bomb (PyPI's rule). */
#define HWB_ZIP_RATIO_FLOOR ((uint64_t)64 << 20)

/* Where one member's bytes are in the file; parallel to the members. */
struct hwb_zip_entry {
	uint64_t local_offset;  /* local header, as the central dir. says */
	uint64_t data_offset;   /* compressed data (valid when local_ok) */
	uint64_t data_end;      /* end of data and of any data descriptor */
	uint16_t flags;         /* general-purpose bit flags */
	uint16_t name_raw_len;  /* name length in the central directory */
	int fields_ok;          /* central record sane enough to inflate */
	int sizes_bad;          /* its ZIP64 sizes or offset are unusable */
	int local_state;        /* 0 not read, 1 ok, -1 unusable */
	int record_row;         /* index into the RECORD rows, or -1 */
	long same_next;         /* next member of the same name, or -1 */
	size_t extra_other;     /* uninterpreted extra bytes, central record */
	uint8_t *alt_digest;    /* owned: RECORD's digest when its algorithm
				 * is not sha256 (rare), or NULL */
};

struct hwb_zip {
	int fd;                           /* not owned */
	uint64_t file_size;
	struct hwb_wheel_member *members; /* owned, count entries */
	struct hwb_zip_entry *entries;    /* owned, parallel to members */
	size_t count;
	uint64_t cd_offset;               /* where the central dir. starts */
	uint64_t records_start;           /* first end record (ZIP64/EOCD) */
	uint64_t total_size;              /* sum of uncompressed sizes */
	struct hwb_wheel_index by_name;   /* first member of each name */
	int cd_ok;                        /* 1: members describe the zip */
	int too_big;                      /* bomb limits hit: inflate none */
};

#define HWB_ZIP_INIT { -1, 0, NULL, NULL, 0, 0, 0, 0, { NULL, 0, 0, 0 }, 0, 0 }

/**
 * Read the end records and the central directory of the zip open on fd
 * (checks 2, 3, 7-12, 14-16) into z. Findings go to r. Returns 0 (z->cd_ok
 * says whether members were found), or -1 with err on a read error or
 * out of memory. Release z with hwb_zip__release().
 */
int hwb_zip__read(struct hwb_zip *z, int fd, uint64_t file_size,
		  const struct hwb_check_options *opts,
		  struct hwb_check_report *r, struct hwb_error *err);
void hwb_zip__release(struct hwb_zip *z);

/* Header fields that ZIP64 may extend, before and after resolving. */
struct hwb_zip_fields {
	uint64_t size, csize, offset;
	uint32_t disk;
	int bad; /* set when they cannot be trusted */
	size_t other; /* bytes of extra records other than ZIP64 and Unicode
		       * Path: data outside what RECORD covers */
};

/* Extra records hwb does not interpret, per header and per archive. */
#define HWB_ZIP_EXTRA_WARN 1024
#define HWB_ZIP_EXTRA_MAX 16384
#define HWB_ZIP_EXTRA_TOTAL_MAX ((size_t)1 << 20)

/**
 * Check an extra field (type-length list, no repeated ZIP64 or Unicode
 * Path field, ZIP64 values behind every sentinel; checks 8, 9) and resolve
 * f's sentinels. local: a local header (ZIP64 then holds both sizes).
 * Returns 0 (f->bad set when unusable), -1 on OOM.
 */
int hwb_zip__check_extra(struct hwb_check_report *r, const char *member,
			 const uint8_t *extra, size_t len, int local,
			 const uint8_t *name, size_t nlen,
			 struct hwb_zip_fields *f);

/*
 * Per-entry checks of a central-directory record (zip_entry.c). raw points
 * at the 46-byte record; name, extra and comment follow it.
 */
int hwb_zip__check_central(struct hwb_check_report *r,
			   struct hwb_wheel_member *m, struct hwb_zip_entry *e,
			   const uint8_t *raw, size_t raw_len);

/*
 * Validate the local header of entry i (checks 4-6, 9, 12) from hdr, the
 * hdr_len bytes read at its offset (at least 30 + name + extra, or as much
 * as the file holds); sets local_state, data_offset and data_end. Safe
 * from several threads for different i. Returns 0, -1 on OOM.
 */
int hwb_zip__check_local(struct hwb_zip *z, size_t i,
			 struct hwb_check_report *r, const uint8_t *hdr,
			 size_t hdr_len);
/** Read and validate entry i's local header if not done yet. */
int hwb_zip__load_local(struct hwb_zip *z, size_t i,
			struct hwb_check_report *r, struct hwb_error *err);

/**
 * Walk the file from offset 0 in local-header order once every entry's
 * local header was read (checks 1, 13): prepended data, gaps, overlaps.
 */
int hwb_zip__check_layout(struct hwb_zip *z, struct hwb_check_report *r);

/**
 * Inflate member i whole into a malloc'd buffer (*out, caller frees) when
 * it is at most limit bytes; for METADATA, WHEEL and RECORD. Returns 0,
 * with *out NULL when the member could not be read (the inflate pass
 * reports why), or -1 with err on OOM or a read error.
 */
int hwb_zip__read_whole(struct hwb_zip *z, size_t i, size_t limit,
			uint8_t **out, size_t *out_len,
			struct hwb_check_report *r, struct hwb_error *err);

/* One RECORD row (record.c). */
struct hwb_record_row {
	char *path;            /* owned */
	int hash_alg;          /* enum hwb_hash_alg, or -1 when empty */
	uint8_t digest[64];
	size_t digest_len;
	int64_t size;          /* -1 when empty */
	int member;            /* index of the member, or -1 */
};

struct hwb_record {
	struct hwb_record_row *rows; /* owned */
	size_t count;
	int usable;                  /* parsed: rows can be compared */
	int self_member;             /* index of RECORD itself, or -1 */
};

#define HWB_RECORD_INIT { NULL, 0, 0, -1 }

/**
 * Find dist_info/RECORD, parse it and link rows and entries (checks 17-20).
 * Returns 0, or -1 with err on OOM or a read error.
 */
int hwb_record__load(struct hwb_record *rec, struct hwb_zip *z,
		     const char *dist_info, struct hwb_check_report *r,
		     struct hwb_error *err);
/** After the inflate pass: digests and sizes against RECORD (check 21). */
int hwb_record__verify(const struct hwb_record *rec, const struct hwb_zip *z,
		       struct hwb_check_report *r);
void hwb_record__release(struct hwb_record *rec);

/** Copy in (or the defaults when NULL) to o, filling zero limits. */
void hwb_wheel__resolve_options(struct hwb_check_options *o,
				const struct hwb_check_options *in);

/**
 * Check the wheel open on fd (size bytes; path names it in findings and
 * gives the filename) into r, which hwb_wheel__report_prepare() readied;
 * opts resolved. The body of hwb_check_file() for wheels, and the fuzz
 * target's entry. Findings are not filtered. Returns 0, or -1 with err.
 */
int hwb_wheel__check_fd(int fd, uint64_t size, const char *path,
			const struct hwb_check_options *opts,
			struct hwb_check_report *r, struct hwb_error *err);

/**
 * hwb_wheel__check_fd() on z, which the caller releases: the zip as the
 * check read it, every member's data_ok and sha256 set (hwb_wheel_open
 * reads members from it afterwards).
 */
int hwb_wheel__check_zip(struct hwb_zip *z, int fd, uint64_t size,
			 const char *path, const struct hwb_check_options *opts,
			 struct hwb_check_report *r, struct hwb_error *err);

/**
 * The wheel half of hwb_check_file() on an open file, into z (released by
 * the caller) and report (its file set, hwb_wheel__report_prepare() run):
 * the check, acknowledged keys, then the --select/--ignore filter.
 */
int hwb_wheel__check_open(struct hwb_zip *z, int fd, uint64_t size,
			  const char *path,
			  const struct hwb_check_options *opts,
			  struct hwb_check_report *report,
			  struct hwb_error *err);

/**
 * hwb_wheel_open() on fd (size bytes; the reader owns and closes it, even
 * on failure); path names the wheel. The fuzz target's entry.
 */
int hwb_wheel__open_fd(int fd, uint64_t size, const char *path,
		       const struct hwb_check_options *opts,
		       struct hwb_check_report *report,
		       struct hwb_wheel_reader **out, struct hwb_error *err);

/**
 * Open path read-only without following a symbolic link; it must be a
 * regular file. Returns 0 with *fd and *size, or -1 with err (HWB-W029).
 */
int hwb_wheel__open_file(const char *path, int *fd, uint64_t *size,
			 struct hwb_error *err);

/**
 * The inflate pass (inflate.c): every entry whose central record is sane
 * gets its local header checked, is inflated once with CRC-32, size, sha256
 * and RECORD's digest computed, and is handed to the content checks, over
 * opts->threads threads. Returns 0, or -1 with err (OOM, read error).
 */
int hwb_wheel__inflate_all(struct hwb_zip *z, const struct hwb_wheel_ctx *c,
			   const struct hwb_record *rec,
			   struct hwb_error *err);

/* ------------------------------------------------------------------------
 * Shared by the content checks (filename.c, metacheck.c, layout.c,
 * sdist.c, secrets.c, elf.c).
 */

/**
 * The file's name (c->filename) split, for the content checks: 0, with
 * f->buf NULL when it is not a wheel filename (check 30 reports that), or
 * -1 when out of memory. Release with hwb_wheel_filename_release().
 */
int hwb_wheel__filename_of(const struct hwb_wheel_ctx *c,
			   struct hwb_wheel_filename *f);

/**
 * The expanded tags of f ("py2.py3-none-any" gives "py2-none-any" and
 * "py3-none-any"), sorted, without duplicates, as one malloc'd array of
 * malloc'd strings the caller frees with hwb_wheel__tags_free(). Returns
 * -1 when out of memory or beyond HWB_WHEEL_MAX_TAGS.
 */
#define HWB_WHEEL_MAX_TAGS 4096
int hwb_wheel__tags_expand(const struct hwb_wheel_filename *f, char ***out,
			   size_t *count);
void hwb_wheel__tags_free(char **tags, size_t count);

/** 1 if len bytes at s are valid UTF-8 without NUL (metadata.c). */
int hwb_wheel__utf8_valid(const char *s, size_t len);

/**
 * Secrets (secrets.c, check 32): look for the credential forms of
 * pkg/core/log.h in len bytes of member and add one firm finding for the
 * first one found (never showing it). overlap: leading bytes already
 * scanned by the previous call for the same member (chunks); binary: the
 * bytes are not text (.pyc), so tokens may follow any byte. Returns 0, or
 * -1 when out of memory.
 */
int hwb_wheel__scan_secrets(struct hwb_check_report *r, const char *member,
			    const uint8_t *data, size_t len, size_t overlap,
			    int binary);

/**
 * 1 if the archive path names a file that holds credentials by its nature
 * (.pypirc, .env, a .git/ directory, id_rsa, credentials*); *why is set to
 * what it is.
 */
int hwb_wheel__secret_path(const char *path, const char **why);

/* ELF files (elf.c, check 34). */
struct hwb_elf_info {
	int is_64;
	int little_endian;
	uint16_t type;          /* ET_EXEC 2, ET_DYN 3, ... */
	uint16_t machine;       /* EM_X86_64 62, EM_AARCH64 183, ... */
	char **needed;          /* owned: DT_NEEDED names */
	size_t needed_count;
	char **versions;        /* owned: required symbol versions
				 * ("GLIBC_2.17") from DT_VERNEED */
	size_t version_count;
	int dynamic_complete;   /* 0 when the dynamic data lay beyond the
				 * bytes given (a streamed member) */
};

/**
 * Parse the ELF header, program headers, dynamic section and version
 * needs found in len bytes: the whole file (whole = 1), or its beginning,
 * where what lies beyond is left unread (dynamic_complete 0). Returns 0;
 * 1 when data is not ELF at all; -1 with err (HWB-W095) when it is a
 * malformed ELF, or HWB-C001 when out of memory. Release with
 * hwb_elf_info_release().
 */
int hwb_wheel__elf_parse(const uint8_t *data, size_t len, int whole,
			 struct hwb_elf_info *out, struct hwb_error *err);
void hwb_wheel__elf_info_release(struct hwb_elf_info *info);

/** Check 34 for one ELF member of a manylinux/musllinux wheel. */
int hwb_wheel__check_elf(const struct hwb_wheel_ctx *c,
			 const struct hwb_wheel_member *m,
			 const struct hwb_wheel_chunk *chunk);
