/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock_write.c: render a lock as PEP 751 TOML (pylock.build.toml). Keys are
 * written in the specification's order and arrays sorted, so that the same
 * lock always gives the same bytes and diffs stay small.
 */
#include <string.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/fileio.h"

static void render_wheel(struct hwb_buf *out,
			 const struct hwb_reqs_lock_wheel *w)
{
	hwb_buf_puts(out, "\n[[packages.wheels]]\n");
	hwb_reqs__toml_kv_str(out, "name", w->name);
	if (w->url)
		hwb_reqs__toml_kv_str(out, "url", w->url);
	if (w->path)
		hwb_reqs__toml_kv_str(out, "path", w->path);
	if (w->size)
		hwb_reqs__toml_kv_int(out, "size", (int64_t)w->size);
	hwb_buf_puts(out, "hashes = {sha256 = ");
	hwb_reqs__toml_string(out, w->sha256, strlen(w->sha256));
	hwb_buf_puts(out, "}\n");
}

static void render_pkg(struct hwb_buf *out, const struct hwb_reqs_lock_pkg *p)
{
	size_t i;

	hwb_buf_puts(out, "\n[[packages]]\n");
	hwb_reqs__toml_kv_str(out, "name", p->name);
	hwb_reqs__toml_kv_str(out, "version", p->version);
	if (p->marker)
		hwb_reqs__toml_kv_str(out, "marker", p->marker);
	if (p->requires_python)
		hwb_reqs__toml_kv_str(out, "requires-python",
				       p->requires_python);
	if (p->index)
		hwb_reqs__toml_kv_str(out, "index", p->index);
	if (p->dependency_count) {
		/* PEP 751: enough of each dependency's [[packages]] entry to
		 * identify it; the name is, as a lock holds one version. */
		hwb_buf_puts(out, "dependencies = [");
		for (i = 0; i < p->dependency_count; i++) {
			hwb_buf_puts(out, i ? ", {name = " : "{name = ");
			hwb_reqs__toml_string(out, p->dependencies[i],
					       strlen(p->dependencies[i]));
			hwb_buf_putc(out, '}');
		}
		hwb_buf_puts(out, "]\n");
	}
	for (i = 0; i < p->wheel_count; i++)
		render_wheel(out, &p->wheels[i]);
}

int hwb_reqs_lock_render(const struct hwb_reqs_lock *lock,
			   struct hwb_buf *out, struct hwb_error *err)
{
	size_t i;

	hwb_buf_puts(out, "# Build requirements of this project, pinned by "
			  "hash (PEP 751).\n# Written by `hwb lock`; run it "
			  "again to refresh, do not edit by hand.\n");
	hwb_reqs__toml_kv_str(out, "lock-version", "1.0");
	if (lock->environment_count)
		hwb_reqs__toml_kv_strs(out, "environments",
					(const char *const *)lock->environments,
					lock->environment_count);
	if (lock->requires_python)
		hwb_reqs__toml_kv_str(out, "requires-python",
				       lock->requires_python);
	hwb_reqs__toml_kv_str(out, "created-by",
			       lock->created_by ? lock->created_by : "hwb");
	if (!lock->pkg_count)
		hwb_buf_puts(out, "packages = []\n");
	for (i = 0; i < lock->pkg_count; i++)
		render_pkg(out, &lock->pkgs[i]);
	hwb_buf_puts(out, "\n[tool.hwb]\n");
	hwb_reqs__toml_kv_strs(out, "requirements",
				(const char *const *)lock->requirements,
				lock->requirement_count);
	return hwb_buf_check(out, err);
}

int hwb_reqs__lock_write(const char *path, const struct hwb_reqs_lock *lock,
			  struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	int ret = -1;

	if (hwb_reqs_lock_render(lock, &text, err))
		goto cleanup;
	ret = hwb_file_write_atomic(path, text.ptr, text.len, 0644, err);
cleanup:
	hwb_buf_release(&text);
	return ret;
}
