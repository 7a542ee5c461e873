/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml.c: the structure of a TOML 1.0.0 document (keys, tables, arrays of
 * tables, arrays, inline tables) and the rules on which table may be defined
 * or extended where. Scalars are read by toml_scalar.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "pkg/core/internal.h"
#include "pkg/core/toml.h"

/*
 * Deepest nesting of tables and arrays (the root is depth 0). Parsing nested
 * arrays and inline tables recurses, and so do hwb_toml_free and every
 * consumer that walks the tree; a hostile "a=[[[[..." or a dotted key with
 * thousands of parts would otherwise exhaust the stack. Real configuration
 * is rarely deeper than 5.
 */
#define HWB_TOML_MAX_DEPTH 128

/*
 * Tables with more keys than this get a hash index while parsing: the
 * duplicate-key check looks every key up, and a linear search would make a
 * hostile file with a million keys take hours.
 */
#define TABLE_INDEX_MIN 16

enum node_flag {
	NODE_EXPLICIT = 1, /* table defined by a [header] or [[header]] */
	NODE_DOTTED = 2,   /* table created by a dotted key */
	NODE_FROZEN = 4,   /* inline table or array value: immutable */
	NODE_TABLES = 8,   /* array of tables, made by [[header]] */
};

/*
 * Every value is allocated as a node so that the parser can keep its
 * bookkeeping next to it; v comes first, so hwb_toml_free's free(v) frees
 * the node.
 */
struct node {
	struct hwb_toml_value v;
	size_t cap;       /* allocated items of an array or table */
	unsigned flags;   /* enum node_flag */
	unsigned section; /* for NODE_DOTTED: the section that created it */
	unsigned depth;
	/*
	 * Hash index of a table's items while parsing (open addressing; a slot
	 * holds item number + 1, 0 when empty); NULL for small tables.
	 */
	size_t *slots;
	size_t nslots;
};

#define NODE(value) ((struct node *)(value))

/* One part of a dotted key, with where it was written. */
struct key_part {
	char *ptr;
	size_t len;
	unsigned line, col;
};

struct key {
	struct key_part *parts;
	size_t count, cap;
};

#define KEY_INIT { NULL, 0, 0 }

struct doc {
	struct hwb_core__toml_parser p;
	struct hwb_toml_value *root;
	struct hwb_toml_value *current; /* table of the current [section] */
	/*
	 * Tables made by dotted keys may be extended only within the section
	 * (or inline table) that made them; sections are numbered.
	 */
	unsigned section, sections;
	/*
	 * Random per document, so that no file can be crafted whose keys all
	 * collide in the table index.
	 */
	uint64_t seed;
};

static int parse_value(struct doc *d, unsigned depth,
		       struct hwb_toml_value **out);

/* ---- nodes ---- */

static struct hwb_toml_value *new_node(struct doc *d, enum hwb_toml_type type,
				       unsigned depth, unsigned line,
				       unsigned col)
{
	struct node *n;

	if (depth > HWB_TOML_MAX_DEPTH) {
		hwb_core__toml_fail(&d->p, line, col, "HWB-T010",
				    "flatten the document's structure",
				    "tables and arrays nested deeper than %d levels",
				    HWB_TOML_MAX_DEPTH);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		hwb_error_oom(d->p.err);
		return NULL;
	}
	n->v.type = type;
	n->v.line = line;
	n->v.column = col;
	n->depth = depth;
	return &n->v;
}

/* Make room for one more item in items (count used, *cap allocated). */
static int reserve(struct doc *d, void **items, size_t count, size_t *cap,
		   size_t size)
{
	size_t want, bytes;
	void *grown;

	if (count < *cap)
		return 0;
	want = *cap ? *cap : 4;
	if (hwb_size_mul(&want, want, 2) < 0 ||
	    hwb_size_mul(&bytes, want, size) < 0)
		return hwb_error_oom(d->p.err);
	grown = realloc(*items, bytes);
	if (!grown)
		return hwb_error_oom(d->p.err);
	*items = grown;
	*cap = want;
	return 0;
}

/* Append value to array (which takes ownership, also on failure). */
static int array_push(struct doc *d, struct hwb_toml_value *array,
		      struct hwb_toml_value *value)
{
	if (reserve(d, (void **)&array->u.array.items, array->u.array.count,
		    &NODE(array)->cap, sizeof(*array->u.array.items)) < 0) {
		hwb_toml_free(value);
		return -1;
	}
	array->u.array.items[array->u.array.count++] = value;
	return 0;
}

