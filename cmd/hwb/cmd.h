/* SPDX-License-Identifier: Apache-2.0 */
/* cmd.h: the subcommands of hwb, one file each, dispatched from main.c. */
#pragma once

#include <stddef.h>

int cmd_attest(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/*
 * The configuration of hwb build and hwb lock as typed options
 * (build_options.c); strings stay cfg's, http is filled for s->http.
 */
struct hwb_config;
struct hwb_http_options;
struct hwb_build_settings;
struct hwb_build_options;

/* What lock and build share. find_links (the --find-links flags), when
 * given, replace build.find-links and are the user's word. */
void cmd_build_settings(const struct hwb_config *cfg,
			const char *const *find_links, size_t find_links_count,
			struct hwb_http_options *http,
			struct hwb_build_settings *s);
/* Every setting of hwb build (o's command fields are left as they are). */
void cmd_build_options(const struct hwb_config *cfg,
		       struct hwb_http_options *http,
		       struct hwb_build_options *o);
