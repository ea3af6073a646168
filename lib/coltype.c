/* coltype.c - per-column type inference and value normalisation.
 *
 * (Over 600 lines on purpose: inference, the saved and merged states of
 * colstats, and the formatting read the same private column state and the
 * same number classification; split, each half would export it.) */
#include "coltype.h"
#include "fnv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tspan.h"

#define NUM_MAX 350          /* longer number texts are kept as strings */
#define CAT_BYTES_DEFAULT (256 * 1024)
#define TS_MIN (-62135596800000LL) /* 0001-01-01T00:00:00.000Z: pandas has no year 0 */
#define TS_MAX 253402300799999LL   /* 9999-12-31T23:59:59.999Z */

/* One dictionary slot: the value is arena[off .. off+len). */
struct slot {
	uint32_t hash, off, len;
	int used;
};

struct coltype {
	struct coltype_opts o;
	uint64_t values;
	int has_null, has_empty;
	int saw_bool, saw_num, saw_str, saw_arr;
	/* numbers */
	int all_int;         /* every number an exact integer */
	int f64_ok, f32_ok;  /* every number held exactly by that float type */
	int has_neg;
	int64_t min_neg;     /* smallest negative integer */
	uint64_t max_pos;    /* largest non-negative integer */
	/* timestamps */
	int ts_ok;
	/* category dictionary, NULL once the column cannot be a category */
	int cat_ok;
	struct slot *tab;
	size_t tab_cap, distinct;
	char *arena;
	size_t arena_len, arena_cap;
};

coltype *coltype_new(const struct coltype_opts *opts)
{
	coltype *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->o = *opts;
	if (!c->o.category_bytes)
		c->o.category_bytes = CAT_BYTES_DEFAULT;
	c->all_int = c->f64_ok = c->f32_ok = c->ts_ok = 1;
	c->cat_ok = c->o.category_max > 0;
	c->min_neg = 0;
	return c;
}

static void cat_drop(coltype *c)
{
	free(c->tab);
	free(c->arena);
	c->tab = NULL;
	c->arena = NULL;
	c->tab_cap = c->distinct = c->arena_len = c->arena_cap = 0;
	c->cat_ok = 0;
}

void coltype_free(coltype *c)
{
	if (!c)
		return;
	cat_drop(c);
	free(c);
}

static int cat_grow(coltype *c)
{
	size_t cap = c->tab_cap ? c->tab_cap * 2 : 64;
	struct slot *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < c->tab_cap; i++) {
		if (!c->tab[i].used)
			continue;
		size_t j = c->tab[i].hash & (cap - 1);
		while (t[j].used)
			j = (j + 1) & (cap - 1);
		t[j] = c->tab[i];
	}
	free(c->tab);
	c->tab = t;
	c->tab_cap = cap;
	return 0;
}

/* Adds a string to the dictionary; drops it when a cap is passed. */
static int cat_add(coltype *c, const char *v, size_t len)
{
	if (!c->cat_ok)
		return 0;
	if ((c->distinct + 1) * 2 > c->tab_cap && cat_grow(c) < 0)
		goto nomem;
	uint32_t h = fnv1a32(v, len);
	size_t j = h & (c->tab_cap - 1);
	for (; c->tab[j].used; j = (j + 1) & (c->tab_cap - 1)) {
		struct slot *s = &c->tab[j];
		if (s->hash == h && s->len == len && (len == 0 || memcmp(c->arena + s->off, v, len) == 0))
			return 0;
	}
	if (c->distinct + 1 > c->o.category_max ||
	    c->arena_len + len > c->o.category_bytes) {
		cat_drop(c);
		return 0;
	}
	if (c->arena_len + len > c->arena_cap) {
		size_t cap = c->arena_cap ? c->arena_cap : 4096;
		while (cap < c->arena_len + len)
			cap *= 2;
		char *a = realloc(c->arena, cap);
		if (!a)
			goto nomem;
		c->arena = a;
		c->arena_cap = cap;
	}
	if (len > 0) /* the arena may not exist yet */
		memcpy(c->arena + c->arena_len, v, len);
	c->tab[j] = (struct slot){ h, (uint32_t)c->arena_len, (uint32_t)len, 1 };
	c->arena_len += len;
	c->distinct++;
	return 0;
nomem:
	cat_drop(c);
	return -1;
}

