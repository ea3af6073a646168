/* colstats.c - per-column statistics that can be saved and merged, see colstats.h.
 *
 * (Over 600 lines: the JSON writer and reader of the statistics are kept
 * beside the state they save, so that one change to it changes both.) */
#include "colstats.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "csv.h"
#include "errbuf.h"
#include "fnv.h"
#include "jflat.h"
#include "strbuf.h"
#include "jkey.h"

#define FORMAT "osdl-colstats/1"
#define CAT_BYTES (256 * 1024) /* coltype's default dictionary bytes */

/* Where a column was first seen: the row's time value and _id (its sort
 * keys) and the leaf's place in the row. */
struct first {
	char *tline;        /* {"t":RAW}: the time value as jkey reads it */
	size_t tlen;
	jkey_val t;         /* points into tline */
	char *id;
	size_t idlen;
	uint64_t leaf;
};

struct col {
	char *name;
	size_t len;
	uint32_t hash;
	coltype *type;
	uint64_t present, gen;
	size_t max_len;
	long succ;          /* column after this one in the last line, -1 */
	struct first first; /* with keyed lines */
};

struct colstats {
	size_t category_max;
	struct col *cols;
	size_t ncols, cap;
	int32_t *hash;      /* open addressing into cols, -1 empty */
	size_t hash_cap;
	uint64_t rows, gen;
	long first, prev;   /* first column of the last line, previous leaf */
	int keyed;          /* every line came with its keys: columns by first-seen key */
	const jkey_val *keys; /* the current line's, or NULL */
	uint64_t leaf;      /* leaves of the current line so far */
	int nomem;
	jflat *jf;
};

colstats *colstats_new(size_t category_max)
{
	colstats *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->category_max = category_max;
	s->first = s->prev = -1;
	s->keyed = 1;
	if (!(s->jf = jflat_new(NULL))) {
		free(s);
		return NULL;
	}
	return s;
}

void colstats_free(colstats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ncols; i++) {
		free(s->cols[i].name);
		free(s->cols[i].first.tline);
		free(s->cols[i].first.id);
		coltype_free(s->cols[i].type);
	}
	free(s->cols);
	free(s->hash);
	jflat_free(s->jf);
	free(s);
}

static void hash_put(int32_t *h, size_t cap, uint32_t hash, size_t idx)
{
	size_t j = hash & (cap - 1);
	while (h[j] >= 0)
		j = (j + 1) & (cap - 1);
	h[j] = (int32_t)idx;
}

long colstats_find(const colstats *s, const char *name, size_t len)
{
	if (!s->hash_cap)
		return -1;
	uint32_t h = fnv1a32(name, len);
	for (size_t j = h & (s->hash_cap - 1); s->hash[j] >= 0; j = (j + 1) & (s->hash_cap - 1)) {
		const struct col *c = &s->cols[s->hash[j]];
		if (c->hash == h && c->len == len && memcmp(c->name, name, len) == 0)
			return s->hash[j];
	}
	return -1;
}

/* Appends a column.  NULL on ENOMEM. */
static struct col *col_add(colstats *s, const char *name, size_t len)
{
	if ((s->ncols + 1) * 2 > s->hash_cap) {
		size_t cap = s->hash_cap ? s->hash_cap * 2 : 64;
		int32_t *h = malloc(cap * sizeof *h);
		if (!h)
			return NULL;
		memset(h, 0xff, cap * sizeof *h);
		for (size_t i = 0; i < s->ncols; i++)
			hash_put(h, cap, s->cols[i].hash, i);
		free(s->hash);
		s->hash = h;
		s->hash_cap = cap;
	}
	if (s->ncols == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct col *c = realloc(s->cols, cap * sizeof *c);
		if (!c)
			return NULL;
		s->cols = c;
		s->cap = cap;
	}
	struct coltype_opts to = { s->category_max, 0, 0 };
	struct col *c = &s->cols[s->ncols];
	memset(c, 0, sizeof *c);
	c->succ = -1;
	c->len = len;
	c->hash = fnv1a32(name, len);
	c->name = malloc(len + 1);
	c->type = coltype_new(&to);
	if (!c->name || !c->type) {
		free(c->name);
		coltype_free(c->type);
		return NULL;
	}
	memcpy(c->name, name, len);
	c->name[len] = 0;
	hash_put(s->hash, s->hash_cap, c->hash, s->ncols);
	s->ncols++;
	return c;
}

