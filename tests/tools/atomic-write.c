/* SPDX-License-Identifier: Apache-2.0 */
/*
 * atomic-write: a test program that copies stdin to PATH through
 * hwb_atomic_open/write/commit in chunks, so end-to-end tests can make the
 * write fail part way (a file size limit, a directory in the way) and check
 * that no temporary or partial file is left.
 * usage: atomic-write PATH < data
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "pkg/core/fileio.h"

int main(int argc, char **argv)
{
	struct hwb_atomic_file f = HWB_ATOMIC_FILE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char chunk[4096], line[1400];
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: atomic-write PATH < data\n");
		return 2;
	}
	/* Under RLIMIT_FSIZE, write(2) must fail with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if (hwb_atomic_open(&f, argv[1], 0644, &err))
		goto fail;
	while ((n = read(0, chunk, sizeof(chunk))) > 0)
		if (hwb_atomic_write(&f, chunk, (size_t)n, &err)) {
			hwb_atomic_abort(&f);
			goto fail;
		}
	if (n < 0) {
		hwb_atomic_abort(&f);
		hwb_error_errno(&err, HWB_KIND_CONFIG, "HWB-F009", "cannot read stdin");
		goto fail;
	}
	if (hwb_atomic_commit(&f, &err))
		goto fail;
	return 0;
fail:
	hwb_error_format(&err, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
	return (int)err.kind;
}
