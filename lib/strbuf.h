/* strbuf.h - a growable string whose appends never fail one by one: an
 * allocation failure is remembered in `nomem` (later appends do nothing)
 * and checked once at the end.  The text is NUL-terminated once anything
 * was appended; the caller frees `p`. */
#ifndef STRBUF_H
#define STRBUF_H

#include <stddef.h>

struct strbuf {
	char *p;
	size_t len, cap;
	int nomem;
};

/* Appends the N bytes at S (NULs included). */
void strbuf_put(struct strbuf *b, const char *s, size_t n);

#endif
