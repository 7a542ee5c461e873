/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_util.c: small helpers the zip reader, RECORD and the content checks
 * share: archive path safety (check 15), full preads, and a hash index of
 * names (duplicates, RECORD rows).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "pkg/wheel/internal.h"

enum hwb_path_problem hwb_wheel__path_problem(const char *p, size_t n,
					      int is_dir)
{
	size_t i, start = 0;

	if (!n)
		return HWB_PATH_EMPTY_PART;
	for (i = 0; i < n; i++)
		if (p[i] == '\\')
			return HWB_PATH_BACKSLASH;
	if (p[0] == '/' || (n >= 2 && p[1] == ':' &&
			    ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z')))
		return HWB_PATH_ABSOLUTE;
	/* A directory's name ends in '/': that last empty part is fine. */
	if (is_dir && p[n - 1] == '/')
		n--;
	for (i = 0; i <= n; i++) {
		size_t len;

		if (i < n && p[i] != '/')
			continue;
		len = i - start;
		if (!len)
			return HWB_PATH_EMPTY_PART;
		if (len == 2 && p[start] == '.' && p[start + 1] == '.')
			return HWB_PATH_DOTDOT;
		if (len == 1 && p[start] == '.')
			return HWB_PATH_DOT;
		start = i + 1;
	}
	return HWB_PATH_OK;
}

const char *hwb_wheel__path_problem_text(enum hwb_path_problem p)
{
	switch (p) {
	case HWB_PATH_ABSOLUTE: return "is absolute (leading '/' or a drive letter)";
	case HWB_PATH_DOTDOT: return "has a '..' component that climbs out of the install directory";
	case HWB_PATH_DOT: return "has a '.' component";
	case HWB_PATH_EMPTY_PART: return "has an empty component ('//' or an empty name)";
	case HWB_PATH_BACKSLASH: return "holds a backslash, a directory separator on Windows";
	default: return "is a safe relative path";
	}
}

int hwb_wheel__pread(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

#define HASH_MUL 0x9e3779b97f4a7c15ull

/* ASCII upper-case letters of the eight bytes in w to lower case. */
static uint64_t lower8(uint64_t w)
{
	uint64_t low7 = w & 0x7f7f7f7f7f7f7f7full;
	uint64_t above_z = low7 + 0x2525252525252525ull;  /* > 'Z' */
	uint64_t from_a = low7 + 0x3f3f3f3f3f3f3f3full;   /* >= 'A' */
	uint64_t upper = ~w & (from_a ^ above_z) & 0x8080808080808080ull;

	return w | upper >> 2;
}

/*
 * Eight bytes a step (FNV-1a's byte a step made hashing names most of the
 * index's cost), seeded per index so a crafted archive cannot line its
 * names up on one chain ahead of time.
 */
static uint64_t key_hash(const char *key, int fold, uint64_t seed)
{
	size_t n = strlen(key), i, k;
	uint64_t h = seed ^ (n * HASH_MUL), w;

	for (i = 0; i < n; i += 8) {
		k = n - i < 8 ? n - i : 8;
		w = 0;
		memcpy(&w, key + i, k);
		if (fold)
			w = lower8(w);
		h = (h ^ w) * HASH_MUL;
		h ^= h >> 32;
	}
	return h ^ h >> 29;
}

static int keys_equal(const char *a, const char *b, int fold)
{
	if (!fold)
		return !strcmp(a, b);
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return 0;
		if (!x)
			return 1;
	}
}

int hwb_wheel__index_init(struct hwb_wheel_index *ix, size_t count, int fold)
{
	size_t n = 16;

	if (count > UINT32_MAX)
		return -1;
	/* At most 3/4 full: 16-byte slots, a 20,000-name table in 512 KiB
	 * (cache misses on the table were most of a lookup's cost). */
	while (n / 4 * 3 < count)
		n *= 2;
	ix->mask = n - 1;
	ix->fold = fold;
	/* Unpredictable, not secret: the address of the table will do where
	 * the kernel has no random bytes to give. */
	if (getrandom(&ix->seed, sizeof(ix->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(ix->seed))
		ix->seed = (uint64_t)(uintptr_t)ix * HASH_MUL;
	ix->slots = calloc(n, sizeof(*ix->slots));
	return ix->slots ? 0 : -1;
}

void hwb_wheel__index_release(struct hwb_wheel_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
}

/* The slot holding key, or the empty slot where it belongs. */
static struct hwb_wheel_index_slot *slot_of(const struct hwb_wheel_index *ix,
					    const char *key, uint64_t h)
{
	size_t i = (size_t)(h >> 32) & ix->mask;

	/* The stored hash spares reading the other names. */
	while (ix->slots[i].key &&
	       (ix->slots[i].hash != (uint32_t)h ||
		!keys_equal(ix->slots[i].key, key, ix->fold)))
		i = (i + 1) & ix->mask;
	return &ix->slots[i];
}

long hwb_wheel__index_put(struct hwb_wheel_index *ix, const char *key,
			  size_t pos)
{
	uint64_t h = key_hash(key, ix->fold, ix->seed);
	struct hwb_wheel_index_slot *s = slot_of(ix, key, h);

	if (s->key)
		return (long)s->pos;
	s->key = key;
	s->pos = (uint32_t)pos;
	s->hash = (uint32_t)h;
	return -1;
}

long hwb_wheel__index_get(const struct hwb_wheel_index *ix, const char *key)
{
	const struct hwb_wheel_index_slot *s =
		slot_of(ix, key, key_hash(key, ix->fold, ix->seed));

	return s->key ? (long)s->pos : -1;
}

int hwb_wheel__index_basenames(struct hwb_wheel_index *ix,
			       const struct hwb_wheel_member *members,
			       size_t count)
{
	const char *slash;
	size_t i;

	if (hwb_wheel__index_init(ix, count, 0))
		return -1;
	for (i = 0; i < count; i++) {
		slash = strrchr(members[i].name, '/');
		hwb_wheel__index_put(ix, slash ? slash + 1 : members[i].name, i);
	}
	return 0;
}

int hwb_wheel__has_member(const struct hwb_wheel_ctx *c, const char *path)
{
	size_t i;

	if (c->by_name)
		return hwb_wheel__index_get(c->by_name, path) >= 0;
	for (i = 0; i < c->member_count; i++)
		if (!strcmp(c->members[i].name, path))
			return 1;
	return 0;
}
