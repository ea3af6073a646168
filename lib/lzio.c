/* lzio.c - streaming reader and writer for NDJSON, plain or LZ4 frames. */
#include "lzio.h"

#include "errbuf.h"
#include "osdl.h"

#include <errno.h>
#include <fcntl.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IN_SIZE  (256 * 1024)
#define OUT_SIZE (256 * 1024)

struct lzio_reader {
	int fd;
	char *name;
	int lz4;           /* input is LZ4 (decided from the first bytes) */
	int err;           /* sticky error status */
	int errnum;        /* errno of an LZIO_ERR_IO, for every return of it */
	int eof;           /* no more raw input */
	LZ4F_dctx *dctx;
	size_t frame_hint; /* LZ4F_decompress's hint: 0 means between frames */
	unsigned char *in; /* raw input */
	size_t in_pos, in_len;
	char *out;         /* decoded bytes not yet consumed */
	size_t out_pos, out_len;
	char *line;
	size_t line_cap, max_line;
	uint64_t lineno;
};

static int fill_raw(lzio_reader *r)
{
	if (r->in_pos < r->in_len)
		return 1;
	if (r->eof)
		return 0;
	ssize_t n;
	do
		n = read(r->fd, r->in, IN_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r->errnum = errno;
		r->err = LZIO_ERR_IO;
		return -1;
	}
	r->in_pos = 0;
	r->in_len = (size_t)n;
	if (n == 0)
		r->eof = 1;
	return n > 0;
}

lzio_reader *lzio_fdopen(int fd, const char *name, size_t max_line)
{
	lzio_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fd = fd;
	r->name = strdup(name);
	r->in = malloc(IN_SIZE);
	r->out = malloc(OUT_SIZE);
	r->max_line = max_line ? max_line : OSDL_MAX_LINE;
	r->line_cap = 64 * 1024;
	r->line = malloc(r->line_cap);
	if (!r->name || !r->in || !r->out || !r->line ||
	    LZ4F_isError(LZ4F_createDecompressionContext(&r->dctx, LZ4F_VERSION))) {
		r->fd = -1;
		lzio_close(r);
		errno = ENOMEM;
		return NULL;
	}
	/* Peek at the magic number; a short file is plain text. */
	while (r->in_len < 4 && !r->eof) {
		ssize_t n = read(fd, r->in + r->in_len, IN_SIZE - r->in_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			r->fd = -1;
			lzio_close(r);
			errno = e;
			return NULL;
		}
		if (n == 0)
			r->eof = 1;
		r->in_len += (size_t)n;
	}
	static const unsigned char magic[4] = { 0x04, 0x22, 0x4D, 0x18 };
	r->lz4 = r->in_len >= 4 && memcmp(r->in, magic, 4) == 0;
	return r;
}

lzio_reader *lzio_open(const char *path, size_t max_line)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	lzio_reader *r = lzio_fdopen(fd, strcmp(path, "-") == 0 ? "(stdin)" : path, max_line);
	if (!r && fd > 0) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return r;
}

/* Refills r->out with decoded bytes.  Returns 1 if bytes are available,
 * 0 at clean EOF, or an error status. */
static int fill_out(lzio_reader *r)
{
	if (r->err)
		return r->err;
	while (r->out_pos >= r->out_len) {
		int got = fill_raw(r);
		if (got < 0)
			return r->err;
		if (got == 0) {
			/* EOF in the middle of a frame is a truncated file. */
			if (r->lz4 && r->frame_hint != 0)
				return r->err = LZIO_ERR_LZ4;
			return 0;
		}
		if (!r->lz4) {
			size_t n = r->in_len - r->in_pos;
			memcpy(r->out, r->in + r->in_pos, n);
			r->in_pos = r->in_len;
			r->out_pos = 0;
			r->out_len = n;
			continue;
		}
		size_t src = r->in_len - r->in_pos, dst = OUT_SIZE;
		size_t hint = LZ4F_decompress(r->dctx, r->out, &dst, r->in + r->in_pos, &src, NULL);
		if (LZ4F_isError(hint))
			return r->err = LZIO_ERR_LZ4;
		r->frame_hint = hint;
		r->in_pos += src;
		r->out_pos = 0;
		r->out_len = dst;
	}
	return 1;
}

/* The reason for error status ST into ERR (and errno again for
 * LZIO_ERR_IO); returns ST.  Only on failure: lines cost no formatting. */
static int status_fail(const lzio_reader *r, int st, char *err, size_t errlen)
{
	switch (st) {
	case LZIO_ERR_IO:
		errbuf_fail(err, errlen, st, "%s", strerror(r->errnum));
		errno = r->errnum;
		return st;
	case LZIO_ERR_LZ4: return errbuf_fail(err, errlen, st, "corrupt or truncated LZ4 frame");
	case LZIO_ERR_LONG: return errbuf_fail(err, errlen, st, "line longer than the maximum line length");
	default: return errbuf_fail(err, errlen, st, "out of memory");
	}
}

long lzio_read(lzio_reader *r, void *buf, size_t n, char *err, size_t errlen)
{
	int st = fill_out(r);
	if (st < 0)
		return status_fail(r, st, err, errlen);
	if (st == 0)
		return 0;
	size_t avail = r->out_len - r->out_pos;
	if (n > avail)
		n = avail;
	memcpy(buf, r->out + r->out_pos, n);
	r->out_pos += n;
	return (long)n;
}

