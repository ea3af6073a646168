/* pqenc.h - Parquet's value encodings: the RLE/bit-packing hybrid (levels,
 * dictionary indices), PLAIN (little-endian numbers, bit-packed booleans,
 * length-prefixed byte arrays) and a bounded dictionary of byte strings.
 *
 * Everything appends to a pqenc_buf, a growable byte buffer whose
 * allocation failure is remembered (nomem) rather than returned by every
 * call: check it once after a page is built.
 */
#ifndef PQENC_H
#define PQENC_H

#include <stddef.h>
#include <stdint.h>

struct pqenc_buf {
	uint8_t *p;
	size_t len, cap;
	int nomem; /* an allocation failed: contents are incomplete */
};

/* Appends N bytes (grows the buffer; on failure sets nomem). */
void pqenc_put(struct pqenc_buf *b, const void *s, size_t n);
/* Makes room for N more bytes; returns a pointer to them (len unchanged),
 * or NULL with nomem set. */
uint8_t *pqenc_reserve(struct pqenc_buf *b, size_t n);
void pqenc_u32le(struct pqenc_buf *b, uint32_t v);
void pqenc_u64le(struct pqenc_buf *b, uint64_t v);
/* PLAIN BYTE_ARRAY: 4-byte little-endian length, then the bytes. */
void pqenc_bytes(struct pqenc_buf *b, const void *s, size_t n);
/* Frees the memory; the buffer is empty and usable again. */
void pqenc_buf_free(struct pqenc_buf *b);

/* Bits needed for values up to MAX (0 for 0). */
int pqenc_width(uint32_t max);

/* The hybrid encoding's runs (no length prefix) of the N values V, each
 * WIDTH bits (0..32): runs of 8 or more equal values as RLE runs, the rest
 * bit-packed in groups of 8 (the last group zero-padded). */
void pqenc_rle(struct pqenc_buf *b, const uint32_t *v, size_t n, int width);
/* The same for values of one byte (definition levels). */
void pqenc_rle8(struct pqenc_buf *b, const uint8_t *v, size_t n, int width);
/* Data page v1 definition levels: the 4-byte length, then pqenc_rle8. */
void pqenc_levels(struct pqenc_buf *b, const uint8_t *v, size_t n, int width);
/* PLAIN BOOLEAN: one bit per value (0 or 1 in V), least significant first. */
void pqenc_bools(struct pqenc_buf *b, const uint8_t *v, size_t n);

/* A dictionary of distinct byte strings numbered 0, 1, ... in order of
 * arrival, kept as its PLAIN encoding (the dictionary page's body) plus a
 * hash table.  Memory: that encoding, at most max_bytes, and 28 bytes per
 * entry. */
typedef struct pqenc_dict pqenc_dict;

/* A dictionary whose PLAIN encoding stays within MAX_BYTES; NULL on
 * allocation failure. */
pqenc_dict *pqenc_dict_new(size_t max_bytes);
void pqenc_dict_free(pqenc_dict *d); /* NULL is fine */
/* Empties D (memory kept for reuse). */
void pqenc_dict_reset(pqenc_dict *d);
/* The index of S (N bytes) in *IDX, adding it if new.  Returns 0, 1 if it
 * is new and would pass max_bytes (nothing added), -1 on allocation
 * failure. */
int pqenc_dict_add(pqenc_dict *d, const void *s, size_t n, uint32_t *idx);
/* Entries, and their PLAIN encoding (owned by D, valid until it changes). */
uint32_t pqenc_dict_count(const pqenc_dict *d);
/* Entry I (below the count): its bytes, owned by D, and length. */
const uint8_t *pqenc_dict_entry(const pqenc_dict *d, uint32_t i, size_t *len);
const uint8_t *pqenc_dict_plain(const pqenc_dict *d, size_t *len);

#endif
