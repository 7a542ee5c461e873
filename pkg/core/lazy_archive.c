/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lazy_archive.c: the libarchive functions hwb uses, loaded on first use (see
 * lazy.h). Each is defined under its own name with the prototype of the
 * library's header and forwards to libarchive.so.13 opened by dlopen; hwb links
 * without -larchive, so a function missing from this list fails the link.
 */
#include <archive.h>
#include <archive_entry.h>

#include "pkg/core/internal.h"

#define ARCHIVE_FUNCS(F, V) \
	F(struct archive_entry *, archive_entry_clear, (struct archive_entry *a0), (a0)) \
	F(mode_t, archive_entry_filetype, (struct archive_entry *a0), (a0)) \
	V(archive_entry_free, (struct archive_entry *a0), (a0)) \
	F(la_int64_t, archive_entry_gid, (struct archive_entry *a0), (a0)) \
	F(const char *, archive_entry_gname, (struct archive_entry *a0), (a0)) \
	F(const char *, archive_entry_hardlink, (struct archive_entry *a0), (a0)) \
	F(mode_t, archive_entry_mode, (struct archive_entry *a0), (a0)) \
	F(time_t, archive_entry_mtime, (struct archive_entry *a0), (a0)) \
	F(struct archive_entry *, archive_entry_new, (void), ()) \
	F(const char *, archive_entry_pathname, (struct archive_entry *a0), (a0)) \
	F(mode_t, archive_entry_perm, (struct archive_entry *a0), (a0)) \
	V(archive_entry_set_filetype, (struct archive_entry *a0, unsigned int a1), (a0, a1)) \
	V(archive_entry_set_gid, (struct archive_entry *a0, la_int64_t a1), (a0, a1)) \
	V(archive_entry_set_gname, (struct archive_entry *a0, const char *a1), (a0, a1)) \
	V(archive_entry_set_hardlink, (struct archive_entry *a0, const char *a1), (a0, a1)) \
	V(archive_entry_set_mode, (struct archive_entry *a0, mode_t a1), (a0, a1)) \
	V(archive_entry_set_mtime, (struct archive_entry *a0, time_t a1, long int a2), (a0, a1, a2)) \
	V(archive_entry_set_pathname, (struct archive_entry *a0, const char *a1), (a0, a1)) \
	V(archive_entry_set_perm, (struct archive_entry *a0, mode_t a1), (a0, a1)) \
	V(archive_entry_set_size, (struct archive_entry *a0, la_int64_t a1), (a0, a1)) \
	V(archive_entry_set_symlink, (struct archive_entry *a0, const char *a1), (a0, a1)) \
	V(archive_entry_set_uid, (struct archive_entry *a0, la_int64_t a1), (a0, a1)) \
	V(archive_entry_set_uname, (struct archive_entry *a0, const char *a1), (a0, a1)) \
	F(la_int64_t, archive_entry_size, (struct archive_entry *a0), (a0)) \
	F(int, archive_entry_size_is_set, (struct archive_entry *a0), (a0)) \
	F(const char *, archive_entry_symlink, (struct archive_entry *a0), (a0)) \
	F(la_int64_t, archive_entry_uid, (struct archive_entry *a0), (a0)) \
	F(const char *, archive_entry_uname, (struct archive_entry *a0), (a0)) \
	F(int, archive_errno, (struct archive *a0), (a0)) \
	F(const char *, archive_error_string, (struct archive *a0), (a0)) \
	F(int, archive_format, (struct archive *a0), (a0)) \
	F(int, archive_read_close, (struct archive *a0), (a0)) \
	F(la_ssize_t, archive_read_data, (struct archive *a0, void *a1, size_t a2), (a0, a1, a2)) \
	F(int, archive_read_data_block, (struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3), (a0, a1, a2, a3)) \
	F(int, archive_read_data_skip, (struct archive *a0), (a0)) \
	F(int, archive_read_free, (struct archive *a0), (a0)) \
	F(struct archive *, archive_read_new, (void), ()) \
	F(int, archive_read_next_header, (struct archive *a0, struct archive_entry **a1), (a0, a1)) \
	F(int, archive_read_open_fd, (struct archive *a0, int a1, size_t a2), (a0, a1, a2)) \
	F(int, archive_read_open_filename, (struct archive *a0, const char *a1, size_t a2), (a0, a1, a2)) \
	F(int, archive_read_open_memory, (struct archive *a0, const void *a1, size_t a2), (a0, a1, a2)) \
	F(int, archive_read_support_filter_all, (struct archive *a0), (a0)) \
	F(int, archive_read_support_filter_gzip, (struct archive *a0), (a0)) \
	F(int, archive_read_support_format_all, (struct archive *a0), (a0)) \
	F(int, archive_read_support_format_tar, (struct archive *a0), (a0)) \
	F(int, archive_read_support_format_zip, (struct archive *a0), (a0)) \
	F(int, archive_read_support_format_zip_seekable, (struct archive *a0), (a0)) \
	F(const char *, archive_version_string, (void), ()) \
	F(int, archive_write_add_filter_gzip, (struct archive *a0), (a0)) \
	F(int, archive_write_close, (struct archive *a0), (a0)) \
	F(la_ssize_t, archive_write_data, (struct archive *a0, const void *a1, size_t a2), (a0, a1, a2)) \
	F(la_ssize_t, archive_write_data_block, (struct archive *a0, const void *a1, size_t a2, la_int64_t a3), (a0, a1, a2, a3)) \
	F(struct archive *, archive_write_disk_new, (void), ()) \
	F(int, archive_write_disk_set_options, (struct archive *a0, int a1), (a0, a1)) \
	F(int, archive_write_finish_entry, (struct archive *a0), (a0)) \
	F(int, archive_write_free, (struct archive *a0), (a0)) \
	F(int, archive_write_header, (struct archive *a0, struct archive_entry *a1), (a0, a1)) \
	F(struct archive *, archive_write_new, (void), ()) \
	F(int, archive_write_open2, (struct archive *a0, void *a1, archive_open_callback (*a2), archive_write_callback (*a3), archive_close_callback (*a4), archive_free_callback (*a5)), (a0, a1, a2, a3, a4, a5)) \
	F(int, archive_write_open_fd, (struct archive *a0, int a1), (a0, a1)) \
	F(int, archive_write_open_filename, (struct archive *a0, const char *a1), (a0, a1)) \
	F(int, archive_write_open_memory, (struct archive *a0, void *a1, size_t a2, size_t *a3), (a0, a1, a2, a3)) \
	F(int, archive_write_set_bytes_in_last_block, (struct archive *a0, int a1), (a0, a1)) \
	F(int, archive_write_set_format_pax, (struct archive *a0), (a0)) \
	F(int, archive_write_set_format_pax_restricted, (struct archive *a0), (a0)) \
	F(int, archive_write_set_format_ustar, (struct archive *a0), (a0)) \
	F(int, archive_write_set_format_zip, (struct archive *a0), (a0)) \
	F(int, archive_write_set_options, (struct archive *a0, const char *a1), (a0, a1)) \
	F(int, archive_write_zip_set_compression_deflate, (struct archive *a0), (a0)) \
	F(int, archive_write_zip_set_compression_store, (struct archive *a0), (a0))

