/* jkey.c - sort keys of NDJSON lines: a validating one-pass scanner that
 * picks values by dotted path, and typed, exact comparison.
 *
 * (Over 600 lines: the scanner is the hot path of osmerge and of osfetch's
 * local sort, written as one state machine on purpose.) */
#include "jkey.h"

#include <stdio.h>
#include <string.h>

#include "errbuf.h"
#include "osdl.h"
#include "tspan.h"

#define MAX_DEPTH OSDL_MAX_DEPTH

/* 1 for bytes that end the fast loop inside a string: '"', '\\', control
 * characters (invalid unescaped) and non-ASCII (UTF-8 to check). */
static const unsigned char str_special[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1
};

/* Scanner state for one line.  Paths are matched by (index, offset into
 * the path text) so no path is ever split or copied. */
struct scan {
	const unsigned char *p, *end, *start;
	const char *path[JKEY_MAX];
	size_t plen[JKEY_MAX];
	jkey_val *vals;
	uint32_t found;
	int status;
};

static int fail(struct scan *s, int status)
{
	if (!s->status)
		s->status = status;
	return -1;
}

static inline void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Checks one UTF-8 sequence starting at s->p (a byte >= 0x80) and steps
 * over it.  Overlong forms, surrogates and code points past U+10FFFF are
 * errors, as in yajl's and RFC 3629's definition. */
static int utf8_step(struct scan *s)
{
	const unsigned char *p = s->p;
	size_t left = (size_t)(s->end - p);
	unsigned c = p[0], lo = 0x80, hi = 0xBF;
	int n;
	if (c >= 0xC2 && c <= 0xDF)
		n = 1;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return fail(s, JKEY_ERR_JSON);
	if (left < (size_t)n + 1 || p[1] < lo || p[1] > hi)
		return fail(s, JKEY_ERR_JSON);
	for (int i = 2; i <= n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return fail(s, JKEY_ERR_JSON);
	s->p += n + 1;
	return 0;
}

/* s->p at '"'.  Sets the contents range and whether escapes occur. */
static int scan_string(struct scan *s, const unsigned char **cs, size_t *cl, int *esc)
{
	const unsigned char *begin = ++s->p, *p = begin, *end = s->end;
	*esc = 0;
	for (;;) {
		/* Eight bytes at a time while none is '"', '\\', < 0x20 or >= 0x80
		 * (may stop early on a false alarm: the byte loop decides). */
		while (end - p >= 8) {
			uint64_t x, q, b;
			memcpy(&x, p, 8);
			q = x ^ 0x2222222222222222ull;
			b = x ^ 0x5C5C5C5C5C5C5C5Cull;
			if ((((q - 0x0101010101010101ull) & ~q) | ((b - 0x0101010101010101ull) & ~b) |
			     ((x - 0x2020202020202020ull) & ~x) | x) & 0x8080808080808080ull)
				break;
			p += 8;
		}
		while (p < end && !str_special[*p])
			p++;
		if (p >= end)
			break;
		if (*p == '"') {
			*cs = begin;
			*cl = (size_t)(p - begin);
			s->p = p + 1;
			return 0;
		}
		if (*p == '\\') {
			*esc = 1;
			if (++p >= end)
				break;
			switch (*p) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				p++;
				break;
			case 'u':
				if (end - p < 5 || hexval(p[1]) < 0 || hexval(p[2]) < 0 ||
				    hexval(p[3]) < 0 || hexval(p[4]) < 0) {
					s->p = p;
					return fail(s, JKEY_ERR_JSON);
				}
				p += 5;
				break;
			default:
				s->p = p;
				return fail(s, JKEY_ERR_JSON);
			}
		} else if (*p < 0x20) {
			s->p = p;
			return fail(s, JKEY_ERR_JSON);
		} else {
			s->p = p;
			if (utf8_step(s) != 0)
				return -1;
			p = s->p;
		}
	}
	s->p = end;
	return fail(s, JKEY_ERR_JSON);
}

/* s->p at '-' or a digit.  *is_int is 1 for integers without fraction or
 * exponent, and *iv their value when they have at most 18 digits. */
