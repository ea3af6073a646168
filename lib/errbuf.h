/* errbuf.h - filling the caller's one-line error buffer.
 *
 * Library functions report errors as a return code plus a one-line reason in
 * a caller-supplied (err, errlen) buffer; only bin/ prints it. */
#ifndef ERRBUF_H
#define ERRBUF_H

#include <stddef.h>

/* Formats the reason into ERR (if ERR and ERRLEN are non-zero) and returns
 * CODE, so that "return errbuf_fail(err, errlen, -1, ...)" is one line. */
int errbuf_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
