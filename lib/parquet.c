/* parquet.c - a streaming writer of flat Parquet files.
 *
 * (Over 600 lines: pages, column chunks, statistics and the footer share the
 * row group's buffers; the encodings and Thrift are in pqenc and thrift.) */
#include "parquet.h"

#include <errno.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "pqenc.h"
#include "thrift.h"

/* parquet.thrift numbers. */
enum { T_BOOLEAN = 0, T_INT32 = 1, T_INT64 = 2, T_FLOAT = 4, T_DOUBLE = 5, T_BYTE_ARRAY = 6 };
enum { E_PLAIN = 0, E_RLE = 3, E_RLE_DICTIONARY = 8 };
enum { P_DATA_PAGE = 0, P_DICTIONARY_PAGE = 2 };
enum { CT_UTF8 = 0, CT_TIMESTAMP_MILLIS = 9, CT_UINT_64 = 14, CT_INT_8 = 15 };

#define PAGE_BYTES_MAX ((size_t)1 << 20)
#define PAGE_BYTES_MIN ((size_t)64 << 10)
#define PAGE_ROWS 20000        /* bounds the level and index arrays of a page */
#define DICT_BYTES_DEFAULT ((size_t)1 << 20)
#define STAT_MAX 256           /* longest string kept exactly in statistics */
#define OUT_BUF ((size_t)256 << 10)

/* A finished data page: header and (compressed) body, kept until its row
 * group is written. */
struct page {
	struct page *next;
	size_t len;
	uint8_t data[];
};

struct pcol {
	struct parquet_col c;
	int phys;
	/* the page being filled */
	struct pqenc_buf def;      /* definition levels, one byte per row */
	struct pqenc_buf vals;     /* PLAIN values (booleans: one byte each) */
	uint32_t *idx;             /* dictionary indices of the page */
	size_t nidx, idx_cap;
	uint32_t page_rows;
	/* the column chunk */
	struct page *pages, **tail;
	pqenc_dict *dict;          /* strings only */
	int dict_on;               /* still dictionary-encoding this chunk */
	int used_plain, used_dict;
	uint64_t rg_rows, nulls;
	uint64_t unc_size, comp_size; /* data pages, headers included */
	/* statistics of the chunk */
	int has_stat;
	int64_t imin, imax;
	uint64_t umin, umax;
	double dmin, dmax;
	uint8_t smin[STAT_MAX], smax[STAT_MAX];
	size_t smin_len, smax_len;
	int smin_cut, smax_cut;    /* holds only the first STAT_MAX bytes */
};

struct parquet_w {
	int fd;
	int failed;
	struct parquet_opts o;
	char **kv;
	size_t nkv;
	struct pcol *cols;
	size_t ncols;
	size_t page_bytes;
	size_t held;               /* bytes the row group holds in memory */
	uint64_t rows, rg_rows, nrg, off;
	struct pqenc_buf out;      /* file bytes not yet written */
	struct pqenc_buf body, comp, rgmeta;
	thrift_w *th, *meta;
	ZSTD_CCtx *zc;
};

static int fail(parquet_w *w, int err)
{
	w->failed = 1;
	errno = err;
	return -1;
}

