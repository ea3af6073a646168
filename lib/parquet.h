/* parquet.h - a streaming writer of flat Parquet files (format 2, data page
 * v1), written from the public spec (parquet.thrift, Encodings.md).
 *
 * The caller declares the columns once and then hands over rows, one value
 * per column per row, in column order, then parquet_end_row().  Every
 * column is a top-level leaf, REQUIRED or OPTIONAL (definition levels,
 * RLE/bit-packing hybrid).  Values are PLAIN, except strings, which are
 * dictionary-encoded (RLE_DICTIONARY) until the column chunk's dictionary
 * passes dict_bytes and PLAIN after that.  Each column chunk carries
 * min_value/max_value (in the order of its logical type: signed, unsigned
 * for uint64, byte-wise for strings; strings longer than 256 bytes give
 * an inexact min and no max) and null_count, and the footer column_orders,
 * so readers can skip row groups.  Pages are compressed with ZSTD, LZ4_RAW
 * or not at all.
 *
 * The file is written sequentially (a pipe will do): "PAR1", the row
 * groups, the footer.  Nothing is written until the first row group is
 * complete.
 *
 * Memory: a row group is buffered until it holds rg_bytes (its compressed
 * pages, the page being filled in each column, the dictionaries) or
 * rg_rows rows, then written and freed.  On top: about 1 MiB of scratch
 * per page, the compressor's state, and the footer's metadata (about
 * 100 bytes per column per row group).
 *
 * Errors: functions return 0 or -1 with errno set (ENOMEM, EINVAL for a
 * value of the wrong type or a row with a column missing, or the write's
 * errno); after an error the writer only accepts parquet_free().
 */
#ifndef PARQUET_H
#define PARQUET_H

#include <stddef.h>
#include <stdint.h>

enum parquet_type {
	PARQUET_BOOL,         /* BOOLEAN */
	PARQUET_INT8,         /* INT32, INT(8, signed) */
	PARQUET_INT16,        /* INT32, INT(16, signed) */
	PARQUET_INT32,        /* INT32, INT(32, signed) */
	PARQUET_INT64,        /* INT64 */
	PARQUET_UINT64,       /* INT64, INT(64, unsigned) */
	PARQUET_FLOAT,        /* FLOAT */
	PARQUET_DOUBLE,       /* DOUBLE */
	PARQUET_TIMESTAMP_MS, /* INT64, TIMESTAMP(MILLIS, isAdjustedToUTC) */
	PARQUET_STRING        /* BYTE_ARRAY, STRING (UTF-8: the caller's job) */
};

/* The CompressionCodec numbers of parquet.thrift. */
enum parquet_codec {
	PARQUET_UNCOMPRESSED = 0,
	PARQUET_ZSTD = 6,
	PARQUET_LZ4_RAW = 7
};

struct parquet_col {
	const char *name;  /* UTF-8 */
	size_t name_len;
	enum parquet_type type;
	int nullable;      /* OPTIONAL, else REQUIRED */
};

#define PARQUET_RG_BYTES_DEFAULT ((size_t)32 << 20)

struct parquet_opts {
	enum parquet_codec codec;
	int zstd_level;       /* 0: 3 */
	uint64_t rg_rows;     /* a row group ends after this many rows ... */
	size_t rg_bytes;      /* ... or when it holds this many bytes; both 0:
	                         PARQUET_RG_BYTES_DEFAULT */
	size_t dict_bytes;    /* dictionary bound per column chunk; 0: 1 MiB */
	const char *created_by;  /* NULL: "osdl" */
	const char *const *kv;   /* footer key/value metadata: key, value, ...,
	                            NULL; copied */
};

typedef struct parquet_w parquet_w;

/* A writer to FD (not closed by it) for the NCOLS columns COLS (copied).
 * NULL on allocation failure or bad options (errno). */
parquet_w *parquet_new(int fd, const struct parquet_col *cols, size_t ncols,
                       const struct parquet_opts *o);
void parquet_free(parquet_w *w); /* NULL is fine */

/* The value of column I in the current row.  parquet_int takes the int8..
 * int64 and timestamp (epoch ms) columns, parquet_uint the uint64 ones.
 * A null needs a nullable column. */
int parquet_null(parquet_w *w, size_t i);
int parquet_bool(parquet_w *w, size_t i, int v);
int parquet_int(parquet_w *w, size_t i, int64_t v);
int parquet_uint(parquet_w *w, size_t i, uint64_t v);
int parquet_float(parquet_w *w, size_t i, float v);
int parquet_double(parquet_w *w, size_t i, double v);
int parquet_string(parquet_w *w, size_t i, const void *s, size_t n);

/* Ends the row (every column must have had one value); may write a row
 * group. */
int parquet_end_row(parquet_w *w);
/* Writes the last row group and the footer.  The file is complete when
 * this returns 0 (FD is not synced or closed). */
int parquet_finish(parquet_w *w);

/* Bytes written to FD so far, row groups written, and rows. */
uint64_t parquet_bytes(const parquet_w *w);
uint64_t parquet_row_groups(const parquet_w *w);
uint64_t parquet_rows(const parquet_w *w);

#endif
