/* tspan.c - UTC instants in milliseconds, ISO-8601, calendar steps and
 * strftime-style index patterns, without the C library's time zone code. */
#include "tspan.h"

#include <stdio.h>
#include <string.h>

#define MS_SEC  1000LL
#define MS_MIN  (60 * MS_SEC)
#define MS_HOUR (60 * MS_MIN)
#define MS_DAY  (24 * MS_HOUR)

/* Floor division, because instants before 1970 are negative. */
static int64_t fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): exact for every year, no tables, no time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = fdiv(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = fdiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* Exactly N digits at P into *V; returns 0 or -1. */
static int digits(const char *p, const char *end, int n, int *v)
{
	if (end - p < n)
		return -1;
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		x = x * 10 + (p[i] - '0');
	}
	*v = x;
	return 0;
}

static int parse_epoch(const char *p, const char *end, int64_t *ms)
{
	int neg = 0;
	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || end - p > 18) /* 18 digits cannot overflow int64 */
		return -1;
	int64_t v = 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	*ms = neg ? -v : v;
	return *ms < TSPAN_MIN_MS || *ms > TSPAN_MAX_MS ? -1 : 0;
}

/* Hand-written rather than strptime(): it runs once per document in osmerge
 * and osdown, must reject impossible dates, and must not touch TZ. */
int tspan_parse_time(const char *s, size_t len, int64_t *ms, int *sub_ms)
{
	const char *p = s, *end;
	int Y, M, D, h = 0, mi = 0, sec = 0, frac = 0, sub = 0;
	int64_t off = 0;

	if (len == (size_t)-1)
		len = strlen(s);
	end = s + len;
	if (sub_ms)
		*sub_ms = 0;
	/* A date always has '-' at index 4; epoch millis never do. */
	if (len < 10 || p[4] != '-')
		return parse_epoch(p, end, ms);
	if (digits(p, end, 4, &Y) || p[4] != '-' || digits(p + 5, end, 2, &M) ||
	    p[7] != '-' || digits(p + 8, end, 2, &D))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > month_days(Y, M))
		return -1;
	p += 10;
	if (p < end) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			return -1;
		p++;
		if (digits(p, end, 2, &h) || end - p < 5 || p[2] != ':' ||
		    digits(p + 3, end, 2, &mi))
			return -1;
		p += 5;
		if (p < end && *p == ':') {
			if (digits(p + 1, end, 2, &sec))
				return -1;
			p += 3;
			if (p < end && (*p == '.' || *p == ',')) {
				const char *f = ++p;
				for (; p < end && *p >= '0' && *p <= '9'; p++) {
					int dig = *p - '0';
					if (p - f < 3)
						frac = frac * 10 + dig;
					else if (dig)
						sub = 1;
				}
				if (p == f)
					return -1;
				for (long k = p - f; k < 3; k++)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
		/* No zone means UTC, as OpenSearch reads such dates. */
		if (p < end) {
			if (*p == 'Z' || *p == 'z') {
				p++;
			} else if (*p == '+' || *p == '-') {
				int sign = *p == '-' ? -1 : 1, oh, om = 0;
				p++;
				if (digits(p, end, 2, &oh))
					return -1;
				p += 2;
				int colon = p < end && *p == ':';
				p += colon;
				if (colon || p < end) {
					if (digits(p, end, 2, &om))
						return -1;
					p += 2;
				}
				if (oh > 18 || om > 59)
					return -1;
				off = sign * (oh * MS_HOUR + om * MS_MIN);
			} else {
				return -1;
			}
		}
		if (p != end)
			return -1;
	}
	*ms = days_from_civil(Y, M, D) * MS_DAY + h * MS_HOUR + mi * MS_MIN +
	      sec * MS_SEC + frac - off;
	/* An offset can push 0000-01-01 or 9999-12-31 out of the years the
	 * ISO form (and so a spec line) can write. */
	if (*ms < TSPAN_MIN_MS || *ms > TSPAN_MAX_MS)
		return -1;
	if (sub_ms)
		*sub_ms = sub;
	return 0;
}

int64_t tspan_precision(const char *s, size_t len)
{
	if (len == (size_t)-1)
		len = strlen(s);
	if (len < 10 || s[4] != '-')
		return 1; /* epoch millis */
	if (len == 10)
		return MS_DAY;
	/* s[10] is the separator; HH:MM follows, then maybe :SS and a fraction. */
	if (len < 19 || s[16] != ':')
		return MS_MIN;
	if (len > 19 && (s[19] == '.' || s[19] == ','))
		return 1;
	return MS_SEC;
}

struct civil {
	int64_t y;
	int mon, d, h, mi, s, ms;
};

static void civil_of(int64_t t, struct civil *c)
{
	int64_t days = fdiv(t, MS_DAY), r = t - days * MS_DAY;
	civil_from_days(days, &c->y, &c->mon, &c->d);
	c->h = (int)(r / MS_HOUR);
	c->mi = (int)(r / MS_MIN % 60);
	c->s = (int)(r / MS_SEC % 60);
	c->ms = (int)(r % 1000);
}

char *tspan_format_iso(int64_t ms, char *buf)
{
	struct civil c;
	civil_of(ms, &c);
	snprintf(buf, TSPAN_ISO_MAX, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 (long long)c.y, c.mon, c.d, c.h, c.mi, c.s, c.ms);
	return buf;
}