/* The JSON text of a jkey value (strings keep their escapes). */
static size_t raw_len(const jkey_val *v)
{
	switch (v->type) {
	case JKEY_MISSING: return 4;
	case JKEY_FALSE: return 5;
	case JKEY_TRUE: return 4;
	case JKEY_STR: case JKEY_DATE: return (size_t)v->len + 2;
	default: return v->len;
	}
}
static void raw_put(const jkey_val *v, char *b)
{
	switch (v->type) {
	case JKEY_MISSING: memcpy(b, "null", 4); break;
	case JKEY_FALSE: memcpy(b, "false", 5); break;
	case JKEY_TRUE: memcpy(b, "true", 4); break;
	case JKEY_STR: case JKEY_DATE:
		b[0] = '"';
		memcpy(b + 1, v->p, v->len);
		b[v->len + 1] = '"';
		break;
	default: memcpy(b, v->p, v->len);
	}
}

static const jkey_spec tkey = { .n = 1, .path = { "t" } };

/* Sets F from RAW (the time value's JSON text, N bytes), ID and LEAF.
 * Returns 0, or -1 (ENOMEM, or RAW is no JSON value). */
static int first_set(struct first *f, const char *raw, size_t n, const char *id, size_t idlen,
                     uint64_t leaf)
{
	char *t = malloc(n + 6), *i = malloc(idlen + 1);
	jkey_val v;
	if (!t || !i)
		goto fail;
	memcpy(t, "{\"t\":", 5);
	memcpy(t + 5, raw, n);
	t[n + 5] = '}';
	if (jkey_extract(&tkey, t, n + 6, &v, NULL, 0) != JKEY_OK)
		goto fail;
	memcpy(i, id, idlen);
	i[idlen] = 0;
	free(f->tline);
	free(f->id);
	*f = (struct first){ t, n + 6, v, i, idlen, leaf };
	return 0;
fail:
	free(t);
	free(i);
	return -1;
}

/* Order of first sightings: time, then _id, then the leaf's place. */
static int first_cmp(const struct first *a, const struct first *b)
{
	int c = jkey_cmp_val(&a->t, &b->t, 0);
	if (c)
		return c;
	c = memcmp(a->id, b->id, a->idlen < b->idlen ? a->idlen : b->idlen);
	if (c)
		return c;
	if (a->idlen != b->idlen)
		return a->idlen < b->idlen ? -1 : 1;
	return a->leaf < b->leaf ? -1 : a->leaf > b->leaf;
}

/* jflat callback: one leaf, accounted as osdown's pass 1 does. */
static int on_leaf(void *ctx, const char *name, size_t nlen, enum jflat_type t,
                   const char *v, size_t len)
{
	colstats *s = ctx;
	/* Lines mostly repeat the previous one's member order. */
	long guess = s->prev < 0 ? s->first : s->cols[s->prev].succ;
	long i = -1;
	if (guess >= 0 && s->cols[guess].len == nlen && memcmp(s->cols[guess].name, name, nlen) == 0)
		i = guess;
	if (i < 0)
		i = colstats_find(s, name, nlen);
	s->leaf++;
	if (i < 0) {
		struct col *n = col_add(s, name, nlen);
		if (!n) {
			s->nomem = 1;
			return 1;
		}
		i = (long)s->ncols - 1;
		if (s->keys) {
			char raw[4096];
			size_t rl = raw_len(&s->keys[0]);
			/* A time value too long to keep: order unknown. */
			if (rl > sizeof raw)
				s->keyed = 0;
			else {
				raw_put(&s->keys[0], raw);
				if (first_set(&n->first, raw, rl, s->keys[1].p, s->keys[1].len, s->leaf) != 0)
					s->keyed = 0;
			}
		}
	}
	if (s->prev < 0)
		s->first = i;
	else
		s->cols[s->prev].succ = i;
	s->prev = i;
	struct col *c = &s->cols[i];
	if (c->gen != s->gen) {
		c->gen = s->gen;
		c->present++;
	}
	if (t != JFLAT_NULL && len > c->max_len)
		c->max_len = len;
	coltype_add(c->type, t, v, len); /* ENOMEM only rules out a category */
	return 0;
}

int colstats_add_line(colstats *s, const char *line, size_t len, const jkey_val *keys,
                      char *err, size_t errlen)
{
	if (strspn(line, " \t\r") >= len)
		return 0;
	s->gen++;
	s->prev = -1;
	s->keys = keys;
	s->leaf = 0;
	if (!keys)
		s->keyed = 0;
	int jr = jflat_line(s->jf, line, len, on_leaf, s, err, errlen);
	if (s->nomem) /* on_leaf stopped the line */
		return errbuf_fail(err, errlen, -1, "out of memory");
	if (jr != JFLAT_OK)
		return -1;
	s->rows++;
	return 0;
}

