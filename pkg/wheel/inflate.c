/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inflate.c: the one pass over every member's data. Each member is read
 * once (its local header with it), inflated once, and while its bytes are
 * in memory its CRC-32, size, sha256 and RECORD's digest are computed and
 * the content checks see them. Several threads take members, largest
 * first. Memory stays bounded whatever the wheel: a member is inflated
 * whole with libdeflate (fast) into a reused per-thread buffer only when
 * it fits HWB_WHEEL_WHOLE_CAP and the buffers of all threads together stay
 * within HWB_WHEEL_BUFFER_BUDGET; any other member is streamed through
 * zlib in HWB_WHEEL_CHUNK pieces.
 */
#include <errno.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pkg/core/hash.h"
#include "pkg/wheel/internal.h"

/* Bytes all threads' whole-member buffers may hold together. */
#define HWB_WHEEL_BUFFER_BUDGET ((size_t)64 << 20)
/* A thread keeps buffers up to this size between members. */
#define KEEP_BUFFERS ((size_t)4 << 20)
/* Compressed bytes read per pread when streaming. */
#define STREAM_IN ((size_t)256 << 10)
/* Read this much beyond the central name hoping to get the local extra. */
#define LOCAL_EXTRA_GUESS 64
#define LFH_LEN 30
#define MAX_THREADS 64

#define ERR HWB_SEVERITY_ERROR

struct pass {
	struct hwb_zip *z;
	const struct hwb_wheel_ctx *c;
	const struct hwb_record *rec;
	size_t *order;            /* entries, largest first */
	atomic_size_t next;       /* next index into order */
	atomic_size_t reserved;   /* bytes of whole-member buffers */
	atomic_uint_fast64_t bytes;
	atomic_int failed;
	pthread_mutex_t lock;     /* guards err */
	struct hwb_error err;
};

struct worker {
	struct pass *p;
	uint8_t *in, *out;        /* whole-member buffers, reserved */
	size_t in_cap, out_cap;
	uint8_t *win, *sin;       /* streaming window and input */
	struct libdeflate_decompressor *ld;
	z_stream zs;
	int zs_ready;
	struct hwb_hash *sha256;
	struct hwb_hash *alt[4];  /* by enum hwb_hash_alg */
	struct hwb_error err;
};

/* What a member's digests come out as. */
struct member_sums {
	uint32_t crc;
	uint64_t produced;
	struct hwb_hash *alt;
	int alt_alg;
};

static int reserve(struct pass *p, size_t n)
{
	size_t cur = atomic_load(&p->reserved);

	do {
		if (n > HWB_WHEEL_BUFFER_BUDGET - cur)
			return -1;
	} while (!atomic_compare_exchange_weak(&p->reserved, &cur, cur + n));
	return 0;
}

static void drop_buffers(struct worker *w)
{
	atomic_fetch_sub(&w->p->reserved, w->in_cap + w->out_cap);
	free(w->in);
	free(w->out);
	w->in = w->out = NULL;
	w->in_cap = w->out_cap = 0;
}

/* Grow *buf to need bytes within the budget; -1 when it does not fit. */
static int grow(struct worker *w, uint8_t **buf, size_t *cap, size_t need)
{
	size_t want = need < 65536 ? 65536 : need;
	uint8_t *p;

	if (need <= *cap)
		return 0;
	if (reserve(w->p, want - *cap))
		return -1;
	if (!(p = malloc(want))) {
		atomic_fetch_sub(&w->p->reserved, want - *cap);
		return -1;
	}
	free(*buf);
	*buf = p;
	*cap = want;
	return 0;
}

static int fail(struct worker *w)
{
	struct pass *p = w->p;

	pthread_mutex_lock(&p->lock);
	if (!atomic_load(&p->failed)) {
		p->err = w->err;
		if (p->err.kind == HWB_KIND_NONE)
			hwb_error_oom(&p->err);
	}
	atomic_store(&p->failed, 1);
	pthread_mutex_unlock(&p->lock);
	return -1;
}

