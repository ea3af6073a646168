/* arrowfb.c - an Arrow IPC Schema message in flatbuffers, base64'd. */
#include "arrowfb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A flatbuffer built back to front, as the format intends: an object is
 * written before anything that refers to it, and a reference to it is its
 * "position", its distance from the end of the finished buffer.  The data
 * lives at p[cap - len .. cap). */
struct fb {
	uint8_t *p;
	size_t cap, len;
	int nomem;
};

static uint8_t *room(struct fb *b, size_t n)
{
	if (b->nomem)
		return NULL;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap - b->len < n)
			cap *= 2;
		uint8_t *p = malloc(cap);
		if (!p) {
			b->nomem = 1;
			return NULL;
		}
		if (b->len)
			memcpy(p + cap - b->len, b->p + b->cap - b->len, b->len);
		free(b->p);
		b->p = p;
		b->cap = cap;
	}
	return b->p + b->cap - b->len - n;
}

static void prepend(struct fb *b, const void *s, size_t n)
{
	uint8_t *d = room(b, n);
	if (!d)
		return;
	if (s)
		memcpy(d, s, n);
	else
		memset(d, 0, n);
	b->len += n;
}

/* Zero padding so that after EXTRA more bytes the position is a multiple
 * of A (positions and addresses agree once the total is aligned too). */
static void align(struct fb *b, size_t extra, size_t a)
{
	size_t pad = (a - (b->len + extra) % a) % a;
	prepend(b, NULL, pad);
}

static void put_le(struct fb *b, uint64_t v, size_t n)
{
	uint8_t x[8];
	for (size_t i = 0; i < n; i++)
		x[i] = (uint8_t)(v >> (8 * i));
	align(b, n, n);
	prepend(b, x, n);
}

/* A reference written here: the distance from this slot to the object. */
static void put_ref(struct fb *b, size_t ref)
{
	align(b, 4, 4);
	put_le(b, b->len + 4 - ref, 4);
}

static size_t string(struct fb *b, const char *s, size_t n)
{
	align(b, n + 1, 4);
	prepend(b, "", 1);
	prepend(b, s, n);
	put_le(b, n, 4);
	return b->len;
}

static size_t ref_vector(struct fb *b, const size_t *refs, size_t n)
{
	align(b, 4 * n, 4);
	for (size_t i = n; i-- > 0;)
		put_ref(b, refs[i]);
	put_le(b, n, 4);
	return b->len;
}

/* A table field: a scalar of SIZE bytes, or a reference (SIZE 0). */
struct tf {
	int id;
	size_t size;
	uint64_t v;
};

#define TF_MAX 8

/* A table of the N fields T (ids below TF_MAX); returns its position. */
static size_t table(struct fb *b, const struct tf *t, size_t n)
{
	size_t pos[TF_MAX] = { 0 }, start = b->len;
	int maxid = -1;
	/* Widest first, so each is aligned without much padding. */
	for (size_t w = 8; w >= 1; w /= 2)
		for (size_t i = 0; i < n; i++) {
			size_t size = t[i].size ? t[i].size : 4;
			if (size != w)
				continue;
			if (t[i].size)
				put_le(b, t[i].v, size);
			else
				put_ref(b, (size_t)t[i].v);
			pos[t[i].id] = b->len;
			if (t[i].id > maxid)
				maxid = t[i].id;
		}
	align(b, 4, 4);
	prepend(b, NULL, 4); /* the vtable's offset, set below */
	size_t tpos = b->len;
	uint16_t vt[TF_MAX + 2];
	size_t nv = (size_t)(maxid + 1) + 2;
	vt[0] = (uint16_t)(2 * nv);
	vt[1] = (uint16_t)(tpos - start);
	for (int id = 0; id <= maxid; id++)
		vt[id + 2] = (uint16_t)(pos[id] ? tpos - pos[id] : 0);
	for (size_t i = nv; i-- > 0;)
		put_le(b, vt[i], 2);
	if (b->nomem)
		return 0;
	/* The table starts with the signed distance back to its vtable. */
	uint32_t so = (uint32_t)(b->len - tpos);
	uint8_t *at = b->p + b->cap - tpos;
	for (int k = 0; k < 4; k++)
		at[k] = (uint8_t)(so >> (8 * k));
	return tpos;
}

