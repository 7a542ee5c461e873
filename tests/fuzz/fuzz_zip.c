/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over hwb's zip reader and the whole wheel check: the
 * input is the wheel's bytes, read through a memfd as hwb_check_file()
 * reads a file (end records, ZIP64, central directory, local headers, the
 * inflate pass with its content checks, RECORD). Invariants: the check
 * never fails except for lack of memory, every finding has a W code and a
 * one-line printable message, and the report is sorted and releasable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pkg/wheel/internal.h"

static void check_finding(const struct hwb_finding *f)
{
	const char *p;

	if (strncmp(f->code, "HWB-W", 5) || strlen(f->code) != 8 || !f->message)
		abort();
	for (p = f->message; *p; p++)
		if ((unsigned char)*p < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_check_options o;
	int fd = memfd_create("fuzz-1.0-py3-none-any.whl", MFD_CLOEXEC);
	size_t i;

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	hwb_wheel__resolve_options(&o, NULL);
	o.threads = 1;
	if (hwb_wheel__report_prepare(&r, &err))
		abort();
	if (hwb_wheel__check_fd(fd, size, "fuzz-1.0-py3-none-any.whl", &o, &r,
				&err) && strcmp(err.code, "HWB-C001"))
		abort();
	hwb_wheel__report_filter(&r, &o);
	for (i = 0; i < r.count; i++)
		check_finding(&r.findings[i]);
	hwb_check_report_release(&r);
	close(fd);
	return 0;
}