static int start_sums(struct worker *w, size_t i, struct member_sums *s)
{
	const struct hwb_record *rec = w->p->rec;
	int row = w->p->z->entries[i].record_row, alg = -1;

	s->crc = 0;
	s->produced = 0;
	s->alt = NULL;
	s->alt_alg = -1;
	if (row >= 0 && rec->rows[row].hash_alg >= 0)
		alg = rec->rows[row].hash_alg;
	if (hwb_hash_reset(w->sha256))
		return -1;
	if (alg < 0 || alg == HWB_HASH_SHA256 || alg >= 4)
		return 0;
	if (!w->alt[alg] &&
	    hwb_hash_new(&w->alt[alg], (enum hwb_hash_alg)alg, &w->err))
		return -1;
	s->alt = w->alt[alg];
	s->alt_alg = alg;
	return hwb_hash_reset(s->alt);
}

static int update_sums(struct worker *w, struct member_sums *s,
		       const uint8_t *data, size_t len)
{
	s->crc = (uint32_t)libdeflate_crc32(s->crc, data, len);
	s->produced += len;
	if (hwb_hash_update(w->sha256, data, len))
		return -1;
	return s->alt ? hwb_hash_update(s->alt, data, len) : 0;
}

/* Compare what was produced with both headers; record the digests. */
static int finish_sums(struct worker *w, size_t i, struct member_sums *s)
{
	struct hwb_wheel_member *m = &w->p->z->members[i];
	struct hwb_zip_entry *e = &w->p->z->entries[i];
	struct hwb_check_report *r = w->p->c->report;

	atomic_fetch_add(&w->p->bytes, s->produced);
	if (hwb_hash_final(w->sha256, m->sha256))
		return -1;
	m->sha256_valid = 1;
	if (s->alt) {
		if (!e->alt_digest && !(e->alt_digest = malloc(HWB_HASH_MAX_SIZE)))
			return hwb_error_oom(&w->err);
		if (hwb_hash_final(s->alt, e->alt_digest))
			return -1;
	}
	if (s->produced != m->size)
		return hwb_wheel__add(r, "HWB-W027", ERR, m->name,
				      "inflates to %llu bytes, not the %llu "
				      "both headers declare; rebuild the wheel",
				      (unsigned long long)s->produced,
				      (unsigned long long)m->size);
	if (s->crc != m->crc32)
		return hwb_wheel__add(r, "HWB-W026", ERR, m->name,
				      "the data's CRC-32 is %08x, the headers "
				      "say %08x: the data was altered or "
				      "damaged; rebuild the wheel",
				      s->crc, m->crc32);
	m->data_ok = 1;
	return 0;
}

static int bad_stream(struct worker *w, size_t i, const char *what)
{
	return hwb_wheel__add(w->p->c->report, "HWB-W028", ERR,
			      w->p->z->members[i].name,
			      "the compressed data %s; rebuild the wheel",
			      what);
}

static int too_long(struct worker *w, size_t i)
{
	const struct hwb_wheel_member *m = &w->p->z->members[i];

	return hwb_wheel__add(w->p->c->report, "HWB-W027", ERR, m->name,
			      "inflates to more than the %llu bytes both "
			      "headers declare (a zip bomb's trick); rebuild "
			      "the wheel", (unsigned long long)m->size);
}

/* Hand bytes to the content checks (see struct hwb_wheel_chunk). */
static int scan(struct worker *w, size_t i, const uint8_t *data, size_t len,
		uint64_t offset, size_t overlap, int whole, int last)
{
	struct hwb_wheel_chunk chunk = { data, len, offset, overlap, whole,
					 last };

	if (hwb_wheel__check_member_bytes(w->p->c, &w->p->z->members[i],
					  &chunk))
		return hwb_error_oom(&w->err);
	return 0;
}