static int scan_number(struct scan *s, int *small_int, int64_t *iv)
{
	const unsigned char *p = s->p, *end = s->end;
	int neg = 0, digits = 0, is_int = 1;
	int64_t v = 0;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p < end && *p == '0')
		p++, digits = 1;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9') {
			if (digits < 18)
				v = v * 10 + (*p - '0');
			digits++;
			p++;
		}
	else
		goto bad;
	if (p < end && *p == '.') {
		is_int = 0;
		p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		is_int = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	}
	s->p = p;
	*small_int = is_int && digits <= 18;
	*iv = neg ? -v : v;
	return 0;
bad:
	s->p = p;
	return fail(s, JKEY_ERR_JSON);
}

static int scan_value(struct scan *s, int depth, uint32_t sub, const uint16_t *subofs, uint32_t targets);

/* Compares member name (raw JSON string contents) with path text. */
static int name_is(const unsigned char *name, size_t nl, int esc, const char *path, size_t pl)
{
	if (!esc)
		return nl == pl && memcmp(name, path, pl) == 0;
	/* Escaped names are rare: decode the simple escapes and \u00XX. */
	size_t k = 0;
	for (size_t i = 0; i < nl; i++, k++) {
		int c = name[i];
		if (c == '\\') {
			c = name[++i];
			switch (c) {
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				c = (hexval(name[i + 1]) << 12) | (hexval(name[i + 2]) << 8) |
				    (hexval(name[i + 3]) << 4) | hexval(name[i + 4]);
				i += 4;
				if (c > 0x7f)
					return 0; /* paths given on the command line: ASCII is enough */
				break;
			default: break;
			}
		}
		if (k >= pl || path[k] != c)
			return 0;
	}
	return k == pl;
}

/* After a member or element: 1 if a ',' (and blanks) followed, more to come;
 * 0 if CLOSE ended the object or array; -1 on anything else. */
static int scan_next_item(struct scan *s, unsigned char close)
{
	skip_ws(s);
	if (s->p >= s->end)
		return fail(s, JKEY_ERR_JSON);
	if (*s->p == ',') {
		s->p++;
		skip_ws(s);
		return 1;
	}
	if (*s->p == close) {
		s->p++;
		return 0;
	}
	return fail(s, JKEY_ERR_JSON);
}

static int scan_object(struct scan *s, int depth, uint32_t mask, const uint16_t *ofs)
{
	int more;
	if (depth > MAX_DEPTH)
		return fail(s, JKEY_ERR_DEPTH);
	s->p++; /* '{' */
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		const unsigned char *name;
		size_t nl;
		int esc;
		if (s->p >= s->end || *s->p != '"')
			return fail(s, JKEY_ERR_JSON);
		if (scan_string(s, &name, &nl, &esc) != 0)
			return -1;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, JKEY_ERR_JSON);
		s->p++;
		skip_ws(s);
		uint32_t targets = 0, sub = 0;
		uint16_t subofs[JKEY_MAX];
		for (uint32_t m = mask & ~s->found; m; m &= m - 1) {
			int i = __builtin_ctz(m);
			const char *rest = s->path[i] + ofs[i];
			size_t rl = s->plen[i] - ofs[i];
			if (name_is(name, nl, esc, rest, rl)) {
				targets |= 1u << i;
				continue;
			}
			/* "a.b.c" also reaches {"a":{"b.c":..}} and {"a.b":{"c":..}}. */
			for (size_t d = 0; d < rl; d++) {
				if (rest[d] != '.')
					continue;
				if (name_is(name, nl, esc, rest, d)) {
					sub |= 1u << i;
					subofs[i] = (uint16_t)(ofs[i] + d + 1);
					break;
				}
			}
		}
		if (scan_value(s, depth, sub, subofs, targets) != 0)
			return -1;
		if ((more = scan_next_item(s, '}')) <= 0)
			return more;
	}
}

/* Steps over the object or array at s->p, the DEPTH-th open container,
 * checking that it is valid JSON, without recursion: nothing in it is a
 * key, so only the kind of each open container (one bit) is kept, and the
 * stack stays flat however deep the data nests (up to MAX_DEPTH). */