int coltype_parse_int(const char *s, size_t len, int *neg, uint64_t *mag)
{
	size_t i = 0;
	int minus = 0;
	if (i < len && s[i] == '-') {
		minus = 1;
		i++;
	}
	/* Digits of the number with the decimal point removed, and where the
	 * point is: value = 0.D * 10^point. */
	const char *ip = s + i;
	size_t ni = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, ni++;
	const char *fp = NULL;
	size_t nf = 0;
	if (i < len && s[i] == '.') {
		fp = s + ++i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, nf++;
	}
	long exp = 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		if (i == len)
			return 0;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (exp < 100000)
				exp = exp * 10 + (s[i] - '0');
			i++;
		}
		if (eneg)
			exp = -exp;
	}
	if (i != len || ni == 0)
		return 0;
	/* digit k (0-based) over the integer then fraction digits */
#define DIG(k) ((k) < ni ? ip[k] : fp[(k) - ni])
	size_t nd = ni + nf;
	long point = (long)ni + exp; /* digits before the point */
	uint64_t m = 0;
	for (size_t k = 0; k < nd; k++) {
		int d = DIG(k) - '0';
		if ((long)k >= point) {
			if (d != 0)
				return 0; /* a fractional digit */
			continue;
		}
		if (m > (UINT64_MAX - (uint64_t)d) / 10)
			return 0;
		m = m * 10 + (uint64_t)d;
	}
#undef DIG
	/* trailing zeros implied by a positive exponent */
	for (long k = (long)nd; k < point && m != 0; k++) {
		if (m > UINT64_MAX / 10)
			return 0;
		m *= 10;
	}
	*neg = minus && m != 0;
	*mag = m;
	return 1;
}

int coltype_float32_exact(double d)
{
	if (!isfinite(d) || fabs(d) > 3.4028234663852886e38)
		return 0;
	float f = (float)d;
	if ((double)f != d)
		return 0;
	char buf[40];
	for (int p = 1; p <= 9; p++) {
		snprintf(buf, sizeof buf, "%.*g", p, (double)f);
		if (strtof(buf, NULL) == f)
			return strtod(buf, NULL) == d;
	}
	return 0;
}

/* The double of a JSON number text of at most 15 significant digits and a
 * decimal exponent within 22 (most numbers in logs), or 0: then the digits
 * and the power of ten are both exact doubles, so one IEEE multiplication
 * or division gives the correctly rounded value, strtod's (Clinger's fast
 * path), without strtod's cost. */
static int fast_double(const char *v, size_t len, double *d)
{
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	                              1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
	                              1e20, 1e21, 1e22 };
	size_t i = 0;
	int neg = 0, digits = 0;
	uint64_t m = 0;
	long e = 0;
	if (i < len && v[i] == '-')
		neg = 1, i++;
	for (int frac = 0;; i++) {
		if (i < len && v[i] == '.' && !frac) {
			frac = 1;
			continue;
		}
		if (i >= len || v[i] < '0' || v[i] > '9')
			break;
		if ((digits || v[i] != '0') && ++digits > 15)
			return 0;
		m = m * 10 + (uint64_t)(v[i] - '0');
		e -= frac;
	}
	if (i < len && (v[i] == 'e' || v[i] == 'E')) {
		int eneg = 0;
		long x = 0;
		if (++i < len && (v[i] == '+' || v[i] == '-'))
			eneg = v[i++] == '-';
		for (int n = 0; i < len && v[i] >= '0' && v[i] <= '9'; i++)
			if (++n > 4)
				return 0;
			else
				x = x * 10 + (v[i] - '0');
		e += eneg ? -x : x;
	}
	if (i != len || e < -22 || e > 22)
		return 0;
	double x = (double)m;
	x = e >= 0 ? x * p10[e] : x / p10[-e];
	*d = neg ? -x : x;
	return 1;
}

/* Double of a JSON number text, or 0 if it is not a finite normal-range
 * value (overflow, underflow to subnormal or zero, absurd length). */
static int num_double(const char *v, size_t len, double *d)
{
	char buf[NUM_MAX + 1];
	if (fast_double(v, len, d))
		return 1;
	if (len > NUM_MAX)
		return 0;
	memcpy(buf, v, len);
	buf[len] = 0;
	errno = 0;
	*d = strtod(buf, NULL);
	return isfinite(*d) && errno != ERANGE;
}