/* Inflate a member whose compressed bytes are all in memory. */
static int inflate_whole(struct worker *w, size_t i, const uint8_t *data)
{
	const struct hwb_wheel_member *m = &w->p->z->members[i];
	size_t csize = (size_t)m->compressed_size, in_used = 0, len = 0;
	struct member_sums s;
	const uint8_t *bytes = data;
	enum libdeflate_result res;

	if (start_sums(w, i, &s))
		return -1;
	len = csize;
	if (m->method == 8) {
		res = libdeflate_deflate_decompress_ex(w->ld, data, csize,
						       w->out, (size_t)m->size,
						       &in_used, &len);
		if (res == LIBDEFLATE_INSUFFICIENT_SPACE)
			return too_long(w, i);
		if (res != LIBDEFLATE_SUCCESS)
			return bad_stream(w, i, "is not a valid deflate stream "
					  "(damaged or truncated)");
		if (in_used < csize)
			return bad_stream(w, i, "goes on after the end of the "
					  "deflate stream: bytes hidden in the "
					  "entry");
		bytes = w->out;
	}
	if (update_sums(w, &s, bytes, len) ||
	    scan(w, i, bytes, len, 0, 0, 1, 1))
		return -1;
	return finish_sums(w, i, &s);
}

/* The streaming window: chunks of HWB_WHEEL_CHUNK after an overlap. */
struct window {
	size_t keep;     /* leading bytes repeated from the previous chunk */
	size_t pos;      /* bytes in the window */
	uint64_t offset; /* member offset of win[0] */
};

static int emit(struct worker *w, size_t i, struct window *v, int last)
{
	if (scan(w, i, w->win, v->pos, v->offset, v->keep, 0, last))
		return -1;
	if (last || v->pos < HWB_WHEEL_CHUNK_OVERLAP)
		return 0;
	memmove(w->win, w->win + v->pos - HWB_WHEEL_CHUNK_OVERLAP,
		HWB_WHEEL_CHUNK_OVERLAP);
	v->offset += v->pos - HWB_WHEEL_CHUNK_OVERLAP;
	v->keep = v->pos = HWB_WHEEL_CHUNK_OVERLAP;
	return 0;
}

static size_t window_room(const struct window *v)
{
	return v->keep + HWB_WHEEL_CHUNK - v->pos;
}

/*
 * Bytes of a hole in a sparse file (zeros the file system need not read),
 * up to n, at off; 0 when off holds data.
 */
static size_t hole_at(int fd, uint64_t off, size_t n)
{
	off_t data = lseek(fd, (off_t)off, SEEK_DATA);

	if (data < 0)
		return errno == ENXIO ? n : 0;
	return (uint64_t)data - off < n ? (size_t)((uint64_t)data - off) : n;
}

static int stream_stored(struct worker *w, size_t i, struct member_sums *s,
			 struct window *v)
{
	const struct hwb_wheel_member *m = &w->p->z->members[i];
	uint64_t off = w->p->z->entries[i].data_offset, left = m->size;

	while (left) {
		size_t n = window_room(v), hole;

		if (!n) {
			if (emit(w, i, v, 0))
				return -1;
			continue;
		}
		if (n > left)
			n = (size_t)left;
		if ((hole = hole_at(w->p->z->fd, off, n))) {
			memset(w->win + v->pos, 0, n = hole);
		} else if (hwb_wheel__pread(w->p->z->fd, w->win + v->pos, n,
					    off)) {
			hwb_error_errno(&w->err, HWB_KIND_CONFIG, "HWB-W029",
					"cannot read a member's data");
			return -1;
		}
		if (update_sums(w, s, w->win + v->pos, n))
			return -1;
		v->pos += n;
		off += n;
		left -= n;
	}
	return 1;
}

/* One zlib step; returns 1 to go on, 0 when done or bad, -1 on failure. */
static int stream_step(struct worker *w, size_t i, struct member_sums *s,
		       struct window *v, uint64_t *in_off, uint64_t *in_left)
{
	const struct hwb_wheel_member *m = &w->p->z->members[i];
	uint64_t room = m->size - s->produced + 1;
	size_t n, before;
	int ret;

