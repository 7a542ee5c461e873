/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build_options.c: the configuration of hwb build and hwb lock as typed
 * options, the one place that reads their keys. pkg/build never reads the
 * configuration; it gets these structs.
 */
#include <string.h>

#include "cmd/hwb/cmd.h"
#include "pkg/build/build.h"
#include "pkg/core/config.h"
#include "pkg/core/http.h"

/*
 * The index, one rule for lock and build: build.index-url when it is
 * configured, or when no wheelhouse is given (then its default, PyPI);
 * NULL with a wheelhouse and the default, so that --find-links alone
 * works offline, or when it is set empty.
 */
static const char *index_url(const struct hwb_config *cfg,
			     size_t find_links_count)
{
	const char *url = hwb_config_str(cfg, "build.index-url");

	if (!url || !*url) /* set empty: no index */
		return NULL;
	if (!find_links_count ||
	    hwb_config_source(cfg, "build.index-url") != HWB_CONFIG_DEFAULT)
		return url;
	return NULL;
}

static enum hwb_isolation isolation(const struct hwb_config *cfg)
{
	const char *iso = hwb_config_str(cfg, "build.isolation");

	return !iso || !strcmp(iso, "sandbox") ? HWB_ISOLATION_SANDBOX
	       : !strcmp(iso, "none")          ? HWB_ISOLATION_NONE
					       : HWB_ISOLATION_CONTAINER;
}

void cmd_build_settings(const struct hwb_config *cfg,
			const char *const *find_links, size_t find_links_count,
			struct hwb_http_options *http,
			struct hwb_build_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->python = hwb_config_str(cfg, "build.python");
	if (find_links_count) {
		s->find_links = find_links;
		s->find_links_count = find_links_count;
	} else {
		s->find_links_count = hwb_config_list(cfg, "build.find-links",
						      &s->find_links);
		s->find_links_on_project_word =
			hwb_config_on_project_word(cfg, "build.find-links");
	}
	s->index_url = index_url(cfg, s->find_links_count);
	s->allow_url_requirements =
		hwb_config_bool(cfg, "build.allow-url-requirements");
	s->isolation = isolation(cfg);
	hwb_http_options_from_config(http, cfg);
	s->http = http;
}

void cmd_build_options(const struct hwb_config *cfg,
		       struct hwb_http_options *http,
		       struct hwb_build_options *o)
{
	struct hwb_sandbox_limits *l = &o->limits;

	cmd_build_settings(cfg, NULL, 0, http, &o->settings);
	o->outdir = hwb_config_str(cfg, "build.outdir");
	o->outdir_on_project_word = hwb_config_on_project_word(cfg, "build.outdir");
	l->timeout_seconds = (long)hwb_config_int(cfg, "build.timeout");
	l->cpu_seconds = (long)hwb_config_int(cfg, "build.limits.cpu-seconds");
	l->address_space =
		(unsigned long long)hwb_config_int(cfg, "build.limits.address-space");
	l->memory = (unsigned long long)hwb_config_int(cfg, "build.limits.memory");
	l->processes = (long)hwb_config_int(cfg, "build.limits.processes");
	l->file_size =
		(unsigned long long)hwb_config_int(cfg, "build.limits.file-size");
	l->disk = (unsigned long long)hwb_config_int(cfg, "build.limits.disk");
	l->open_files = (long)hwb_config_int(cfg, "build.limits.open-files");
	l->log_max = (size_t)hwb_config_int(cfg, "build.limits.log-size");
	o->pass_env_count = hwb_config_list(cfg, "build.pass-env", &o->pass_env);
	o->allow_network_count =
		hwb_config_list(cfg, "build.allow-network", &o->allow_network);
	o->container.engine = hwb_config_str(cfg, "build.container.engine");
	o->container.image = hwb_config_str(cfg, "build.container.image");
	o->container.python = hwb_config_str(cfg, "build.container.python");
	o->container.runtime = hwb_config_str(cfg, "build.container.runtime");
	o->require_lock = hwb_config_bool(cfg, "build.require-lock");
	o->strict = hwb_config_bool(cfg, "build.strict");
	o->acknowledged_count = hwb_config_list(cfg, "check.acknowledged-keys",
						&o->acknowledged_keys);
}
