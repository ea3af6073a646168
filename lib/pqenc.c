/* pqenc.c - Parquet's value encodings: RLE/bit-packing hybrid, PLAIN, dictionary. */
#include "pqenc.h"

#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "thrift.h"

uint8_t *pqenc_reserve(struct pqenc_buf *b, size_t n)
{
	if (b->nomem)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *p = realloc(b->p, cap);
		if (!p) {
			b->nomem = 1;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	return b->p + b->len;
}

void pqenc_put(struct pqenc_buf *b, const void *s, size_t n)
{
	uint8_t *p = pqenc_reserve(b, n);
	if (!p)
		return;
	if (n)
		memcpy(p, s, n);
	b->len += n;
}

void pqenc_u32le(struct pqenc_buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	pqenc_put(b, x, 4);
}

void pqenc_u64le(struct pqenc_buf *b, uint64_t v)
{
	pqenc_u32le(b, (uint32_t)v);
	pqenc_u32le(b, (uint32_t)(v >> 32));
}

void pqenc_bytes(struct pqenc_buf *b, const void *s, size_t n)
{
	pqenc_u32le(b, (uint32_t)n);
	pqenc_put(b, s, n);
}

void pqenc_buf_free(struct pqenc_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

int pqenc_width(uint32_t max)
{
	int w = 0;
	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

static void varint(struct pqenc_buf *b, uint64_t v)
{
	uint8_t x[10];
	pqenc_put(b, x, thrift_varint(x, v));
}

/* The hybrid encoder over either element size: GET(k) is value k. */
#define RLE_BODY(GET)                                                         \
	size_t i = 0;                                                         \
	int vbytes = (width + 7) / 8;                                         \
	while (i < n) {                                                       \
		size_t r = 1;                                                 \
		while (i + r < n && GET(i + r) == GET(i))                     \
			r++;                                                  \
		if (r >= 8) {                                                 \
			uint32_t x = GET(i);                                  \
			uint8_t vb[4] = { (uint8_t)x, (uint8_t)(x >> 8),      \
			                  (uint8_t)(x >> 16), (uint8_t)(x >> 24) }; \
			varint(b, (uint64_t)r << 1);                          \
			pqenc_put(b, vb, (size_t)vbytes);                     \
			i += r;                                               \
			continue;                                             \
		}                                                             \
		/* Groups of 8 until one starts a run worth an RLE run. */    \
		size_t j = i;                                                 \
		for (;;) {                                                    \
			j += 8;                                               \
			if (j >= n)                                           \
				break;                                        \
			size_t k = 1;                                         \
			while (k < 8 && j + k < n && GET(j + k) == GET(j))    \
				k++;                                          \
			if (k == 8)                                           \
				break;                                        \
		}                                                             \
		size_t groups = (j - i) / 8;                                  \
		varint(b, (uint64_t)groups << 1 | 1);                         \
		uint8_t *out = pqenc_reserve(b, groups * (size_t)width);      \
		if (!out)                                                     \
			return;                                               \
		memset(out, 0, groups * (size_t)width);                       \
		uint64_t acc = 0;                                             \
		int bits = 0;                                                 \
		size_t o = 0;                                                 \
		for (size_t k = i; k < j; k++) {                              \
			acc |= (uint64_t)(k < n ? GET(k) : 0) << bits;        \
			bits += width;                                        \
			while (bits >= 8) {                                   \
				out[o++] = (uint8_t)acc;                      \
				acc >>= 8;                                    \
				bits -= 8;                                    \
			}                                                     \
		}                                                             \
		b->len += groups * (size_t)width;                             \
		i = j;                                                        \
	}

void pqenc_rle(struct pqenc_buf *b, const uint32_t *v, size_t n, int width)
{
#define GET32(k) (v[k])
	RLE_BODY(GET32)
#undef GET32
}

void pqenc_rle8(struct pqenc_buf *b, const uint8_t *v, size_t n, int width)
{
#define GET8(k) ((uint32_t)v[k])
	RLE_BODY(GET8)
#undef GET8
}

void pqenc_levels(struct pqenc_buf *b, const uint8_t *v, size_t n, int width)
{
	size_t at = b->len;
	pqenc_u32le(b, 0);
	pqenc_rle8(b, v, n, width);
	if (b->nomem)
		return;
	uint32_t len = (uint32_t)(b->len - at - 4);
	uint8_t x[4] = { (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16), (uint8_t)(len >> 24) };
	memcpy(b->p + at, x, 4);
}

void pqenc_bools(struct pqenc_buf *b, const uint8_t *v, size_t n)
{
	uint8_t *out = pqenc_reserve(b, (n + 7) / 8);
	if (!out)
		return;
	memset(out, 0, (n + 7) / 8);
	for (size_t i = 0; i < n; i++)
		out[i / 8] |= (uint8_t)((v[i] & 1) << (i % 8));
	b->len += (n + 7) / 8;
}

/* One hash slot: the entry's offset in plain (at its length prefix) + 1,
 * 0 for an empty slot, and its number. */
struct dslot {
	uint32_t hash, off1, index;
};

struct pqenc_dict {
	size_t max_bytes;
	struct pqenc_buf plain;
	struct dslot *tab;
	uint32_t *offs;       /* each entry's offset in plain */
	size_t cap;           /* slots, a power of two */
	uint32_t count;
};

pqenc_dict *pqenc_dict_new(size_t max_bytes)
{
	pqenc_dict *d = calloc(1, sizeof *d);
	if (d)
		d->max_bytes = max_bytes;
	return d;
}

void pqenc_dict_free(pqenc_dict *d)
{
	if (!d)
		return;
	pqenc_buf_free(&d->plain);
	free(d->tab);
	free(d->offs);
	free(d);
}

void pqenc_dict_reset(pqenc_dict *d)
{
	d->plain.len = 0;
	d->count = 0;
	if (d->tab)
		memset(d->tab, 0, d->cap * sizeof *d->tab);
}

static int grow(pqenc_dict *d)
{
	size_t cap = d->cap ? d->cap * 2 : 256;
	struct dslot *t = calloc(cap, sizeof *t);
	uint32_t *o = t ? realloc(d->offs, cap / 2 * sizeof *o) : NULL;
	if (!o) {
		free(t);
		return -1;
	}
	d->offs = o;
	for (size_t i = 0; i < d->cap; i++) {
		if (!d->tab[i].off1)
			continue;
		size_t j = d->tab[i].hash & (cap - 1);
		while (t[j].off1)
			j = (j + 1) & (cap - 1);
		t[j] = d->tab[i];
	}
	free(d->tab);
	d->tab = t;
	d->cap = cap;
	return 0;
}

int pqenc_dict_add(pqenc_dict *d, const void *s, size_t n, uint32_t *idx)
{
	if (((size_t)d->count + 1) * 2 > d->cap && grow(d) < 0)
		return -1;
	uint32_t h = fnv1a32(s, n);
	size_t j = h & (d->cap - 1);
	for (; d->tab[j].off1; j = (j + 1) & (d->cap - 1)) {
		if (d->tab[j].hash != h)
			continue; /* without touching the entry: a cache miss */
		const uint8_t *e = d->plain.p + d->tab[j].off1 - 1;
		uint32_t len = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
		               (uint32_t)e[3] << 24;
		if (len == n && memcmp(e + 4, s, n) == 0) {
			*idx = d->tab[j].index;
			return 0;
		}
	}
	if (d->plain.len + 4 + n > d->max_bytes || d->count == UINT32_MAX)
		return 1;
	size_t off = d->plain.len;
	pqenc_bytes(&d->plain, s, n);
	if (d->plain.nomem) {
		d->plain.nomem = 0;
		d->plain.len = off;
		return -1;
	}
	d->tab[j] = (struct dslot){ h, (uint32_t)off + 1, d->count };
	d->offs[d->count] = (uint32_t)off;
	*idx = d->count++;
	return 0;
}

uint32_t pqenc_dict_count(const pqenc_dict *d) { return d->count; }

const uint8_t *pqenc_dict_entry(const pqenc_dict *d, uint32_t i, size_t *len)
{
	const uint8_t *e = d->plain.p + d->offs[i];
	*len = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 | (uint32_t)e[3] << 24;
	return e + 4;
}

const uint8_t *pqenc_dict_plain(const pqenc_dict *d, size_t *len)
{
	*len = d->plain.len;
	return d->plain.p;
}