static int skip_container(struct scan *s, int depth)
{
	unsigned char is_obj[MAX_DEPTH / 8 + 1];
	int n = 0, more;
	for (;;) {
		unsigned char c = s->p < s->end ? *s->p : 0;
		if (c == '{' || c == '[') {
			if (depth + n > MAX_DEPTH)
				return fail(s, JKEY_ERR_DEPTH);
			if (c == '{')
				is_obj[n / 8] |= (unsigned char)(1u << (n % 8));
			else
				is_obj[n / 8] &= (unsigned char)~(1u << (n % 8));
			n++;
			s->p++;
			skip_ws(s);
			if (s->p < s->end && *s->p == (c == '{' ? '}' : ']')) {
				s->p++;
				n--;
				goto after_value;
			}
			if (c == '[')
				continue; /* the first element */
			goto member;
		}
		if (scan_value(s, depth + n, 0, NULL, 0) != 0) /* a scalar: no recursion */
			return -1;
after_value:
		for (;;) {
			if (n == 0)
				return 0;
			int obj = is_obj[(n - 1) / 8] >> ((n - 1) % 8) & 1;
			if ((more = scan_next_item(s, obj ? '}' : ']')) < 0)
				return -1;
			if (more == 0) {
				n--;
				continue;
			}
			if (!obj)
				break; /* the next element */
member:
			{
				const unsigned char *name;
				size_t nl;
				int esc;
				if (s->p >= s->end || *s->p != '"' || scan_string(s, &name, &nl, &esc) != 0)
					return fail(s, JKEY_ERR_JSON);
				skip_ws(s);
				if (s->p >= s->end || *s->p != ':')
					return fail(s, JKEY_ERR_JSON);
				s->p++;
				skip_ws(s);
			}
			break; /* the member's value */
		}
	}
}

static int is_date_like(const unsigned char *p, size_t n)
{
	return n >= 10 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
	       p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' && p[4] == '-' &&
	       p[7] == '-';
}

static void set_targets(struct scan *s, uint32_t targets, const jkey_val *v)
{
	for (uint32_t m = targets; m; m &= m - 1) {
		int i = __builtin_ctz(m);
		s->vals[i] = *v;
		s->found |= 1u << i;
	}
}

static int scan_literal(struct scan *s, const char *word, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return fail(s, JKEY_ERR_JSON);
	s->p += n;
	return 0;
}

static int scan_value(struct scan *s, int depth, uint32_t sub, const uint16_t *subofs, uint32_t targets)
{
	if (s->p >= s->end)
		return fail(s, JKEY_ERR_JSON);
	const unsigned char *start = s->p;
	jkey_val v = { 0 };
	switch (*s->p) {
	case '"': {
		const unsigned char *cs;
		size_t cl;
		int esc;
		if (scan_string(s, &cs, &cl, &esc) != 0)
			return -1;
		if (!targets)
			return 0;
		v.p = (const char *)cs;
		v.len = (uint32_t)cl;
		v.type = JKEY_STR;
		int sub_ms = 0;
		if (esc)
			v.flags = JKEY_F_ESC;
		else if (is_date_like(cs, cl) && tspan_parse_time((const char *)cs, cl, &v.i, &sub_ms) == 0) {
			v.type = JKEY_DATE;
			v.flags = sub_ms ? JKEY_F_SUBMS : 0;
		}
		break;
	}
	case '{':
		/* Recursion only while a path leads inside: as deep as the
		 * longest path, not as deep as the data. */
		if ((sub ? scan_object(s, depth + 1, sub, subofs) : skip_container(s, depth + 1)) != 0)
			return -1;
		v.type = JKEY_RAW;
		break;
	case '[':
		if (skip_container(s, depth + 1) != 0)
			return -1;
		v.type = JKEY_RAW;
		break;
	case 't':
		if (scan_literal(s, "true", 4) != 0)
			return -1;
		v.type = JKEY_TRUE;
		break;
	case 'f':
		if (scan_literal(s, "false", 5) != 0)
			return -1;
		v.type = JKEY_FALSE;
		break;
	case 'n':
		if (scan_literal(s, "null", 4) != 0)
			return -1;
		v.type = JKEY_MISSING;
		break;
	default: {
		if (*s->p != '-' && (*s->p < '0' || *s->p > '9'))
			return fail(s, JKEY_ERR_JSON);
		int small;
		if (scan_number(s, &small, &v.i) != 0)
			return -1;
		v.type = JKEY_NUM;
		v.flags = small ? JKEY_F_INT : 0;
		break;
	}
	}
	if (targets) {
		if (v.type != JKEY_STR && v.type != JKEY_DATE) {
			v.p = (const char *)start;
			v.len = (uint32_t)(s->p - start);
		}
		set_targets(s, targets, &v);
	}
	return 0;
}

