/* SPDX-License-Identifier: Apache-2.0 */
/*
 * env_verify.c: the manifest of a cached environment (hwb-env.json: every
 * file's path, size, mode and sha256) and the check that the environment
 * still matches it before a build uses it. The check walks the tree (a
 * file added, removed, turned into a link or resized fails at once; the
 * venv's bin/python links must keep their recorded targets) and hashes
 * every file's content with worker threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"

/* A manifest lists a few thousand files; cap hostile ones. */
#define MANIFEST_MAX ((size_t)64 << 20)
#define MAX_THREADS 8

void hwb_reqs__manifest_release(struct hwb_reqs__manifest *m)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		free(m->files[i].path);
		free(m->files[i].link);
	}
	free(m->files);
	memset(m, 0, sizeof(*m));
}

static int add_file(struct hwb_reqs__manifest *m, const char *rel,
		    const struct stat *st, const char *link)
{
	struct hwb_reqs__manifest_file *f;
	size_t cap;

	if (m->count == m->cap) {
		cap = m->cap ? m->cap * 2 : 256;
		f = realloc(m->files, cap * sizeof(*f));
		if (!f)
			return -1;
		m->files = f;
		m->cap = cap;
	}
	f = &m->files[m->count];
	memset(f, 0, sizeof(*f));
	if (!(f->path = hwb_strdup(rel)) || (link && !(f->link = hwb_strdup(link))))
		return -1;
	f->size = (uint64_t)st->st_size;
	f->exec = (st->st_mode & 0100) != 0;
	m->count++;
	return 0;
}

/* What a tree walk found wrong, if anything. */
struct walk {
	struct hwb_reqs__manifest *m;
	char rel[4096];   /* the path being visited, relative to the root */
	int bad;          /* a special file was seen at rel */
	int failed;       /* a system error (errno kept) */
};

/* Visit the directory dfd (relative path w->rel, length len); owns dfd. */
static void walk_dir(struct walk *w, int dfd, size_t len)
{
	DIR *dh = fdopendir(dfd);
	struct dirent *e;
	struct stat st;
	char target[4096];
	ssize_t tl;
	size_t n;
	int sub;

	if (!dh) {
		close(dfd);
		w->failed = 1;
		return;
	}
	while (!w->bad && !w->failed && (e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n = strlen(e->d_name);
		if (len + n + 2 > sizeof(w->rel)) {
			w->failed = 1;
			errno = ENAMETOOLONG;
			break;
		}
		if (len)
			w->rel[len] = '/';
		memcpy(w->rel + len + (len ? 1 : 0), e->d_name, n + 1);
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			w->failed = 1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			sub = openat(dfd, e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				w->failed = 1;
				break;
			}
			walk_dir(w, sub, len + n + (len ? 1 : 0));
		} else if (S_ISLNK(st.st_mode)) {
			tl = readlinkat(dfd, e->d_name, target, sizeof(target) - 1);
			if (tl < 0) {
				w->failed = 1;
				break;
			}
			target[tl] = 0;
			if (add_file(w->m, w->rel, &st, target)) {
				w->failed = 1;
				errno = ENOMEM;
			}
		} else if (!S_ISREG(st.st_mode)) {
			w->bad = 1;
		} else if (!(len == 0 && !strcmp(e->d_name, HWB_REQS_ENV_MANIFEST)) &&
			   add_file(w->m, w->rel, &st, NULL)) {
			w->failed = 1;
			errno = ENOMEM;
		}
	}
	if (!w->bad && !w->failed)
		w->rel[len] = 0;
	closedir(dh);
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct hwb_reqs__manifest_file *)a)->path,
		      ((const struct hwb_reqs__manifest_file *)b)->path);
}

/* Every file under root (links and special files make it fail). */
static int list_tree(const char *root, struct hwb_reqs__manifest *m,
		     char **reason, struct hwb_error *err)
{
	struct walk w;
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	memset(&w, 0, sizeof(w));
	w.m = m;
	if (fd < 0)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				       "cannot open the environment %s", root);
	walk_dir(&w, fd, 0);
	if (w.bad) {
		*reason = hwb_strdup_printf("'%s' is not a regular file", w.rel);
		return 1;
	}
	if (w.failed) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				"cannot read the environment %s at '%s'", root,
				w.rel);
		return -1;
	}
	if (m->count)
		qsort(m->files, m->count, sizeof(*m->files), cmp_file);
	return 0;
}

/* Hash files [i] of m with threads; sha256 filled in place. */
struct hash_job {
	const char *root;
	struct hwb_reqs__manifest *m;
	atomic_size_t next;
	atomic_int failed;
	char failed_path[256];
	pthread_mutex_t lock;
};

static int hash_one(const char *root, const char *rel, struct hwb_hash *h,
		    uint8_t *buf, size_t bufsz, char hex[65])
{
	char path[4096];
	uint8_t d[32];
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >= sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	hwb_hash_reset(h);
	for (;;) {
		n = read(fd, buf, bufsz);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		hwb_hash_update(h, buf, (size_t)n);
	}
	close(fd);
	if (n < 0 || hwb_hash_final(h, d))
		return -1;
	hwb_hex_format(d, 32, hex);
	return 0;
}

