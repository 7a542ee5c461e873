/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock.c: the in-memory form of pylock.build.toml: allocation, order and
 * look-up. Reading is lock_read.c, writing lock_write.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"

struct hwb_reqs_lock *hwb_reqs_lock_new(void)
{
	return calloc(1, sizeof(struct hwb_reqs_lock));
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void hwb_reqs__lock_pkg_release(struct hwb_reqs_lock_pkg *p)
{
	size_t i;

	free(p->name);
	free(p->version);
	free(p->marker);
	free(p->requires_python);
	free(p->index);
	free_strv(p->dependencies, p->dependency_count);
	for (i = 0; i < p->wheel_count; i++) {
		free(p->wheels[i].name);
		free(p->wheels[i].url);
		free(p->wheels[i].path);
	}
	free(p->wheels);
}

void hwb_reqs_lock_free(struct hwb_reqs_lock *lock)
{
	size_t i;

	if (!lock)
		return;
	free(lock->requires_python);
	free(lock->created_by);
	free_strv(lock->environments, lock->environment_count);
	free_strv(lock->requirements, lock->requirement_count);
	for (i = 0; i < lock->pkg_count; i++)
		hwb_reqs__lock_pkg_release(&lock->pkgs[i]);
	free(lock->pkgs);
	free(lock);
}

static int cmp_pkg(const void *a, const void *b)
{
	const struct hwb_reqs_lock_pkg *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->version, y->version);
}

static int cmp_wheel(const void *a, const void *b)
{
	const struct hwb_reqs_lock_wheel *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void hwb_reqs__lock_sort(struct hwb_reqs_lock *lock)
{
	size_t i;
	struct hwb_reqs_lock_pkg *p;

	if (lock->pkg_count)
		qsort(lock->pkgs, lock->pkg_count, sizeof(*lock->pkgs),
		      cmp_pkg);
	for (i = 0; i < lock->pkg_count; i++) {
		p = &lock->pkgs[i];
		if (p->wheel_count)
			qsort(p->wheels, p->wheel_count, sizeof(*p->wheels),
			      cmp_wheel);
		if (p->dependency_count)
			qsort(p->dependencies, p->dependency_count,
			      sizeof(char *), cmp_str);
	}
}

struct hwb_reqs_lock_pkg *
hwb_reqs__lock_find(const struct hwb_reqs_lock *lock, const char *name)
{
	size_t i;

	for (i = 0; i < lock->pkg_count; i++)
		if (!strcmp(lock->pkgs[i].name, name))
			return &lock->pkgs[i];
	return NULL;
}
