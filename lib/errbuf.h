/* errbuf.h - the library's one error style: a return code plus one line in
 * the caller's buffer.
 *
 * A lib/ function that can fail takes (char *err, size_t errlen) as its last
 * two parameters.  On failure it writes one line there (no program name, no
 * trailing newline; bin/ adds the tool's name when it prints it) and returns
 * the failure code its header names: -1, or an osdl exit code (enum
 * osdl_exit in osdl.h) when the caller must tell kinds of failure apart
 * (bad data from I/O from memory).  Handles keep no message of their own:
 * there is no _error() accessor, no _strerror(status) table and no error
 * struct.  ERR may be NULL (or ERRLEN 0) when the caller only wants the code.
 *
 * The one exception follows the system's own convention: thin writers to a
 * descriptor (lzio's writer, csv, parquet, pqsink), like the write(2) they
 * wrap, return -1 with errno set, and constructors return NULL with errno
 * set (ENOMEM, or the error of the open(2) they make);
 * their callers put strerror(errno) into their line. */
#ifndef ERRBUF_H
#define ERRBUF_H

#include <stddef.h>

/* Formats the reason into ERR (if ERR and ERRLEN are non-zero) and returns
 * CODE, so that "return errbuf_fail(err, errlen, -1, ...)" is one line. */
int errbuf_fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Puts the formatted text in front of the line already in ERR (a callee's
 * reason), e.g. errbuf_prefix(err, errlen, rc, "%s:%zu: ", file, lineno),
 * and returns CODE.  The result is truncated to ERRLEN like errbuf_fail. */
int errbuf_prefix(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