enum { T_INT = 2, T_FLOAT = 3, T_UTF8 = 5, T_BOOL = 6, T_TIMESTAMP = 10 };

static size_t field(struct fb *b, const struct arrowfb_field *f, int64_t dict_id)
{
	size_t type, dict = 0, children = ref_vector(b, NULL, 0);
	int tag;
	switch (f->type) {
	case ARROWFB_BOOL:
		tag = T_BOOL;
		type = table(b, NULL, 0);
		break;
	case ARROWFB_INT: {
		struct tf t[] = { { 0, 4, (uint64_t)f->bits }, { 1, 1, (uint64_t)!!f->is_signed } };
		tag = T_INT;
		type = table(b, t, 2);
		break;
	}
	case ARROWFB_FLOAT: {
		struct tf t[] = { { 0, 2, f->bits == 32 ? 1 : 2 } }; /* SINGLE, DOUBLE */
		tag = T_FLOAT;
		type = table(b, t, 1);
		break;
	}
	case ARROWFB_TIMESTAMP_MS: {
		size_t tz = string(b, "UTC", 3);
		struct tf t[] = { { 0, 2, 1 }, { 1, 0, tz } }; /* MILLISECOND */
		tag = T_TIMESTAMP;
		type = table(b, t, 2);
		break;
	}
	default:
		tag = T_UTF8;
		type = table(b, NULL, 0);
		if (f->dictionary) {
			struct tf it[] = { { 0, 4, 32 }, { 1, 1, 1 } };
			size_t index = table(b, it, 2);
			struct tf dt[] = { { 0, 8, (uint64_t)dict_id }, { 1, 0, index } };
			dict = table(b, dt, 2);
		}
		break;
	}
	size_t name = string(b, f->name, f->name_len);
	struct tf t[] = { { 0, 0, name }, { 1, 1, (uint64_t)!!f->nullable }, { 2, 1, (uint64_t)tag },
	                  { 3, 0, type }, { 5, 0, children }, { 4, 0, dict } };
	return table(b, t, dict ? 6 : 5);
}

static char *base64(const uint8_t *s, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0) |
		             (i + 2 < n ? s[i + 2] : 0);
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		*o++ = i + 1 < n ? a[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? a[v & 63] : '=';
	}
	*o = 0;
	return out;
}

char *arrowfb_schema_base64(const struct arrowfb_field *f, size_t n, const char *const *kv)
{
	struct fb b = { 0 };
	char *out = NULL;
	size_t nkv = 0;
	while (kv && kv[nkv] && kv[nkv + 1])
		nkv += 2;
	size_t *refs = calloc(n + nkv / 2 + 1, sizeof *refs);
	if (!refs)
		return NULL;
	for (size_t i = nkv / 2; i-- > 0;) {
		size_t v = string(&b, kv[2 * i + 1], strlen(kv[2 * i + 1]));
		size_t k = string(&b, kv[2 * i], strlen(kv[2 * i]));
		struct tf t[] = { { 0, 0, k }, { 1, 0, v } };
		refs[n + i] = table(&b, t, 2);
	}
	size_t meta = ref_vector(&b, refs + n, nkv / 2);
	/* Dictionary ids 0, 1, ... in field order; fields are built last first. */
	int64_t dict_id = 0;
	for (size_t i = 0; i < n; i++)
		dict_id += f[i].type == ARROWFB_UTF8 && f[i].dictionary;
	for (size_t i = n; i-- > 0;) {
		if (f[i].type == ARROWFB_UTF8 && f[i].dictionary)
			dict_id--;
		refs[i] = field(&b, &f[i], dict_id);
	}
	size_t fields = ref_vector(&b, refs, n);
	struct tf st[] = { { 1, 0, fields }, { 2, 0, meta } };
	size_t schema = table(&b, st, 2);
	struct tf mt[] = { { 0, 2, 4 }, { 1, 1, 1 }, { 2, 0, schema } }; /* V5, Schema */
	size_t msg = table(&b, mt, 3);
	align(&b, 4, 8);
	put_ref(&b, msg);
	/* The encapsulation: continuation marker, then the length. */
	put_le(&b, b.len, 4);
	put_le(&b, 0xffffffffu, 4);
	if (!b.nomem)
		out = base64(b.p + b.cap - b.len, b.len);
	free(b.p);
	free(refs);
	return out;
}