/* FNV-1a over the key, started from the document's random seed. */
static size_t key_hash(const struct doc *d, const char *key, size_t len)
{
	uint64_t h = 1469598103934665603ULL ^ d->seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static void index_insert(const struct doc *d, struct node *n, size_t item)
{
	const struct hwb_toml_kv *kv = &n->v.u.table.items[item];
	size_t i = key_hash(d, kv->key, kv->keylen) & (n->nslots - 1);

	while (n->slots[i])
		i = (i + 1) & (n->nslots - 1);
	n->slots[i] = item + 1;
}

/* Keep the index at most half full; rebuilt when the table grows past it. */
static int index_update(struct doc *d, struct node *n)
{
	size_t count = n->v.u.table.count, want, i;

	if (count < TABLE_INDEX_MIN)
		return 0;
	if (n->slots && count * 2 <= n->nslots) {
		index_insert(d, n, count - 1);
		return 0;
	}
	want = TABLE_INDEX_MIN * 4;
	while (want < count * 4)
		if (hwb_size_mul(&want, want, 2) < 0)
			return hwb_error_oom(d->p.err);
	free(n->slots);
	n->slots = calloc(want, sizeof(*n->slots));
	n->nslots = n->slots ? want : 0;
	if (!n->slots)
		return hwb_error_oom(d->p.err);
	for (i = 0; i < count; i++)
		index_insert(d, n, i);
	return 0;
}

/* Add key -> value to table, which takes ownership of value (not of key). */
static int table_put(struct doc *d, struct hwb_toml_value *table,
		     const struct key_part *key, struct hwb_toml_value *value)
{
	struct hwb_toml_kv *kv;
	char *copy;

	copy = malloc(key->len + 1);
	if (!copy ||
	    reserve(d, (void **)&table->u.table.items, table->u.table.count,
		    &NODE(table)->cap, sizeof(*table->u.table.items)) < 0) {
		free(copy);
		hwb_toml_free(value);
		return hwb_error_oom(d->p.err);
	}
	memcpy(copy, key->ptr, key->len);
	copy[key->len] = '\0';
	kv = &table->u.table.items[table->u.table.count++];
	kv->key = copy;
	kv->keylen = key->len;
	kv->value = value;
	return index_update(d, NODE(table));
}

static struct hwb_toml_value *find_linear(const struct hwb_toml_value *table,
					  const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < table->u.table.count; i++) {
		const struct hwb_toml_kv *kv = &table->u.table.items[i];

		if (kv->keylen == len && !memcmp(kv->key, key, len))
			return kv->value;
	}
	return NULL;
}

/* The value at key in table, through its index when it has one. */
static struct hwb_toml_value *doc_find(const struct doc *d,
				       const struct hwb_toml_value *table,
				       const char *key, size_t len)
{
	const struct node *n = (const struct node *)table;
	size_t i;

	if (!n->slots)
		return find_linear(table, key, len);
	for (i = key_hash(d, key, len) & (n->nslots - 1); n->slots[i];
	     i = (i + 1) & (n->nslots - 1)) {
		const struct hwb_toml_kv *kv = &table->u.table.items[n->slots[i] - 1];

		if (kv->keylen == len && !memcmp(kv->key, key, len))
			return kv->value;
	}
	return NULL;
}

/* A new empty table under parent at key, or NULL with the error set. */
static struct hwb_toml_value *add_table(struct doc *d,
					struct hwb_toml_value *parent,
					const struct key_part *key,
					unsigned flags)
{
	struct hwb_toml_value *t;

	t = new_node(d, HWB_TOML_TABLE, NODE(parent)->depth + 1, key->line,
		     key->col);
	if (!t)
		return NULL;
	NODE(t)->flags = flags;
	NODE(t)->section = d->section;
	if (table_put(d, parent, key, t) < 0)
		return NULL;
	return t;
}

/* ---- whitespace, comments, keys ---- */

static void skip_ws(struct doc *d)
{
	int c;

	while ((c = hwb_core__toml_peek(&d->p, 0)) == ' ' || c == '\t')
		hwb_core__toml_advance(&d->p, 1);
}