/* The reason for a failed line, out of line (cold) so that jkey_extract's
 * success path, osmerge's hot loop, stays free of formatting. */
static __attribute__((cold, noinline)) int extract_fail(int status, size_t pos, char *err, size_t errlen)
{
	switch (status) {
	case JKEY_ERR_JSON:
		return errbuf_fail(err, errlen, status, "invalid JSON at byte %zu", pos + 1);
	case JKEY_ERR_NOT_OBJECT:
		return errbuf_fail(err, errlen, status, "not a JSON object");
	case JKEY_ERR_EMPTY:
		return errbuf_fail(err, errlen, status, "empty line");
	default:
		return errbuf_fail(err, errlen, status, "JSON nested deeper than " OSDL_MAX_DEPTH_TEXT " levels");
	}
}

int jkey_extract(const jkey_spec *ks, const char *line, size_t len, jkey_val *vals,
		 char *err, size_t errlen)
{
	struct scan s;
	int nv = jkey_nvals(ks);
	s.p = s.start = (const unsigned char *)line;
	s.end = s.p + len;
	s.vals = vals;
	s.found = 0;
	s.status = 0;
	for (int i = 0; i < nv; i++) {
		s.path[i] = i < ks->n ? ks->path[i] : "_id";
		s.plen[i] = strlen(s.path[i]);
		vals[i] = (jkey_val){ 0 };
	}
	uint16_t ofs[JKEY_MAX] = { 0 };
	skip_ws(&s);
	if (s.p >= s.end) {
		s.status = JKEY_ERR_EMPTY;
	} else if (*s.p == '{') {
		if (scan_object(&s, 1, nv ? (uint32_t)((1ull << nv) - 1) : 0, ofs) == 0) {
			skip_ws(&s);
			if (s.p != s.end)
				fail(&s, JKEY_ERR_JSON);
		}
	} else if (scan_value(&s, 0, 0, NULL, 0) == 0) {
		skip_ws(&s);
		fail(&s, s.p == s.end ? JKEY_ERR_NOT_OBJECT : JKEY_ERR_JSON);
	}
	if (s.status)
		return extract_fail(s.status, (size_t)(s.p - s.start), err, errlen);
	return JKEY_OK;
}

int jkey_spec_add(jkey_spec *ks, const char *arg)
{
	const char *colon = strrchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	int desc = 0;
	if (colon) {
		if (strcmp(colon + 1, "desc") == 0)
			desc = 1;
		else if (strcmp(colon + 1, "asc") != 0)
			return -1;
	}
	if (n == 0 || n >= sizeof ks->path[0] || ks->n >= JKEY_MAX - 1)
		return -1;
	memcpy(ks->path[ks->n], arg, n);
	ks->path[ks->n][n] = '\0';
	ks->desc[ks->n] = desc;
	ks->n++;
	return 0;
}

int jkey_nvals(const jkey_spec *ks) { return ks->n + (ks->with_id ? 1 : 0); }

/* ---- comparison ---- */

/* A JSON number as sign, significant digits and magnitude: the value is
 * 0.DIGITS x 10^mag, DIGITS without leading or trailing zeros.  Digits are
 * read through dec_digit() from the integer and fraction parts in place. */
struct dec {
	int sign; /* -1, 0, 1 */
	const char *ip, *fp;
	size_t il, fl;
	size_t a, b; /* significant digits: virtual indexes [a, b) of ip+fp */
	int64_t mag;
};

