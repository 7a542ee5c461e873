/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_floor.c: the least time any checker built on this machine's
 * libraries could take on the bench wheel, for `make bench BENCH=check`.
 * It does only the arithmetic the check cannot skip, on data already in
 * memory: inflate each member (libdeflate), its CRC-32, its SHA-256
 * (OpenSSL) and the secret scan of text members (hwb_secret_find), spread
 * largest-first over one thread per core. No zip parsing, no reads, no
 * other checks, no process start: what hwb check adds to this is overhead.
 *
 * Input: the raw members as bench_check.py writes them, one after the
 * other: method, compressed size, size (three little-endian uint32) and
 * the compressed bytes. Prints the median of five passes in seconds.
 */
#include <libdeflate.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/log.h"

#define PASSES 5
#define MAX_THREADS 64
#define OUT_CAP ((size_t)64 << 20)

struct member {
	uint32_t method, csize, size;
	const uint8_t *data;
};

struct pass {
	const struct member *members;
	size_t count;
	atomic_size_t next;
	atomic_int failed;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The work for one member; -1 if a library call fails. */
static int one_member(const struct member *m, struct libdeflate_decompressor *d,
		      EVP_MD_CTX *ctx, const EVP_MD *md, uint8_t *out)
{
	const uint8_t *bytes = m->data;
	unsigned char digest[32];
	size_t start, len;

	if (m->method == 8) {
		if (m->size > OUT_CAP ||
		    libdeflate_deflate_decompress(d, m->data, m->csize, out,
						  m->size, NULL) !=
			    LIBDEFLATE_SUCCESS)
			return -1;
		bytes = out;
	}
	(void)libdeflate_crc32(0, bytes, m->size);
	if (!EVP_DigestInit_ex2(ctx, md, NULL) ||
	    !EVP_DigestUpdate(ctx, bytes, m->size) ||
	    !EVP_DigestFinal_ex(ctx, digest, NULL))
		return -1;
	/* Text as hwb check decides it: no NUL in the first 8000 bytes. */
	if (!memchr(bytes, 0, m->size < 8000 ? m->size : 8000))
		(void)hwb_secret_find((const char *)bytes, m->size, 0, 0,
				      &start, &len);
	return 0;
}

static void *worker(void *arg)
{
	struct pass *p = arg;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t *out = malloc(OUT_CAP);
	size_t k;

	if (!d || !md || !ctx || !out)
		atomic_store(&p->failed, 1);
	while (!atomic_load(&p->failed) &&
	       (k = atomic_fetch_add(&p->next, 1)) < p->count)
		if (one_member(&p->members[k], d, ctx, md, out))
			atomic_store(&p->failed, 1);
	free(out);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	if (d)
		libdeflate_free_decompressor(d);
	return NULL;
}

static int larger_first(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return (y->csize > x->csize) - (y->csize < x->csize);
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Read the whole file and index its members; the caller frees both. */
static int load(const char *path, uint8_t **all, struct member **members,
		size_t *count)
{
	FILE *f = fopen(path, "rb");
	long size;
	size_t off = 0, cap = 1024;
	uint32_t h[3];

	if (!f || fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || !(*all = malloc((size_t)size + 1)) ||
	    fread(*all, 1, (size_t)size, f) != (size_t)size ||
	    !(*members = malloc(cap * sizeof(**members)))) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	*count = 0;
	while (off + sizeof(h) <= (size_t)size) {
		memcpy(h, *all + off, sizeof(h));
		off += sizeof(h);
		if (h[1] > (size_t)size - off)
			return -1;
		if (*count == cap) {
			struct member *p = realloc(*members,
						   2 * cap * sizeof(*p));

			if (!p)
				return -1;
			*members = p;
			cap *= 2;
		}
		(*members)[(*count)++] =
			(struct member){ h[0], h[1], h[2], *all + off };
		off += h[1];
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pass p = { 0 };
	struct member *members = NULL;
	uint8_t *all = NULL;
	pthread_t tid[MAX_THREADS];
	double times[PASSES], t0;
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	int i, k, started;

	if (argc != 2) {
		fprintf(stderr, "usage: check-floor MEMBERS-FILE\n");
		return 2;
	}
	if (threads < 1 || threads > MAX_THREADS)
		threads = threads < 1 ? 1 : MAX_THREADS;
	if (load(argv[1], &all, &members, &p.count)) {
		fprintf(stderr, "check-floor: cannot read %s\n", argv[1]);
		free(members);
		free(all);
		return 1;
	}
	qsort(members, p.count, sizeof(*members), larger_first);
	p.members = members;
	for (i = 0; i < PASSES; i++) {
		atomic_store(&p.next, 0);
		t0 = now();
		for (started = 0, k = 1; k < threads; k++, started++)
			if (pthread_create(&tid[k], NULL, worker, &p))
				break;
		worker(&p);
		for (k = 1; k <= started; k++)
			pthread_join(tid[k], NULL);
		times[i] = now() - t0;
	}
	free(members);
	free(all);
	if (atomic_load(&p.failed)) {
		fprintf(stderr, "check-floor: a member did not inflate or hash\n");
		return 1;
	}
	qsort(times, PASSES, sizeof(times[0]), compare_doubles);
	printf("%.3f\n", times[PASSES / 2]);
	return 0;
}
