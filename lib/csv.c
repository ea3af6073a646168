/* csv.c - RFC 4180 CSV writer over a file descriptor, bounded buffer. */
#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CSV_BUF (256 * 1024)

struct csv_writer {
	int fd;
	char delim;
	int first;         /* next field is the first of its record */
	char *buf;
	size_t len;
	uint64_t bytes, replaced;
};

csv_writer *csv_writer_new(int fd, char delim)
{
	csv_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->buf = malloc(CSV_BUF))) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	w->fd = fd;
	w->delim = delim;
	w->first = 1;
	return w;
}

void csv_writer_free(csv_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

int csv_flush(csv_writer *w)
{
	size_t off = 0;
	while (off < w->len) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	w->len = 0;
	return 0;
}

static int put(csv_writer *w, const char *s, size_t n)
{
	w->bytes += n;
	while (n > 0) {
		if (w->len == CSV_BUF && csv_flush(w) < 0)
			return -1;
		size_t k = CSV_BUF - w->len < n ? CSV_BUF - w->len : n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
	}
	return 0;
}

size_t csv_utf8_len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2 || c > 0xF4)
		return 0; /* continuation byte, overlong 2-byte lead, or > U+10FFFF */
	size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
	if (n < len)
		return 0;
	unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
	if (c == 0xE0)
		lo = 0xA0; /* overlong */
	else if (c == 0xED)
		hi = 0x9F; /* surrogates */
	else if (c == 0xF0)
		lo = 0x90; /* overlong */
	else if (c == 0xF4)
		hi = 0x8F; /* > U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

static int sep(csv_writer *w)
{
	if (w->first) {
		w->first = 0;
		return 0;
	}
	return put(w, &w->delim, 1);
}

int csv_null(csv_writer *w)
{
	return sep(w);
}

int csv_end_row(csv_writer *w)
{
	w->first = 1;
	return put(w, "\r\n", 2);
}

int csv_field(csv_writer *w, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	int quote = len == 0, clean = 1;
	if (sep(w) < 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = u[i];
		if (c == (unsigned char)w->delim || c == '"' || c == '\r' ||
		    c == '\n' || c == 0)
			quote = 1;
		if (c >= 0x80 || c == '"')
			clean = 0; /* needs the byte-wise path below */
	}
	if (clean) {
		if (quote)
			return put(w, "\"", 1) || put(w, s, len) || put(w, "\"", 1) ? -1 : 0;
		return put(w, s, len);
	}
	if (quote && put(w, "\"", 1) < 0)
		return -1;
	size_t run = 0; /* start of the pending run of bytes copied as they are */
	for (size_t i = 0; i < len;) {
		size_t k = u[i] < 0x80 ? 1 : csv_utf8_len(u + i, len - i);
		if (k == 0 || u[i] == '"') {
			if (put(w, s + run, i - run) < 0)
				return -1;
			if (k == 0) {
				w->replaced++;
				if (put(w, "\xEF\xBF\xBD", 3) < 0)
					return -1;
			} else if (put(w, "\"\"", 2) < 0) {
				return -1;
			}
			i++;
			run = i;
			continue;
		}
		i += k;
	}
	if (put(w, s + run, len - run) < 0)
		return -1;
	return quote ? put(w, "\"", 1) : 0;
}

uint64_t csv_bytes(const csv_writer *w) { return w->bytes; }
uint64_t csv_replaced(const csv_writer *w) { return w->replaced; }