/* ---- JSON out ---- */

struct buf {
	struct strbuf s;
	int inexact;
};

static void put(struct buf *b, const char *s, size_t n) { strbuf_put(&b->s, s, n); }

/* A string literal, without its NUL. */
#define PUTS(b, lit) put((b), (lit), sizeof(lit) - 1)

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...)
{
	char t[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	put(b, t, n < 0 ? 0 : (size_t)n);
}

/* A JSON string; bytes that are not UTF-8, and NUL (which the reader's
 * C strings would cut), make the statistics inexact. */
static void put_str(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	PUTS(b, "\"");
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = csv_utf8_len((const unsigned char *)s + i, n - i);
		if (k == 0 || c == 0) {
			b->inexact = 1;
			return;
		}
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			put(b, e, 2);
		} else if (c < 0x20) {
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			put(b, e, 6);
		} else {
			put(b, s + i, k);
		}
		i += k;
	}
	PUTS(b, "\"");
}

#define TF(x) ((x) ? "true" : "false")

static void put_col(struct buf *b, const struct col *c, int keyed)
{
	struct coltype_state st;
	coltype_get_state(c->type, &st);
	enum coltype_kind k = coltype_kind(c->type);
	PUTS(b, "{\"name\":");
	put_str(b, c->name, c->len);
	putf(b, ",\"type\":\"%s\",\"present\":%llu,\"values\":%llu,\"null\":%s,\"empty\":%s,"
	     "\"max_len\":%zu,", coltype_name(k), (unsigned long long)c->present,
	     (unsigned long long)st.values, TF(st.has_null), TF(st.has_empty),
	     c->max_len);
	putf(b, "\"bool\":%s,\"num\":%s,\"str\":%s,\"arr\":%s,", TF(st.saw_bool), TF(st.saw_num),
	     TF(st.saw_str), TF(st.saw_arr));
	putf(b, "\"int\":%s,\"f64\":%s,\"f32\":%s,\"ts\":%s,", TF(st.all_int), TF(st.f64_ok),
	     TF(st.f32_ok), TF(st.ts_ok));
	putf(b, "\"neg\":%s,\"min\":%lld,\"max\":%llu,", TF(st.has_neg),
	     (long long)st.min_neg, (unsigned long long)st.max_pos);
	if (keyed) {
		PUTS(b, "\"first\":{\"t\":");
		put_str(b, c->first.tline + 5, c->first.tlen - 6);
		PUTS(b, ",\"id\":");
		put_str(b, c->first.id, c->first.idlen);
		putf(b, ",\"leaf\":%llu},", (unsigned long long)c->first.leaf);
	}
	PUTS(b, "\"cat\":");
	if (!st.cat_ok) {
		PUTS(b, "null}");
		return;
	}
	PUTS(b, "[");
	const char *v;
	size_t len, pos = 0;
	for (int first = 1; coltype_dict_next(c->type, &pos, &v, &len); first = 0) {
		if (!first)
			PUTS(b, ",");
		put_str(b, v, len);
	}
	PUTS(b, "]}");
}

char *colstats_json(const colstats *s, size_t *len)
{
	struct buf b = { 0 };
	putf(&b, "{\"format\":\"" FORMAT "\",\"rows\":%llu,\"category_max\":%zu,"
	     "\"category_bytes\":%d,\"keyed\":%s,", (unsigned long long)s->rows, s->category_max,
	     CAT_BYTES, TF(s->keyed));
	size_t head = b.s.len;
	PUTS(&b, "\"exact\":true,\"columns\":[");
	for (size_t i = 0; i < s->ncols && !b.inexact; i++) {
		if (i)
			PUTS(&b, ",");
		put_col(&b, &s->cols[i], s->keyed);
	}
	PUTS(&b, "]}");
	if (b.inexact && !b.s.nomem) {
		b.s.len = head;
		PUTS(&b, "\"exact\":false,\"columns\":[]}");
	}
	if (b.s.nomem) {
		free(b.s.p);
		return NULL;
	}
	*len = b.s.len;
	return b.s.p;
}

/* ---- JSON in ---- */

static yajl_val member(yajl_val obj, const char *key)
{
	const char *path[] = { key, NULL };
	return yajl_tree_get(obj, path, yajl_t_any);
}

/* Reads member KEY of OBJ: an unsigned integer (*U), signed (*I) or a
 * boolean (*B).  0 or -1 when it is missing or of another type. */
