/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wheel.h: checking wheels and sdists (hwb check), and the Python packaging
 * grammars other packages need (PEP 440 versions, PEP 508 requirements).
 * hwb build, sign and publish call hwb_check_file() before they use a file.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

enum hwb_severity {
	HWB_SEVERITY_ERROR = 0,
	HWB_SEVERITY_WARNING = 1,
	HWB_SEVERITY_INFO = 2, /* a note: never fails a file, even --strict */
};

/* One problem found in a file. */
struct hwb_finding {
	char code[16];              /* stable, e.g. HWB-W012 */
	enum hwb_severity severity;
	char *member;               /* owned; archive member, or NULL */
	char *message;              /* owned; one line with the fix */
	int firm;                   /* --select/--ignore cannot hide it */
};

/* The findings for one file. Release with hwb_check_report_release(). */
struct hwb_check_report {
	char *file;                    /* owned; the path checked */
	struct hwb_finding *findings;  /* owned */
	size_t count;
	size_t cap;
	uint64_t members;              /* archive members seen */
	uint64_t bytes_checked;        /* uncompressed bytes hashed */
	void *state;                   /* owned; the lock guarding additions
					* from threads, counts by code */
};

#define HWB_CHECK_REPORT_INIT { NULL, NULL, 0, 0, 0, 0, NULL }

/*
 * Default zip-bomb limits. Real wheels reach a few GiB (CUDA libraries);
 * the ratio limit is PyPI's (50x, over 64 MiB inflated).
 */
#define HWB_CHECK_DEFAULT_MAX_MEMBER_SIZE ((uint64_t)4 << 30)
#define HWB_CHECK_DEFAULT_MAX_TOTAL_SIZE ((uint64_t)16 << 30)
#define HWB_CHECK_DEFAULT_MAX_RATIO 50

/* Options; zero values mean the defaults above. */
struct hwb_check_options {
	int strict;                  /* warnings fail the file too */
	const char *const *select;   /* only these codes (NULL: all) */
	size_t select_count;
	const char *const *ignore;   /* silence these codes (never framing,
				      * path, RECORD or secret errors) */
	size_t ignore_count;
	uint64_t max_member_size;    /* uncompressed bytes per member */
	uint64_t max_total_size;     /* uncompressed bytes in all */
	uint64_t max_ratio;          /* compression ratio limit, applied to
				      * the whole archive (and to a member)
				      * once it is over 64 MiB inflated */
	int threads;                 /* 0: one per online core */
	const char *const *acknowledged_keys; /* "PATH sha256:HEX": test-
				      * fixture keys the project ships on
				      * purpose (check.acknowledged-keys) */
	size_t acknowledged_count;
	int for_local;               /* the check's target: 0 publishing to
				      * PyPI (hwb check, publish), 1 local
				      * use (hwb build): what only PyPI
				      * refuses (W049) is then a warning */
};

/**
 * Check a wheel (.whl) or sdist (.tar.gz) and fill report (initialised with
 * HWB_CHECK_REPORT_INIT). Returns 0 when the file was read, whatever was
 * found; -1 with err filled (HWB_KIND_CONFIG, or USAGE for an unsupported
 * file type) when it could not be read at all.
 */
int hwb_check_file(const char *path, const struct hwb_check_options *opts,
		   struct hwb_check_report *report, struct hwb_error *err);

/* A member of an sdist the check accepted, for hwb_check_sdist's visitor. */
struct hwb_sdist_entry {
	const char *path;  /* as in the archive: a safe relative path */
	int type;          /* 'f' file, 'd' directory, 'l' symbolic link */
	unsigned mode;     /* permission bits as stored */
	const char *link;  /* the link's target (inside the project), or NULL */
};

/*
 * Receives the members of an sdist as the check reads them: entry() for
 * each member the check accepts, then, for a file, data() with its bytes in
 * order. Each returns 0, or -1 with err set, which ends the walk.
 */
