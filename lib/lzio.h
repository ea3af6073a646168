/* lzio.h - streaming reader and writer for NDJSON, plain or LZ4 frames.
 *
 * The reader detects LZ4 frames by their magic number (04 22 4D 18), never by
 * file name, so "-" (stdin) and renamed files work.  Concatenated frames are
 * read as one stream, as `lz4 -dc` does.  Memory is fixed: one input buffer,
 * one decompression buffer and one line buffer that grows to the longest
 * line, capped by max_line.
 *
 * The writer produces a standard LZ4 frame (readable by `lz4 -dc`) or plain
 * bytes, through fixed-size buffers.
 *
 * Errors: lzio_getline and lzio_read return an lzio_status (callers branch
 * on it) with the reason in ERR (errbuf.h).  Opening and the writer are thin
 * POSIX-like wrappers: NULL or -1 with errno set, as the C library does.
 */
#ifndef LZIO_H
#define LZIO_H

#include <stddef.h>
#include <stdint.h>

typedef struct lzio_reader lzio_reader;
typedef struct lzio_writer lzio_writer;

/* Result of lzio_getline() (and the errors of lzio_read()). */
enum lzio_status {
	LZIO_LINE = 1,      /* a line is in *line (without its '\n') */
	LZIO_EOF = 0,       /* clean end of input */
	LZIO_ERR_IO = -1,   /* read error (errno set; ERR is strerror(errno)) */
	LZIO_ERR_LZ4 = -2,  /* corrupt or truncated LZ4 frame */
	LZIO_ERR_LONG = -3, /* a line longer than max_line */
	LZIO_ERR_NOMEM = -4
};

/* Opens PATH for reading ("-" is stdin).  max_line caps one line's length
 * (0 means OSDL_MAX_LINE).  Returns NULL with errno set on failure. */
lzio_reader *lzio_open(const char *path, size_t max_line);
/* Wraps an open descriptor; the reader closes it unless it is 0.  Reads
 * the first bytes to detect LZ4.  Returns NULL with errno set (ENOMEM, or
 * the read error); FD is then left open for the caller to close. */
lzio_reader *lzio_fdopen(int fd, const char *name, size_t max_line);

/* Next line.  *line points into the reader's buffer, valid until the next
 * call; it is NUL-terminated and *len excludes the terminator.  A final line
 * without '\n' is returned as a line.  Errors are sticky; each return of one
 * writes its reason into ERR, without the input's name (the caller adds it,
 * with the line number). */
int lzio_getline(lzio_reader *r, char **line, size_t *len, char *err, size_t errlen);

/* Raw decompressed bytes (for copying a stream through).  Returns bytes read,
 * 0 at EOF, or an lzio_status error (< 0) with its reason in ERR. */
long lzio_read(lzio_reader *r, void *buf, size_t n, char *err, size_t errlen);

int lzio_is_lz4(const lzio_reader *r);       /* 1 if input was LZ4 */
const char *lzio_name(const lzio_reader *r); /* name given at open */
uint64_t lzio_lineno(const lzio_reader *r);  /* 1-based number of last line */
void lzio_close(lzio_reader *r);             /* NULL is fine */

/* Writes all N bytes of BUF to FD, through short writes and EINTR.
 * Returns 0, or -1 with errno set. */
int lzio_write_all(int fd, const void *buf, size_t n);

/* Writer on descriptor FD (not closed by the writer).  compress selects an
 * LZ4 frame (level: 0 = fast default, 1..12 = HC levels) or plain output.
 * Returns NULL on allocation failure. */
lzio_writer *lzio_writer_new(int fd, int compress, int level);
/* Appends N bytes.  Returns 0, or -1 with errno set (write error). */
int lzio_write(lzio_writer *w, const void *data, size_t n);
/* Writes the frame end mark and flushes.  Returns 0 or -1 (errno set). */
int lzio_finish(lzio_writer *w);
/* Uncompressed bytes accepted so far. */
uint64_t lzio_written(const lzio_writer *w);
/* Frees the writer (without finishing it).  NULL is fine. */
void lzio_writer_free(lzio_writer *w);

#endif
