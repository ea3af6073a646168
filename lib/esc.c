/* esc.c - data-derived text escaped for one log or error line. */
#include "esc.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at S (at most AVAIL bytes) and its code
 * point, or 0 if it is not one (overlong, surrogate, above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t avail, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t k;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	k = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	min = k == 2 ? 0x80 : k == 3 ? 0x800 : 0x10000;
	if (k > avail)
		return 0;
	*cp = c & (0x7f >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return k;
}

static int cp_hidden(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* The display form of the character at S[0] (AVAIL bytes left) into PIECE
 * (>= 12 bytes); sets *USED to the bytes consumed, returns the length. */
static size_t piece_of(const unsigned char *s, size_t avail, char *piece, size_t *used, int keep_bs)
{
	unsigned c = s[0], cp = 0;
	size_t k;
	*used = 1;
	switch (c) {
	case '\\':
		if (keep_bs)
			break;
		return (size_t)sprintf(piece, "\\\\");
	case '\t': return (size_t)sprintf(piece, "\\t");
	case '\n': return (size_t)sprintf(piece, "\\n");
	case '\r': return (size_t)sprintf(piece, "\\r");
	}
	if (c < 0x20 || c == 0x7f)
		return (size_t)sprintf(piece, "\\x%02x", c);
	if (c < 0x80) {
		piece[0] = (char)c;
		return 1;
	}
	if ((k = utf8_seq(s, avail, &cp)) == 0)
		return (size_t)sprintf(piece, "\\x%02x", c);
	*used = k;
	if (cp_hidden(cp))
		return (size_t)sprintf(piece, "\\u%04x", cp);
	memcpy(piece, s, k);
	return k;
}

static const char *esc(const char *s, size_t len, char *buf, size_t n, int keep_bs)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, total = 0, k;
	char piece[12];

	if (!s) {
		snprintf(buf, n, "(null)");
		return buf;
	}
	if (len == (size_t)-1)
		len = strlen(s);
	for (size_t i = 0; i < len && total < n; i += k)
		total += piece_of(p + i, len - i, piece, &k, keep_bs);
	/* When it does not all fit, keep room for a "..." after each piece. */
	size_t reserve = total < n ? 0 : 3;
	for (size_t i = 0; i < len; i += k) {
		size_t pl = piece_of(p + i, len - i, piece, &k, keep_bs);
		if (o + pl + reserve >= n) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, piece, pl);
		o += pl;
	}
	buf[o] = 0;
	return buf;
}

const char *esc_display(const char *s, size_t len, char *buf, size_t n)
{
	return esc(s, len, buf, n, 0);
}

const char *esc_line(const char *s, size_t len, char *buf, size_t n)
{
	return esc(s, len, buf, n, 1);
}
