/* jstr.c - JSON string escapes, with one rule for lone surrogates. */
#include "jstr.h"

#include <string.h>

static int hex4(const char *s, size_t avail, unsigned *cp)
{
	unsigned v = 0;
	if (avail < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*cp = v;
	return 0;
}

/* At S[0] == '\\' and S[1] == 'u' (N bytes from S): the code point of the
 * escape, a surrogate pair joined, and in *LEN the bytes it takes (6 or
 * 12).  A surrogate that is not a pair comes back as U+FFFD, *LONE set. */
static unsigned u_escape(const char *s, size_t n, size_t *len, int *lone)
{
	unsigned cp, lo;
	*len = 2;
	*lone = 0;
	if (hex4(s + 2, n - 2, &cp))
		return 0xFFFD; /* not an escape a parser let through */
	*len = 6;
	if (cp >= 0xD800 && cp <= 0xDBFF && n >= 12 && s[6] == '\\' && s[7] == 'u' &&
	    hex4(s + 8, n - 8, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
		*len = 12;
		return 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
	}
	*lone = cp >= 0xD800 && cp <= 0xDFFF;
	return *lone ? 0xFFFD : cp;
}

static size_t put_utf8(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

int jstr_has_surrogate(const char *s, size_t n)
{
	for (const char *p = s, *end = s + n; (p = memchr(p, '\\', (size_t)(end - p))); p += 2) {
		if (end - p < 6)
			return 0;
		if (p[1] == 'u' && (p[2] == 'd' || p[2] == 'D') && p[3] && strchr("89abcdefABCDEF", p[3]))
			return 1;
	}
	return 0;
}

size_t jstr_decode(const char *raw, size_t n, char *out)
{
	size_t o = 0, k;
	int lone;
	for (size_t i = 0; i < n;) {
		if (raw[i] != '\\' || i + 1 >= n) {
			out[o++] = raw[i++];
			continue;
		}
		char c = raw[i + 1];
		switch (c) {
		case 'b': out[o++] = '\b'; break;
		case 'f': out[o++] = '\f'; break;
		case 'n': out[o++] = '\n'; break;
		case 'r': out[o++] = '\r'; break;
		case 't': out[o++] = '\t'; break;
		case 'u':
			o += put_utf8(u_escape(raw + i, n - i, &k, &lone), out + o);
			i += k;
			continue;
		default: out[o++] = c; break; /* '"', '\\', '/' */
		}
		i += 2;
	}
	return o;
}

int jstr_too_deep(const char *s, size_t n, int max)
{
	int depth = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
		} else if (c == '"') {
			in_str = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > max)
				return 1;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

size_t jstr_fix_text(const char *j, size_t n, char *out)
{
	size_t o = 0, k;
	int lone;
	for (size_t i = 0; i < n;) {
		if (j[i] != '\\' || i + 1 >= n) {
			out[o++] = j[i++];
			continue;
		}
		if (j[i + 1] != 'u') {
			out[o++] = j[i++];
			out[o++] = j[i++];
			continue;
		}
		unsigned cp = u_escape(j + i, n - i, &k, &lone);
		if (lone) {
			o += put_utf8(cp, out + o);
		} else {
			memcpy(out + o, j + i, k);
			o += k;
		}
		i += k;
	}
	return o;
}
