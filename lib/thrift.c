/* thrift.c - a Thrift compact protocol writer into a memory buffer. */
#include "thrift.h"

#include <stdlib.h>
#include <string.h>

struct thrift_w {
	uint8_t *p;
	size_t len, cap;
	int bad;
	int depth;
	int16_t last[THRIFT_DEPTH]; /* last field id written at each depth */
};

thrift_w *thrift_new(void)
{
	return calloc(1, sizeof(thrift_w));
}

void thrift_free(thrift_w *w)
{
	if (!w)
		return;
	free(w->p);
	free(w);
}

void thrift_reset(thrift_w *w)
{
	w->len = 0;
	w->bad = 0;
	w->depth = 0;
	w->last[0] = 0;
}

static void put(thrift_w *w, const void *s, size_t n)
{
	if (w->bad)
		return;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + n)
			cap *= 2;
		uint8_t *p = realloc(w->p, cap);
		if (!p) {
			w->bad = 1;
			return;
		}
		w->p = p;
		w->cap = cap;
	}
	if (n)
		memcpy(w->p + w->len, s, n);
	w->len += n;
}

size_t thrift_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static void varint(thrift_w *w, uint64_t v)
{
	uint8_t b[10];
	put(w, b, thrift_varint(b, v));
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

/* A field header: the id as a delta from the last one when it fits in
 * four bits, else the type byte and the id as a zigzag varint. */
static void field(thrift_w *w, int id, int type)
{
	int delta = id - w->last[w->depth];
	if (delta > 0 && delta <= 15) {
		uint8_t b = (uint8_t)(delta << 4 | type);
		put(w, &b, 1);
	} else {
		uint8_t b = (uint8_t)type;
		put(w, &b, 1);
		varint(w, zigzag(id));
	}
	w->last[w->depth] = (int16_t)id;
}

void thrift_bool(thrift_w *w, int id, int v)
{
	field(w, id, v ? 1 : 2);
}

void thrift_i8(thrift_w *w, int id, int8_t v)
{
	field(w, id, THRIFT_I8);
	put(w, &v, 1);
}

void thrift_i16(thrift_w *w, int id, int16_t v)
{
	field(w, id, THRIFT_I16);
	varint(w, zigzag(v));
}

void thrift_i32(thrift_w *w, int id, int32_t v)
{
	field(w, id, THRIFT_I32);
	varint(w, zigzag(v));
}

void thrift_i64(thrift_w *w, int id, int64_t v)
{
	field(w, id, THRIFT_I64);
	varint(w, zigzag(v));
}

void thrift_binary(thrift_w *w, int id, const void *p, size_t n)
{
	field(w, id, THRIFT_BINARY);
	thrift_elem_binary(w, p, n);
}

void thrift_string(thrift_w *w, int id, const char *s)
{
	thrift_binary(w, id, s, strlen(s));
}

static void push(thrift_w *w)
{
	if (w->depth + 1 >= THRIFT_DEPTH) {
		w->bad = 1;
		return;
	}
	w->last[++w->depth] = 0;
}

void thrift_begin(thrift_w *w, int id)
{
	field(w, id, THRIFT_STRUCT);
	push(w);
}

void thrift_end(thrift_w *w)
{
	uint8_t stop = 0;
	put(w, &stop, 1);
	if (w->depth > 0)
		w->depth--;
}

void thrift_list(thrift_w *w, int id, enum thrift_type elem, size_t n)
{
	field(w, id, THRIFT_LIST);
	if (n < 15) {
		uint8_t b = (uint8_t)(n << 4 | elem);
		put(w, &b, 1);
	} else {
		uint8_t b = (uint8_t)(0xf0 | elem);
		put(w, &b, 1);
		varint(w, n);
	}
}

void thrift_elem_i32(thrift_w *w, int32_t v)
{
	varint(w, zigzag(v));
}

void thrift_elem_binary(thrift_w *w, const void *p, size_t n)
{
	varint(w, n);
	put(w, p, n);
}

void thrift_elem_struct(thrift_w *w)
{
	push(w);
}

void thrift_raw(thrift_w *w, const void *p, size_t n)
{
	put(w, p, n);
}

const uint8_t *thrift_data(const thrift_w *w, size_t *len)
{
	*len = w->len;
	if (w->bad)
		return NULL;
	return w->p ? w->p : (const uint8_t *)"";
}
