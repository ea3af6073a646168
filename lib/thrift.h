/* thrift.h - a Thrift compact protocol writer (the encoding of Parquet's
 * metadata), into a growable memory buffer.
 *
 * The writer holds a stack of structs: it starts inside one top-level
 * struct; thrift_begin() opens a struct-valued field, thrift_elem_struct()
 * a struct element of a list, and thrift_end() writes the stop byte and
 * closes the innermost struct (the top-level one too, which ends the
 * message).  Within a struct, fields must come in increasing id order (the
 * compact protocol writes id deltas); a list's elements follow its
 * thrift_list() call and must be exactly the N announced.
 *
 * Errors: the writing functions return nothing; an allocation failure (or
 * structs nested more than THRIFT_DEPTH deep) is remembered and reported by
 * thrift_data(), so a message is built without a check per field.
 */
#ifndef THRIFT_H
#define THRIFT_H

#include <stddef.h>
#include <stdint.h>

/* Compact protocol type codes (THRIFT_BOOL is written as TRUE or FALSE). */
enum thrift_type {
	THRIFT_BOOL = 1,
	THRIFT_I8 = 3,
	THRIFT_I16 = 4,
	THRIFT_I32 = 5,
	THRIFT_I64 = 6,
	THRIFT_DOUBLE = 7,
	THRIFT_BINARY = 8,
	THRIFT_LIST = 9,
	THRIFT_STRUCT = 12
};

#define THRIFT_DEPTH 16

typedef struct thrift_w thrift_w;

/* A writer with an empty buffer; NULL on allocation failure. */
thrift_w *thrift_new(void);
void thrift_free(thrift_w *w); /* NULL is fine */
/* Empties the buffer and the struct stack; the writer is fresh again. */
void thrift_reset(thrift_w *w);

/* Fields of the current struct. */
void thrift_bool(thrift_w *w, int id, int v);
void thrift_i8(thrift_w *w, int id, int8_t v);
void thrift_i16(thrift_w *w, int id, int16_t v);
void thrift_i32(thrift_w *w, int id, int32_t v);
void thrift_i64(thrift_w *w, int id, int64_t v);
void thrift_binary(thrift_w *w, int id, const void *p, size_t n);
void thrift_string(thrift_w *w, int id, const char *s); /* NUL-terminated */
/* A struct-valued field: its fields follow, then thrift_end(). */
void thrift_begin(thrift_w *w, int id);
/* Closes the innermost struct (writes the stop byte). */
void thrift_end(thrift_w *w);

/* A list field of N elements of type ELEM; the elements follow. */
void thrift_list(thrift_w *w, int id, enum thrift_type elem, size_t n);
void thrift_elem_i32(thrift_w *w, int32_t v);
void thrift_elem_binary(thrift_w *w, const void *p, size_t n);
/* A struct element: its fields follow, then thrift_end(). */
void thrift_elem_struct(thrift_w *w);
/* N bytes as they are: list elements serialized earlier by another writer
 * (each a complete struct, from its first field to its stop byte). */
void thrift_raw(thrift_w *w, const void *p, size_t n);

/* The bytes written so far (owned by W, valid until the next call), or
 * NULL after an allocation failure or bad nesting. */
const uint8_t *thrift_data(const thrift_w *w, size_t *len);

/* Unsigned LEB128 of V into OUT (at least 10 bytes); returns its length. */
size_t thrift_varint(uint8_t *out, uint64_t v);

#endif