/* 1 and the instant if V is a timestamp this column accepts. */
static int ts_value(int date_field, enum jflat_type t, const char *v, size_t len,
                    int64_t *ms)
{
	int sub = 0;
	if (t == JFLAT_NUMBER) {
		int neg;
		uint64_t mag;
		if (!date_field || !coltype_parse_int(v, len, &neg, &mag) ||
		    mag > (uint64_t)TS_MAX + 1)
			return 0;
		*ms = neg ? -(int64_t)mag : (int64_t)mag;
	} else if (t == JFLAT_STRING) {
		/* Without a date field only ISO dates count: a string of digits
		 * is an identifier far more often than an epoch. */
		int iso = len >= 10 && v[4] == '-' && v[7] == '-';
		for (int i = 0; iso && i < 10; i++)
			if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
				iso = 0;
		if (!iso && !date_field)
			return 0;
		if (memchr(v, 0, len) || tspan_parse_time(v, len, ms, &sub) < 0 || sub)
			return 0;
	} else {
		return 0;
	}
	return *ms >= TS_MIN && *ms <= TS_MAX;
}

int coltype_add(coltype *c, enum jflat_type t, const char *v, size_t len)
{
	int64_t ms;
	if (t == JFLAT_NULL) {
		c->has_null = 1;
		return 0;
	}
	c->values++;
	if (c->ts_ok && !ts_value(c->o.date_field, t, v, len, &ms))
		c->ts_ok = 0;
	switch (t) {
	case JFLAT_BOOL:
		c->saw_bool = 1;
		cat_drop(c);
		return 0;
	case JFLAT_STRING:
	case JFLAT_ARRAY:
		if (t == JFLAT_STRING)
			c->saw_str = 1;
		else
			c->saw_arr = 1;
		if (len == 0)
			c->has_empty = 1;
		return cat_add(c, v, len);
	default:
		break;
	}
	c->saw_num = 1;
	cat_drop(c);
	if (!c->all_int && !c->f64_ok)
		return 0; /* already a string: nothing more to learn */
	int neg;
	uint64_t mag;
	double d;
	if (len <= NUM_MAX && coltype_parse_int(v, len, &neg, &mag)) {
		if (neg) {
			if (mag > (uint64_t)INT64_MAX + 1) {
				c->all_int = 0; /* below INT64_MIN */
			} else {
				int64_t x = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
				if (!c->has_neg || x < c->min_neg)
					c->min_neg = x;
				c->has_neg = 1;
			}
		} else if (mag > c->max_pos) {
			c->max_pos = mag;
		}
		/* the integer as a double, exactly or not at all */
		d = (double)mag;
		int exact = mag <= (1ULL << 53) ||
		            (d < 18446744073709551616.0 && (uint64_t)d == mag);
		if (!exact)
			c->f64_ok = c->f32_ok = 0;
		else if (c->f32_ok && mag > (1UL << 24))
			c->f32_ok = coltype_float32_exact(neg ? -d : d);
		return 0;
	}
	c->all_int = 0;
	/* An integer written without point or exponent is exact data (an id,
	 * a counter): one too big for uint64 is not rounded into a double. */
	if (!memchr(v, '.', len) && !memchr(v, 'e', len) && !memchr(v, 'E', len))
		c->f64_ok = c->f32_ok = 0;
	else if (!num_double(v, len, &d))
		c->f64_ok = c->f32_ok = 0;
	else if (c->f32_ok)
		c->f32_ok = coltype_float32_exact(d);
	return 0;
}

int coltype_holds(enum coltype_kind k, int date_field, enum jflat_type t,
                  const char *v, size_t len)
{
	/* The value alone through the inference, without a dictionary. */
	coltype c = { .o = { 0, 1, date_field } };
	c.all_int = c.f64_ok = c.f32_ok = c.ts_ok = 1;
	if (t == JFLAT_NULL)
		return 1;
	coltype_add(&c, t, v, len);
	switch (k) {
	case COLTYPE_STRING: return 1;
	case COLTYPE_CATEGORY: return c.saw_str || c.saw_arr;
	case COLTYPE_TIMESTAMP: return c.ts_ok;
	case COLTYPE_BOOL: return c.saw_bool;
	case COLTYPE_FLOAT32: return c.saw_num && c.f32_ok;
	case COLTYPE_FLOAT64: return c.saw_num && c.f64_ok;
	default: break;
	}
	if (!c.saw_num || !c.all_int)
		return 0;
	int64_t lo = c.has_neg ? c.min_neg : 0;
	uint64_t hi = c.max_pos;
	switch (k) {
	case COLTYPE_INT8: return lo >= -128 && hi <= 127;
	case COLTYPE_INT16: return lo >= -32768 && hi <= 32767;
	case COLTYPE_INT32: return lo >= INT32_MIN && hi <= INT32_MAX;
	case COLTYPE_INT64: return hi <= INT64_MAX;
	case COLTYPE_UINT64: return !c.has_neg;
	default: return 0;
	}
}