static int at_newline(struct doc *d)
{
	int c = hwb_core__toml_peek(&d->p, 0);

	return c == '\n' || (c == '\r' && hwb_core__toml_peek(&d->p, 1) == '\n');
}

static void skip_newline(struct doc *d)
{
	hwb_core__toml_advance(&d->p, hwb_core__toml_peek(&d->p, 0) == '\r' ? 2 : 1);
}

static void skip_comment(struct doc *d)
{
	if (hwb_core__toml_peek(&d->p, 0) != '#')
		return;
	while (hwb_core__toml_peek(&d->p, 0) >= 0 && !at_newline(d))
		hwb_core__toml_advance(&d->p, 1);
}

/* Whitespace, comments and newlines, as allowed inside arrays. */
static void skip_ws_comments_newlines(struct doc *d)
{
	for (;;) {
		skip_ws(d);
		skip_comment(d);
		if (!at_newline(d))
			return;
		skip_newline(d);
	}
}

static int is_bare_key_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int unexpected(struct doc *d, const char *expected, const char *hint)
{
	int c = hwb_core__toml_peek(&d->p, 0);

	if (c < 0)
		return hwb_core__toml_fail(&d->p, d->p.line, d->p.col, "HWB-T009",
					   hint, "expected %s, found the end of the document",
					   expected);
	if (c == '\n' || c == '\r')
		return hwb_core__toml_fail(&d->p, d->p.line, d->p.col, "HWB-T002",
					   hint, "expected %s, found the end of the line",
					   expected);
	if (c < 0x80 && c > ' ')
		return hwb_core__toml_fail(&d->p, d->p.line, d->p.col, "HWB-T002",
					   hint, "expected %s, found '%c'", expected, c);
	return hwb_core__toml_fail(&d->p, d->p.line, d->p.col, "HWB-T002", hint,
				   "expected %s", expected);
}

static void key_release(struct key *k)
{
	size_t i;

	for (i = 0; i < k->count; i++)
		free(k->parts[i].ptr);
	free(k->parts);
	k->parts = NULL;
	k->count = k->cap = 0;
}

static int key_part(struct doc *d, struct key_part *part)
{
	struct hwb_buf buf = HWB_BUF_INIT;
	int c = hwb_core__toml_peek(&d->p, 0);
	size_t n = 0;

	part->line = d->p.line;
	part->col = d->p.col;
	if (c == '"' || c == '\'') {
		if (hwb_core__toml_string(&d->p, &buf, 0) < 0) {
			hwb_buf_release(&buf);
			return -1;
		}
	} else {
		while (is_bare_key_char(hwb_core__toml_peek(&d->p, n)))
			n++;
		if (n == 0)
			return unexpected(d, "a key",
					  "bare keys use A-Za-z0-9_-; quote other keys");
		hwb_buf_put(&buf, d->p.text + d->p.pos, n);
		hwb_core__toml_advance(&d->p, n);
	}
	if (hwb_buf_check(&buf, d->p.err) < 0)
		return -1;
	part->ptr = hwb_buf_detach(&buf, &part->len);
	return part->ptr ? 0 : hwb_error_oom(d->p.err);
}

/* A simple or dotted key, whitespace allowed around the dots. */
static int parse_key(struct doc *d, struct key *k)
{
	for (;;) {
		skip_ws(d);
		if (reserve(d, (void **)&k->parts, k->count, &k->cap,
			    sizeof(*k->parts)) < 0)
			return -1;
		if (key_part(d, &k->parts[k->count]) < 0)
			return -1;
		k->count++;
		skip_ws(d);
		if (hwb_core__toml_peek(&d->p, 0) != '.')
			return 0;
		hwb_core__toml_advance(&d->p, 1);
	}
}

/* ---- the rules on defining tables ---- */

static int key_error(struct doc *d, const struct key_part *part,
		     const char *code, const char *hint, const char *why)
{
	return hwb_core__toml_fail(&d->p, part->line, part->col, code, hint,
				   "key \"%.*s\" %s",
				   part->len > 80 ? 80 : (int)part->len,
				   part->ptr, why);
}

/*
 * Step into the table at key under t for a dotted key (a.b = 1): a missing
 * one is created; an existing one must be a table that this section made
 * with dotted keys, or an implicit parent of a [header].
 */
