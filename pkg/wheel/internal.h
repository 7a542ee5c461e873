/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/wheel share. The zip reader and the
 * checker (zip.c, check.c, record.c) walk the archive and hand each member's
 * name and bytes to the content checks (metadata, layout, secrets, ELF).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/wheel/wheel.h"

/**
 * Add a finding to r; thread-safe. The message is printf-formatted; member
 * may be NULL. Findings whose code is deselected by opts are dropped by the
 * caller of the checks, not here. Returns 0, or -1 when out of memory.
 */
int hwb_wheel__add(struct hwb_check_report *r, const char *code,
		   enum hwb_severity severity, const char *member,
		   const char *fmt, ...) HWB_PRINTF(5, 6);
