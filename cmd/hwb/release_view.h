/* SPDX-License-Identifier: Apache-2.0 */
/*
 * release_view.h: what `hwb release` shows while and after it runs: a line
 * per step and per file with the elapsed time (updated in place on a
 * terminal), ::group:: sections and annotations in GitHub Actions, the
 * Markdown job summary ($GITHUB_STEP_SUMMARY), the closing report with the
 * command a downloader pastes to verify, and an audit record per step.
 */
#pragma once

#include "pkg/core/config.h"
#include "pkg/release/release.h"

struct release_view {
	const struct hwb_config *cfg;
	int quiet;
	int github;
	int tty;
	int last_pct;
	int in_group;
};

void release_view_init(struct release_view *v, const struct hwb_config *cfg, int quiet);
/* The hwb_release_notify callback; ctx is the view. */
void release_view_event(void *ctx, const struct hwb_release_progress *p);
/* After the run: the closing audit record and the job summary (err: failed). */
void release_view_finish(struct release_view *v, const struct hwb_release_result *r,
			 const struct hwb_error *err);
/* The report on stdout after a run that succeeded. */
void release_view_print(const struct release_view *v, const struct hwb_release_result *r);
