/* csv.h - RFC 4180 CSV writer over a file descriptor, bounded buffer.
 *
 * Records end with CRLF (RFC 4180 section 2.1).  A field is quoted when it
 * contains the delimiter, '"', CR or LF, a NUL byte, or is the empty string;
 * inside quotes '"' is doubled.  An unquoted empty field is NULL (missing)
 * and a quoted empty field ("") is the empty string, which DuckDB tells apart
 * with allow_quoted_nulls=false (pandas reads both as NA).
 *
 * Bytes: valid UTF-8 is copied byte for byte.  Each byte that is not part of
 * a well-formed UTF-8 sequence (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF) is replaced by U+FFFD (EF BF BD) so the file is always valid
 * UTF-8, which DuckDB requires; csv_replaced() counts such bytes.  NUL bytes
 * (JSON "\u0000") are kept and force quoting; pandas and DuckDB read them
 * back inside quoted fields.
 */
#ifndef CSV_H
#define CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct csv_writer csv_writer;

/* A writer on FD (not closed by the writer) with field delimiter DELIM
 * (any byte but '"', CR, LF or NUL).  Returns NULL on allocation failure. */
csv_writer *csv_writer_new(int fd, char delim);

/* Appends a field holding the LEN bytes at S (delimiter first unless it is
 * the first field of the record).  Returns 0, or -1 with errno set. */
int csv_field(csv_writer *w, const char *s, size_t len);
/* Appends a NULL field: nothing between the delimiters. */
int csv_null(csv_writer *w);
/* Ends the record (CRLF).  Returns 0 or -1 with errno set. */
int csv_end_row(csv_writer *w);
/* Writes out what is buffered.  Returns 0 or -1 with errno set. */
int csv_flush(csv_writer *w);

/* Bytes written so far (including buffered ones). */
uint64_t csv_bytes(const csv_writer *w);
/* Invalid UTF-8 bytes replaced by U+FFFD so far. */
uint64_t csv_replaced(const csv_writer *w);
/* Frees W without flushing.  NULL is fine. */
void csv_writer_free(csv_writer *w);

/* Length of the well-formed UTF-8 sequence at S (1..4), or 0 if the byte at
 * S does not start one within N bytes. */
size_t csv_utf8_len(const unsigned char *s, size_t n);

#endif