static struct hwb_toml_value *dotted_step(struct doc *d,
					  struct hwb_toml_value *t,
					  const struct key_part *part)
{
	struct hwb_toml_value *child = doc_find(d, t, part->ptr, part->len);
	unsigned flags;

	if (!child)
		return add_table(d, t, part, NODE_DOTTED);
	flags = NODE(child)->flags;
	if (child->type != HWB_TOML_TABLE) {
		key_error(d, part, "HWB-T003", "use another key name",
			  child->type == HWB_TOML_ARRAY
				  ? "is an array; dotted keys cannot extend it"
				  : "is already defined as a value, not a table");
		return NULL;
	}
	if (flags & NODE_FROZEN) {
		key_error(d, part, "HWB-T008",
			  "put every key inside the inline table's braces",
			  "is an inline table, which cannot be extended");
		return NULL;
	}
	if ((flags & NODE_EXPLICIT) ||
	    ((flags & NODE_DOTTED) && NODE(child)->section != d->section)) {
		key_error(d, part, "HWB-T007",
			  "add the keys under that table's own section",
			  "names a table defined elsewhere; dotted keys cannot extend it");
		return NULL;
	}
	return child;
}

/* key = value, into table t. */
static int parse_keyval(struct doc *d, struct hwb_toml_value *t)
{
	struct key k = KEY_INIT;
	struct hwb_toml_value *value = NULL;
	const struct key_part *last;
	size_t i;
	int ret = -1;

	if (parse_key(d, &k) < 0)
		goto cleanup;
	if (hwb_core__toml_peek(&d->p, 0) != '=') {
		unexpected(d, "'=' after the key", "write key = value");
		goto cleanup;
	}
	hwb_core__toml_advance(&d->p, 1);
	skip_ws(d);
	for (i = 0; i + 1 < k.count; i++)
		if (!(t = dotted_step(d, t, &k.parts[i])))
			goto cleanup;
	last = &k.parts[k.count - 1];
	if (doc_find(d, t, last->ptr, last->len)) {
		key_error(d, last, "HWB-T003", "remove or rename one of them",
			  "is defined twice");
		goto cleanup;
	}
	if (parse_value(d, NODE(t)->depth + 1, &value) < 0)
		goto cleanup;
	ret = table_put(d, t, last, value);
cleanup:
	key_release(&k);
	return ret;
}

/* ---- arrays and inline tables ---- */

static int parse_array(struct doc *d, struct hwb_toml_value *array)
{
	unsigned line = d->p.line, col = d->p.col;

	hwb_core__toml_advance(&d->p, 1);
	for (;;) {
		struct hwb_toml_value *item = NULL;

		skip_ws_comments_newlines(d);
		if (hwb_core__toml_peek(&d->p, 0) == ']')
			break;
		if (hwb_core__toml_peek(&d->p, 0) < 0)
			return hwb_core__toml_fail(&d->p, line, col, "HWB-T009",
						   "close the array with ']'",
						   "unterminated array");
		if (parse_value(d, NODE(array)->depth + 1, &item) < 0 ||
		    array_push(d, array, item) < 0)
			return -1;
		skip_ws_comments_newlines(d);
		if (hwb_core__toml_peek(&d->p, 0) == ',') {
			hwb_core__toml_advance(&d->p, 1);
			continue;
		}
		if (hwb_core__toml_peek(&d->p, 0) == ']')
			break;
		return unexpected(d, "',' or ']' in the array",
				  "separate array values with commas");
	}
	hwb_core__toml_advance(&d->p, 1);
	return 0;
}

/*
 * { k = v, ... } on one line, no trailing comma (TOML 1.0). Its dotted
 * keys form their own section, so they may extend one another.
 */
static int parse_inline_table(struct doc *d, struct hwb_toml_value *table)
{
	unsigned saved = d->section;
	int ret = -1;

	hwb_core__toml_advance(&d->p, 1);
	d->section = ++d->sections;
	skip_ws(d);
	if (hwb_core__toml_peek(&d->p, 0) == '}')
		goto done;
	for (;;) {
		if (parse_keyval(d, table) < 0)
			goto cleanup;
		skip_ws(d);
		if (hwb_core__toml_peek(&d->p, 0) == '}')
			break;
		if (hwb_core__toml_peek(&d->p, 0) != ',') {
			unexpected(d, "',' or '}' in the inline table",
				   "an inline table stays on one line: { a = 1, b = 2 }");
			goto cleanup;
		}
		hwb_core__toml_advance(&d->p, 1);
		skip_ws(d);
		if (hwb_core__toml_peek(&d->p, 0) == '}') {
			hwb_core__toml_fail(&d->p, d->p.line, d->p.col, "HWB-T008",
					    "remove the comma before '}'",
					    "an inline table cannot have a trailing comma");
			goto cleanup;
		}
	}
done:
	hwb_core__toml_advance(&d->p, 1);
	ret = 0;
cleanup:
	d->section = saved;
	return ret;
}

