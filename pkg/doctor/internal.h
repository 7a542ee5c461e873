/* SPDX-License-Identifier: Apache-2.0 */
/* internal.h: what pkg/doctor's files share (not part of doctor.h). */
#pragma once

#include "pkg/core/buf.h"
#include "pkg/doctor/doctor.h"

/*
 * Append one item: status, the problem's code (NULL: none), the remedy
 * (NULL: none) and the detail from fmt. -1 only when out of memory.
 */
int hwb_doctor__add(struct hwb_doctor_report *r, const char *name,
		    enum hwb_doctor_status status, const char *code,
		    const char *remedy, const char *fmt, ...) HWB_PRINTF(6, 7);

/* An item from an error: its message is the detail, its hint the remedy. */
int hwb_doctor__add_error(struct hwb_doctor_report *r, const char *name,
			  enum hwb_doctor_status status,
			  const struct hwb_error *e);

/* The items of each area, in report order (machine.c, credentials.c,
 * files.c); each returns -1 only when out of memory. */
int hwb_doctor__config(struct hwb_doctor_report *r,
		       const struct hwb_doctor_options *o);
int hwb_doctor__machine(struct hwb_doctor_report *r,
			const struct hwb_doctor_options *o);
int hwb_doctor__credentials(struct hwb_doctor_report *r,
			    const struct hwb_doctor_options *o);
int hwb_doctor__trust(struct hwb_doctor_report *r,
		      const struct hwb_doctor_options *o);
int hwb_doctor__audit(struct hwb_doctor_report *r,
		      const struct hwb_doctor_options *o);
int hwb_doctor__leftovers(struct hwb_doctor_report *r,
			  const struct hwb_doctor_options *o);

/* The AppArmor item from the kernel's settings h (root: hwb runs as root;
 * sandbox: build.isolation is the sandbox, so a refusal fails). */
int hwb_doctor__apparmor(struct hwb_doctor_report *r,
			 const struct hwb_sandbox_host *h, int sandbox, int root);

/* "1.5 GiB", "300 MiB", "12 KiB" for messages. */
void hwb_doctor__size(unsigned long long bytes, char *out, size_t outsz);