struct hwb_sdist_visitor {
	int (*entry)(void *ctx, const struct hwb_sdist_entry *e,
		     struct hwb_error *err);
	int (*data)(void *ctx, const uint8_t *data, size_t len,
		    struct hwb_error *err);
	void *ctx;
};

/**
 * hwb_check_file() for the sdist at path, in the same walk of the archive
 * handing v every member the check accepts, with the bytes the check reads
 * (a member it refuses as unsafe, a hard link, a device, is not handed
 * over; a walk the check stops, at a size limit say, stops for v too). So
 * a tree built from what v receives holds exactly what the check read; the
 * caller discards it when report fails. Returns as hwb_check_file(), or -1
 * with the visitor's error.
 */
int hwb_check_sdist(const char *path, const struct hwb_check_options *opts,
		    struct hwb_check_report *report,
		    const struct hwb_sdist_visitor *v, struct hwb_error *err);

/** 1 if report holds an error, or a warning when strict. */
int hwb_check_failed(const struct hwb_check_report *report, int strict);

/** Free everything report owns; leaves it as HWB_CHECK_REPORT_INIT. */
void hwb_check_report_release(struct hwb_check_report *report);

/* ------------------------------------------------------------------------ */
/* Reading a wheel: what hwb check approved, through the zip parser it uses  */
/*                                                                           */
/* hwb build installs, reads METADATA from and normalises wheels with this   */
/* reader, never with a second zip parser: the central directory, the local  */
/* headers and every byte between them are validated as hwb check validates */
/* them, and a member is read from where the check found its data, with its */
/* CRC-32 and size (and, after a full check, its sha256) verified.           */
/* ------------------------------------------------------------------------ */

struct hwb_wheel_reader; /* opaque; one open wheel */

/* One member, as the central directory describes it. */
struct hwb_wheel_item {
	const char *name; /* valid until hwb_wheel_close() */
	uint64_t size;    /* uncompressed bytes */
	uint32_t mode;    /* Unix st_mode from the external attributes, or 0
			   * when the zip was not made on Unix */
	int is_dir;       /* the name ends in '/' */
};

/**
 * Open the wheel at path for reading. With report NULL only its structure
 * is validated, as hwb check validates it: end records, central directory,
 * every local header against its central record, the file's layout (no
 * prepended data, gap or overlap), safe member names, the size limits of
 * opts (NULL: the defaults). With report (initialised with
 * HWB_CHECK_REPORT_INIT) the whole hwb check runs on the same open file
 * and fills report as hwb_check_file() does; reads then also verify each
 * member's sha256 against what the check hashed, so what is read is byte
 * for byte what the check approved. Returns 0 with *out (close it with
 * hwb_wheel_close), or -1 with err: the code of the first framing error
 * (HWB-W001..W039, kind FAILED) when the zip's structure is unsound (report,
 * when given, holds every finding), HWB-W029 (kind CONFIG) when the file
 * cannot be opened, HWB-C001 when out of memory.
 */
int hwb_wheel_open(const char *path, const struct hwb_check_options *opts,
		   struct hwb_check_report *report,
		   struct hwb_wheel_reader **out, struct hwb_error *err);

void hwb_wheel_close(struct hwb_wheel_reader *rd);

/** Number of members, in central-directory order. */
size_t hwb_wheel_count(const struct hwb_wheel_reader *rd);

/** Describe member i (< hwb_wheel_count()). */
void hwb_wheel_item(const struct hwb_wheel_reader *rd, size_t i,
		    struct hwb_wheel_item *out);

/** The index of the member named name, or -1. */
long hwb_wheel_find(const struct hwb_wheel_reader *rd, const char *name);

/* Receives a member's bytes in order; returns 0, or -1 with err set. */
typedef int (*hwb_wheel_sink)(void *ctx, const uint8_t *data, size_t len,
			      struct hwb_error *err);