	if (!w->zs.avail_in && *in_left) {
		n = *in_left < STREAM_IN ? (size_t)*in_left : STREAM_IN;
		if (hwb_wheel__pread(w->p->z->fd, w->sin, n, *in_off)) {
			hwb_error_errno(&w->err, HWB_KIND_CONFIG, "HWB-W029",
					"cannot read a member's data");
			return -1;
		}
		w->zs.next_in = w->sin;
		w->zs.avail_in = (uInt)n;
		*in_off += n;
		*in_left -= n;
	}
	if (!window_room(v))
		return emit(w, i, v, 0) ? -1 : 1;
	n = window_room(v) < room ? window_room(v) : (size_t)room;
	w->zs.next_out = w->win + v->pos;
	w->zs.avail_out = (uInt)n;
	before = w->zs.avail_out;
	ret = inflate(&w->zs, Z_NO_FLUSH);
	n = before - w->zs.avail_out;
	if (update_sums(w, s, w->win + v->pos, n))
		return -1;
	v->pos += n;
	if (s->produced > m->size)
		return too_long(w, i) ? -1 : 0;
	if (ret == Z_STREAM_END && (w->zs.avail_in || *in_left))
		return bad_stream(w, i, "goes on after the end of the deflate "
				  "stream: bytes hidden in the entry") ? -1 : 0;
	if (ret == Z_STREAM_END)
		return 2;
	if (ret == Z_OK || (ret == Z_BUF_ERROR && (w->zs.avail_in || *in_left)))
		return 1;
	return bad_stream(w, i, "is not a valid deflate stream (damaged or "
			  "truncated)") ? -1 : 0;
}

static int stream_deflate(struct worker *w, size_t i, struct member_sums *s,
			  struct window *v)
{
	const struct hwb_zip_entry *e = &w->p->z->entries[i];
	uint64_t in_off = e->data_offset;
	uint64_t in_left = w->p->z->members[i].compressed_size;
	int rc;

	if (!w->zs_ready) {
		if (inflateInit2(&w->zs, -15) != Z_OK)
			return hwb_error_oom(&w->err);
		w->zs_ready = 1;
	} else if (inflateReset(&w->zs) != Z_OK) {
		return hwb_error_oom(&w->err);
	}
	w->zs.avail_in = 0;
	while ((rc = stream_step(w, i, s, v, &in_off, &in_left)) == 1)
		;
	return rc == 2 ? 1 : rc;
}

/* A member too big for the buffers: stream it in bounded chunks. */
static int inflate_stream(struct worker *w, size_t i)
{
	const struct hwb_wheel_member *m = &w->p->z->members[i];
	struct window v = { 0, 0, 0 };
	struct member_sums s;
	int rc;

	if (!w->win && !(w->win = malloc(HWB_WHEEL_CHUNK +
					 HWB_WHEEL_CHUNK_OVERLAP)))
		return hwb_error_oom(&w->err);
	if (!w->sin && !(w->sin = malloc(STREAM_IN)))
		return hwb_error_oom(&w->err);
	if (start_sums(w, i, &s))
		return -1;
	rc = m->method == 0 ? stream_stored(w, i, &s, &v) :
			      stream_deflate(w, i, &s, &v);
	if (rc <= 0)
		return rc;
	if (emit(w, i, &v, 1))
		return -1;
	return finish_sums(w, i, &s);
}

/*
 * Read the local header and the data in one pread into w->in when they
 * fit the budget. Sets *data when the compressed bytes are all in memory.
 */
