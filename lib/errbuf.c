/* errbuf.c - filling the caller's one-line error buffer, see errbuf.h. */
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int errbuf_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

int errbuf_prefix(char *err, size_t errlen, int code, const char *fmt, ...)
{
	char head[512];
	va_list ap;
	size_t n;

	if (!err || !errlen)
		return code;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	n = strlen(head);
	if (n >= errlen)
		n = errlen - 1;
	/* Shift the callee's reason right (memmove: the regions overlap) and
	 * keep the terminating NUL inside the buffer. */
	size_t old = strnlen(err, errlen - 1);
	if (n + old >= errlen)
		old = errlen - 1 - n;
	memmove(err + n, err, old);
	memcpy(err, head, n);
	err[n + old] = '\0';
	return code;
}
