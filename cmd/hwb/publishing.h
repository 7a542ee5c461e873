/* SPDX-License-Identifier: Apache-2.0 */
/* publishing.h: what `hwb release` takes from `hwb publish` (publish.c). */
#pragma once

#include "cmd/hwb/cli.h"
#include "pkg/wheel/wheel.h"

/**
 * The upload's credentials: the password or API token from HWB_PASSWORD
 * (or TWINE_PASSWORD), or standard input when from_stdin; the user from
 * HWB_USERNAME (or TWINE_USERNAME), NULL meaning __token__. *password is
 * NULL when none is set; free it with hwb_secret_free().
 */
int cli_publish_credentials(int from_stdin, char **password, const char **username,
			    struct hwb_error *err);

/** hwb check's settings (check.*) from the configuration. */
void cli_check_options(const struct hwb_config *cfg, struct hwb_check_options *c);
