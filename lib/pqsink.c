/* pqsink.c - osdown's Parquet output: inferred columns in, typed cells out. */
#include "pqsink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "arrowfb.h"
#include "coltype.h"
#include "csv.h"
#include "osdl.h"
#include "pqenc.h"

struct pqsink {
	parquet_w *w;
	struct down_sink sink;
	struct pqenc_buf fix;   /* a string with invalid UTF-8 replaced */
	uint64_t replaced;
};

/* S as valid UTF-8: S itself when it is, else a copy in FIX with each
 * invalid byte replaced by U+FFFD.  NULL on allocation failure. */
static const char *utf8(pqsink *k, const char *s, size_t n, size_t *out_len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	for (;;) {
		/* ASCII eight bytes at a time, the common case. */
		for (uint64_t w; i + 8 <= n; i += 8) {
			memcpy(&w, u + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
		}
		while (i < n && u[i] < 0x80)
			i++;
		if (i == n) {
			*out_len = n;
			return s;
		}
		size_t c = csv_utf8_len(u + i, n - i);
		if (c == 0)
			break;
		i += c;
	}
	k->fix.len = 0;
	pqenc_put(&k->fix, s, i);
	while (i < n) {
		size_t c = csv_utf8_len(u + i, n - i);
		if (c == 0) {
			pqenc_put(&k->fix, "\xEF\xBF\xBD", 3);
			k->replaced++;
			i++;
		} else {
			pqenc_put(&k->fix, s + i, c);
			i += c;
		}
	}
	if (k->fix.nomem)
		return NULL;
	*out_len = k->fix.len;
	return (const char *)k->fix.p;
}

static enum parquet_type ptype(enum coltype_kind k)
{
	switch (k) {
	case COLTYPE_BOOL: return PARQUET_BOOL;
	case COLTYPE_INT8: return PARQUET_INT8;
	case COLTYPE_INT16: return PARQUET_INT16;
	case COLTYPE_INT32: return PARQUET_INT32;
	case COLTYPE_INT64: return PARQUET_INT64;
	case COLTYPE_UINT64: return PARQUET_UINT64;
	case COLTYPE_FLOAT32: return PARQUET_FLOAT;
	case COLTYPE_FLOAT64: return PARQUET_DOUBLE;
	case COLTYPE_TIMESTAMP: return PARQUET_TIMESTAMP_MS;
	default: return PARQUET_STRING;
	}
}

static int cell(void *ctx, const struct down_cell *c)
{
	pqsink *k = ctx;
	struct coltype_num x;
	if (c->t == JFLAT_NULL)
		return parquet_null(k->w, c->col);
	if (coltype_number(c->kind, c->date_field, c->t, c->v, c->len, &x) < 0)
		return -2;
	switch (ptype(c->kind)) {
	case PARQUET_BOOL: return parquet_bool(k->w, c->col, (int)x.i);
	case PARQUET_UINT64: return parquet_uint(k->w, c->col, x.u);
	case PARQUET_FLOAT: return parquet_float(k->w, c->col, (float)x.d);
	case PARQUET_DOUBLE: return parquet_double(k->w, c->col, x.d);
	case PARQUET_STRING: {
		size_t n;
		const char *s = utf8(k, c->v, c->len, &n);
		if (!s) {
			errno = ENOMEM;
			return -1;
		}
		return parquet_string(k->w, c->col, s, n);
	}
	default: return parquet_int(k->w, c->col, x.i);
	}
}

static int end_row(void *ctx)
{
	pqsink *k = ctx;
	return parquet_end_row(k->w);
}

/* The Arrow type of a column: what its Parquet type implies, except that a
 * category is dictionary<int32, utf8>, so pyarrow (and pandas) load it as a
 * category. */
static struct arrowfb_field arrow_field(const struct parquet_col *c, enum coltype_kind k)
{
	static const struct { enum arrowfb_type t; int bits, is_signed; } at[] = {
		[PARQUET_BOOL] = { ARROWFB_BOOL, 0, 0 },
		[PARQUET_INT8] = { ARROWFB_INT, 8, 1 },
		[PARQUET_INT16] = { ARROWFB_INT, 16, 1 },
		[PARQUET_INT32] = { ARROWFB_INT, 32, 1 },
		[PARQUET_INT64] = { ARROWFB_INT, 64, 1 },
		[PARQUET_UINT64] = { ARROWFB_INT, 64, 0 },
		[PARQUET_FLOAT] = { ARROWFB_FLOAT, 32, 1 },
		[PARQUET_DOUBLE] = { ARROWFB_FLOAT, 64, 1 },
		[PARQUET_TIMESTAMP_MS] = { ARROWFB_TIMESTAMP_MS, 64, 1 },
		[PARQUET_STRING] = { ARROWFB_UTF8, 0, 0 },
	};
	return (struct arrowfb_field){ c->name, c->name_len, at[c->type].t, at[c->type].bits,
	                               at[c->type].is_signed, c->nullable, k == COLTYPE_CATEGORY };
}

#define GS(g, s) yajl_gen_string(g, (const unsigned char *)(s), strlen(s))

/* The "pandas" footer metadata: the columns and their pandas dtypes, as
 * pyarrow's to_pandas reads them back (numpy_type "Int8" etc. become the
 * nullable extension dtypes).  NUL-terminated, malloc'd; NULL on failure. */
static char *pandas_meta(const struct parquet_col *pc, const struct down_col *dc, size_t n)
{
	char *out = NULL;
	yajl_gen g = yajl_gen_alloc(NULL);
	if (!g)
		return NULL;
	yajl_gen_map_open(g);
	GS(g, "index_columns");
	yajl_gen_array_open(g);
	yajl_gen_array_close(g);
	GS(g, "column_indexes");
	yajl_gen_array_open(g);
	yajl_gen_array_close(g);
	GS(g, "columns");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		static const char *const ptypes[] = {
			[COLTYPE_STRING] = "unicode", [COLTYPE_CATEGORY] = "unicode",
			[COLTYPE_TIMESTAMP] = "datetimetz", [COLTYPE_BOOL] = "bool",
			[COLTYPE_INT8] = "int8", [COLTYPE_INT16] = "int16",
			[COLTYPE_INT32] = "int32", [COLTYPE_INT64] = "int64",
			[COLTYPE_UINT64] = "uint64", [COLTYPE_FLOAT32] = "float32",
			[COLTYPE_FLOAT64] = "float64",
		};
		enum coltype_kind k = dc[i].kind;
		yajl_gen_map_open(g);
		GS(g, "name");
		yajl_gen_string(g, (const unsigned char *)pc[i].name, pc[i].name_len);
		GS(g, "field_name");
		yajl_gen_string(g, (const unsigned char *)pc[i].name, pc[i].name_len);
		GS(g, "pandas_type");
		GS(g, ptypes[k]);
		GS(g, "numpy_type");
		/* Strings and categories: what pyarrow writes for strings, so
		 * pandas picks its default string dtype (Arrow-backed "str" in
		 * pandas 3, far smaller than "string"'s Python objects).  A
		 * category needs an Arrow dictionary type to load as one. */
		GS(g, k == COLTYPE_CATEGORY || k == COLTYPE_STRING ? "object"
		                                                   : coltype_pandas(k, dc[i].nullable));
		GS(g, "metadata");
		if (k == COLTYPE_TIMESTAMP) {
			yajl_gen_map_open(g);
			GS(g, "timezone");
			GS(g, "UTC");
			yajl_gen_map_close(g);
		} else {
			yajl_gen_null(g);
		}
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	GS(g, "creator");
	yajl_gen_map_open(g);
	GS(g, "library");
	GS(g, "osdl");
	GS(g, "version");
	GS(g, OSDL_VERSION);
	yajl_gen_map_close(g);
	yajl_gen_map_close(g);
	const unsigned char *text;
	size_t len;
	if (yajl_gen_get_buf(g, &text, &len) == yajl_gen_status_ok && (out = malloc(len + 1))) {
		memcpy(out, text, len);
		out[len] = 0;
	}
	yajl_gen_free(g);
	return out;
}

pqsink *pqsink_new(int fd, const down *d, const struct pqsink_opts *o)
{
	size_t n = down_ncols(d);
	pqsink *k = calloc(1, sizeof *k);
	struct parquet_col *pc = calloc(n + 1, sizeof *pc);
	struct down_col *dc = calloc(n + 1, sizeof *dc);
	char **names = calloc(n + 1, sizeof *names);
	char *meta = NULL, *arrow = NULL;
	struct arrowfb_field *af = calloc(n + 1, sizeof *af);
	int ok = k && pc && dc && names && af;
	for (size_t i = 0; ok && i < n; i++) {
		down_col(d, i, &dc[i]);
		size_t len;
		const char *s = utf8(k, dc[i].name, dc[i].name_len, &len);
		if (!s || !(names[i] = malloc(len + 1))) {
			ok = 0;
			break;
		}
		memcpy(names[i], s, len);
		names[i][len] = 0;
		pc[i] = (struct parquet_col){ names[i], len, ptype(dc[i].kind), dc[i].nullable };
		af[i] = arrow_field(&pc[i], dc[i].kind);
	}
	if (ok && (meta = pandas_meta(pc, dc, n))) {
		const char *akv[] = { "pandas", meta, NULL };
		arrow = arrowfb_schema_base64(af, n, akv);
	}
	if (!meta || !arrow)
		ok = 0;
	if (ok) {
		const char *kv[] = { "pandas", meta, "ARROW:schema", arrow, NULL };
		struct parquet_opts po = { o->codec, 0, o->rg_rows, o->rg_bytes, 0,
		                           "osdl version " OSDL_VERSION, kv };
		if (!(k->w = parquet_new(fd, pc, n, &po)))
			ok = 0;
	}
	int err = errno;
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	free(pc);
	free(dc);
	free(meta);
	free(arrow);
	free(af);
	if (!ok) {
		pqsink_free(k);
		errno = err ? err : ENOMEM;
		return NULL;
	}
	k->sink = (struct down_sink){ k, cell, end_row };
	return k;
}

void pqsink_free(pqsink *s)
{
	if (!s)
		return;
	parquet_free(s->w);
	pqenc_buf_free(&s->fix);
	free(s);
}

const struct down_sink *pqsink_sink(pqsink *s) { return &s->sink; }
int pqsink_finish(pqsink *s) { return parquet_finish(s->w); }
uint64_t pqsink_bytes(const pqsink *s) { return parquet_bytes(s->w); }
uint64_t pqsink_row_groups(const pqsink *s) { return parquet_row_groups(s->w); }
uint64_t pqsink_replaced(const pqsink *s) { return s->replaced; }
