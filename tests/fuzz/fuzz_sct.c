/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: DER certificates and their embedded SCT lists. The
 * input is tried as a TLS SCT list, and as a DER certificate whose SAN,
 * Fulcio extensions and SCTs are read and checked against itself as issuer.
 */
#include <stddef.h>
#include <stdint.h>

#include "pkg/sign/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hwb_sign__trust trust;
	static int loaded;
	struct hwb_sign__sct scts[8];
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf der = HWB_BUF_INIT, out = HWB_BUF_INIT;
	const char *root;
	size_t n, len;
	X509 *x;

	if (!loaded) {
		root = hwb_verify_embedded_root(0, &len);
		if (hwb_sign__trust_parse(&trust, root, len, "embedded", &err))
			return 0;
		loaded = 1;
	}
	hwb_sign__sct_list_parse(data, size, scts, 8, &n);
	if (hwb_buf_set(&der, data, size) == 0 &&
	    (x = hwb_sign__x509_from_der(&der))) {
		hwb_sign__leaf_san(x, &out);
		hwb_sign__fulcio_ext(x, 8, &out);
		hwb_sign__fulcio_ext(x, 1, &out);
		hwb_sign__leaf_usage(x, &err);
		hwb_sign__sct_verify(&trust, x, x, &err);
		X509_free(x);
	}
	hwb_buf_release(&der);
	hwb_buf_release(&out);
	return 0;
}
