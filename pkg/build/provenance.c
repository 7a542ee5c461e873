/* SPDX-License-Identifier: Apache-2.0 */
/*
 * provenance.c: <outdir>-signatures/<name>-<version>.provenance.json (beside
 * the signatures, so that outdir holds only distributions), an in-toto
 * Statement with a SLSA v1 provenance predicate: the outputs with their
 * sha256 as subjects, the source (repository, commit, ref), the config
 * settings and command as external parameters, the interpreter and every
 * installed requirement with its hash as resolved dependencies, and a
 * builder.id that differs between the sandbox, a container and
 * --isolation none (SLSA: a degraded mode must not pass for the real one);
 * a container build also records its engine, runtime and image.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/build/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/sign/sign.h"

#define BUILD_TYPE "https://hwb.dev/build/pep517/v1"

static const char *builder_id(enum hwb_isolation iso)
{
	switch (iso) {
	case HWB_ISOLATION_NONE: return "https://hwb.dev/builder/unisolated/v1";
	case HWB_ISOLATION_CONTAINER: return "https://hwb.dev/builder/container/v1";
	default: return "https://hwb.dev/builder/sandbox/v1";
	}
}

static const char *isolation_name(enum hwb_isolation iso)
{
	switch (iso) {
	case HWB_ISOLATION_NONE: return "none";
	case HWB_ISOLATION_CONTAINER: return "container";
	default: return "sandbox";
	}
}

/* internalParameters.container: what ran the build, with the image's id
 * (a digest of its configuration) when there is one. */
static json_t *container_params(const struct hwb_build__ctx *c)
{
	struct hwb_sandbox_container_info ct;

	hwb_sandbox_container_info(c->container, &ct);
	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s}", "engine",
			 ct.engine, "engineVersion", ct.version, "runtime",
			 ct.runtime, "image", ct.image, "imageId", ct.image_id,
			 "python", ct.image ? ct.python : NULL, "root",
			 ct.image ? "image" : "host /usr, read-only");
}