static int parse_value(struct doc *d, unsigned depth,
		       struct hwb_toml_value **out)
{
	unsigned line = d->p.line, col = d->p.col;
	int c = hwb_core__toml_peek(&d->p, 0);
	struct hwb_toml_value *v;
	struct hwb_buf buf = HWB_BUF_INIT;
	int ret = -1;

	v = new_node(d, HWB_TOML_STRING, depth, line, col);
	if (!v)
		return -1;
	if (c == '"' || c == '\'') {
		if (hwb_core__toml_string(&d->p, &buf, 1) < 0)
			goto cleanup;
		if (hwb_buf_check(&buf, d->p.err) < 0)
			goto cleanup;
		v->u.str.ptr = hwb_buf_detach(&buf, &v->u.str.len);
		if (!v->u.str.ptr) {
			hwb_error_oom(d->p.err);
			goto cleanup;
		}
	} else if (c == '[' || c == '{') {
		v->type = c == '[' ? HWB_TOML_ARRAY : HWB_TOML_TABLE;
		NODE(v)->flags = NODE_FROZEN;
		if ((c == '[' ? parse_array(d, v) : parse_inline_table(d, v)) < 0)
			goto cleanup;
	} else if (c < 0 || c == '\n' || c == '\r' || c == '#') {
		unexpected(d, "a value", "write key = value");
		goto cleanup;
	} else if (hwb_core__toml_scalar(&d->p, v) < 0) {
		v->type = HWB_TOML_BOOL; /* nothing to free */
		goto cleanup;
	}
	*out = v;
	v = NULL;
	ret = 0;
cleanup:
	hwb_buf_release(&buf);
	hwb_toml_free(v);
	return ret;
}

/* ---- [table] and [[array of tables]] headers ---- */

/* Step from t into key for a header: tables, or an array of tables' last. */
static struct hwb_toml_value *header_step(struct doc *d,
					  struct hwb_toml_value *t,
					  const struct key_part *part)
{
	struct hwb_toml_value *child = doc_find(d, t, part->ptr, part->len);

	if (!child)
		return add_table(d, t, part, 0);
	if (NODE(child)->flags & NODE_FROZEN) {
		key_error(d, part, "HWB-T008",
			  "define the whole value inline, or use [table] sections only",
			  "is an inline table or array, which cannot be extended");
		return NULL;
	}
	if (child->type == HWB_TOML_TABLE)
		return child;
	if (child->type == HWB_TOML_ARRAY && (NODE(child)->flags & NODE_TABLES))
		return child->u.array.items[child->u.array.count - 1];
	key_error(d, part, "HWB-T007", "rename the table or the key",
		  "is already a value, not a table");
	return NULL;
}

/* The target of [[key]]: a new table appended to the array at key. */
static struct hwb_toml_value *array_table(struct doc *d, struct hwb_toml_value *t,
					  const struct key_part *part)
{
	struct hwb_toml_value *array = doc_find(d, t, part->ptr, part->len);
	struct hwb_toml_value *table;

	if (!array) {
		array = new_node(d, HWB_TOML_ARRAY, NODE(t)->depth + 1,
				 part->line, part->col);
		if (!array)
			return NULL;
		NODE(array)->flags = NODE_TABLES;
		if (table_put(d, t, part, array) < 0)
			return NULL;
	} else if (array->type != HWB_TOML_ARRAY ||
		   !(NODE(array)->flags & NODE_TABLES)) {
		key_error(d, part,
			  NODE(array)->flags & NODE_FROZEN ? "HWB-T008" : "HWB-T007",
			  "use a new name for the array of tables",
			  array->type == HWB_TOML_ARRAY
				  ? "is an array value; [[...]] cannot append to it"
				  : "is already defined and is not an array of tables");
		return NULL;
	}
	table = new_node(d, HWB_TOML_TABLE, NODE(array)->depth + 1, part->line,
			 part->col);
	if (!table)
		return NULL;
	NODE(table)->flags = NODE_EXPLICIT;
	if (array_push(d, array, table) < 0)
		return NULL;
	return table;
}

