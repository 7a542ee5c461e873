/* SPDX-License-Identifier: Apache-2.0 */
/*
 * elf.c: reading ELF32/ELF64 files of either byte order from memory the
 * way the dynamic loader does, through the program headers (PT_LOAD,
 * PT_DYNAMIC): the machine, the DT_NEEDED libraries and the symbol
 * versions of DT_VERNEED. Section headers are ignored, since the loader
 * ignores them too. What a platform tag allows is in elfpolicy.c.
 */
#include "pkg/wheel/internal.h"

#include <stdlib.h>
#include <string.h>

#define CODE_MALFORMED "HWB-W095"

/* Bounds on what a hostile file can make us loop over. */
#define ELF_MAX_PHDRS 4096
#define ELF_MAX_DYN 65536
#define ELF_MAX_NEEDS 4096

#define PT_LOAD 1
#define PT_DYNAMIC 2
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_STRTAB 5
#define DT_STRSZ 10
#define DT_VERNEED 0x6ffffffe
#define DT_VERNEEDNUM 0x6fffffff

/* ---- reading ELF ---------------------------------------------------- */

struct elf {
	const uint8_t *p;
	size_t len;
	int is_64, le;
	uint64_t phoff;
	uint16_t phnum, phentsize;
};

static uint64_t rd(const struct elf *e, uint64_t off, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		unsigned shift = e->le ? 8 * i : 8 * (n - 1 - i);

		v |= (uint64_t)e->p[off + i] << shift;
	}
	return v;
}

/* 1 if [off, off + n) lies inside the data. */
static int in(const struct elf *e, uint64_t off, uint64_t n)
{
	return off <= e->len && n <= e->len - off;
}

static int malformed(struct hwb_error *err, const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, CODE_MALFORMED,
		      "malformed ELF file: %s", why);
	return hwb_error_hint(err, "rebuild the extension; a damaged binary "
				   "cannot be loaded");
}

void hwb_wheel__elf_info_release(struct hwb_elf_info *info)
{
	size_t i;

	for (i = 0; i < info->needed_count; i++)
		free(info->needed[i]);
	for (i = 0; i < info->version_count; i++)
		free(info->versions[i]);
	free(info->needed);
	free(info->versions);
	memset(info, 0, sizeof(*info));
}

/* Map a virtual address to a file offset through PT_LOAD; 0 on failure. */
static int vaddr_to_off(const struct elf *e, uint64_t vaddr, uint64_t *off)
{
	unsigned i;

	for (i = 0; i < e->phnum; i++) {
		uint64_t ph = e->phoff + (uint64_t)i * e->phentsize;
		uint64_t type = rd(e, ph, 4), poff, va, fsz;

		if (type != PT_LOAD)
			continue;
		if (e->is_64) {
			poff = rd(e, ph + 8, 8);
			va = rd(e, ph + 16, 8);
			fsz = rd(e, ph + 32, 8);
		} else {
			poff = rd(e, ph + 4, 4);
			va = rd(e, ph + 8, 4);
			fsz = rd(e, ph + 16, 4);
		}
		if (vaddr >= va && vaddr - va < fsz) {
			*off = poff + (vaddr - va);
			return 1;
		}
	}
	return 0;
}

/* A NUL-terminated string at strtab + idx, copied; NULL when it is not
 * inside the table or the data. */
static char *string_at(const struct elf *e, uint64_t strtab, uint64_t strsz,
		       uint64_t idx, int *oom)
{
	const uint8_t *s, *nul;
	uint64_t avail;

	if (idx >= strsz || !in(e, strtab, 1))
		return NULL;
	avail = strsz - idx;
	if (strtab + idx >= e->len)
		return NULL;
	if (avail > e->len - strtab - idx)
		avail = e->len - strtab - idx;
	s = e->p + strtab + idx;
	if (!(nul = memchr(s, 0, avail)))
		return NULL;
	if (!(s = (const uint8_t *)strdup((const char *)s)))
		*oom = 1;
	return (char *)s;
}

static int push(char ***list, size_t *count, char *s)
{
	char **grown = realloc(*list, (*count + 1) * sizeof(**list));

	if (!grown) {
		free(s);
		return -1;
	}
	grown[(*count)++] = s;
	*list = grown;
	return 0;
}

struct dyn {
	uint64_t strtab, strsz, verneed, verneednum;
	int has_strtab, has_verneed;
	uint64_t needed[ELF_MAX_NEEDS];
	size_t needed_count;
};

static int read_dynamic(const struct elf *e, uint64_t off, uint64_t size,
			struct dyn *d, struct hwb_error *err)
{
	unsigned ent = e->is_64 ? 16 : 8, w = e->is_64 ? 8 : 4;
	uint64_t i, n = size / ent;

	if (n > ELF_MAX_DYN)
		return malformed(err, "the dynamic section is too large");
	for (i = 0; i < n; i++) {
		uint64_t tag = rd(e, off + i * ent, w);
		uint64_t val = rd(e, off + i * ent + w, w);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED:
			if (d->needed_count == ELF_MAX_NEEDS)
				return malformed(err, "too many DT_NEEDED");
			d->needed[d->needed_count++] = val;
			break;
		case DT_STRTAB: d->strtab = val; d->has_strtab = 1; break;
		case DT_STRSZ: d->strsz = val; break;
		case DT_VERNEED: d->verneed = val; d->has_verneed = 1; break;
		case DT_VERNEEDNUM: d->verneednum = val; break;
		default: break;
		}
	}
	return 0;
}

/* The version names of DT_VERNEED (Elf_Verneed/Elf_Vernaux: the same
 * layout for 32 and 64 bits). */
