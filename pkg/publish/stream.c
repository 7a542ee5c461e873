/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream.c: the sha256 and blake2b-256 digests of an upload's body while
 * it streams. libcurl's read hands each block to the tap, which copies it
 * into a small ring and returns at once; a thread of its own hashes the
 * ring, so that hashing never holds up the sending (the index hashes the
 * same bytes on its side at the same time). Without a thread (creation
 * failed) the tap hashes in place.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/publish/internal.h"

#define SLOTS 4
#define SLOT_SIZE ((size_t)512 << 10) /* the HTTP client's send size */

struct hwb_publish__stream {
	struct hwb_hash *sha, *b2;
	uint64_t size;
	pthread_t thread;
	int threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *slot[SLOTS];
	size_t len[SLOTS];
	size_t head, tail; /* blocks hashed, blocks queued (tail - head <= SLOTS) */
	int stop;
};

static void hash_block(struct hwb_publish__stream *s, const void *p, size_t n)
{
	hwb_hash_update(s->sha, p, n);
	hwb_hash_update(s->b2, p, n);
}

static void *hash_thread(void *arg)
{
	struct hwb_publish__stream *s = arg;
	size_t i;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->head == s->tail && !s->stop)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->head == s->tail)
			break;
		i = s->head % SLOTS;
		pthread_mutex_unlock(&s->mu);
		hash_block(s, s->slot[i], s->len[i]);
		pthread_mutex_lock(&s->mu);
		s->head++;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int hwb_publish__stream_new(struct hwb_publish__stream **out, struct hwb_error *err)
{
	struct hwb_publish__stream *s = calloc(1, sizeof(*s));
	size_t i;

	*out = NULL;
	if (!s)
		return hwb_error_oom(err);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	if (hwb_hash_new(&s->sha, HWB_HASH_SHA256, err) ||
	    hwb_hash_new(&s->b2, HWB_HASH_BLAKE2B_256, err)) {
		hwb_publish__stream_free(s);
		return -1;
	}
	for (i = 0; i < SLOTS; i++)
		if (!(s->slot[i] = malloc(SLOT_SIZE)))
			break;
	s->threaded = i == SLOTS && !pthread_create(&s->thread, NULL, hash_thread, s);
	*out = s;
	return 0;
}

/* Wait until the thread has hashed everything queued. */
static void drain(struct hwb_publish__stream *s)
{
	pthread_mutex_lock(&s->mu);
	while (s->head != s->tail)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

static void queue_block(struct hwb_publish__stream *s, const unsigned char *p, size_t n)
{
	size_t i;

	pthread_mutex_lock(&s->mu);
	while (s->tail - s->head == SLOTS)
		pthread_cond_wait(&s->cv, &s->mu);
	i = s->tail % SLOTS;
	pthread_mutex_unlock(&s->mu);
	memcpy(s->slot[i], p, n); /* the slot is ours until tail moves */
	pthread_mutex_lock(&s->mu);
	s->len[i] = n;
	s->tail++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

void hwb_publish__stream_tap(void *ctx, const void *data, size_t len)
{
	struct hwb_publish__stream *s = ctx;
	const unsigned char *p = data;
	size_t n;

	if (!data) { /* the body starts over */
		if (s->threaded)
			drain(s);
		hwb_hash_reset(s->sha);
		hwb_hash_reset(s->b2);
		s->size = 0;
		return;
	}
	s->size += len;
	if (!s->threaded) {
		hash_block(s, data, len);
		return;
	}
	for (; len; p += n, len -= n) {
		n = len < SLOT_SIZE ? len : SLOT_SIZE;
		queue_block(s, p, n);
	}
}

uint64_t hwb_publish__stream_final(struct hwb_publish__stream *s,
				   char sha256_hex[HWB_HASH_MAX_HEX],
				   char blake2_hex[HWB_HASH_MAX_HEX])
{
	uint8_t d[2][HWB_HASH_MAX_SIZE];

	if (s->threaded)
		drain(s);
	hwb_hash_final(s->sha, d[0]);
	hwb_hash_final(s->b2, d[1]);
	hwb_hex_format(d[0], 32, sha256_hex);
	hwb_hex_format(d[1], 32, blake2_hex);
	return s->size;
}

void hwb_publish__stream_free(struct hwb_publish__stream *s)
{
	size_t i;

	if (!s)
		return;
	if (s->threaded) {
		pthread_mutex_lock(&s->mu);
		s->stop = 1;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	for (i = 0; i < SLOTS; i++)
		free(s->slot[i]);
	hwb_hash_free(s->sha);
	hwb_hash_free(s->b2);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}