static int flush_out(parquet_w *w)
{
	size_t done = 0;
	while (done < w->out.len) {
		ssize_t n = write(w->fd, w->out.p + done, w->out.len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(w, errno);
		done += (size_t)n;
	}
	w->out.len = 0;
	return 0;
}

/* Appends file bytes; the offset counts them. */
static int emit(parquet_w *w, const void *p, size_t n)
{
	if (w->out.len + n > OUT_BUF && flush_out(w) < 0)
		return -1;
	if (n >= OUT_BUF) {
		size_t done = 0;
		while (done < n) {
			ssize_t k = write(w->fd, (const uint8_t *)p + done, n - done);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return fail(w, errno);
			done += (size_t)k;
		}
	} else {
		pqenc_put(&w->out, p, n);
		if (w->out.nomem)
			return fail(w, ENOMEM);
	}
	w->off += n;
	return 0;
}

/* BODY compressed with the writer's codec into *OUT (BODY itself when
 * uncompressed). */
static int compress(parquet_w *w, const uint8_t *body, size_t n, const uint8_t **out,
                    size_t *out_len)
{
	w->comp.len = 0;
	if (w->o.codec == PARQUET_UNCOMPRESSED) {
		*out = body;
		*out_len = n;
		return 0;
	}
	if (w->o.codec == PARQUET_ZSTD) {
		size_t cap = ZSTD_compressBound(n);
		uint8_t *dst = pqenc_reserve(&w->comp, cap);
		if (!dst)
			return fail(w, ENOMEM);
		size_t k = ZSTD_compressCCtx(w->zc, dst, cap, body, n, w->o.zstd_level);
		if (ZSTD_isError(k))
			return fail(w, ENOMEM); /* its only failure with a bound-sized buffer */
		*out = dst;
		*out_len = k;
		return 0;
	}
	int cap = LZ4_compressBound((int)n);
	uint8_t *dst = pqenc_reserve(&w->comp, (size_t)cap);
	if (!dst)
		return fail(w, ENOMEM);
	int k = LZ4_compress_default((const char *)body, (char *)dst, (int)n, cap);
	if (k <= 0)
		return fail(w, EINVAL);
	*out = dst;
	*out_len = (size_t)k;
	return 0;
}

/* A page header for a body of UNC bytes, COMP compressed. */
static const uint8_t *page_header(parquet_w *w, int type, size_t unc, size_t comp,
                                  uint32_t nvalues, int encoding, size_t *len)
{
	thrift_reset(w->th);
	thrift_i32(w->th, 1, type);
	thrift_i32(w->th, 2, (int32_t)unc);
	thrift_i32(w->th, 3, (int32_t)comp);
	if (type == P_DATA_PAGE) {
		thrift_begin(w->th, 5);
		thrift_i32(w->th, 1, (int32_t)nvalues);
		thrift_i32(w->th, 2, encoding);
		thrift_i32(w->th, 3, E_RLE);
		thrift_i32(w->th, 4, E_RLE);
		thrift_end(w->th);
	} else {
		thrift_begin(w->th, 7);
		thrift_i32(w->th, 1, (int32_t)nvalues);
		thrift_i32(w->th, 2, E_PLAIN);
		thrift_end(w->th);
	}
	thrift_end(w->th);
	return thrift_data(w->th, len);
}

static size_t page_raw(const struct pcol *c)
{
	return c->def.len + c->vals.len + c->nidx * 4;
}

/* Encodes, compresses and keeps the page being filled in column C. */
static int close_page(parquet_w *w, struct pcol *c)
{
	if (c->page_rows == 0)
		return 0;
	struct pqenc_buf *b = &w->body;
	b->len = 0;
	if (c->c.nullable)
		pqenc_levels(b, c->def.p, c->def.len, 1);
	int enc = E_PLAIN;
	if (c->phys == T_BOOLEAN) {
		pqenc_bools(b, c->vals.p, c->vals.len);
	} else if (c->nidx > 0 && !c->used_dict && pqenc_dict_count(c->dict) * 2 > c->nidx) {
		/* The chunk's first page: mostly distinct values, which PLAIN
		 * and the codec store smaller than a dictionary.  This page and
		 * the rest of the chunk go PLAIN. */
		size_t held = w->held - page_raw(c);
		for (size_t i = 0; i < c->nidx; i++) {
			size_t len;
			const uint8_t *e = pqenc_dict_entry(c->dict, c->idx[i], &len);
			pqenc_bytes(&c->vals, e, len);
		}
		size_t dlen;
		pqenc_dict_plain(c->dict, &dlen);
		c->nidx = 0;
		w->held = held - dlen + page_raw(c);
		pqenc_dict_reset(c->dict);
		c->dict_on = 0;
		pqenc_put(b, c->vals.p, c->vals.len);
		c->used_plain = 1;
	} else if (c->nidx > 0) {
		/* Indices are below the dictionary's current size. */
		uint32_t n = pqenc_dict_count(c->dict);
		uint8_t width = (uint8_t)pqenc_width(n > 1 ? n - 1 : 1);
		pqenc_put(b, &width, 1);
		pqenc_rle(b, c->idx, c->nidx, width);
		enc = E_RLE_DICTIONARY;
		c->used_dict = 1;
	} else {
		pqenc_put(b, c->vals.p, c->vals.len);
		c->used_plain = 1;
	}
	if (b->nomem)
		return fail(w, ENOMEM);
	const uint8_t *body;
	size_t blen, hlen;
	if (compress(w, b->p, b->len, &body, &blen) < 0)
		return -1;
	const uint8_t *h = page_header(w, P_DATA_PAGE, b->len, blen, c->page_rows, enc, &hlen);
	struct page *p = h ? malloc(sizeof *p + hlen + blen) : NULL;
	if (!p)
		return fail(w, ENOMEM);
	p->next = NULL;
	p->len = hlen + blen;
	memcpy(p->data, h, hlen);
	memcpy(p->data + hlen, body, blen);
	*c->tail = p;
	c->tail = &p->next;
	c->unc_size += hlen + b->len;
	c->comp_size += hlen + blen;
	w->held = w->held - page_raw(c) + p->len;
	c->def.len = c->vals.len = c->nidx = 0;
	c->page_rows = 0;
	return 0;
}

/* Statistics as PLAIN bytes (strings without a length prefix). */
static void stat_bytes(const struct pcol *c, int max, uint8_t *buf, const uint8_t **p, size_t *n)
{
	int64_t i = max ? c->imax : c->imin;
	uint64_t u = max ? c->umax : c->umin;
	double d = max ? c->dmax : c->dmin;
	*p = buf;
	switch (c->c.type) {
	case PARQUET_BOOL:
		buf[0] = (uint8_t)i;
		*n = 1;
		return;
	case PARQUET_INT8: case PARQUET_INT16: case PARQUET_INT32:
		u = (uint64_t)i;
		*n = 4;
		break;
	case PARQUET_INT64: case PARQUET_TIMESTAMP_MS:
		u = (uint64_t)i;
		*n = 8;
		break;
	case PARQUET_UINT64:
		*n = 8;
		break;
	case PARQUET_FLOAT: {
		float f = (float)d;
		uint32_t x;
		memcpy(&x, &f, 4);
		u = x;
		*n = 4;
		break;
	}
	case PARQUET_DOUBLE:
		memcpy(&u, &d, 8);
		*n = 8;
		break;
	case PARQUET_STRING:
		*p = max ? c->smax : c->smin;
		*n = max ? c->smax_len : c->smin_len;
		return;
	}
	for (size_t k = 0; k < *n; k++)
		buf[k] = (uint8_t)(u >> (8 * k));
}

/* The ColumnChunk of C in the row group's metadata (W->meta). */
static void chunk_meta(parquet_w *w, struct pcol *c, uint64_t dict_off, uint64_t data_off,
                       uint64_t unc, uint64_t comp)
{
	thrift_w *m = w->meta;
	thrift_elem_struct(m);
	thrift_i64(m, 2, 0);
	thrift_begin(m, 3);
	thrift_i32(m, 1, c->phys);
	int encs[3], ne = 0;
	encs[ne++] = E_PLAIN; /* dictionary pages are PLAIN too */
	encs[ne++] = E_RLE;
	if (c->used_dict)
		encs[ne++] = E_RLE_DICTIONARY;
	thrift_list(m, 2, THRIFT_I32, (size_t)ne);
	for (int k = 0; k < ne; k++)
		thrift_elem_i32(m, encs[k]);
	thrift_list(m, 3, THRIFT_BINARY, 1);
	thrift_elem_binary(m, c->c.name, c->c.name_len);
	thrift_i32(m, 4, w->o.codec);
	thrift_i64(m, 5, (int64_t)c->rg_rows);
	thrift_i64(m, 6, (int64_t)unc);
	thrift_i64(m, 7, (int64_t)comp);
	thrift_i64(m, 9, (int64_t)data_off);
	if (c->used_dict)
		thrift_i64(m, 11, (int64_t)dict_off);
	thrift_begin(m, 12);
	thrift_i64(m, 3, (int64_t)c->nulls);
	if (c->has_stat) {
		uint8_t bmin[8], bmax[8];
		const uint8_t *pmin, *pmax;
		size_t nmin, nmax;
		stat_bytes(c, 0, bmin, &pmin, &nmin);
		stat_bytes(c, 1, bmax, &pmax, &nmax);
		/* A cut min is still a lower bound; a cut max is no upper one. */
		if (!c->smax_cut)
			thrift_binary(m, 5, pmax, nmax);
		thrift_binary(m, 6, pmin, nmin);
		if (!c->smax_cut)
			thrift_bool(m, 7, 1);
		thrift_bool(m, 8, !c->smin_cut);
	}
	if (c->phys == T_FLOAT || c->phys == T_DOUBLE)
		thrift_i64(m, 9, 0); /* JSON has no NaN */
	thrift_end(m);
	thrift_end(m); /* ColumnMetaData */
	thrift_end(m); /* ColumnChunk */
}

/* Writes the buffered row group and keeps its metadata for the footer. */
static int flush_rg(parquet_w *w)
{
	if (w->rg_rows == 0)
		return 0;
	if (w->nrg == 0 && emit(w, "PAR1", 4) < 0)
		return -1;
	uint64_t rg_start = w->off, total_unc = 0;
	thrift_reset(w->meta);
	thrift_list(w->meta, 1, THRIFT_STRUCT, w->ncols);
	for (size_t i = 0; i < w->ncols; i++) {
		struct pcol *c = &w->cols[i];
		if (close_page(w, c) < 0)
			return -1;
		uint64_t dict_off = w->off, unc = c->unc_size, comp = c->comp_size;
		if (c->used_dict) {
			size_t dlen, blen, hlen;
			const uint8_t *d = pqenc_dict_plain(c->dict, &dlen), *body;
			if (compress(w, d ? d : (const uint8_t *)"", dlen, &body, &blen) < 0)
				return -1;
			const uint8_t *h = page_header(w, P_DICTIONARY_PAGE, dlen, blen,
			                               pqenc_dict_count(c->dict), 0, &hlen);
			if (!h)
				return fail(w, ENOMEM);
			if (emit(w, h, hlen) < 0 || emit(w, body, blen) < 0)
				return -1;
			unc += hlen + dlen;
			comp += hlen + blen;
		}
		uint64_t data_off = w->off;
		for (struct page *p = c->pages, *next; p; p = next) {
			next = p->next;
			int rc = emit(w, p->data, p->len);
			free(p);
			c->pages = next;
			if (rc < 0)
				return -1;
		}
		c->tail = &c->pages;
		chunk_meta(w, c, dict_off, data_off, unc, comp);
		total_unc += unc;
		/* The next chunk starts afresh: dictionary, statistics, sizes. */
		if (c->dict)
			pqenc_dict_reset(c->dict);
		c->dict_on = c->phys == T_BYTE_ARRAY;
		c->used_plain = c->used_dict = 0;
		c->rg_rows = c->nulls = c->unc_size = c->comp_size = 0;
		c->has_stat = c->smin_cut = c->smax_cut = 0;
	}
	thrift_i64(w->meta, 2, (int64_t)total_unc);
	thrift_i64(w->meta, 3, (int64_t)w->rg_rows);
	thrift_i64(w->meta, 5, (int64_t)rg_start);
	thrift_i64(w->meta, 6, (int64_t)(w->off - rg_start));
	if (w->nrg < 32768)
		thrift_i16(w->meta, 7, (int16_t)w->nrg);
	thrift_end(w->meta);
	size_t len;
	const uint8_t *m = thrift_data(w->meta, &len);
	if (!m)
		return fail(w, ENOMEM);
	pqenc_put(&w->rgmeta, m, len);
	if (w->rgmeta.nomem)
		return fail(w, ENOMEM);
	w->nrg++;
	w->rg_rows = 0;
	w->held = 0;
	return 0;
}

/* The schema element of column C. */
static void schema_elem(thrift_w *m, const struct pcol *c)
{
	static const int8_t bits[] = { [PARQUET_INT8] = 8, [PARQUET_INT16] = 16,
	                               [PARQUET_INT32] = 32, [PARQUET_UINT64] = 64 };
	thrift_elem_struct(m);
	thrift_i32(m, 1, c->phys);
	thrift_i32(m, 3, c->c.nullable ? 1 : 0);
	thrift_binary(m, 4, c->c.name, c->c.name_len);
	switch (c->c.type) {
	case PARQUET_INT8: case PARQUET_INT16: case PARQUET_INT32: case PARQUET_UINT64:
		thrift_i32(m, 6, c->c.type == PARQUET_UINT64 ? CT_UINT_64
		                 : CT_INT_8 + (c->c.type - PARQUET_INT8));
		thrift_begin(m, 10);
		thrift_begin(m, 10); /* INTEGER */
		thrift_i8(m, 1, bits[c->c.type]);
		thrift_bool(m, 2, c->c.type != PARQUET_UINT64);
		thrift_end(m);
		thrift_end(m);
		break;
	case PARQUET_TIMESTAMP_MS:
		thrift_i32(m, 6, CT_TIMESTAMP_MILLIS);
		thrift_begin(m, 10);
		thrift_begin(m, 8); /* TIMESTAMP */
		thrift_bool(m, 1, 1);
		thrift_begin(m, 2);
		thrift_begin(m, 1); /* MILLIS */
		thrift_end(m);
		thrift_end(m);
		thrift_end(m);
		thrift_end(m);
		break;
	case PARQUET_STRING:
		thrift_i32(m, 6, CT_UTF8);
		thrift_begin(m, 10);
		thrift_begin(m, 1); /* STRING */
		thrift_end(m);
		thrift_end(m);
		break;
	default:
		break;
	}
	thrift_end(m);
}

int parquet_finish(parquet_w *w)
{
	if (w->failed)
		return fail(w, EINVAL);
	if (flush_rg(w) < 0)
		return -1;
	if (w->nrg == 0 && emit(w, "PAR1", 4) < 0)
		return -1;
	thrift_w *m = w->meta;
	thrift_reset(m);
	thrift_i32(m, 1, 1);
	thrift_list(m, 2, THRIFT_STRUCT, w->ncols + 1);
	thrift_elem_struct(m);
	thrift_string(m, 4, "schema");
	thrift_i32(m, 5, (int32_t)w->ncols);
	thrift_end(m);
	for (size_t i = 0; i < w->ncols; i++)
		schema_elem(m, &w->cols[i]);
	thrift_i64(m, 3, (int64_t)w->rows);
	thrift_list(m, 4, THRIFT_STRUCT, w->nrg);
	thrift_raw(m, w->rgmeta.p, w->rgmeta.len);
	if (w->nkv) {
		thrift_list(m, 5, THRIFT_STRUCT, w->nkv / 2);
		for (size_t i = 0; i + 1 < w->nkv; i += 2) {
			thrift_elem_struct(m);
			thrift_string(m, 1, w->kv[i]);
			thrift_string(m, 2, w->kv[i + 1]);
			thrift_end(m);
		}
	}
	thrift_string(m, 6, w->o.created_by ? w->o.created_by : "osdl");
	thrift_list(m, 7, THRIFT_STRUCT, w->ncols);
	for (size_t i = 0; i < w->ncols; i++) {
		thrift_elem_struct(m);
		thrift_begin(m, 1); /* TypeDefinedOrder */
		thrift_end(m);
		thrift_end(m);
	}
	thrift_end(m);
	size_t len;
	const uint8_t *p = thrift_data(m, &len);
	if (!p)
		return fail(w, ENOMEM);
	uint8_t tail[8] = { (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
	                    (uint8_t)(len >> 24), 'P', 'A', 'R', '1' };
	if (emit(w, p, len) < 0 || emit(w, tail, 8) < 0 || flush_out(w) < 0)
		return -1;
	w->failed = 1; /* finished: nothing more may be added */
	return 0;
}

/* The common part of every value: the column, its definition level. */
static struct pcol *value(parquet_w *w, size_t i, int present, int type_ok)
{
	if (w->failed || i >= w->ncols || !type_ok) {
		fail(w, EINVAL);
		return NULL;
	}
	struct pcol *c = &w->cols[i];
	if (c->rg_rows != w->rg_rows || (!present && !c->c.nullable)) {
		fail(w, EINVAL);
		return NULL;
	}
	if (c->c.nullable) {
		uint8_t lv = (uint8_t)present;
		pqenc_put(&c->def, &lv, 1);
		w->held++;
	}
	c->page_rows++;
	c->rg_rows++;
	return c;
}

/* After a value: the page ends when full. */
static int after(parquet_w *w, struct pcol *c)
{
	if (c->def.nomem || c->vals.nomem)
		return fail(w, ENOMEM);
	if (c->page_rows >= PAGE_ROWS || page_raw(c) >= w->page_bytes)
		return close_page(w, c);
	return 0;
}

int parquet_null(parquet_w *w, size_t i)
{
	struct pcol *c = value(w, i, 0, 1);
	if (!c)
		return -1;
	c->nulls++;
	return after(w, c);
}

static void put_le(parquet_w *w, struct pcol *c, uint64_t v, size_t n)
{
	uint8_t b[8];
	for (size_t k = 0; k < n; k++)
		b[k] = (uint8_t)(v >> (8 * k));
	pqenc_put(&c->vals, b, n);
	w->held += n;
}

static int is_int(enum parquet_type t)
{
	return t == PARQUET_INT8 || t == PARQUET_INT16 || t == PARQUET_INT32 ||
	       t == PARQUET_INT64 || t == PARQUET_TIMESTAMP_MS;
}

int parquet_int(parquet_w *w, size_t i, int64_t v)
{
	enum parquet_type t = i < w->ncols ? w->cols[i].c.type : PARQUET_BOOL;
	int64_t lo = t == PARQUET_INT8 ? INT8_MIN : t == PARQUET_INT16 ? INT16_MIN
	           : t == PARQUET_INT32 ? INT32_MIN : INT64_MIN;
	int64_t hi = t == PARQUET_INT8 ? INT8_MAX : t == PARQUET_INT16 ? INT16_MAX
	           : t == PARQUET_INT32 ? INT32_MAX : INT64_MAX;
	struct pcol *c = value(w, i, 1, is_int(t) && v >= lo && v <= hi);
	if (!c)
		return -1;
	put_le(w, c, (uint64_t)v, c->phys == T_INT32 ? 4 : 8);
	if (!c->has_stat || v < c->imin)
		c->imin = v;
	if (!c->has_stat || v > c->imax)
		c->imax = v;
	c->has_stat = 1;
	return after(w, c);
}

int parquet_uint(parquet_w *w, size_t i, uint64_t v)
{
	struct pcol *c = value(w, i, 1, i < w->ncols && w->cols[i].c.type == PARQUET_UINT64);
	if (!c)
		return -1;
	put_le(w, c, v, 8);
	if (!c->has_stat || v < c->umin)
		c->umin = v;
	if (!c->has_stat || v > c->umax)
		c->umax = v;
	c->has_stat = 1;
	return after(w, c);
}

int parquet_bool(parquet_w *w, size_t i, int v)
{
	struct pcol *c = value(w, i, 1, i < w->ncols && w->cols[i].c.type == PARQUET_BOOL);
	if (!c)
		return -1;
	uint8_t b = v != 0;
	pqenc_put(&c->vals, &b, 1);
	w->held++;
	if (!c->has_stat || b < c->imin)
		c->imin = b;
	if (!c->has_stat || b > c->imax)
		c->imax = b;
	c->has_stat = 1;
	return after(w, c);
}

/* Float statistics: -0.0 as the minimum and +0.0 as the maximum when
 * either zero is the extreme (the spec's rule, since they compare equal). */
static void float_stat(struct pcol *c, double d)
{
	if (!c->has_stat || d < c->dmin || (d == 0 && c->dmin == 0))
		c->dmin = d == 0 ? -0.0 : d;
	if (!c->has_stat || d > c->dmax || (d == 0 && c->dmax == 0))
		c->dmax = d == 0 ? 0.0 : d;
	c->has_stat = 1;
}

int parquet_float(parquet_w *w, size_t i, float v)
{
	struct pcol *c = value(w, i, 1, i < w->ncols && w->cols[i].c.type == PARQUET_FLOAT);
	if (!c)
		return -1;
	uint32_t x;
	memcpy(&x, &v, 4);
	put_le(w, c, x, 4);
	float_stat(c, v);
	return after(w, c);
}

int parquet_double(parquet_w *w, size_t i, double v)
{
	struct pcol *c = value(w, i, 1, i < w->ncols && w->cols[i].c.type == PARQUET_DOUBLE);
	if (!c)
		return -1;
	uint64_t x;
	memcpy(&x, &v, 8);
	put_le(w, c, x, 8);
	float_stat(c, v);
	return after(w, c);
}

/* Byte-wise comparison of S with a kept statistic (CUT: only its first
 * STAT_MAX bytes are known).  Returns <0, 0 or >0; 0 also when S agrees
 * with every known byte and the rest is unknown. */
static int scmp(const uint8_t *s, size_t n, const uint8_t *k, size_t kn, int cut)
{
	size_t m = n < kn ? n : kn;
	int r = m ? memcmp(s, k, m) : 0;
	if (r || n == kn)
		return r;
	if (n < kn)
		return -1;
	return cut ? 0 : 1;
}

static void string_stat(struct pcol *c, const uint8_t *s, size_t n)
{
	size_t keep = n < STAT_MAX ? n : STAT_MAX;
	if (!c->has_stat || scmp(s, n, c->smin, c->smin_len, c->smin_cut) < 0) {
		memcpy(c->smin, s, keep);
		c->smin_len = keep;
		c->smin_cut = n > STAT_MAX;
	}
	if (!c->has_stat || scmp(s, n, c->smax, c->smax_len, c->smax_cut) > 0) {
		memcpy(c->smax, s, keep);
		c->smax_len = keep;
		c->smax_cut = n > STAT_MAX;
	} else if (n > STAT_MAX && c->smax_cut && memcmp(s, c->smax, STAT_MAX) == 0) {
		c->smax_cut = 1; /* still unknown beyond the prefix */
	}
	c->has_stat = 1;
}

int parquet_string(parquet_w *w, size_t i, const void *s, size_t n)
{
	struct pcol *c = value(w, i, 1, i < w->ncols && w->cols[i].c.type == PARQUET_STRING &&
	                                n <= INT32_MAX);
	if (!c)
		return -1;
	string_stat(c, s, n);
	if (c->dict_on) {
		size_t before, now;
		pqenc_dict_plain(c->dict, &before);
		uint32_t k;
		int r = pqenc_dict_add(c->dict, s, n, &k);
		if (r < 0)
			return fail(w, ENOMEM);
		if (r == 0) {
			pqenc_dict_plain(c->dict, &now);
			w->held += now - before;
			if (c->nidx == c->idx_cap) {
				size_t cap = c->idx_cap ? c->idx_cap * 2 : 1024;
				uint32_t *x = realloc(c->idx, cap * sizeof *x);
				if (!x)
					return fail(w, ENOMEM);
				c->idx = x;
				c->idx_cap = cap;
			}
			c->idx[c->nidx++] = k;
			w->held += 4;
			return after(w, c);
		}
		/* The dictionary is full: the page so far stays dictionary-
		 * encoded, the rest of the chunk is PLAIN.  This value's level
		 * is already in the page: move it to the next one. */
		uint8_t lv = 1;
		if (c->c.nullable)
			c->def.len--;
		c->page_rows--;
		if (close_page(w, c) < 0)
			return -1;
		c->dict_on = 0;
		if (c->c.nullable)
			pqenc_put(&c->def, &lv, 1);
		c->page_rows++;
	}
	pqenc_bytes(&c->vals, s, n);
	w->held += 4 + n;
	return after(w, c);
}

int parquet_end_row(parquet_w *w)
{
	if (w->failed)
		return fail(w, EINVAL);
	for (size_t i = 0; i < w->ncols; i++)
		if (w->cols[i].rg_rows != w->rg_rows + 1)
			return fail(w, EINVAL);
	w->rows++;
	w->rg_rows++;
	if ((w->o.rg_rows && w->rg_rows >= w->o.rg_rows) ||
	    (w->o.rg_bytes && w->held >= w->o.rg_bytes))
		return flush_rg(w);
	return 0;
}

uint64_t parquet_bytes(const parquet_w *w) { return w->off; }
uint64_t parquet_row_groups(const parquet_w *w) { return w->nrg; }
uint64_t parquet_rows(const parquet_w *w) { return w->rows; }

static int phys_of(enum parquet_type t)
{
	switch (t) {
	case PARQUET_BOOL: return T_BOOLEAN;
	case PARQUET_INT8: case PARQUET_INT16: case PARQUET_INT32: return T_INT32;
	case PARQUET_FLOAT: return T_FLOAT;
	case PARQUET_DOUBLE: return T_DOUBLE;
	case PARQUET_STRING: return T_BYTE_ARRAY;
	default: return T_INT64;
	}
}

parquet_w *parquet_new(int fd, const struct parquet_col *cols, size_t ncols,
                       const struct parquet_opts *o)
{
	if (o->codec != PARQUET_UNCOMPRESSED && o->codec != PARQUET_ZSTD &&
	    o->codec != PARQUET_LZ4_RAW) {
		errno = EINVAL;
		return NULL;
	}
	parquet_w *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fd = fd;
	w->o = *o;
	w->o.kv = NULL;
	if (!w->o.zstd_level)
		w->o.zstd_level = 3;
	if (!w->o.rg_rows && !w->o.rg_bytes)
		w->o.rg_bytes = PARQUET_RG_BYTES_DEFAULT;
	if (!w->o.dict_bytes)
		w->o.dict_bytes = DICT_BYTES_DEFAULT;
	/* Pages small enough that the pages being filled stay a fraction of
	 * a byte-bounded row group. */
	w->page_bytes = PAGE_BYTES_MAX;
	if (w->o.rg_bytes && ncols && w->o.rg_bytes / (4 * ncols) < w->page_bytes)
		w->page_bytes = w->o.rg_bytes / (4 * ncols);
	if (w->page_bytes < PAGE_BYTES_MIN)
		w->page_bytes = PAGE_BYTES_MIN;
	w->cols = calloc(ncols ? ncols : 1, sizeof *w->cols);
	w->ncols = ncols;
	w->th = thrift_new();
	w->meta = thrift_new();
	w->zc = o->codec == PARQUET_ZSTD ? ZSTD_createCCtx() : NULL;
	int bad = !w->cols || !w->th || !w->meta || (o->codec == PARQUET_ZSTD && !w->zc);
	for (const char *const *kv = o->kv; kv && *kv && !bad; kv++) {
		char **x = realloc(w->kv, (w->nkv + 1) * sizeof *x);
		if (!x || !(x[w->nkv] = strdup(*kv))) {
			if (x)
				w->kv = x;
			bad = 1;
			break;
		}
		w->kv = x;
		w->nkv++;
	}
	for (size_t i = 0; i < ncols && !bad; i++) {
		struct pcol *c = &w->cols[i];
		c->c = cols[i];
		c->c.name = NULL;
		c->tail = &c->pages;
		c->phys = phys_of(cols[i].type);
		char *name = malloc(cols[i].name_len + 1);
		if (!name) {
			bad = 1;
			break;
		}
		memcpy(name, cols[i].name, cols[i].name_len);
		name[cols[i].name_len] = 0;
		c->c.name = name;
		if (c->phys == T_BYTE_ARRAY) {
			c->dict_on = 1;
			if (!(c->dict = pqenc_dict_new(w->o.dict_bytes)))
				bad = 1;
		}
	}
	if (bad) {
		parquet_free(w);
		errno = ENOMEM;
		return NULL;
	}
	return w;
}

void parquet_free(parquet_w *w)
{
	if (!w)
		return;
	for (size_t i = 0; w->cols && i < w->ncols; i++) {
		struct pcol *c = &w->cols[i];
		free((char *)c->c.name);
		pqenc_buf_free(&c->def);
		pqenc_buf_free(&c->vals);
		free(c->idx);
		for (struct page *p = c->pages, *next; p; p = next) {
			next = p->next;
			free(p);
		}
		pqenc_dict_free(c->dict);
	}
	free(w->cols);
	for (size_t i = 0; i < w->nkv; i++)
		free(w->kv[i]);
	free(w->kv);
	pqenc_buf_free(&w->out);
	pqenc_buf_free(&w->body);
	pqenc_buf_free(&w->comp);
	pqenc_buf_free(&w->rgmeta);
	thrift_free(w->th);
	thrift_free(w->meta);
	ZSTD_freeCCtx(w->zc);
	free(w);
}