static int read_verneed(const struct elf *e, uint64_t off, uint64_t strtab,
			uint64_t strsz, uint64_t num, struct hwb_elf_info *out,
			struct hwb_error *err)
{
	uint64_t i, j, aux;
	size_t total = 0;
	int oom = 0;

	for (i = 0; i < num; i++) {
		uint64_t cnt, next;

		if (!in(e, off, 16))
			return malformed(err, "a version need lies outside the "
					      "file");
		cnt = rd(e, off + 2, 2);
		aux = off + rd(e, off + 8, 4);
		next = rd(e, off + 12, 4);
		for (j = 0; j < cnt; j++) {
			char *name;

			if (++total > ELF_MAX_NEEDS || !in(e, aux, 16))
				return malformed(err, "bad version need entry");
			name = string_at(e, strtab, strsz, rd(e, aux + 8, 4),
					 &oom);
			if (oom || (name && push(&out->versions,
						 &out->version_count, name)))
				return hwb_error_oom(err);
			if (!name)
				return malformed(err, "a version name lies "
						      "outside the string table");
			if (!rd(e, aux + 12, 4))
				break;
			aux += rd(e, aux + 12, 4);
		}
		if (!next)
			break;
		off += next;
	}
	return 0;
}

static int read_header(struct elf *e, struct hwb_elf_info *out,
		       struct hwb_error *err)
{
	const uint8_t *p = e->p;

	if (e->len < 4 || memcmp(p, "\x7f" "ELF", 4))
		return 1;
	if (e->len < 52 || (p[4] != 1 && p[4] != 2) || (p[5] != 1 && p[5] != 2))
		return malformed(err, "bad class or byte order");
	e->is_64 = p[4] == 2;
	e->le = p[5] == 1;
	if (e->is_64 && e->len < 64)
		return malformed(err, "truncated header");
	out->is_64 = e->is_64;
	out->little_endian = e->le;
	out->type = (uint16_t)rd(e, 16, 2);
	out->machine = (uint16_t)rd(e, 18, 2);
	e->phoff = e->is_64 ? rd(e, 32, 8) : rd(e, 28, 4);
	e->phentsize = (uint16_t)rd(e, e->is_64 ? 54 : 42, 2);
	e->phnum = (uint16_t)rd(e, e->is_64 ? 56 : 44, 2);
	if (e->phnum > ELF_MAX_PHDRS ||
	    (e->phnum && e->phentsize < (e->is_64 ? 56 : 32)))
		return malformed(err, "bad program header table");
	return 0;
}

int hwb_wheel__elf_parse(const uint8_t *data, size_t len, int whole,
			 struct hwb_elf_info *out, struct hwb_error *err)
{
	struct elf e = { data, len, 0, 0, 0, 0, 0 };
	struct dyn *d = NULL;
	uint64_t dyn_off = 0, dyn_size = 0, strtab = 0, vn = 0;
	unsigned i;
	int r, found = 0, oom = 0;

	memset(out, 0, sizeof(*out));
	if ((r = read_header(&e, out, err)))
		return r;
	/* What lies beyond the bytes given is malformed in a whole file,
	 * and unknown in the beginning of one (dynamic_complete stays 0). */
	if (!in(&e, e.phoff, (uint64_t)e.phnum * e.phentsize))
		return whole ? malformed(err, "the program headers lie outside "
					      "the file") : 0;
	for (i = 0; i < e.phnum && !found; i++) {
		uint64_t ph = e.phoff + (uint64_t)i * e.phentsize;

		if (rd(&e, ph, 4) != PT_DYNAMIC)
			continue;
		found = 1;
		dyn_off = e.is_64 ? rd(&e, ph + 8, 8) : rd(&e, ph + 4, 4);
		dyn_size = e.is_64 ? rd(&e, ph + 32, 8) : rd(&e, ph + 16, 4);
	}
	if (!found) {
		out->dynamic_complete = 1; /* static: needs nothing */
		return 0;
	}
	if (!in(&e, dyn_off, dyn_size))
		return whole ? malformed(err, "the dynamic section lies outside "
					      "the file") : 0;
	if (!(d = calloc(1, sizeof(*d))))
		return hwb_error_oom(err);
	if ((r = read_dynamic(&e, dyn_off, dyn_size, d, err)))
		goto done;
	r = 0;
	if (!d->has_strtab || !vaddr_to_off(&e, d->strtab, &strtab)) {
		r = d->needed_count || d->has_verneed
			    ? malformed(err, "DT_STRTAB is missing or not "
					     "loaded")
			    : 0;
		out->dynamic_complete = !r;
		goto done;
	}
	if (!in(&e, strtab, d->strsz)) {
		if (whole)
			r = malformed(err, "the string table lies outside the "
					   "file");
		goto done;
	}
	for (i = 0; i < d->needed_count; i++) {
		char *name = string_at(&e, strtab, d->strsz, d->needed[i], &oom);

		if (oom || (name && push(&out->needed, &out->needed_count,
					 name))) {
			r = hwb_error_oom(err);
			goto done;
		}
		if (!name) {
			r = malformed(err, "a DT_NEEDED name lies outside the "
					   "string table");
			goto done;
		}
	}
	if (d->has_verneed) {
		if (!vaddr_to_off(&e, d->verneed, &vn)) {
			r = malformed(err, "DT_VERNEED is not loaded");
			goto done;
		}
		if ((r = read_verneed(&e, vn, strtab, d->strsz, d->verneednum,
				      out, err)))
			goto done;
	}
	out->dynamic_complete = 1;
done:
	free(d);
	if (r < 0)
		hwb_wheel__elf_info_release(out);
	return r;
}

