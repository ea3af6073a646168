/* colstats.c - per-column statistics that can be saved and merged, see colstats.h. */
#include "colstats.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "csv.h"
#include "fnv.h"
#include "jflat.h"

#define FORMAT "osdl-colstats/1"
#define CAT_BYTES (256 * 1024) /* coltype's default dictionary bytes */

struct col {
	char *name;
	size_t len;
	uint32_t hash;
	coltype *type;
	uint64_t present, gen;
	size_t max_len;
	long succ;          /* column after this one in the last line, -1 */
};

struct colstats {
	size_t category_max;
	struct col *cols;
	size_t ncols, cap;
	int32_t *hash;      /* open addressing into cols, -1 empty */
	size_t hash_cap;
	uint64_t rows, gen;
	long first, prev;   /* first column of the last line, previous leaf */
	int nomem;
	jflat *jf;
	char err[256];
};

colstats *colstats_new(size_t category_max)
{
	colstats *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->category_max = category_max;
	s->first = s->prev = -1;
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
	if (i < 0) {
		if (!col_add(s, name, nlen)) {
			s->nomem = 1;
			return 1;
		}
		i = (long)s->ncols - 1;
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

int colstats_add_line(colstats *s, const char *line, size_t len)
{
	if (strspn(line, " \t\r") >= len)
		return 0;
	s->gen++;
	s->prev = -1;
	int jr = jflat_line(s->jf, line, len, on_leaf, s);
	if (s->nomem || jr == JFLAT_ERR_NOMEM) {
		snprintf(s->err, sizeof s->err, "out of memory");
		return -1;
	}
	if (jr != JFLAT_OK) {
		snprintf(s->err, sizeof s->err, "%s", jflat_error(s->jf));
		return -1;
	}
	s->rows++;
	return 0;
}

/* ---- JSON out ---- */

struct buf {
	char *p;
	size_t len, cap;
	int nomem, inexact;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->nomem)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->nomem = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

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
	put(b, "\"", 1);
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
	put(b, "\"", 1);
}

#define TF(x) ((x) ? "true" : "false")

static void put_col(struct buf *b, const struct col *c)
{
	struct coltype_state st;
	coltype_get_state(c->type, &st);
	enum coltype_kind k = coltype_kind(c->type);
	put(b, "{\"name\":", 8);
	put_str(b, c->name, c->len);
	putf(b, ",\"type\":\"%s\",\"present\":%llu,\"values\":%llu,\"null\":%s,\"empty\":%s,"
	     "\"max_len\":%zu,", coltype_name(k), (unsigned long long)c->present,
	     (unsigned long long)st.values, TF(st.has_null), TF(st.has_empty),
	     c->max_len);
	putf(b, "\"bool\":%s,\"num\":%s,\"str\":%s,\"arr\":%s,", TF(st.saw_bool), TF(st.saw_num),
	     TF(st.saw_str), TF(st.saw_arr));
	putf(b, "\"int\":%s,\"f64\":%s,\"f32\":%s,\"ts\":%s,", TF(st.all_int), TF(st.f64_ok),
	     TF(st.f32_ok), TF(st.ts_ok));
	putf(b, "\"neg\":%s,\"min\":%lld,\"max\":%llu,\"cat\":", TF(st.has_neg),
	     (long long)st.min_neg, (unsigned long long)st.max_pos);
	if (!st.cat_ok) {
		put(b, "null}", 5);
		return;
	}
	put(b, "[", 1);
	const char *v;
	size_t len, pos = 0;
	for (int first = 1; coltype_dict_next(c->type, &pos, &v, &len); first = 0) {
		if (!first)
			put(b, ",", 1);
		put_str(b, v, len);
	}
	put(b, "]}", 2);
}

char *colstats_json(const colstats *s, size_t *len)
{
	struct buf b = { 0 };
	putf(&b, "{\"format\":\"" FORMAT "\",\"rows\":%llu,\"category_max\":%zu,"
	     "\"category_bytes\":%d,", (unsigned long long)s->rows, s->category_max, CAT_BYTES);
	size_t head = b.len;
	put(&b, "\"exact\":true,\"columns\":[", 24);
	for (size_t i = 0; i < s->ncols && !b.inexact; i++) {
		if (i)
			put(&b, ",", 1);
		put_col(&b, &s->cols[i]);
	}
	put(&b, "]}", 2);
	if (b.inexact && !b.nomem) {
		b.len = head;
		put(&b, "\"exact\":false,\"columns\":[]}", 27);
	}
	if (b.nomem) {
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
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

/* Merges one column object.  0, or -1 with ERR filled. */
static int merge_col(colstats *s, yajl_val o, char *err, size_t errlen)
{
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
	    get_i64(o, "min", &st.min_neg) || get_u64(o, "max", &st.max_pos)) {
		snprintf(err, errlen, "a column's statistics are incomplete");
		return -1;
	}
	st.cat_ok = YAJL_IS_ARRAY(cat);
	const char *n = name->u.string;
	size_t nlen = strlen(n);
	long i = colstats_find(s, n, nlen);
	struct col *c = i >= 0 ? &s->cols[i] : col_add(s, n, nlen);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	coltype_merge_state(c->type, &st);
	c->present += present;
	if (max_len > c->max_len)
		c->max_len = (size_t)max_len;
	for (size_t k = 0; st.cat_ok && k < YAJL_GET_ARRAY(cat)->len; k++) {
		yajl_val v = YAJL_GET_ARRAY(cat)->values[k];
		const char *t = YAJL_IS_STRING(v) ? v->u.string : NULL;
		if (!t) {
			snprintf(err, errlen, "a column's dictionary holds a non-string");
			return -1;
		}
		if (coltype_merge_value(c->type, t, strlen(t)) < 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int colstats_merge_json(colstats *s, const char *json, char *err, size_t errlen)
{
	char perr[256];
	int rc = -1;
	yajl_val root = yajl_tree_parse(json, perr, sizeof perr);
	if (!root) {
		perr[strcspn(perr, "\r\n")] = 0;
		snprintf(err, errlen, "invalid JSON: %s", perr);
		return -1;
	}
	yajl_val cs = member(root, "colstats");
	if (!cs)
		cs = root;
	yajl_val fmt = member(cs, "format"), cols = member(cs, "columns");
	uint64_t rows, cmax, cbytes;
	int exact;
	if (!YAJL_IS_OBJECT(cs) || !fmt) {
		snprintf(err, errlen, "no column statistics (fetched by an older osfetch, or --no-sort?)");
		goto out;
	}
	if (!YAJL_IS_STRING(fmt) || strcmp(fmt->u.string, FORMAT) != 0) {
		snprintf(err, errlen, "column statistics of another format than " FORMAT);
		goto out;
	}
	if (get_u64(cs, "rows", &rows) || get_u64(cs, "category_max", &cmax) ||
	    get_u64(cs, "category_bytes", &cbytes) || get_bool(cs, "exact", &exact) ||
	    !cols || !YAJL_IS_ARRAY(cols)) {
		snprintf(err, errlen, "column statistics are incomplete");
		goto out;
	}
	if (!exact) {
		snprintf(err, errlen, "column statistics are not exact (a name or value is not "
			 "valid UTF-8): use osdown's two passes");
		goto out;
	}
	if (cmax < s->category_max || cbytes < CAT_BYTES) {
		snprintf(err, errlen, "column statistics kept categories of up to %llu values, "
			 "fewer than the %zu asked for", (unsigned long long)cmax, s->category_max);
		goto out;
	}
	for (size_t i = 0; i < YAJL_GET_ARRAY(cols)->len; i++)
		if (merge_col(s, YAJL_GET_ARRAY(cols)->values[i], err, errlen) != 0)
			goto out;
	s->rows += rows;
	rc = 0;
out:
	yajl_tree_free(root);
	return rc;
}

uint64_t colstats_rows(const colstats *s) { return s->rows; }
size_t colstats_ncols(const colstats *s) { return s->ncols; }
const char *colstats_error(const colstats *s) { return s->err; }

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
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *t = realloc(text, cap = cap ? cap * 2 : 65536);
			if (!t) {
				snprintf(err, errlen, "out of memory");
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
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	text[len] = 0;
	if ((rc = colstats_merge_json(s, text, e, sizeof e)) != 0)
		snprintf(err, errlen, "%s: %s", path, e);
out:
	free(text);
	fclose(f);
	return rc;
}