static void *hash_worker(void *arg)
{
	struct hash_job *job = arg;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct hwb_hash *h = NULL;
	uint8_t *buf = malloc(1 << 16);
	size_t i;

	if (!buf || hwb_hash_new(&h, HWB_HASH_SHA256, &ignored)) {
		atomic_store(&job->failed, 1);
		goto done;
	}
	while ((i = atomic_fetch_add(&job->next, 1)) < job->m->count) {
		if (job->m->files[i].link)
			continue; /* compared by target, not content */
		if (hash_one(job->root, job->m->files[i].path, h, buf, 1 << 16,
			     job->m->files[i].sha256)) {
			pthread_mutex_lock(&job->lock);
			snprintf(job->failed_path, sizeof(job->failed_path), "%s",
				 job->m->files[i].path);
			pthread_mutex_unlock(&job->lock);
			atomic_store(&job->failed, 1);
		}
	}
done:
	hwb_hash_free(h);
	free(buf);
	return NULL;
}

static int threads_for(int threads, size_t files)
{
	long n = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > MAX_THREADS)
		n = MAX_THREADS;
	if (files < 64)
		n = 1; /* not worth a thread */
	return (int)n;
}

static int hash_all(const char *root, struct hwb_reqs__manifest *m,
		    int threads, struct hwb_error *err)
{
	struct hash_job job;
	pthread_t tid[MAX_THREADS];
	int i, n = threads_for(threads, m->count), started = 0;

	memset(&job, 0, sizeof(job));
	job.root = root;
	job.m = m;
	atomic_init(&job.next, 0);
	atomic_init(&job.failed, 0);
	pthread_mutex_init(&job.lock, NULL);
	for (i = 1; i < n; i++)
		if (!pthread_create(&tid[i], NULL, hash_worker, &job))
			started = i;
	hash_worker(&job); /* this thread works too */
	for (i = 1; i <= started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&job.lock);
	if (atomic_load(&job.failed))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				       "cannot hash %s/%s", root,
				       job.failed_path);
	return 0;
}

int hwb_reqs__manifest_build(const char *root, int threads,
			      struct hwb_reqs__manifest *out,
			      struct hwb_error *err)
{
	char *reason = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	r = list_tree(root, out, &reason, err);
	if (r > 0) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-B162",
			      "the environment being built holds %s",
			      reason ? reason : "a link");
		free(reason);
		r = -1;
	}
	if (r || hash_all(root, out, threads, err)) {
		hwb_reqs__manifest_release(out);
		return -1;
	}
	return 0;
}

static int differs(char **reason, const char *fmt, const char *path)
{
	*reason = hwb_strdup_printf(fmt, path);
	return 1;
}

int hwb_reqs__env_verify(const char *root, int threads, char **reason,
			  size_t *files_checked, struct hwb_error *err)
{
	struct hwb_reqs__manifest have = { 0 };
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	json_t *doc = NULL, *files, *f;
	char *mpath = NULL;
	size_t i;
	int ret = -1, r;

	*reason = NULL;
	*files_checked = 0;
	if (!(mpath = hwb_strdup_printf("%s/%s", root, HWB_REQS_ENV_MANIFEST)))
		return hwb_error_oom(err);
	if (hwb_file_read_all(mpath, MANIFEST_MAX, &text, &ignored) ||
	    !(doc = json_loadb(text.ptr, text.len, 0, NULL)) ||
	    !json_is_array(files = json_object_get(doc, "files"))) {
		ret = differs(reason, "its manifest %s is missing or unreadable",
			      mpath);
		goto cleanup;
	}
	r = list_tree(root, &have, reason, err);
	if (r) {
		ret = r;
		goto cleanup;
	}
	if (have.count != json_array_size(files)) {
		ret = differs(reason, "%s lists a different number of files "
			      "than the environment holds", mpath);
		goto cleanup;
	}
	/* The manifest is written sorted; compare entry by entry. */
	json_array_foreach(files, i, f) {
		const char *p = json_string_value(json_object_get(f, "path"));
		const char *sha = json_string_value(json_object_get(f, "sha256"));
		const char *link = json_string_value(json_object_get(f, "link"));
		json_t *size = json_object_get(f, "size");
		int exec = json_is_true(json_object_get(f, "executable"));

		if (link || have.files[i].link) {
			/* Only the links the manifest names, to the same
			 * target: a new link could point anywhere. */
			if (!p || strcmp(p, have.files[i].path) || !link ||
			    !have.files[i].link || strcmp(link, have.files[i].link)) {
				ret = differs(reason, "the link '%s' is not the one "
					      "recorded", have.files[i].path);
				goto cleanup;
			}
			memcpy(have.files[i].expected, "", 1);
			continue;
		}
		if (!p || !sha || strlen(sha) != 64 || !json_is_integer(size) ||
		    strcmp(p, have.files[i].path)) {
			ret = differs(reason, "the file '%s' is not in the manifest "
				      "(or the manifest is malformed)",
				      have.files[i].path);
			goto cleanup;
		}
		if ((uint64_t)json_integer_value(size) != have.files[i].size ||
		    exec != have.files[i].exec) {
			ret = differs(reason, "'%s' changed size or mode", p);
			goto cleanup;
		}
		memcpy(have.files[i].expected, sha, 65);
	}
	if (hash_all(root, &have, threads, err))
		goto cleanup;
	*files_checked = have.count;
	for (i = 0; i < have.count; i++) {
		if (!have.files[i].link &&
		    strcmp(have.files[i].sha256, have.files[i].expected)) {
			ret = differs(reason, "the content of '%s' changed",
				      have.files[i].path);
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	if (ret == 1 && !*reason)
		hwb_error_oom(err), ret = -1;
	json_decref(doc);
	hwb_buf_release(&text);
	hwb_reqs__manifest_release(&have);
	free(mpath);
	return ret;
}