static char dec_digit(const struct dec *d, size_t k)
{
	return k < d->il ? d->ip[k] : d->fp[k - d->il];
}

static void dec_parse(const char *p, size_t n, struct dec *d)
{
	const char *end = p + n;
	int neg = 0;
	if (p < end && *p == '-')
		neg = 1, p++;
	d->ip = p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	d->il = (size_t)(p - d->ip);
	d->fp = p;
	d->fl = 0;
	if (p < end && *p == '.') {
		d->fp = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		d->fl = (size_t)(p - d->fp);
	}
	int64_t e = 0;
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			if (e < (int64_t)1 << 50) /* saturate: far beyond any digit count */
				e = e * 10 + (*p - '0');
		if (eneg)
			e = -e;
	}
	size_t total = d->il + d->fl;
	d->a = 0;
	while (d->a < total && dec_digit(d, d->a) == '0')
		d->a++;
	d->b = total;
	while (d->b > d->a && dec_digit(d, d->b - 1) == '0')
		d->b--;
	d->sign = d->a == d->b ? 0 : neg ? -1 : 1;
	d->mag = (int64_t)d->il - (int64_t)d->a + e;
}

static int dec_cmp(const jkey_val *x, const jkey_val *y)
{
	struct dec a, b;
	dec_parse(x->p, x->len, &a);
	dec_parse(y->p, y->len, &b);
	if (a.sign != b.sign)
		return a.sign < b.sign ? -1 : 1;
	if (a.sign == 0)
		return 0;
	int c = 0;
	if (a.mag != b.mag) {
		c = a.mag < b.mag ? -1 : 1;
	} else {
		size_t i = a.a, j = b.a;
		for (; i < a.b && j < b.b; i++, j++) {
			char da = dec_digit(&a, i), db = dec_digit(&b, j);
			if (da != db) {
				c = da < db ? -1 : 1;
				break;
			}
		}
		if (!c && (i < a.b || j < b.b))
			c = i < a.b ? 1 : -1;
	}
	return a.sign < 0 ? -c : c;
}

/* Digits after the first three of the fraction of an ISO instant, without
 * trailing zeros (the part tspan_parse_time truncates). */
static void sub_ms_digits(const jkey_val *v, const char **d, size_t *n)
{
	const char *p = v->p, *end = v->p + v->len;
	*n = 0;
	*d = p;
	for (p += 10; p < end && *p != '.' && *p != ','; p++)
		;
	if (p >= end)
		return;
	const char *f = ++p;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p - f <= 3)
		return;
	f += 3;
	while (p > f && p[-1] == '0')
		p--;
	*d = f;
	*n = (size_t)(p - f);
}

/* Unescaping byte iterator over JSON string contents. */
struct uit {
	const char *p, *end;
	unsigned char buf[4];
	int bi, bn;
};

static int unext(struct uit *u)
{
	if (u->bi < u->bn)
		return u->buf[u->bi++];
	if (u->p >= u->end)
		return -1;
	unsigned char c = (unsigned char)*u->p++;
	if (c != '\\' || u->p >= u->end)
		return c;
	c = (unsigned char)*u->p++;
	switch (c) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': break;
	default: return c;
	}
	unsigned cp = 0;
	for (int i = 0; i < 4 && u->p < u->end; i++)
		cp = cp << 4 | (unsigned)hexval(*u->p++);
	if (cp >= 0xD800 && cp <= 0xDBFF && u->end - u->p >= 6 && u->p[0] == '\\' && u->p[1] == 'u') {
		unsigned lo = 0;
		for (int i = 2; i < 6; i++)
			lo = lo << 4 | (unsigned)hexval(u->p[i]);
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			u->p += 6;
		}
	}
	if (cp >= 0xD800 && cp <= 0xDFFF)
		cp = 0xFFFD; /* lone surrogate */
	u->bi = 0;
	if (cp < 0x80) {
		u->buf[0] = (unsigned char)cp;
		u->bn = 1;
	} else if (cp < 0x800) {
		u->buf[0] = (unsigned char)(0xC0 | cp >> 6);
		u->buf[1] = (unsigned char)(0x80 | (cp & 0x3F));
		u->bn = 2;
	} else if (cp < 0x10000) {
		u->buf[0] = (unsigned char)(0xE0 | cp >> 12);
		u->buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u->buf[2] = (unsigned char)(0x80 | (cp & 0x3F));
		u->bn = 3;
	} else {
		u->buf[0] = (unsigned char)(0xF0 | cp >> 18);
		u->buf[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		u->buf[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u->buf[3] = (unsigned char)(0x80 | (cp & 0x3F));
		u->bn = 4;
	}
	return u->buf[u->bi++];
}

static int bytes_cmp(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);
	if (c)
		return c < 0 ? -1 : 1;
	return al < bl ? -1 : al > bl;
}