void coltype_get_state(const coltype *c, struct coltype_state *s)
{
	*s = (struct coltype_state){ c->values, c->has_null, c->has_empty, c->saw_bool,
	                             c->saw_num, c->saw_str, c->saw_arr, c->all_int, c->f64_ok,
	                             c->f32_ok, c->has_neg, c->ts_ok, c->cat_ok, c->min_neg,
	                             c->max_pos };
}

void coltype_merge_state(coltype *c, const struct coltype_state *s)
{
	c->values += s->values;
	c->has_null |= s->has_null;
	c->has_empty |= s->has_empty;
	c->saw_bool |= s->saw_bool;
	c->saw_num |= s->saw_num;
	c->saw_str |= s->saw_str;
	c->saw_arr |= s->saw_arr;
	/* Each flag is an AND over every value seen, the range a min/max. */
	c->all_int &= s->all_int;
	c->f64_ok &= s->f64_ok;
	c->f32_ok &= s->f32_ok;
	c->ts_ok &= s->ts_ok;
	if (s->has_neg && (!c->has_neg || s->min_neg < c->min_neg))
		c->min_neg = s->min_neg;
	c->has_neg |= s->has_neg;
	if (s->max_pos > c->max_pos)
		c->max_pos = s->max_pos;
	if (!s->cat_ok)
		cat_drop(c);
}

int coltype_merge_value(coltype *c, const char *v, size_t len)
{
	return cat_add(c, v, len);
}

int coltype_dict_next(const coltype *c, size_t *pos, const char **v, size_t *len)
{
	for (; c->cat_ok && *pos < c->tab_cap; (*pos)++) {
		const struct slot *s = &c->tab[*pos];
		if (!s->used)
			continue;
		*v = c->arena ? c->arena + s->off : "";
		*len = s->len;
		(*pos)++;
		return 1;
	}
	return 0;
}

enum coltype_kind coltype_kind(const coltype *c)
{
	if (c->values == 0)
		return COLTYPE_STRING;
	if (c->ts_ok)
		return COLTYPE_TIMESTAMP;
	int kinds = !!c->saw_bool + !!c->saw_num + !!(c->saw_str || c->saw_arr);
	if (kinds > 1)
		return COLTYPE_STRING;
	if (c->saw_bool)
		return COLTYPE_BOOL;
	if (c->saw_num) {
		if (c->all_int) {
			int64_t lo = c->has_neg ? c->min_neg : 0;
			uint64_t hi = c->max_pos;
			if (lo >= -128 && hi <= 127)
				return COLTYPE_INT8;
			if (lo >= -32768 && hi <= 32767)
				return COLTYPE_INT16;
			if (lo >= INT32_MIN && hi <= INT32_MAX)
				return COLTYPE_INT32;
			if (hi <= INT64_MAX)
				return COLTYPE_INT64;
			if (!c->has_neg)
				return COLTYPE_UINT64;
		}
		if (c->f32_ok)
			return COLTYPE_FLOAT32;
		if (c->f64_ok)
			return COLTYPE_FLOAT64;
		return COLTYPE_STRING;
	}
	if (c->cat_ok && c->distinct * 2 <= c->values)
		return COLTYPE_CATEGORY;
	return COLTYPE_STRING;
}

uint64_t coltype_values(const coltype *c) { return c->values; }
int coltype_has_null(const coltype *c) { return c->has_null; }
int coltype_has_empty(const coltype *c) { return c->has_empty; }
size_t coltype_distinct(const coltype *c) { return c->cat_ok ? c->distinct : 0; }

static const struct {
	const char *name, *pandas, *pandas_null, *duckdb;
} names[] = {
	[COLTYPE_STRING] = { "string", "string", "string", "VARCHAR" },
	[COLTYPE_CATEGORY] = { "category", "category", "category", "VARCHAR" },
	[COLTYPE_TIMESTAMP] = { "timestamp", "datetime64[ms, UTC]", "datetime64[ms, UTC]", "TIMESTAMPTZ" },
	[COLTYPE_BOOL] = { "bool", "bool", "boolean", "BOOLEAN" },
	[COLTYPE_INT8] = { "int8", "int8", "Int8", "TINYINT" },
	[COLTYPE_INT16] = { "int16", "int16", "Int16", "SMALLINT" },
	[COLTYPE_INT32] = { "int32", "int32", "Int32", "INTEGER" },
	[COLTYPE_INT64] = { "int64", "int64", "Int64", "BIGINT" },
	[COLTYPE_UINT64] = { "uint64", "uint64", "UInt64", "UBIGINT" },
	[COLTYPE_FLOAT32] = { "float32", "float32", "float32", "FLOAT" },
	[COLTYPE_FLOAT64] = { "float64", "float64", "float64", "DOUBLE" },
};

