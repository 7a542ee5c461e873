/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.c: where a build's source comes from and the time it is built
 * "at". SOURCE_DATE_EPOCH is the commit time of HEAD (libgit2), so the same
 * commit gives the same archives; outside git it is the newest file's mtime
 * (with a warning), and a SOURCE_DATE_EPOCH already in the environment
 * wins. The commit, ref, remote and a dirty flag go into the provenance.
 */
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/build/internal.h"
#include "pkg/core/log.h"

/* Zip cannot store times before 1980-01-01 (its DOS date fields). */
#define ZIP_EPOCH 315532800LL

void hwb_build__origin_release(struct hwb_build__origin *s)
{
	free(s->remote);
	free(s->ref);
	memset(s, 0, sizeof(*s));
}

static int is_dirty(git_repository *repo)
{
	git_status_options opts;
	git_status_list *list = NULL;
	int dirty = 0;

	if (git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION))
		return 0;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (!git_status_list_new(&list, repo, &opts))
		dirty = git_status_list_entrycount(list) > 0;
	git_status_list_free(list);
	return dirty;
}

static void read_git(const char *srcdir, struct hwb_build__origin *s)
{
	git_repository *repo = NULL;
	git_reference *head = NULL;
	git_object *obj = NULL;
	git_remote *remote = NULL;

	if (git_repository_open_ext(&repo, srcdir, 0, NULL) ||
	    git_repository_head(&head, repo) ||
	    git_reference_peel(&obj, head, GIT_OBJECT_COMMIT))
		goto cleanup;
	git_oid_tostr(s->commit, sizeof(s->commit), git_object_id(obj));
	s->commit_time = (long long)git_commit_time((git_commit *)obj);
	s->from_git = 1;
	if (git_reference_is_branch(head) || git_reference_is_tag(head))
		s->ref = hwb_strdup(git_reference_name(head));
	if (!git_remote_lookup(&remote, repo, "origin") && git_remote_url(remote))
		s->remote = hwb_strdup(git_remote_url(remote));
	s->dirty = is_dirty(repo);
cleanup:
	git_remote_free(remote);
	git_object_free(obj);
	git_reference_free(head);
	git_repository_free(repo);
}

int hwb_build__origin_read(const char *srcdir, long long newest_mtime,
			   struct hwb_build__origin *s, struct hwb_error *err)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");
	char *end;

	memset(s, 0, sizeof(*s));
	git_libgit2_init();
	read_git(srcdir, s);
	git_libgit2_shutdown();
	if (env && *env) {
		s->epoch = strtoll(env, &end, 10);
		if (*end || s->epoch < 0)
			return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B038",
					     "SOURCE_DATE_EPOCH='%s' is not a "
					     "number of seconds", env),
			       hwb_error_hint(err, "unset it or give an integer");
		s->epoch_from = "environment";
	} else if (s->from_git) {
		s->epoch = s->commit_time;
		s->epoch_from = "git";
	} else {
		s->epoch = newest_mtime;
		s->epoch_from = "mtime";
		hwb_log_warn("'%s' is not a git checkout: SOURCE_DATE_EPOCH is the "
			     "newest file's mtime (%lld), so rebuilds match only "
			     "if the mtimes do", srcdir, newest_mtime);
	}
	if (s->epoch < ZIP_EPOCH)
		s->epoch = ZIP_EPOCH;
	if (s->dirty)
		hwb_log_warn("the git tree of '%s' has uncommitted changes: the "
			     "build is not the commit %s (flagged in the "
			     "provenance)", srcdir, s->commit);
	return 0;
}