static int read_combined(struct worker *w, size_t i, const uint8_t **data)
{
	struct hwb_zip *z = w->p->z;
	const struct hwb_wheel_member *m = &z->members[i];
	const struct hwb_zip_entry *e = &z->entries[i];
	uint64_t lo = e->local_offset, want;
	size_t got, hdr;

	if (m->size > HWB_WHEEL_WHOLE_CAP || lo >= z->file_size ||
	    m->compressed_size > HWB_WHEEL_WHOLE_CAP)
		return 0;
	want = LFH_LEN + e->name_raw_len + LOCAL_EXTRA_GUESS +
	       m->compressed_size;
	got = (size_t)(want < z->file_size - lo ? want : z->file_size - lo);
	if (grow(w, &w->in, &w->in_cap, got) ||
	    (m->method == 8 &&
	     grow(w, &w->out, &w->out_cap, m->size ? (size_t)m->size : 1)))
		return 0;
	if (hwb_wheel__pread(z->fd, w->in, got, lo))
		return hwb_error_errno(&w->err, HWB_KIND_CONFIG, "HWB-W029",
				       "cannot read a member");
	hdr = got >= LFH_LEN ? LFH_LEN + (size_t)hwb_le16(w->in + 26) +
			       hwb_le16(w->in + 28) : 0;
	/* A long local extra: let hwb_zip__load_local() read it. */
	if (got >= LFH_LEN && hwb_le32(w->in) == 0x04034b50u && hdr > got &&
	    got < z->file_size - lo)
		return 0;
	if (hwb_zip__check_local(z, i, w->p->c->report, w->in, got))
		return hwb_error_oom(&w->err);
	if (e->local_state == 1 &&
	    e->data_offset + m->compressed_size <= lo + got)
		*data = w->in + (e->data_offset - lo);
	return 0;
}

/* After hwb_zip__load_local(): read the data whole if the budget allows. */
static const uint8_t *read_data(struct worker *w, size_t i, int *rc)
{
	const struct hwb_wheel_member *m = &w->p->z->members[i];
	size_t csize = (size_t)m->compressed_size;

	*rc = 0;
	if (m->size > HWB_WHEEL_WHOLE_CAP ||
	    m->compressed_size > HWB_WHEEL_WHOLE_CAP ||
	    grow(w, &w->in, &w->in_cap, csize ? csize : 1) ||
	    (m->method == 8 &&
	     grow(w, &w->out, &w->out_cap, m->size ? (size_t)m->size : 1)))
		return NULL;
	if (hwb_wheel__pread(w->p->z->fd, w->in, csize,
			     w->p->z->entries[i].data_offset)) {
		*rc = hwb_error_errno(&w->err, HWB_KIND_CONFIG, "HWB-W029",
				      "cannot read a member's data");
		return NULL;
	}
	return w->in;
}

static int process(struct worker *w, size_t i)
{
	struct hwb_zip *z = w->p->z;
	const struct hwb_wheel_member *m = &z->members[i];
	const struct hwb_zip_entry *e = &z->entries[i];
	int inflatable = e->fields_ok && !z->too_big && !m->is_dir, rc = 0;
	const uint8_t *data = NULL;

	if (!e->local_state && inflatable && read_combined(w, i, &data))
		return -1;
	if (!e->local_state &&
	    hwb_zip__load_local(z, i, w->p->c->report, &w->err))
		return -1;
	if (!inflatable || e->local_state != 1)
		return 0;
	if (!data && !(data = read_data(w, i, &rc)) && rc)
		return -1;
	rc = data ? inflate_whole(w, i, data) : inflate_stream(w, i);
	if (w->in_cap + w->out_cap > KEEP_BUFFERS)
		drop_buffers(w);
	return rc < 0 ? -1 : 0;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	struct pass *p = w->p;
	size_t k;

	while (!atomic_load(&p->failed) &&
	       (k = atomic_fetch_add(&p->next, 1)) < p->z->count)
		if (process(w, p->order[k])) {
			fail(w);
			break;
		}
	return NULL;
}

static int worker_init(struct worker *w, struct pass *p)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	if (!(w->ld = libdeflate_alloc_decompressor()))
		return hwb_error_oom(&p->err);
	return hwb_hash_new(&w->sha256, HWB_HASH_SHA256, &p->err);
}