static int get_u64(yajl_val obj, const char *key, uint64_t *u)
{
	yajl_val v = member(obj, key);
	if (!v || !YAJL_IS_NUMBER(v) || YAJL_GET_NUMBER(v)[0] == '-')
		return -1;
	errno = 0;
	char *end;
	*u = strtoull(YAJL_GET_NUMBER(v), &end, 10);
	return errno || *end ? -1 : 0;
}
static int get_i64(yajl_val obj, const char *key, int64_t *i)
{
	yajl_val v = member(obj, key);
	if (!v || !YAJL_IS_NUMBER(v))
		return -1;
	errno = 0;
	char *end;
	*i = strtoll(YAJL_GET_NUMBER(v), &end, 10);
	return errno || *end ? -1 : 0;
}
static int get_bool(yajl_val obj, const char *key, int *b)
{
	yajl_val v = member(obj, key);
	if (!v || !(YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)))
		return -1;
	*b = YAJL_IS_TRUE(v);
	return 0;
}

/* Merges one column object (KEYED: with its first sighting).  0, or -1
 * with ERR filled. */
static int merge_col(colstats *s, yajl_val o, int keyed, char *err, size_t errlen)
{
	const char *pt[] = { "first", "t", NULL }, *pi[] = { "first", "id", NULL };
	const char *pl[] = { "first", "leaf", NULL };
	yajl_val ft = keyed ? yajl_tree_get(o, pt, yajl_t_string) : NULL;
	yajl_val fi = keyed ? yajl_tree_get(o, pi, yajl_t_string) : NULL;
	yajl_val fl = keyed ? yajl_tree_get(o, pl, yajl_t_number) : NULL;
	struct first f = { 0 };
	if (keyed && (!ft || !fi || !fl || !YAJL_IS_INTEGER(fl) ||
		      first_set(&f, ft->u.string, strlen(ft->u.string), fi->u.string,
				strlen(fi->u.string), (uint64_t)YAJL_GET_INTEGER(fl)) != 0))
		return errbuf_fail(err, errlen, -1, "a column's first sighting is incomplete");
	struct coltype_state st;
	uint64_t present, max_len;
	yajl_val name = member(o, "name"), cat = member(o, "cat");
	if (!YAJL_IS_OBJECT(o) || !name || !YAJL_IS_STRING(name) || !cat ||
	    !(YAJL_IS_NULL(cat) || YAJL_IS_ARRAY(cat)) ||
	    get_u64(o, "present", &present) || get_u64(o, "values", &st.values) ||
	    get_u64(o, "max_len", &max_len) || get_bool(o, "null", &st.has_null) ||
	    get_bool(o, "empty", &st.has_empty) || get_bool(o, "bool", &st.saw_bool) ||
	    get_bool(o, "num", &st.saw_num) || get_bool(o, "str", &st.saw_str) ||
	    get_bool(o, "arr", &st.saw_arr) || get_bool(o, "int", &st.all_int) ||
	    get_bool(o, "f64", &st.f64_ok) || get_bool(o, "f32", &st.f32_ok) ||
	    get_bool(o, "ts", &st.ts_ok) || get_bool(o, "neg", &st.has_neg) ||
	    get_i64(o, "min", &st.min_neg) || get_u64(o, "max", &st.max_pos))
		return errbuf_fail(err, errlen, -1, "a column's statistics are incomplete");
	st.cat_ok = YAJL_IS_ARRAY(cat);
	const char *n = name->u.string;
	size_t nlen = strlen(n);
	long i = colstats_find(s, n, nlen);
	struct col *c = i >= 0 ? &s->cols[i] : col_add(s, n, nlen);
	if (!c) {
		free(f.tline);
		free(f.id);
		return errbuf_fail(err, errlen, -1, "out of memory");
	}
	if (keyed && (i < 0 || first_cmp(&f, &c->first) < 0)) {
		free(c->first.tline);
		free(c->first.id);
		c->first = f;
	} else {
		free(f.tline);
		free(f.id);
	}
	coltype_merge_state(c->type, &st);
	c->present += present;
	if (max_len > c->max_len)
		c->max_len = (size_t)max_len;
	for (size_t k = 0; st.cat_ok && k < YAJL_GET_ARRAY(cat)->len; k++) {
		yajl_val v = YAJL_GET_ARRAY(cat)->values[k];
		const char *t = YAJL_IS_STRING(v) ? v->u.string : NULL;
		if (!t)
			return errbuf_fail(err, errlen, -1, "a column's dictionary holds a non-string");
		if (coltype_merge_value(c->type, t, strlen(t)) < 0)
			return errbuf_fail(err, errlen, -1, "out of memory");
	}
	return 0;
}

static int col_first_cmp(const void *a, const void *b)
{
	const struct col *x = a, *y = b;
	return first_cmp(&x->first, &y->first);
}