static int str_cmp(const jkey_val *a, const jkey_val *b)
{
	if (!((a->flags | b->flags) & JKEY_F_ESC))
		return bytes_cmp(a->p, a->len, b->p, b->len);
	struct uit x = { a->p, a->p + a->len, { 0 }, 0, 0 };
	struct uit y = { b->p, b->p + b->len, { 0 }, 0, 0 };
	for (;;) {
		int cx = unext(&x), cy = unext(&y);
		if (cx != cy)
			return cx < cy ? -1 : 1;
		if (cx < 0)
			return 0;
	}
}

int jkey_cmp_val(const jkey_val *a, const jkey_val *b, int missing_last)
{
	if (a->type != b->type) {
		if (a->type == JKEY_MISSING)
			return missing_last ? 1 : -1;
		if (b->type == JKEY_MISSING)
			return missing_last ? -1 : 1;
		return a->type < b->type ? -1 : 1;
	}
	switch (a->type) {
	case JKEY_NUM:
		if (a->flags & b->flags & JKEY_F_INT)
			return a->i < b->i ? -1 : a->i > b->i;
		return dec_cmp(a, b);
	case JKEY_DATE:
		if (a->i != b->i)
			return a->i < b->i ? -1 : 1;
		if ((a->flags | b->flags) & JKEY_F_SUBMS) {
			const char *da, *db;
			size_t na, nb;
			sub_ms_digits(a, &da, &na);
			sub_ms_digits(b, &db, &nb);
			return bytes_cmp(da, na, db, nb);
		}
		return 0;
	case JKEY_STR:
		return str_cmp(a, b);
	case JKEY_RAW:
		return bytes_cmp(a->p, a->len, b->p, b->len);
	default: /* missing, false, true */
		return 0;
	}
}

int jkey_cmp(const jkey_spec *ks, const jkey_val *a, const jkey_val *b)
{
	for (int i = 0; i < ks->n; i++) {
		int c = jkey_cmp_val(&a[i], &b[i], ks->missing_last);
		if (c) {
			/* Missing values stay where --missing puts them. */
			if (ks->desc[i] && a[i].type != JKEY_MISSING && b[i].type != JKEY_MISSING)
				c = -c;
			return c;
		}
	}
	return 0;
}

int jkey_same_text(const jkey_val *a, const jkey_val *b)
{
	return a->type == b->type && a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

size_t jkey_copy_size(const jkey_val *vals, int n)
{
	size_t s = 0;
	for (int i = 0; i < n; i++)
		s += vals[i].len;
	return s;
}

void jkey_copy(jkey_val *dst, const jkey_val *src, int n, char *buf)
{
	for (int i = 0; i < n; i++) {
		dst[i] = src[i];
		if (src[i].len) {
			memcpy(buf, src[i].p, src[i].len);
			dst[i].p = buf;
			buf += src[i].len;
		}
	}
}

void jkey_format(const jkey_val *v, char *buf, size_t n)
{
	if (v->type == JKEY_MISSING && !v->len) {
		snprintf(buf, n, "(missing)");
		return;
	}
	int len = v->len > 80 ? 80 : (int)v->len;
	const char *more = v->len > 80 ? "..." : "";
	if (v->type == JKEY_STR || v->type == JKEY_DATE)
		snprintf(buf, n, "\"%.*s%s\"", len, v->p, more);
	else
		snprintf(buf, n, "%.*s%s", len, v->p, more);
}