static json_t *rfc3339(long long t)
{
	char buf[HWB_ISO_TIME_MAX];

	hwb_iso_time(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *subjects(const struct hwb_build_result *r)
{
	json_t *a = json_array();

	if (r->sdist)
		json_array_append_new(a, json_pack("{s:s, s:{s:s}}", "name",
						   strrchr(r->sdist, '/') + 1,
						   "digest", "sha256",
						   r->sdist_sha256));
	if (r->wheel)
		json_array_append_new(a, json_pack("{s:s, s:{s:s}}", "name",
						   strrchr(r->wheel, '/') + 1,
						   "digest", "sha256",
						   r->wheel_sha256));
	return a;
}

static json_t *external(const struct hwb_build__ctx *c)
{
	const struct hwb_build_options *o = c->o;
	json_t *cmd = json_array(), *src, *allow = json_array();
	char *uri = c->source.remote ? hwb_strdup(c->source.remote)
				     : hwb_strdup_printf("file://%s", c->srcdir);
	size_t i;

	for (i = 0; i < o->argc; i++)
		json_array_append_new(cmd, json_string(o->argv[i]));
	src = json_pack("{s:s?}", "uri", uri);
	if (c->source.from_git)
		json_object_set_new(src, "digest",
				    json_pack("{s:s}", "gitCommit", c->source.commit));
	if (c->source.ref)
		json_object_set_new(src, "ref", json_string(c->source.ref));
	free(uri);
	for (i = 0; i < c->allow_count; i++)
		json_array_append_new(allow, json_string(c->allow[i]));
	return json_pack("{s:o, s:O, s:o, s:s, s:o, s:[s*, s*]}", "source", src,
			 "configSettings", c->config, "command", cmd, "isolation",
			 isolation_name(c->isolation),
			 "allowNetwork", allow, "targets", (o->sdist || !o->wheel) ? "sdist" : NULL,
			 (o->wheel || !o->sdist) ? "wheel" : NULL);
}

static json_t *dependencies(const struct hwb_build__ctx *c)
{
	json_t *a = json_array();
	size_t i;
	char *uri = hwb_strdup_printf("file://%s", c->py.path);

	json_array_append_new(a, json_pack("{s:s, s:s?, s:{s:s}}", "name", "python",
					   "uri", uri, "annotations", "version",
					   c->py.python_full_version));
	free(uri);
	for (i = 0; i < c->reqs.count; i++)
		json_array_append_new(a, json_pack(
			"{s:s, s:{s:s}, s:{s:s, s:s}}", "name",
			c->reqs.items[i].filename, "digest", "sha256",
			c->reqs.items[i].sha256, "annotations", "project",
			c->reqs.items[i].name, "version", c->reqs.items[i].version));
	return a;
}

/* GitHub Actions' run URL as the invocation, else the work directory's
 * random name (unique per build). */
static char *invocation_id(const struct hwb_build__ctx *c)
{
	const char *server = getenv("GITHUB_SERVER_URL"),
		   *repo = getenv("GITHUB_REPOSITORY"),
		   *run = getenv("GITHUB_RUN_ID"),
		   *attempt = getenv("GITHUB_RUN_ATTEMPT");

	if (server && repo && run)
		return hwb_strdup_printf("%s/%s/actions/runs/%s/attempts/%s",
					 server, repo, run, attempt ? attempt : "1");
	return hwb_strdup_printf("hwb:%s:%lld", strrchr(c->work, '/') + 1,
				 c->started);
}

/* The container's parameters, and its engine beside hwb in the builder's
 * version map. */
static int add_container(json_t *doc, const struct hwb_build__ctx *c)
{
	json_t *pred = json_object_get(doc, "predicate");
	json_t *internal = json_object_get(
		json_object_get(pred, "buildDefinition"), "internalParameters");
	json_t *version = json_object_get(
		json_object_get(json_object_get(pred, "runDetails"), "builder"),
		"version");
	struct hwb_sandbox_container_info ct;

	hwb_sandbox_container_info(c->container, &ct);
	if (!internal || !version ||
	    json_object_set_new(internal, "container", container_params(c)) ||
	    (ct.version &&
	     json_object_set_new(version, ct.engine, json_string(ct.version))))
		return -1;
	return 0;
}

int hwb_build__provenance(const struct hwb_build__ctx *c,
			  struct hwb_build_result *r, const char *name,
			  const char *version, struct hwb_error *err)
{
	const struct hwb_sandbox_limits *l = &c->spec.limits;
	char *inv = invocation_id(c), *text = NULL, *path = NULL;
	struct hwb_buf dir = HWB_BUF_INIT;
	json_t *doc;
	int ret = -1;

	doc = json_pack(
		"{s:s, s:o, s:s, s:{s:{s:s, s:o, s:{s:I, s:s, s:b, s:b, s:{s:i, s:I, s:i, s:I, s:I, s:s, s:i, s:i}}, s:o},"
		" s:{s:{s:s, s:{s:s}}, s:{s:s?, s:o, s:o}}}}",
		"_type", "https://in-toto.io/Statement/v1", "subject", subjects(r),
		"predicateType", "https://slsa.dev/provenance/v1", "predicate",
		"buildDefinition", "buildType", BUILD_TYPE, "externalParameters",
		external(c), "internalParameters", "sourceDateEpoch",
		(json_int_t)c->source.epoch, "sourceDateEpochFrom",
		c->source.epoch_from, "dirty", c->source.dirty, "environmentCached",
		c->all_reused, "limits", "timeout", (int)l->timeout_seconds,
		"cpuSeconds", (json_int_t)l->cpu_seconds, "processes",
		(int)l->processes, "addressSpace", (json_int_t)l->address_space,
		"memory", (json_int_t)l->memory, "memoryBound", c->memory_bound,
		"openFiles", (int)l->open_files, "logMax", (int)(l->log_max >> 20),
		"resolvedDependencies", dependencies(c), "runDetails", "builder",
		"id", builder_id(c->isolation), "version", "hwb", HWB_VERSION,
		"metadata", "invocationId", inv, "startedOn", rfc3339(c->started),
		"finishedOn", rfc3339(c->finished));
	if (doc && c->isolation == HWB_ISOLATION_CONTAINER &&
	    add_container(doc, c)) {
		json_decref(doc);
		doc = NULL;
	}
	/* Beside the signatures (pkg/sign's DIR-signatures/), never in outdir:
	 * dist/ holds only distributions, as twine upload dist/... needs. */
	if (hwb_sign_signature_dir(r->wheel ? r->wheel : r->sdist, &dir) ||
	    !(path = hwb_strdup_printf("%s/%s-%s.provenance.json", dir.ptr,
				       name, version)) ||
	    !doc || !(text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_mkdir_p(dir.ptr, 0755, err) ||
	    hwb_file_write_atomic(path, text, strlen(text), 0644, err))
		goto cleanup;
	r->provenance = path;
	path = NULL;
	ret = 0;
cleanup:
	json_decref(doc);
	free(text);
	free(path);
	free(inv);
	hwb_buf_release(&dir);
	return ret;
}