static void load(void);

/* One soname everywhere; Ubuntu 24.04 renamed the package (64-bit time_t). */
static const struct hwb_lazy_candidate candidates[] = {
	{ "libarchive.so.13", "libarchive13", "Debian 12" },
	{ "libarchive.so.13", "libarchive13", "Ubuntu 22.04" },
	{ "libarchive.so.13", "libarchive13t64", "Ubuntu 24.04" },
	{ NULL, NULL, NULL },
};

struct hwb_core__lazy_lib hwb_core__lazy_archive = {
	"libarchive", candidates, NULL, PTHREAD_ONCE_INIT, load, NULL, NULL, "",
};

/* Written once by load() under pthread_once, read-only afterwards. */
static struct {
	ARCHIVE_FUNCS(HWB_CORE__LAZY_SLOT, HWB_CORE__LAZY_VSLOT)
} fn;

#define RESOLVE(ret, name, params, args) \
	HWB_CORE__LAZY_RESOLVE(hwb_core__lazy_archive, fn, name);
#define VRESOLVE(name, params, args) RESOLVE(void, name, params, args)

static void load(void)
{
	if (!hwb_core__lazy_open(&hwb_core__lazy_archive))
		return;
	ARCHIVE_FUNCS(RESOLVE, VRESOLVE)
}

#define FORWARD(ret, name, params, args) \
	ret name params \
	{ \
		hwb_core__lazy_ensure(&hwb_core__lazy_archive); \
		return fn.name args; \
	}
#define VFORWARD(name, params, args) \
	void name params \
	{ \
		hwb_core__lazy_ensure(&hwb_core__lazy_archive); \
		fn.name args; \
	}

ARCHIVE_FUNCS(FORWARD, VFORWARD)
