/* SPDX-License-Identifier: Apache-2.0 */
/*
 * embedded.c: the trust anchors built into hwb (roots.S) and the URLs of
 * the repositories they belong to.
 */
#include "pkg/tuf/tuf.h"

extern const char hwb_tuf__root_production[];
extern const char hwb_tuf__root_production_end[];
extern const char hwb_tuf__root_staging[];
extern const char hwb_tuf__root_staging_end[];

const char *hwb_tuf_embedded_root(int staging, size_t *len)
{
	if (staging) {
		*len = (size_t)(hwb_tuf__root_staging_end - hwb_tuf__root_staging);
		return hwb_tuf__root_staging;
	}
	*len = (size_t)(hwb_tuf__root_production_end - hwb_tuf__root_production);
	return hwb_tuf__root_production;
}

const char *hwb_tuf_sigstore_url(int staging)
{
	return staging ? "https://tuf-repo-cdn.sigstage.dev"
		       : "https://tuf-repo-cdn.sigstore.dev";
}
