/* SPDX-License-Identifier: Apache-2.0 */
/*
 * answer.c: reading what an index answers: the text of an upload refusal
 * (warehouse puts its message in the status line and the page's title),
 * the trusted-publishing audience and the mint-token answer. All of it is
 * outside input: bounded, never trusted to be well formed (fuzzed by
 * tests/fuzz/fuzz_publish_answer.c).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/log.h"
#include "pkg/publish/internal.h"

#define ERROR_TEXT_MAX 300

static const char *find_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i, j;

	for (i = 0; i + n <= len; i++) {
		for (j = 0; j < n; j++) {
			char c = s[i + j];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c != needle[j])
				break;
		}
		if (j == n)
			return s + i;
	}
	return NULL;
}

/* Append text[0..len) collapsed to one line, cut at ERROR_TEXT_MAX. */
static void put_line(struct hwb_buf *out, const char *text, size_t len)
{
	size_t i;

	while (len && (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n'))
		text++, len--;
	/* drop the status number warehouse repeats: "400 File already ..." */
	if (len > 4 && text[0] >= '1' && text[0] <= '5' && text[1] >= '0' &&
	    text[1] <= '9' && text[2] >= '0' && text[2] <= '9' && text[3] == ' ')
		text += 4, len -= 4;
	for (i = 0; i < len && out->len < ERROR_TEXT_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\r' || c == '\n')
			break;
		hwb_buf_putc(out, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	while (out->len && out->ptr[out->len - 1] == ' ')
		hwb_buf_truncate(out, out->len - 1);
}

void hwb_publish__error_text(const char *body, size_t len, struct hwb_buf *out)
{
	const char *t = find_ci(body, len, "<title>"), *end;
	size_t start;

	hwb_buf_clear(out);
	if (t) {
		t += 7;
		end = find_ci(t, len - (size_t)(t - body), "</title>");
		put_line(out, t, end ? (size_t)(end - t) : len - (size_t)(t - body));
		if (out->len)
			return;
	}
	for (start = 0; start < len; ) {
		size_t eol = start;

		while (eol < len && body[eol] != '\n')
			eol++;
		put_line(out, body + start, eol - start);
		if (out->len)
			return;
		start = eol + 1;
	}
}

int hwb_publish__already_exists(long status, const char *text)
{
	/* twine's rule: 409, or 400 whose text says it already exists */
	return status == 409 ||
	       (status == 400 && find_ci(text, strlen(text), "already exist"));
}

static json_t *load(const char *body, size_t len)
{
	return len && len < (1u << 20) ? json_loadb(body, len, 0, NULL) : NULL;
}

int hwb_publish__parse_audience(const char *body, size_t len, char **out,
				struct hwb_error *err)
{
	json_t *doc = load(body, len);
	const char *aud = json_string_value(json_object_get(doc, "audience"));
	size_t n = aud ? strlen(aud) : 0;

	*out = NULL;
	if (!n || n > 255 || strcspn(aud, "\r\n\t ") != n) {
		json_decref(doc);
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-P010",
			      "the index's trusted-publishing audience answer "
			      "is not {\"audience\": NAME}");
		return hwb_error_hint(err, "check the index URL; PyPI answers "
				      "{\"audience\": \"pypi\"}");
	}
	*out = hwb_strdup(aud);
	json_decref(doc);
	return *out ? 0 : hwb_error_oom(err);
}

static int bad_mint(json_t *doc, struct hwb_error *err)
{
	json_decref(doc);
	hwb_error_set(err, HWB_KIND_NETWORK, "HWB-P011",
		      "the index's mint-token answer is not PyPI's "
		      "{\"token\", \"expires\"} or {\"errors\"} document");
	return hwb_error_hint(err, "check the index URL; the index may not "
			      "support trusted publishing");
}

static int read_errors(json_t *doc, struct hwb_publish__mint *out)
{
	json_t *errors = json_object_get(doc, "errors"), *e;
	size_t i;

	if (!json_is_array(errors) || !json_array_size(errors))
		return -1;
	json_array_foreach(errors, i, e) {
		const char *code = json_string_value(json_object_get(e, "code"));
		const char *desc = json_string_value(json_object_get(e, "description"));
		struct hwb_buf safe = HWB_BUF_INIT;

		if (!code || i >= 8)
			continue;
		if (!out->first_code[0])
			snprintf(out->first_code, sizeof(out->first_code), "%s", code);
		hwb_buf_printf(&safe, "%s%s: %.300s", out->errors.len ? "; " : "",
			       code, desc ? desc : "(no description)");
		/* the description may echo the token: redact, one line */
		hwb_redact(&out->errors, safe.ptr ? safe.ptr : "", safe.len);
		hwb_buf_release(&safe);
	}
	return out->first_code[0] ? 0 : -1;
}

int hwb_publish__parse_mint(long status, const char *body, size_t len,
			    struct hwb_publish__mint *out,
			    struct hwb_error *err)
{
	json_t *doc = load(body, len), *exp;
	const char *token;

	hwb_publish__mint_release(out);
	if (!json_is_object(doc))
		return bad_mint(doc, err);
	if (status != 200) {
		if (read_errors(doc, out))
			return bad_mint(doc, err);
		json_decref(doc);
		return hwb_buf_check(&out->errors, err);
	}
	token = json_string_value(json_object_get(doc, "token"));
	exp = json_object_get(doc, "expires");
	if (!token || strlen(token) < 8 || strlen(token) > 8192 ||
	    strcspn(token, "\r\n\t :") != strlen(token) ||
	    !json_is_true(json_object_get(doc, "success")) ||
	    (exp && !json_is_integer(exp)))
		return bad_mint(doc, err);
	/* PyPI's tokens live 900 s; an index that omits expires gets that */
	out->expires = exp ? (int64_t)json_integer_value(exp) : 0;
	if (!(out->token = hwb_strdup(token)) || hwb_redact_register(out->token)) {
		explicit_bzero((char *)token, strlen(token));
		json_decref(doc);
		return hwb_error_oom(err);
	}
	/* jansson's copy is wiped too: freed memory keeps no piece of it */
	explicit_bzero((char *)token, strlen(token));
	json_decref(doc);
	return 0;
}

void hwb_publish__mint_release(struct hwb_publish__mint *m)
{
	if (m->token) {
		explicit_bzero(m->token, strlen(m->token));
		free(m->token);
	}
	m->token = NULL;
	m->expires = 0;
	m->first_code[0] = '\0';
	hwb_buf_release(&m->errors);
}

const char *hwb_publish__mint_code_help(const char *code)
{
	static const struct {
		const char *code, *help;
	} codes[] = {
		{ "invalid-payload", "the index could not read the token or does "
		  "not know its issuer" },
		{ "not-enabled", "trusted publishing for this CI provider is "
		  "switched off at the index" },
		{ "invalid-token", "the token's signature, audience or validity "
		  "period was refused (an expired token, or one for another "
		  "audience)" },
		{ "invalid-pending-publisher", "a pending publisher matched, but "
		  "the project exists already: register the publisher on the "
		  "project instead" },
		{ "invalid-reuse-token", "this OIDC token was used before; every "
		  "exchange needs a fresh one" },
		{ "invalid-publisher", "no trusted publisher of the project matches "
		  "the token's claims (repository, workflow, environment)" },
	};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(codes[i].code, code))
			return codes[i].help;
	return "an error code hwb does not know";
}