int lzio_getline(lzio_reader *r, char **line, size_t *len, char *err, size_t errlen)
{
	size_t used = 0;
	for (;;) {
		int st = fill_out(r);
		if (st < 0)
			return status_fail(r, st, err, errlen);
		if (st == 0) {
			if (used == 0)
				return LZIO_EOF;
			break; /* last line without '\n' */
		}
		char *start = r->out + r->out_pos;
		size_t avail = r->out_len - r->out_pos;
		char *nl = memchr(start, '\n', avail);
		size_t take = nl ? (size_t)(nl - start) : avail;
		if (used + take + 1 > r->max_line + 1)
			return status_fail(r, r->err = LZIO_ERR_LONG, err, errlen);
		if (used + take + 1 > r->line_cap) {
			size_t cap = r->line_cap;
			while (cap < used + take + 1)
				cap *= 2;
			char *p = realloc(r->line, cap);
			if (!p)
				return status_fail(r, r->err = LZIO_ERR_NOMEM, err, errlen);
			r->line = p;
			r->line_cap = cap;
		}
		memcpy(r->line + used, start, take);
		used += take;
		r->out_pos += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	r->line[used] = '\0';
	r->lineno++;
	*line = r->line;
	*len = used;
	return LZIO_LINE;
}

int lzio_is_lz4(const lzio_reader *r) { return r->lz4; }
const char *lzio_name(const lzio_reader *r) { return r->name; }
uint64_t lzio_lineno(const lzio_reader *r) { return r->lineno; }

void lzio_close(lzio_reader *r)
{
	if (!r)
		return;
	if (r->fd > 0)
		close(r->fd);
	if (r->dctx)
		LZ4F_freeDecompressionContext(r->dctx);
	free(r->name);
	free(r->in);
	free(r->out);
	free(r->line);
	free(r);
}

struct lzio_writer {
	int fd;
	int compress;
	LZ4F_cctx *cctx;
	LZ4F_preferences_t prefs;
	int started;
	char *buf;   /* plain: pending bytes; lz4: compressed output */
	size_t len, cap;
	size_t block_in; /* max input per LZ4F_compressUpdate call */
	uint64_t written;
};

lzio_writer *lzio_writer_new(int fd, int compress, int level)
{
	lzio_writer *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->fd = fd;
	w->compress = compress;
	w->block_in = 64 * 1024;
	if (compress) {
		memset(&w->prefs, 0, sizeof w->prefs);
		w->prefs.frameInfo.blockSizeID = LZ4F_max256KB;
		w->prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
		w->prefs.compressionLevel = level;
		if (LZ4F_isError(LZ4F_createCompressionContext(&w->cctx, LZ4F_VERSION))) {
			free(w);
			return NULL;
		}
		w->cap = LZ4F_compressBound(w->block_in, &w->prefs) + LZ4F_HEADER_SIZE_MAX;
	} else {
		w->cap = 256 * 1024;
	}
	w->buf = malloc(w->cap);
	if (!w->buf) {
		lzio_writer_free(w);
		return NULL;
	}
	return w;
}

int lzio_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int flush_buf(lzio_writer *w)
{
	if (w->len && lzio_write_all(w->fd, w->buf, w->len) != 0)
		return -1;
	w->len = 0;
	return 0;
}

int lzio_write(lzio_writer *w, const void *data, size_t n)
{
	const char *p = data;
	w->written += n;
	if (!w->compress) {
		if (w->len + n > w->cap && flush_buf(w) != 0)
			return -1;
		if (n >= w->cap)
			return lzio_write_all(w->fd, p, n);
		memcpy(w->buf + w->len, p, n);
		w->len += n;
		return 0;
	}
	if (!w->started) {
		size_t h = LZ4F_compressBegin(w->cctx, w->buf, w->cap, &w->prefs);
		if (LZ4F_isError(h)) {
			errno = EINVAL;
			return -1;
		}
		w->len = h;
		w->started = 1;
	}
	while (n > 0) {
		size_t take = n < w->block_in ? n : w->block_in;
		size_t need = LZ4F_compressBound(take, &w->prefs);
		if (w->len + need > w->cap && flush_buf(w) != 0)
			return -1;
		size_t k = LZ4F_compressUpdate(w->cctx, w->buf + w->len, w->cap - w->len, p, take, NULL);
		if (LZ4F_isError(k)) {
			errno = EINVAL;
			return -1;
		}
		w->len += k;
		p += take;
		n -= take;
	}
	return 0;
}

int lzio_finish(lzio_writer *w)
{
	if (w->compress) {
		if (!w->started && lzio_write(w, "", 0) != 0)
			return -1;
		if (!w->started) { /* lzio_write with n == 0 still begins the frame */
			errno = EINVAL;
			return -1;
		}
		size_t need = LZ4F_compressBound(0, &w->prefs);
		if (w->len + need > w->cap && flush_buf(w) != 0)
			return -1;
		size_t k = LZ4F_compressEnd(w->cctx, w->buf + w->len, w->cap - w->len, NULL);
		if (LZ4F_isError(k)) {
			errno = EINVAL;
			return -1;
		}
		w->len += k;
	}
	return flush_buf(w);
}

uint64_t lzio_written(const lzio_writer *w) { return w->written; }

void lzio_writer_free(lzio_writer *w)
{
	if (!w)
		return;
	if (w->cctx)
		LZ4F_freeCompressionContext(w->cctx);
	free(w->buf);
	free(w);
}