/**
 * Hand member i's inflated bytes to sink, in pieces of at most 256 KiB,
 * then verify CRC-32, size and (after a full check) sha256. The sink has
 * seen the bytes before a mismatch is known: write them somewhere a
 * failure discards. Memory is bounded whatever the member's size. Returns
 * 0, or -1 with err: HWB-W026 (CRC-32), W027 (size), W028 (damaged
 * stream), W110 (not the bytes the check hashed: the file changed), kind
 * FAILED; HWB-W029 (kind CONFIG) on a read error; or the sink's error.
 */
int hwb_wheel_read(struct hwb_wheel_reader *rd, size_t i, hwb_wheel_sink sink,
		   void *ctx, struct hwb_error *err);

/**
 * Append member i whole to out, as hwb_wheel_read(); a member over limit
 * bytes is refused (HWB-W018, kind FAILED) before anything is read.
 */
int hwb_wheel_read_all(struct hwb_wheel_reader *rd, size_t i, size_t limit,
		       struct hwb_buf *out, struct hwb_error *err);

/* ------------------------------------------------------------------------ */
/* Wheel filenames and tags                                                  */
/* ------------------------------------------------------------------------ */

/*
 * A wheel filename ("name-ver[-build]-py-abi-plat.whl", the binary
 * distribution format) split into its parts. The one filename parser: the
 * finders, the lock and hwb check (check 30, which also judges what the
 * parts hold) all use it.
 */
struct hwb_wheel_filename {
	char *buf;             /* owned: the parts, NUL-separated */
	const char *name;      /* distribution name as written (escaped) */
	const char *project;   /* name normalised (PEP 503) */
	const char *version;   /* as written */
	const char *build;     /* build tag, or NULL */
	const char *python, *abi, *platform; /* compressed tag sets */
	const char *tags;      /* "python-abi-platform" as written */
};

#define HWB_WHEEL_FILENAME_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
				  NULL, NULL }

/**
 * Split filename (a basename). Returns 0, or -1 with err: HWB-W044 (kind
 * FAILED) when it is not .whl with 5 or 6 dash-separated parts, HWB-C001
 * when out of memory. Release with hwb_wheel_filename_release().
 */
int hwb_wheel_filename_parse(const char *filename,
			     struct hwb_wheel_filename *out,
			     struct hwb_error *err);
void hwb_wheel_filename_release(struct hwb_wheel_filename *f);

/* The interpreter a wheel's tags are matched against. */
struct hwb_wheel_target {
	const char *python_version;      /* "3.11" */
	const char *implementation_name; /* "cpython" */
	const char *sys_platform;        /* "linux" */
	const char *platform_machine;    /* "x86_64" */
	int glibc_major, glibc_minor;    /* 0 0: not glibc (musl) */
};

/**
 * 1 if a wheel tagged tags ("py3-none-any", compressed sets allowed)
 * installs on t: python tag py3/pyXY/cpXY (XY up to t's), abi none, abi3
 * or t's own, platform any, linux_<arch> or manylinux with a glibc no
 * newer than t's. A subset of packaging.tags that covers build
 * requirements; other platforms' wheels are recorded but never chosen.
 */
int hwb_wheel_tags_compatible(const char *tags,
			      const struct hwb_wheel_target *t);

/* ------------------------------------------------------------------------ */
/* Python packaging grammars                                                 */
/*                                                                           */
/* PEP 440 versions and specifiers, PEP 508 requirements and markers, PEP    */
/* 503 names, core metadata. The rules follow the specifications and, where  */
/* they leave room, the behaviour of pypa/packaging.                         */
/* ------------------------------------------------------------------------ */

/*
 * Limits of the parsed forms. Real versions have a handful of release
 * numbers and short local labels; a version beyond these limits is refused
 * (HWB-W040) rather than silently truncated.
 */
#define HWB_PEP440_MAX_RELEASE 32
#define HWB_PEP440_MAX_LOCAL 128