static void worker_release(struct worker *w)
{
	size_t k;

	if (!w->p)
		return;
	drop_buffers(w);
	free(w->win);
	free(w->sin);
	if (w->ld)
		libdeflate_free_decompressor(w->ld);
	if (w->zs_ready)
		inflateEnd(&w->zs);
	hwb_hash_free(w->sha256);
	for (k = 0; k < 4; k++)
		hwb_hash_free(w->alt[k]);
}

static int compare_sizes(const void *pa, const void *pb, void *arg)
{
	const struct hwb_wheel_member *m = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	if (m[a].compressed_size != m[b].compressed_size)
		return m[a].compressed_size > m[b].compressed_size ? -1 : 1;
	return (a > b) - (a < b);
}

static int thread_count(const struct hwb_wheel_ctx *c, size_t count)
{
	long n = c->opts->threads;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if ((size_t)n > count)
		n = count ? (long)count : 1;
	return (int)n;
}

int hwb_wheel__inflate_all(struct hwb_zip *z, const struct hwb_wheel_ctx *c,
			   const struct hwb_record *rec, struct hwb_error *err)
{
	struct pass p = { .z = z, .c = c, .rec = rec };
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	int n = thread_count(c, z->count), started = 0, k, rc = -1;
	size_t i;

	pthread_mutex_init(&p.lock, NULL);
	memset(w, 0, sizeof(w));
	if (!(p.order = malloc((z->count ? z->count : 1) * sizeof(size_t)))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < z->count; i++)
		p.order[i] = i;
	qsort_r(p.order, z->count, sizeof(size_t), compare_sizes, z->members);
	for (k = 0; k < n; k++)
		if (worker_init(&w[k], &p)) {
			*err = p.err;
			goto cleanup;
		}
	/* The caller's thread is worker 0; fewer threads if one fails. */
	for (k = 1; k < n; k++, started++)
		if (pthread_create(&tid[k], NULL, run, &w[k]))
			break;
	run(&w[0]);
	for (k = 1; k <= started; k++)
		pthread_join(tid[k], NULL);
	c->report->bytes_checked += atomic_load(&p.bytes);
	if (atomic_load(&p.failed)) {
		*err = p.err;
		goto cleanup;
	}
	rc = 0;
cleanup:
	for (k = 0; k < n; k++)
		worker_release(&w[k]);
	free(p.order);
	pthread_mutex_destroy(&p.lock);
	return rc;
}

int hwb_zip__read_whole(struct hwb_zip *z, size_t i, size_t limit,
			uint8_t **out, size_t *out_len,
			struct hwb_check_report *r, struct hwb_error *err)
{
	const struct hwb_wheel_member *m = &z->members[i];
	const struct hwb_zip_entry *e = &z->entries[i];
	struct libdeflate_decompressor *ld = NULL;
	uint8_t *in = NULL, *data = NULL;
	size_t csize = (size_t)m->compressed_size, len = 0;
	int rc = -1;

	*out = NULL;
	*out_len = 0;
	if (hwb_zip__load_local(z, i, r, err))
		return -1;
	/* What stops it here is reported by the inflate pass. */
	if (e->local_state != 1 || !e->fields_ok || z->too_big ||
	    m->size > limit || m->compressed_size > limit)
		return 0;
	if (!(in = malloc(csize ? csize : 1)) ||
	    !(data = malloc(m->size ? (size_t)m->size : 1)) ||
	    !(ld = libdeflate_alloc_decompressor())) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_wheel__pread(z->fd, in, csize, e->data_offset)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-W029",
				"cannot read a member's data");
		goto cleanup;
	}
	rc = 0;
	if (m->method == 0)
		memcpy(data, in, len = csize);
	else if (libdeflate_deflate_decompress(ld, in, csize, data,
					       (size_t)m->size, &len) !=
		 LIBDEFLATE_SUCCESS)
		goto cleanup;
	if (len != m->size)
		goto cleanup;
	*out = data;
	*out_len = len;
	data = NULL;
cleanup:
	if (ld)
		libdeflate_free_decompressor(ld);
	free(in);
	free(data);
	return rc;
}