/* The target of [key]: a new table, or an implicit one defined now. */
static struct hwb_toml_value *std_table(struct doc *d, struct hwb_toml_value *t,
					const struct key_part *part)
{
	struct hwb_toml_value *table = doc_find(d, t, part->ptr, part->len);
	unsigned flags;

	if (!table)
		return add_table(d, t, part, NODE_EXPLICIT);
	flags = NODE(table)->flags;
	if (flags & NODE_FROZEN) {
		key_error(d, part, "HWB-T008",
			  "put every key inside the inline value",
			  "is an inline table or array, which cannot be extended");
		return NULL;
	}
	if (table->type != HWB_TOML_TABLE) {
		key_error(d, part, "HWB-T007", "rename the table or the key",
			  (flags & NODE_TABLES)
				  ? "is an array of tables; use [[...]] to add to it"
				  : "is already a value, not a table");
		return NULL;
	}
	if (flags & (NODE_EXPLICIT | NODE_DOTTED)) {
		key_error(d, part, "HWB-T007", "merge the two definitions into one",
			  (flags & NODE_EXPLICIT)
				  ? "names a table that is already defined"
				  : "names a table already defined by dotted keys");
		return NULL;
	}
	NODE(table)->flags |= NODE_EXPLICIT;
	return table;
}

static int parse_header(struct doc *d)
{
	int aot = hwb_core__toml_peek(&d->p, 1) == '[';
	struct hwb_toml_value *t = d->root;
	struct key k = KEY_INIT;
	size_t i;
	int ret = -1;

	hwb_core__toml_advance(&d->p, aot ? 2 : 1);
	if (parse_key(d, &k) < 0)
		goto cleanup;
	if (hwb_core__toml_peek(&d->p, 0) != ']' ||
	    (aot && hwb_core__toml_peek(&d->p, 1) != ']')) {
		unexpected(d, aot ? "']]' closing the header" : "']' closing the header",
			   "write [table] or [[array.of.tables]] on one line");
		goto cleanup;
	}
	hwb_core__toml_advance(&d->p, aot ? 2 : 1);
	for (i = 0; i + 1 < k.count; i++)
		if (!(t = header_step(d, t, &k.parts[i])))
			goto cleanup;
	d->section = ++d->sections;
	t = aot ? array_table(d, t, &k.parts[k.count - 1])
		: std_table(d, t, &k.parts[k.count - 1]);
	if (!t)
		goto cleanup;
	d->current = t;
	ret = 0;
cleanup:
	key_release(&k);
	return ret;
}

/* ---- the document ---- */

/*
 * Reject what is invalid anywhere in a document before parsing: bytes that
 * are not UTF-8 (overlong forms, surrogates and code points past U+10FFFF
 * included), control characters other than tab and newline (TOML allows
 * none in strings or comments, and whitespace is only space and tab), and
 * a carriage return not followed by a line feed.
 */
static int check_text(struct hwb_core__toml_parser *p)
{
	while (p->pos < p->len) {
		const unsigned char *s = (const unsigned char *)p->text + p->pos;
		size_t left = p->len - p->pos, n = 1, i;
		unsigned char c = s[0];
		unsigned cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' &&
			     !(c == '\r' && left > 1 && s[1] == '\n')) || c == 0x7F)
				return hwb_core__toml_fail(
					p, p->line, p->col, "HWB-T011",
					"remove it; write it as an escape in a basic string",
					"control character U+%04X is not allowed", c);
			hwb_core__toml_advance(p, 1);
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 2, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 3, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 4, cp = c & 0x07;
		else
			n = 0, cp = 0;
		for (i = 1; n && i < n; i++) {
			if (i >= left || (s[i] & 0xC0) != 0x80)
				n = 0;
			else
				cp = (cp << 6) | (s[i] & 0x3F);
		}
		if (!n || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return hwb_core__toml_fail(p, p->line, p->col, "HWB-T001",
						   "save the file as UTF-8",
						   "invalid UTF-8 byte sequence");
		hwb_core__toml_advance(p, n);
	}
	p->pos = 0;
	p->line = p->col = 1;
	return 0;
}