const char *coltype_name(enum coltype_kind k) { return names[k].name; }
const char *coltype_duckdb(enum coltype_kind k) { return names[k].duckdb; }
const char *coltype_pandas(enum coltype_kind k, int nullable)
{
	return nullable ? names[k].pandas_null : names[k].pandas;
}

int coltype_from_name(const char *name)
{
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		if (strcmp(names[k].name, name) == 0)
			return (int)k;
	return -1;
}

int coltype_format(enum coltype_kind k, int date_field, enum jflat_type t,
                   const char *v, size_t len, char *buf,
                   const char **out, size_t *out_len)
{
	*out = v;
	*out_len = len;
	switch (k) {
	case COLTYPE_INT8:
	case COLTYPE_INT16:
	case COLTYPE_INT32:
	case COLTYPE_INT64:
	case COLTYPE_UINT64: {
		int neg;
		uint64_t mag;
		if (t != JFLAT_NUMBER || !coltype_parse_int(v, len, &neg, &mag))
			return -1;
		/* Already canonical (the usual case): as given, no printf. */
		size_t i = v[0] == '-';
		if (len > i && len - i < 20 && (v[i] != '0' || len - i == 1) && !(i && v[1] == '0')) {
			while (i < len && v[i] >= '0' && v[i] <= '9')
				i++;
			if (i == len)
				return 0;
		}
		int n = snprintf(buf, COLTYPE_FMT_MAX, "%s%llu", neg ? "-" : "",
		                 (unsigned long long)mag);
		*out = buf;
		*out_len = (size_t)n;
		return 0;
	}
	case COLTYPE_TIMESTAMP: {
		int64_t ms;
		if (!ts_value(date_field, t, v, len, &ms))
			return -1;
		/* A valid instant already in the output form is kept as given. */
		if (t == JFLAT_STRING && len == 24 && v[10] == 'T' && v[19] == '.' && v[23] == 'Z')
			return 0;
		tspan_format_iso(ms, buf);
		*out = buf;
		*out_len = strlen(buf);
		return 0;
	}
	case COLTYPE_BOOL:
		return t == JFLAT_BOOL ? 0 : -1;
	case COLTYPE_FLOAT32:
	case COLTYPE_FLOAT64:
		return t == JFLAT_NUMBER ? 0 : -1;
	default:
		return 0;
	}
}

int coltype_number(enum coltype_kind k, int date_field, enum jflat_type t,
                   const char *v, size_t len, struct coltype_num *out)
{
	static const int64_t lo[] = { [COLTYPE_INT8] = INT8_MIN, [COLTYPE_INT16] = INT16_MIN,
	                              [COLTYPE_INT32] = INT32_MIN, [COLTYPE_INT64] = INT64_MIN };
	static const int64_t hi[] = { [COLTYPE_INT8] = INT8_MAX, [COLTYPE_INT16] = INT16_MAX,
	                              [COLTYPE_INT32] = INT32_MAX, [COLTYPE_INT64] = INT64_MAX };
	int neg;
	uint64_t mag;
	switch (k) {
	case COLTYPE_INT8:
	case COLTYPE_INT16:
	case COLTYPE_INT32:
	case COLTYPE_INT64:
		if (t != JFLAT_NUMBER || !coltype_parse_int(v, len, &neg, &mag) ||
		    mag > (uint64_t)INT64_MAX + neg)
			return -1;
		out->i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
		return out->i >= lo[k] && out->i <= hi[k] ? 0 : -1;
	case COLTYPE_UINT64:
		if (t != JFLAT_NUMBER || !coltype_parse_int(v, len, &neg, &mag) || neg)
			return -1;
		out->u = mag;
		return 0;
	case COLTYPE_TIMESTAMP:
		return ts_value(date_field, t, v, len, &out->i) ? 0 : -1;
	case COLTYPE_BOOL:
		if (t != JFLAT_BOOL)
			return -1;
		out->i = v[0] == 't';
		return 0;
	case COLTYPE_FLOAT32:
	case COLTYPE_FLOAT64:
		if (t != JFLAT_NUMBER || !num_double(v, len, &out->d))
			return -1;
		return k == COLTYPE_FLOAT64 || (double)(float)out->d == out->d ? 0 : -1;
	default:
		return 0;
	}
}