/* A parsed PEP 440 version. Plain data: copy it freely, nothing to free. */
struct hwb_pep440_version {
	uint64_t epoch;
	uint64_t release[HWB_PEP440_MAX_RELEASE];
	size_t release_count;          /* >= 1 */
	char pre_kind;                 /* 0 (none), 'a', 'b' or 'c' (rc) */
	uint64_t pre;
	int has_post;
	uint64_t post;
	int has_dev;
	uint64_t dev;
	/* Normalised local label ("ubuntu.1"), "" when there is none. */
	char local[HWB_PEP440_MAX_LOCAL + 1];
};

/**
 * Parse a version as PEP 440 (and packaging.version.Version) accept it:
 * surrounding whitespace, a leading "v", any case, the alternative spellings
 * ("alpha", "-1", "rev", "_", ...). Returns 0, or -1 with err set
 * (HWB-W040, kind FAILED) when text is not a version.
 */
int hwb_pep440_parse(const char *text, size_t len,
		     struct hwb_pep440_version *out, struct hwb_error *err);

/** <0, 0 or >0 as a sorts before, equal to or after b (PEP 440 order). */
int hwb_pep440_compare(const struct hwb_pep440_version *a,
		       const struct hwb_pep440_version *b);

/** Append the normalised form ("1.0rc1.post2.dev3+ubuntu.1") to out. */
int hwb_pep440_normalize(const struct hwb_pep440_version *v,
			 struct hwb_buf *out);

/** 1 if v has a pre-release or development part. */
int hwb_pep440_is_prerelease(const struct hwb_pep440_version *v);

enum hwb_specifier_op {
	HWB_SPEC_COMPATIBLE,  /* ~= */
	HWB_SPEC_EQUAL,       /* == (with .* when wildcard is set) */
	HWB_SPEC_NOT_EQUAL,   /* != (with .* when wildcard is set) */
	HWB_SPEC_LESS_EQUAL,  /* <= */
	HWB_SPEC_GREATER_EQUAL, /* >= */
	HWB_SPEC_LESS,        /* < */
	HWB_SPEC_GREATER,     /* > */
	HWB_SPEC_ARBITRARY,   /* === */
};

/* One clause of a specifier set. */
struct hwb_specifier {
	enum hwb_specifier_op op;
	int wildcard;                      /* "==1.2.*" */
	struct hwb_pep440_version version; /* unset for === */
	char *text;                        /* owned; the version as written */
};

/* A comma-separated set of specifiers; an empty set matches everything. */
struct hwb_specifier_set {
	struct hwb_specifier *items; /* owned */
	size_t count;
};

#define HWB_SPECIFIER_SET_INIT { NULL, 0 }

/**
 * Parse ">=1.0, !=1.3.*, <2" into out (initialised with
 * HWB_SPECIFIER_SET_INIT; release with hwb_specifier_set_release). Returns
 * 0, or -1 with err set (HWB-W041) and out left empty.
 */
int hwb_specifier_set_parse(const char *text, size_t len,
			    struct hwb_specifier_set *out,
			    struct hwb_error *err);

/**
 * 1 if v satisfies every specifier of set, else 0. Pre-releases: with
 * allow_prereleases 0, a pre-release matches only when a specifier of the
 * set names a pre-release itself (PEP 440's default); with 1 they match
 * like any other version.
 */
int hwb_specifier_set_contains(const struct hwb_specifier_set *set,
			       const struct hwb_pep440_version *v,
			       int allow_prereleases);

void hwb_specifier_set_release(struct hwb_specifier_set *set);

/**
 * Append the PEP 503 normalised form of a project or extra name to out:
 * lowercase, runs of '-', '_' and '.' become one '-'.
 */
int hwb_normalize_name(const char *name, size_t len, struct hwb_buf *out);

/** 1 if name is a valid project name (PEP 508: letters, digits, "-_."
 *  inside, starting and ending with a letter or digit). */