/* After a key/value pair or header: optional comment, then end of line. */
static int end_of_line(struct doc *d)
{
	skip_ws(d);
	skip_comment(d);
	if (hwb_core__toml_peek(&d->p, 0) < 0)
		return 0;
	if (!at_newline(d))
		return unexpected(d, "a new line",
				  "put each key = value and [table] on its own line");
	skip_newline(d);
	return 0;
}

static int parse_document(struct doc *d)
{
	for (;;) {
		int c;

		skip_ws(d);
		c = hwb_core__toml_peek(&d->p, 0);
		if (c < 0)
			return 0;
		if (c == '#' || at_newline(d)) {
			if (end_of_line(d) < 0)
				return -1;
			continue;
		}
		if (c == '[' ? parse_header(d) : parse_keyval(d, d->current))
			return -1;
		if (end_of_line(d) < 0)
			return -1;
	}
}

int hwb_toml_parse(struct hwb_toml_value **out, const char *text, size_t len,
		   const char *filename, struct hwb_error *err)
{
	struct doc d;

	*out = NULL;
	memset(&d, 0, sizeof(d));
	/* A UTF-8 byte order mark opens the file, as editors on Windows
	 * write it: it is no part of the document (TOML 1.0 is UTF-8, the
	 * mark only says so). Anywhere else outside a string it is an error
	 * like any stray character. */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	d.p.text = text;
	d.p.len = len;
	d.p.line = d.p.col = 1;
	d.p.filename = filename;
	d.p.err = err;
	if (getrandom(&d.seed, sizeof(d.seed), GRND_NONBLOCK) != sizeof(d.seed))
		d.seed = (uint64_t)(uintptr_t)&d; /* address randomisation */
	if (check_text(&d.p) < 0)
		return -1;
	d.root = new_node(&d, HWB_TOML_TABLE, 0, 1, 1);
	if (!d.root)
		return -1;
	d.current = d.root;
	if (parse_document(&d) < 0) {
		hwb_toml_free(d.root);
		return -1;
	}
	*out = d.root;
	return 0;
}

void hwb_toml_free(struct hwb_toml_value *v)
{
	size_t i;

	if (!v)
		return;
	switch (v->type) {
	case HWB_TOML_STRING:
		free(v->u.str.ptr);
		break;
	case HWB_TOML_ARRAY:
		for (i = 0; i < v->u.array.count; i++)
			hwb_toml_free(v->u.array.items[i]);
		free(v->u.array.items);
		break;
	case HWB_TOML_TABLE:
		for (i = 0; i < v->u.table.count; i++) {
			free(v->u.table.items[i].key);
			hwb_toml_free(v->u.table.items[i].value);
		}
		free(v->u.table.items);
		free(NODE(v)->slots);
		break;
	default:
		break;
	}
	free(NODE(v));
}

const struct hwb_toml_value *hwb_toml_get(const struct hwb_toml_value *table,
					  const char *key)
{
	if (!table || table->type != HWB_TOML_TABLE || !key)
		return NULL;
	/* Linear: the index's seed belongs to the parse, and lookups after
	 * it are few. */
	return find_linear(table, key, strlen(key));
}

const struct hwb_toml_value *
hwb_toml_get_path(const struct hwb_toml_value *table, const char *path)
{
	const char *dot;

	if (!path)
		return NULL;
	while (table && (dot = strchr(path, '.'))) {
		if (table->type != HWB_TOML_TABLE)
			return NULL;
		table = find_linear(table, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return hwb_toml_get(table, path);
}

const char *hwb_toml_type_name(enum hwb_toml_type type)
{
	switch (type) {
	case HWB_TOML_STRING: return "string";
	case HWB_TOML_INTEGER: return "integer";
	case HWB_TOML_FLOAT: return "float";
	case HWB_TOML_BOOL: return "bool";
	case HWB_TOML_DATETIME: return "datetime";
	case HWB_TOML_DATETIME_LOCAL: return "datetime-local";
	case HWB_TOML_DATE_LOCAL: return "date-local";
	case HWB_TOML_TIME_LOCAL: return "time-local";
	case HWB_TOML_ARRAY: return "array";
	case HWB_TOML_TABLE: return "table";
	}
	return "unknown";
}