/* Puts the columns in the order of their first sighting (what one pass
 * over the chunks merged by time and _id would see). */
static int sort_cols(colstats *s)
{
	if (s->ncols == 0)
		return 0; /* nothing allocated yet */
	qsort(s->cols, s->ncols, sizeof *s->cols, col_first_cmp);
	memset(s->hash, 0xff, s->hash_cap * sizeof *s->hash);
	for (size_t i = 0; i < s->ncols; i++) {
		hash_put(s->hash, s->hash_cap, s->cols[i].hash, i);
		s->cols[i].succ = -1;
	}
	s->first = s->prev = -1;
	return 0;
}

int colstats_merge_json(colstats *s, const char *json, char *err, size_t errlen)
{
	char perr[256];
	int rc = -1;
	yajl_val root = yajl_tree_parse(json, perr, sizeof perr);
	if (!root) {
		perr[strcspn(perr, "\r\n")] = 0;
		return errbuf_fail(err, errlen, -1, "invalid JSON: %s", perr);
	}
	yajl_val cs = member(root, "colstats");
	if (!cs)
		cs = root;
	yajl_val fmt = member(cs, "format"), cols = member(cs, "columns");
	uint64_t rows, cmax, cbytes;
	int exact, keyed = 0;
	if (!YAJL_IS_OBJECT(cs) || !fmt) {
		errbuf_fail(err, errlen, -1, "no column statistics (fetched by an older osfetch, or --no-sort?)");
		goto out;
	}
	if (!YAJL_IS_STRING(fmt) || strcmp(fmt->u.string, FORMAT) != 0) {
		errbuf_fail(err, errlen, -1, "column statistics of another format than " FORMAT);
		goto out;
	}
	if (get_u64(cs, "rows", &rows) || get_u64(cs, "category_max", &cmax) ||
	    get_u64(cs, "category_bytes", &cbytes) || get_bool(cs, "exact", &exact) ||
	    !cols || !YAJL_IS_ARRAY(cols)) {
		errbuf_fail(err, errlen, -1, "column statistics are incomplete");
		goto out;
	}
	if (!exact) {
		errbuf_fail(err, errlen, -1, "column statistics are not exact (a name or value is not "
			    "valid UTF-8): use osdown's two passes");
		goto out;
	}
	if (cmax < s->category_max || cbytes < CAT_BYTES) {
		errbuf_fail(err, errlen, -1, "column statistics kept categories of up to %llu values, "
			    "fewer than the %zu asked for", (unsigned long long)cmax, s->category_max);
		goto out;
	}
	if (get_bool(cs, "keyed", &keyed) != 0)
		keyed = 0;
	if (!keyed)
		s->keyed = 0;
	for (size_t i = 0; i < YAJL_GET_ARRAY(cols)->len; i++)
		if (merge_col(s, YAJL_GET_ARRAY(cols)->values[i], s->keyed, err, errlen) != 0)
			goto out;
	s->rows += rows;
	if (s->keyed && sort_cols(s) != 0) {
		errbuf_fail(err, errlen, -1, "out of memory");
		goto out;
	}
	rc = 0;
out:
	yajl_tree_free(root);
	return rc;
}

uint64_t colstats_rows(const colstats *s) { return s->rows; }
size_t colstats_ncols(const colstats *s) { return s->ncols; }

void colstats_col(const colstats *s, size_t i, struct colstats_col *out)
{
	const struct col *c = &s->cols[i];
	*out = (struct colstats_col){ c->name, c->len, coltype_kind(c->type),
	                              c->present < s->rows || coltype_has_null(c->type),
	                              coltype_has_empty(c->type), coltype_values(c->type),
	                              coltype_distinct(c->type), c->max_len };
}

int colstats_merge_file(colstats *s, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL, e[256];
	size_t len = 0, cap = 0;
	int rc = -1;
	if (!f)
		return errbuf_fail(err, errlen, -1, "%s: %s", path, strerror(errno));
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *t = realloc(text, cap = cap ? cap * 2 : 65536);
			if (!t) {
				errbuf_fail(err, errlen, -1, "out of memory");
				goto out;
			}
			text = t;
		}
		size_t k = fread(text + len, 1, cap - len - 1, f);
		len += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		errbuf_fail(err, errlen, -1, "%s: %s", path, strerror(errno));
		goto out;
	}
	text[len] = 0;
	if ((rc = colstats_merge_json(s, text, e, sizeof e)) != 0)
		errbuf_fail(err, errlen, -1, "%s: %s", path, e);
out:
	free(text);
	fclose(f);
	return rc;
}
