/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the Python packaging grammars and metadata files a
 * wheel carries: METADATA/WHEEL (email headers), PEP 440 versions and
 * specifiers, PEP 508 requirements and markers, wheel filenames and tags,
 * ELF files (whole or cut), and the secret scan. The first byte picks the
 * parser. Invariants: a parsed
 * version's normal form parses to an equal version with the same normal
 * form; a version equals itself; marker evaluation never fails for lack of
 * an environment value; a failure always carries an error code; a secret
 * found by the scan is matched again at its start with the same length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"
#include "pkg/core/log.h"
#include "pkg/wheel/internal.h"

static const struct hwb_marker_env env = {
	.implementation_name = "cpython", .implementation_version = "3.11.4",
	.os_name = "posix", .platform_machine = "x86_64",
	.platform_release = "6.1.0", .platform_system = "Linux",
	.platform_version = "#1 SMP", .python_full_version = "3.11.4",
	.platform_python_implementation = "CPython", .python_version = "3.11",
	.sys_platform = "linux", .extra = "test",
};

static void fuzz_metadata(const char *s, size_t n)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_metadata_parse(s, n, &md, &err)) {
		if (!err.code[0])
			abort();
		return;
	}
	(void)hwb_metadata_get(&md, "Name");
	(void)hwb_metadata_count(&md, "Requires-Dist");
	hwb_metadata_release(&md);
}

static void fuzz_version(const char *s, size_t n)
{
	struct hwb_pep440_version v, w;
	struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_pep440_parse(s, n, &v, &err)) {
		if (!err.code[0])
			abort();
		return;
	}
	if (hwb_pep440_compare(&v, &v) || hwb_pep440_normalize(&v, &a))
		abort();
	if (hwb_pep440_parse(a.ptr, a.len, &w, NULL) ||
	    hwb_pep440_compare(&v, &w) || hwb_pep440_normalize(&w, &b) ||
	    strcmp(a.ptr, b.ptr))
		abort();
	hwb_buf_release(&a);
	hwb_buf_release(&b);
}

static void fuzz_specifier(const char *s, size_t n)
{
	struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
	struct hwb_pep440_version v;
	static const char *const probes[] = { "0", "1.0", "1.0a1", "2!3.4.post5",
					      "1.0+local.7", "1.0.dev1" };
	size_t i;

	if (hwb_specifier_set_parse(s, n, &set, NULL))
		return;
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (hwb_pep440_parse(probes[i], strlen(probes[i]), &v, NULL))
			abort();
		(void)hwb_specifier_set_contains(&set, &v, 0);
		(void)hwb_specifier_set_contains(&set, &v, 1);
	}
	hwb_specifier_set_release(&set);
}

static void fuzz_requirement(const char *s, size_t n)
{
	struct hwb_requirement *req = NULL;
	struct hwb_marker *m = NULL;
	struct hwb_error err = HWB_ERROR_INIT;

	if (!hwb_pep508_parse(s, n, &req, &err)) {
		if (!req || !req->name)
			abort();
		if (req->marker)
			(void)hwb_marker_evaluate(req->marker, &env, &err);
		hwb_pep508_free(req);
	} else if (!err.code[0]) {
		abort();
	}
	if (!hwb_marker_parse(s, n, &m, NULL)) {
		(void)hwb_marker_evaluate(m, &env, NULL);
		hwb_marker_free(m);
	}
}

static void fuzz_filename(const char *s, size_t n)
{
	struct hwb_wheel_filename f = HWB_WHEEL_FILENAME_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *name, **tags = NULL;
	size_t count = 0;

	if (memchr(s, 0, n) || !(name = strndup(s, n)))
		return;
	if (hwb_wheel_filename_parse(name, &f, &err) == 0) {
		/* The tags are the python, abi and platform parts. */
		if (strlen(f.tags) != strlen(f.python) + strlen(f.abi) +
				      strlen(f.platform) + 2)
			abort();
		if (!hwb_wheel__tags_expand(&f, &tags, &count))
			hwb_wheel__tags_free(tags, count);
		hwb_wheel_filename_release(&f);
	}
	free(name);
}

static void fuzz_elf(const uint8_t *p, size_t n, int whole)
{
	struct hwb_elf_info info;
	struct hwb_error err = HWB_ERROR_INIT;
	int r = hwb_wheel__elf_parse(p, n, whole, &info, &err);

	if (r < 0 && !err.code[0])
		abort();
	if (r == 0)
		hwb_wheel__elf_info_release(&info);
}

/* The fast search finds exactly what trying every position finds. */
static void fuzz_secrets(const char *s, size_t n, int flags)
{
	size_t from = 0, start = 0, len = 0, start2 = 0, len2 = 0, i;
	enum hwb_secret_kind kind, again;

	for (;;) {
		kind = hwb_secret_find(s, n, from, flags, &start, &len);
		if (hwb_core__secret_find_scalar(s, n, from, flags, &start2,
						 &len2) != kind ||
		    (kind && (start2 != start || len2 != len)))
			abort();
		for (i = from; i < (kind ? start : n); i++)
			if (hwb_secret_match(s, s + i, s + n, flags, NULL))
				abort();
		if (!kind)
			break;
		if (start < from || start + len > n ||
		    hwb_secret_match(s, s + start, s + n, flags, &again) != len ||
		    again != kind)
			abort();
		from = start + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	if (!size)
		return 0;
	switch (data[0] % 9) {
	case 0: fuzz_metadata(s, n); break;
	case 1: fuzz_version(s, n); break;
	case 2: fuzz_specifier(s, n); break;
	case 3: fuzz_requirement(s, n); break;
	case 4: fuzz_filename(s, n); break;
	case 5: fuzz_elf(data + 1, n, 1); break;
	case 6: fuzz_elf(data + 1, n, 0); break;
	case 7: fuzz_secrets(s, n, 0); break;
	default: fuzz_secrets(s, n, HWB_SECRET_ANY_BYTE_BEFORE); break;
	}
	return 0;
}