int hwb_name_is_valid(const char *name, size_t len);

/*
 * The marker environment (PEP 508). NULL members count as "". extra is the
 * extra being installed (normalised before comparing, PEP 685).
 */
struct hwb_marker_env {
	const char *implementation_name;
	const char *implementation_version;
	const char *os_name;
	const char *platform_machine;
	const char *platform_release;
	const char *platform_system;
	const char *platform_version;
	const char *python_full_version;
	const char *platform_python_implementation;
	const char *python_version;
	const char *sys_platform;
	const char *extra;
	/* Lock files (PEP 751): the extras and dependency groups selected,
	 * for "'x' in extras" and "'g' in dependency_groups". */
	const char *const *extras;
	size_t extras_count;
	const char *const *dependency_groups;
	size_t dependency_groups_count;
};

struct hwb_marker; /* opaque parsed marker expression */

/* A parsed PEP 508 dependency specification. */
struct hwb_requirement {
	char *name;                          /* owned, as written */
	char **extras;                       /* owned, as written */
	size_t extra_count;
	struct hwb_specifier_set specifiers; /* owned; empty with a URL */
	char *url;                           /* owned; NULL unless "name @ url" */
	struct hwb_marker *marker;           /* owned; NULL when none */
};

/**
 * Parse a requirement ("name[extra] (>=1.0) ; python_version < '3.11'",
 * "name @ https://... ; os_name == 'nt'"). On success *out is a new
 * requirement the caller frees with hwb_pep508_free. Returns -1 with err
 * set (HWB-W042, or W041 for a bad specifier, W043 for a bad marker).
 */
int hwb_pep508_parse(const char *text, size_t len,
		     struct hwb_requirement **out, struct hwb_error *err);

void hwb_pep508_free(struct hwb_requirement *req);

/** Parse a marker expression alone; free with hwb_marker_free. */
int hwb_marker_parse(const char *text, size_t len, struct hwb_marker **out,
		     struct hwb_error *err);

void hwb_marker_free(struct hwb_marker *marker);

/**
 * Evaluate marker against env: 1 true, 0 false, -1 with err set (HWB-W043)
 * for a comparison the specification leaves undefined (such as "~=" on two
 * strings that are not versions). Version-valued variables
 * (python_version, python_full_version, platform_release,
 * implementation_version) compare as versions when the right side forms a
 * valid specifier; everything else compares as strings.
 */
int hwb_marker_evaluate(const struct hwb_marker *marker,
			const struct hwb_marker_env *env,
			struct hwb_error *err);

/* One "Key: value" field of a core metadata or WHEEL file, in file order. */
struct hwb_metadata_field {
	char *name;   /* owned; as written */
	char *value;  /* owned; continuation lines joined with '\n' */
	unsigned line;
};

/* A parsed email-header style file (METADATA, PKG-INFO, WHEEL). */
struct hwb_metadata {
	struct hwb_metadata_field *fields; /* owned */
	size_t count;
	size_t cap;
	char *body;      /* owned; the text after the blank line, or NULL */
	unsigned body_line;
};

#define HWB_METADATA_INIT { NULL, 0, 0, NULL, 0 }

/**
 * Parse text as RFC 822 headers: "Name: value" lines, continuation lines
 * starting with a space or tab, a blank line, then the body (the
 * Description in core metadata). The text must be UTF-8 without NUL bytes.
 * Returns 0, or -1 with err set (HWB-W056, with the line) for a line that
 * is not a header.
 */
int hwb_metadata_parse(const char *text, size_t len, struct hwb_metadata *out,
		       struct hwb_error *err);

/** The first value of the field named name (case-insensitive), or NULL. */
const char *hwb_metadata_get(const struct hwb_metadata *md, const char *name);

/** Number of fields named name (case-insensitive). */
size_t hwb_metadata_count(const struct hwb_metadata *md, const char *name);

void hwb_metadata_release(struct hwb_metadata *md);