char *tspan_format_compact(int64_t ms, char *buf)
{
	struct civil c;
	civil_of(ms, &c);
	snprintf(buf, TSPAN_ISO_MAX, "%04lld%02d%02dT%02d%02d%02d.%03dZ",
		 (long long)c.y, c.mon, c.d, c.h, c.mi, c.s, c.ms);
	return buf;
}

int tspan_parse_step(const char *s, struct tspan_step *step)
{
	long n = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 100000000)
			return -1;
	}
	if (p == s || n < 1)
		return -1;
	char u = *p;
	if (strcmp(p, "ms") == 0)
		u = 'l';
	else if (!u || p[1] || !strchr("smhdwMy", u))
		return -1;
	step->count = (int)n;
	step->unit = u;
	return 0;
}

/* Length in ms of fixed-length units; 0 for calendar ones (M, y). */
static int64_t unit_ms(char unit)
{
	switch (unit) {
	case 'l': return 1;
	case 's': return MS_SEC;
	case 'm': return MS_MIN;
	case 'h': return MS_HOUR;
	case 'd': return MS_DAY;
	case 'w': return 7 * MS_DAY;
	default: return 0;
	}
}

/* Weeks start on Monday (ISO 8601, as OpenSearch's calendar "1w");
 * 1969-12-29 was a Monday. */
#define WEEK_ORIGIN (-3 * MS_DAY)

int64_t tspan_floor(int64_t ms, struct tspan_step step)
{
	int64_t len = unit_ms(step.unit);
	if (len) {
		int64_t origin = step.unit == 'w' ? WEEK_ORIGIN : 0;
		len *= step.count;
		return origin + fdiv(ms - origin, len) * len;
	}
	struct civil c;
	civil_of(ms, &c);
	if (step.unit == 'M') {
		/* Months counted from year 0, so 3M gives quarters, 6M halves. */
		int64_t mon = c.y * 12 + (c.mon - 1);
		mon = fdiv(mon, step.count) * step.count;
		return days_from_civil(fdiv(mon, 12), (int)(mon - fdiv(mon, 12) * 12) + 1, 1) * MS_DAY;
	}
	return days_from_civil(fdiv(c.y, step.count) * step.count, 1, 1) * MS_DAY;
}

int64_t tspan_add(int64_t ms, struct tspan_step step)
{
	int64_t len = unit_ms(step.unit);
	if (len)
		return ms + len * step.count;
	struct civil c;
	civil_of(ms, &c);
	int64_t mon = c.y * 12 + (c.mon - 1) + (step.unit == 'M' ? step.count : 12LL * step.count);
	int64_t y = fdiv(mon, 12);
	int m = (int)(mon - y * 12) + 1;
	int d = c.d > month_days(y, m) ? month_days(y, m) : c.d; /* Jan 31 + 1M = Feb 29 */
	return days_from_civil(y, m, d) * MS_DAY + ((c.h * 60 + c.mi) * 60 + c.s) * MS_SEC + c.ms;
}

int tspan_pattern_period(const char *pattern, struct tspan_step *period)
{
	int rank = 0; /* 0 none, 1 year, 2 month, 3 day, 4 hour */
	for (const char *p = pattern; *p; p++) {
		if (*p != '%')
			continue;
		int r;
		switch (*++p) {
		case '%': continue;
		case 'Y': case 'y': r = 1; break;
		case 'm': r = 2; break;
		case 'd': case 'j': r = 3; break;
		case 'H': r = 4; break;
		default: return -1;
		}
		if (r > rank)
			rank = r;
	}
	if (!rank)
		return 0;
	static const char units[] = { 0, 'y', 'M', 'd', 'h' };
	period->count = 1;
	period->unit = units[rank];
	return 1;
}

size_t tspan_pattern_format(const char *pattern, int64_t ms, char *buf, size_t n)
{
	struct civil c;
	size_t o = 0;
	char tmp[32];
	civil_of(ms, &c);
	for (const char *p = pattern; *p; p++) {
		const char *add = tmp;
		if (*p != '%') {
			tmp[0] = *p;
			tmp[1] = 0;
		} else {
			switch (*++p) {
			case '%': add = "%"; break;
			case 'Y': snprintf(tmp, sizeof tmp, "%04lld", (long long)c.y); break;
			case 'y': snprintf(tmp, sizeof tmp, "%02d", (int)(((c.y % 100) + 100) % 100)); break;
			case 'm': snprintf(tmp, sizeof tmp, "%02d", c.mon); break;
			case 'd': snprintf(tmp, sizeof tmp, "%02d", c.d); break;
			case 'H': snprintf(tmp, sizeof tmp, "%02d", c.h); break;
			case 'j':
				snprintf(tmp, sizeof tmp, "%03d",
					 (int)(days_from_civil(c.y, c.mon, c.d) - days_from_civil(c.y, 1, 1) + 1));
				break;
			default: return 0;
			}
		}
		size_t l = strlen(add);
		if (o + l >= n)
			return 0;
		memcpy(buf + o, add, l);
		o += l;
	}
	if (o >= n)
		return 0;
	buf[o] = 0;
	return o;
}
