/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target over pkg/wheel's reader (hwb_wheel_open and friends),
 * the way hwb build installs, normalises and reads METADATA from wheels.
 * The first byte picks the mode (bit 0: the full hwb check, else the
 * structure only); the rest is the wheel, read through a memfd. Invariants:
 * open fails only with a W code or HWB-C001; an open reader hands out each
 * member as exactly its declared size, or fails with W018 or W026-W028
 * (W110 after a full check), never with partial success; the sink never
 * sees more bytes than the member's size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pkg/wheel/internal.h"

/* Bytes a member may be read whole here; more are streamed and dropped. */
#define WHOLE_MAX ((size_t)1 << 20)

struct count {
	uint64_t got, limit;
};

static int counting(void *ctx, const uint8_t *data, size_t len,
		    struct hwb_error *err)
{
	struct count *c = ctx;

	(void)data;
	(void)err;
	c->got += len;
	if (c->got > c->limit)
		abort();
	return 0;
}

static int read_failure_ok(const char *code)
{
	static const char *const ok[] = { "HWB-W018", "HWB-W026", "HWB-W027",
					  "HWB-W028", "HWB-W110", "HWB-C001" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(code, ok[i]))
			return 1;
	return 0;
}

static void read_members(struct hwb_wheel_reader *rd)
{
	struct hwb_buf whole = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_wheel_item it;
	size_t i, n = hwb_wheel_count(rd);

	for (i = 0; i < n; i++) {
		struct count c = { 0, 0 };

		hwb_wheel_item(rd, i, &it);
		if (!it.name || hwb_wheel_find(rd, it.name) < 0)
			abort();
		c.limit = it.size;
		if (hwb_wheel_read(rd, i, counting, &c, &err)) {
			if (!read_failure_ok(err.code))
				abort();
		} else if (!it.is_dir && c.got != it.size) {
			abort();
		}
		hwb_buf_clear(&whole);
		if (!hwb_wheel_read_all(rd, i, WHOLE_MAX, &whole, &err) &&
		    !it.is_dir && whole.len != it.size)
			abort();
	}
	hwb_buf_release(&whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_check_report r = HWB_CHECK_REPORT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_check_options o;
	struct hwb_wheel_reader *rd = NULL;
	int fd, full;

	if (!size)
		return 0;
	full = data[0] & 1;
	data++;
	size--;
	fd = memfd_create("fuzz-1.0-py3-none-any.whl", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	memset(&o, 0, sizeof(o));
	o.threads = 1;
	if (hwb_wheel__open_fd(fd, size, "fuzz-1.0-py3-none-any.whl", &o,
			       full ? &r : NULL, &rd, &err)) {
		if (rd || (strncmp(err.code, "HWB-W0", 6) &&
			   strcmp(err.code, "HWB-C001")))
			abort();
	} else {
		read_members(rd);
		hwb_wheel_close(rd);
	}
	hwb_check_report_release(&r);
	return 0;
}
