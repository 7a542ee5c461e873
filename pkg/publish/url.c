/* SPDX-License-Identifier: Apache-2.0 */
/*
 * url.c: where an upload may go. Credentials travel with every upload, so
 * the URL must be https with verification, except plain http to this
 * machine (a local test index). Named repositories come from the user's
 * configuration only (config.h: named tables).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/core/config.h"
#include "pkg/core/lazy.h"
#include "pkg/publish/internal.h"

struct parts {
	char *scheme, *host, *port, *user, *password;
};

static void parts_free(struct parts *p)
{
	curl_free(p->scheme);
	curl_free(p->host);
	curl_free(p->port);
	curl_free(p->user);
	curl_free(p->password);
}

static int split(const char *url, struct parts *p)
{
	CURLU *u = curl_url();
	int ok;

	memset(p, 0, sizeof(*p));
	ok = u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) == CURLUE_OK &&
	     curl_url_get(u, CURLUPART_HOST, &p->host, 0) == CURLUE_OK;
	if (ok) {
		curl_url_get(u, CURLUPART_PORT, &p->port, 0);
		curl_url_get(u, CURLUPART_USER, &p->user, 0);
		curl_url_get(u, CURLUPART_PASSWORD, &p->password, 0);
	}
	curl_url_cleanup(u);
	return ok ? 0 : -1;
}

/* 127.0.0.0/8, [::1] and localhost: the loopback addresses. */
static int loopback(const char *host)
{
	unsigned char v4[4];

	/* a whole IPv4 literal: "127.0.0.1.evil.test" is a name, not 127/8 */
	if (inet_pton(AF_INET, host, v4) == 1)
		return v4[0] == 127;
	return !strcmp(host, "[::1]") || !strcasecmp(host, "localhost");
}

static int bad_url(const char *url, const char *why, struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-P002",
		      "index URL %.200s: %s", url, why);
	return hwb_error_hint(err, "give the index's https:// upload URL, such "
			      "as %s (plain http only to 127.0.0.1)",
			      HWB_PUBLISH_PYPI_URL);
}

int hwb_publish__check_url(const char *url, struct hwb_error *err)
{
	struct parts p;
	int rc = 0;

	if (hwb_lazy_require(HWB_LAZY_CURL, err))
		return -1;
	if (split(url, &p))
		rc = bad_url(url, "not a URL", err);
	else if (p.user || p.password)
		rc = bad_url("(withheld)", "holds a user name or password; "
			     "credentials come from the environment only", err);
	else if (!strcasecmp(p.scheme, "http") && !loopback(p.host))
		rc = bad_url(url, "plain http would send the credentials "
			     "unencrypted", err);
	else if (strcasecmp(p.scheme, "https") && strcasecmp(p.scheme, "http"))
		rc = bad_url(url, "not an http(s) URL", err);
	parts_free(&p);
	return rc;
}

char *hwb_publish__url_at(const char *url, const char *path)
{
	struct parts p;
	char *out = NULL;

	if (!split(url, &p))
		out = hwb_strdup_printf("%s://%s%s%s%s", p.scheme, p.host,
					p.port ? ":" : "", p.port ? p.port : "",
					path);
	parts_free(&p);
	return out;
}

char *hwb_publish__project_url(const char *upload_url, const char *name,
			       const char *version)
{
	struct hwb_buf norm = HWB_BUF_INIT;
	char *path, *out;

	if (!strcmp(upload_url, HWB_PUBLISH_PYPI_URL))
		return hwb_strdup_printf("https://pypi.org/project/%s/%s/", name, version);
	if (!strcmp(upload_url, HWB_PUBLISH_TESTPYPI_URL))
		return hwb_strdup_printf("https://test.pypi.org/project/%s/%s/",
					 name, version);
	if (hwb_normalize_name(name, strlen(name), &norm) || norm.oom) {
		hwb_buf_release(&norm);
		return NULL;
	}
	path = hwb_strdup_printf("/simple/%s/", norm.ptr);
	out = path ? hwb_publish__url_at(upload_url, path) : NULL;
	free(path);
	hwb_buf_release(&norm);
	return out;
}

int hwb_publish_url(const struct hwb_config *cfg, const char *name,
		    const char *url, char **out, struct hwb_error *err)
{
	const char *chosen = url;

	*out = NULL;
	if (url && name) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-P001",
			      "give either --repository-url or --repository");
		return hwb_error_hint(err, "--repository NAME names a URL of "
				      "your configuration");
	}
	if (!url && (!name || !strcmp(name, "pypi")))
		chosen = HWB_PUBLISH_PYPI_URL;
	else if (!url && !strcmp(name, "testpypi"))
		chosen = HWB_PUBLISH_TESTPYPI_URL;
	else if (!url && !(chosen = hwb_config_named(cfg, HWB_CONFIG_NAMED_TABLES,
						      name, "url", NULL))) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-P001",
			      "no repository called '%s'", name);
		return hwb_error_hint(err, "define it in ~/.config/hwb/config.toml: "
				      "[publish.repositories.%s] url = \"https://"
				      "...\" (pypi and testpypi are built in)", name);
	}
	if (hwb_publish__check_url(chosen, err))
		return -1;
	return (*out = hwb_strdup(chosen)) ? 0 : hwb_error_oom(err);
}
