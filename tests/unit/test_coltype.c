/* test_coltype.c - unit tests of type inference and value normalisation:
 * each case is the values a column sees and the type it must end up with. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coltype.h"
#include "unit.h"

#define MAXV 6

/* Values are JSON-ish tokens: null, true/false, "string" (no escapes),
 * [array], else a number. */
static const struct {
	const char *v[MAXV];
	int date_field;
	size_t cat_max;
	const char *want;
} kinds[] = {
	{ { "1", "2", "-3" }, 0, 100, "int8" },
	{ { "127", "-128" }, 0, 100, "int8" },
	{ { "128" }, 0, 100, "int16" },
	{ { "-129" }, 0, 100, "int16" },
	{ { "32768" }, 0, 100, "int32" },
	{ { "-32769" }, 0, 100, "int32" },
	{ { "2147483648" }, 0, 100, "int64" },
	{ { "-2147483649" }, 0, 100, "int64" },
	{ { "9223372036854775807", "-9223372036854775808" }, 0, 100, "int64" },
	{ { "9223372036854775808" }, 0, 100, "uint64" },
	{ { "18446744073709551615", "0" }, 0, 100, "uint64" },
	{ { "18446744073709551616" }, 0, 100, "string" },
	{ { "-9223372036854775809" }, 0, 100, "string" },
	{ { "9223372036854775808", "-1" }, 0, 100, "float64" },
	{ { "18446744073709551615", "-1" }, 0, 100, "string" },
	{ { "1.0", "2", "2.5e1", "-0" }, 0, 100, "int8" },
	{ { "1.5", "2" }, 0, 100, "float32" },
	{ { "0.5", "-1.25", "1E+2" }, 0, 100, "float32" },
	{ { "0.1" }, 0, 100, "float64" },
	{ { "0.5", "0.1" }, 0, 100, "float64" },
	/* exactly the float nearest 0.1, but printed as a float it is "0.1" */
	{ { "0.100000001490116119384765625" }, 0, 100, "float64" },
	{ { "16777216", "0.5" }, 0, 100, "float32" },
	{ { "16777217", "0.5" }, 0, 100, "float64" },
	{ { "9007199254740993", "0.5" }, 0, 100, "string" },
	{ { "3.4028234663852886e38" }, 0, 100, "float64" }, /* prints as 3.4028235e+38 */
	{ { "1e400" }, 0, 100, "string" },
	{ { "1e-400" }, 0, 100, "string" },
	{ { "1", "null", "2" }, 0, 100, "int8" },
	{ { "true", "false", "null" }, 0, 100, "bool" },
	{ { "true", "1" }, 0, 100, "string" },
	{ { "1", "\"1\"" }, 0, 100, "string" },
	{ { "null", "null" }, 0, 100, "string" },
	{ { "\"a\"", "\"a\"", "\"b\"", "\"b\"" }, 0, 100, "category" },
	{ { "\"a\"", "\"a\"", "\"b\"", "\"b\"" }, 0, 1, "string" },
	{ { "\"a\"", "\"a\"", "\"b\"", "\"b\"" }, 0, 0, "string" },
	{ { "\"a\"", "\"b\"" }, 0, 100, "string" },
	{ { "\"a\"", "\"a\"", "1", "1" }, 0, 100, "string" },
	{ { "[1]", "[1]", "\"x\"", "\"x\"" }, 0, 100, "category" },
	{ { "\"2024-03-01T00:00:00Z\"", "\"2024-02-29\"", "\"2024-03-01T01:00:00.5+01:00\"" }, 0, 100, "timestamp" },
	{ { "\"2024-03-01T00:00:00.0001Z\"" }, 0, 100, "string" },
	{ { "\"2023-02-29\"" }, 0, 100, "string" },
	{ { "\"2024-03-01T00:00:00Z\"", "\"soon\"" }, 0, 100, "string" },
	{ { "1709251200000" }, 1, 100, "timestamp" },
	{ { "1709251200000" }, 0, 100, "int64" },
	{ { "\"1709251200000\"", "\"2024-03-01T00:00:00Z\"" }, 1, 100, "timestamp" },
	{ { "\"1709251200000\"" }, 0, 100, "string" },
	{ { "1709251200000.5" }, 1, 100, "float64" },
	{ { "1709251200000", "true" }, 1, 100, "string" },
	{ { "\"2024-03-01T00:00:00Z\"", "\"2024-03-01T00:00:00Z\"" }, 0, 100, "timestamp" },
};

static enum jflat_type token(const char *s, const char **v, size_t *n)
{
	*v = s;
	*n = strlen(s);
	if (strcmp(s, "null") == 0)
		return JFLAT_NULL;
	if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		return JFLAT_BOOL;
	if (s[0] == '"') {
		*v = s + 1;
		*n -= 2;
		return JFLAT_STRING;
	}
	if (s[0] == '[')
		return JFLAT_ARRAY;
	return JFLAT_NUMBER;
}

static const struct {
	const char *kind;
	int date_field;
	const char *in;
	int rc;
	const char *want;
} formats[] = {
	{ "int8", 0, "1.0", 0, "1" },
	{ "int8", 0, "-0", 0, "0" },
	{ "int8", 0, "0", 0, "0" },
	{ "int16", 0, "-123", 0, "-123" },
	{ "uint64", 0, "12345678901234567890", 0, "12345678901234567890" },
	{ "int8", 0, "2.50e1", 0, "25" },
	{ "int64", 0, "-9223372036854775808", 0, "-9223372036854775808" },
	{ "uint64", 0, "18446744073709551615", 0, "18446744073709551615" },
	{ "int64", 0, "1e18", 0, "1000000000000000000" },
	{ "int8", 0, "1.5", -1, "" },
	{ "float64", 0, "1E+5", 0, "1E+5" },
	{ "float32", 0, "-0.0", 0, "-0.0" },
	{ "timestamp", 0, "\"2024-03-01T01:00:00+01:00\"", 0, "2024-03-01T00:00:00.000Z" },
	{ "timestamp", 0, "\"2024-02-29\"", 0, "2024-02-29T00:00:00.000Z" },
	{ "timestamp", 0, "\"2024-03-01T00:00:00.120Z\"", 0, "2024-03-01T00:00:00.120Z" },
	{ "timestamp", 0, "\"2024-03-01t00:00:00.120z\"", 0, "2024-03-01T00:00:00.120Z" },
	{ "timestamp", 0, "\"2024-03-01 00:00:00.120\"", 0, "2024-03-01T00:00:00.120Z" },
	{ "timestamp", 0, "\"2024-03-01T00:00:00,120Z\"", 0, "2024-03-01T00:00:00.120Z" },
	{ "timestamp", 1, "0", 0, "1970-01-01T00:00:00.000Z" },
	{ "timestamp", 1, "-1", 0, "1969-12-31T23:59:59.999Z" },
	{ "timestamp", 0, "0", -1, "" },
	{ "string", 0, "12.50", 0, "12.50" },
	{ "category", 0, "\"a,b\"", 0, "a,b" },
	{ "bool", 0, "true", 0, "true" },
	{ "bool", 0, "1", -1, "" },
};

/* coltype_number: the typed value (I, U or D by kind), or an error. */
static const struct {
	const char *kind;
	int date_field;
	const char *in;
	int rc;
	long long i;
	unsigned long long u;
	double d;
} numbers[] = {
	{ "int8", 0, "-128", 0, -128, 0, 0 },
	{ "int8", 0, "2.5e1", 0, 25, 0, 0 },
	{ "int8", 0, "128", -1, 0, 0, 0 },
	{ "int16", 0, "-32769", -1, 0, 0, 0 },
	{ "int32", 0, "-2147483648", 0, INT32_MIN, 0, 0 },
	{ "int64", 0, "-9223372036854775808", 0, INT64_MIN, 0, 0 },
	{ "int64", 0, "9223372036854775807", 0, INT64_MAX, 0, 0 },
	{ "int64", 0, "9223372036854775808", -1, 0, 0, 0 },
	{ "uint64", 0, "18446744073709551615", 0, 0, UINT64_MAX, 0 },
	{ "uint64", 0, "-1", -1, 0, 0, 0 },
	{ "timestamp", 0, "\"1969-12-31T23:59:59.999Z\"", 0, -1, 0, 0 },
	{ "timestamp", 0, "\"0001-01-01\"", 0, -62135596800000LL, 0, 0 },
	{ "timestamp", 1, "1709251200123", 0, 1709251200123LL, 0, 0 },
	{ "timestamp", 0, "\"2024-03-01T00:00:00.0001Z\"", -1, 0, 0, 0 },
	{ "bool", 0, "true", 0, 1, 0, 0 },
	{ "bool", 0, "false", 0, 0, 0, 0 },
	{ "bool", 0, "\"true\"", -1, 0, 0, 0 },
	{ "float32", 0, "-0.75", 0, 0, 0, -0.75 },
	{ "float32", 0, "0.1", -1, 0, 0, 0 },
	{ "float64", 0, "0.1", 0, 0, 0, 0.1 },
	{ "float64", 0, "1e400", -1, 0, 0, 0 },
	{ "string", 0, "\"x\"", 0, 0, 0, 0 },
};

static const struct {
	const char *in;
	int ok, neg;
	unsigned long long mag;
} ints[] = {
	{ "0", 1, 0, 0 }, { "-0", 1, 0, 0 }, { "-0.0e5", 1, 0, 0 },
	{ "42", 1, 0, 42 }, { "-42", 1, 1, 42 }, { "4.2e1", 1, 0, 42 },
	{ "4200e-2", 1, 0, 42 }, { "42.000", 1, 0, 42 }, { "4.21e1", 0, 0, 0 },
	{ "0.5", 0, 0, 0 }, { "1e19", 1, 0, 10000000000000000000ULL },
	{ "1e20", 0, 0, 0 }, { "18446744073709551615", 1, 0, 18446744073709551615ULL },
	{ "18446744073709551616", 0, 0, 0 }, { "0e999999999", 1, 0, 0 },
	{ "1e", 0, 0, 0 }, { "", 0, 0, 0 }, { "-", 0, 0, 0 }, { "1.", 1, 0, 1 },
};

static const struct {
	double d;
	int want;
} f32[] = {
	{ 0.5, 1 }, { 1.25, 1 }, { 0.1, 0 }, { 16777216.0, 1 }, { 16777217.0, 0 },
	{ 0.100000001490116119384765625, 0 }, { 3.4028234663852886e38, 0 },
	{ 1e39, 0 }, { 33554432.0, 1 }, { 1152921504606846976.0, 0 }, { -2.75, 1 }, { 1e-45, 0 },
};

int main(void)
{
	char d[300];
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct coltype_opts o = { kinds[i].cat_max, 0, kinds[i].date_field };
		coltype *c = coltype_new(&o);
		int n = snprintf(d, sizeof d, "kind:");
		for (int j = 0; j < MAXV && kinds[i].v[j]; j++) {
			const char *v;
			size_t len;
			enum jflat_type t = token(kinds[i].v[j], &v, &len);
			coltype_add(c, t, v, len);
			n += snprintf(d + n, sizeof d - (size_t)n, " %s", kinds[i].v[j]);
		}
		snprintf(d + n, sizeof d - (size_t)n, "%s -> %s",
		         kinds[i].date_field ? " (date field)" : "", kinds[i].want);
		const char *got = coltype_name(coltype_kind(c));
		test_cond(d, strcmp(got, kinds[i].want) == 0);
		if (strcmp(got, kinds[i].want) != 0)
			printf("#   got %s\n", got);
		coltype_free(c);
	}
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		char buf[COLTYPE_FMT_MAX];
		const char *v, *out = "";
		size_t len, olen = 0;
		enum jflat_type t = token(formats[i].in, &v, &len);
		int rc = coltype_format(coltype_from_name(formats[i].kind), formats[i].date_field,
		                        t, v, len, buf, &out, &olen);
		snprintf(d, sizeof d, "format: %s %s -> %s", formats[i].kind, formats[i].in,
		         formats[i].rc ? "error" : formats[i].want);
		test_cond(d, rc == formats[i].rc &&
		          (rc || (olen == strlen(formats[i].want) && memcmp(out, formats[i].want, olen) == 0)));
	}
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		struct coltype_num x = { 0, 0, 0 };
		const char *v;
		size_t len;
		enum jflat_type t = token(numbers[i].in, &v, &len);
		int rc = coltype_number(coltype_from_name(numbers[i].kind), numbers[i].date_field,
		                        t, v, len, &x);
		snprintf(d, sizeof d, "number: %s %s", numbers[i].kind, numbers[i].in);
		test_cond(d, rc == numbers[i].rc && (rc || (x.i == numbers[i].i &&
		          x.u == numbers[i].u && x.d == numbers[i].d)));
	}
	/* The fast decimal path gives strtod's double, bit for bit. */
	int same = 1;
	char num[64];
	unsigned long long seed = 42;
	for (int i = 0; i < 200000 && same; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		unsigned long long r = seed >> 11;
		int digits = 1 + (int)(r % 17), point = (int)((r >> 5) % (unsigned)(digits + 1));
		int exp = (int)((r >> 10) % 61) - 30;
		int n = r & (1ULL << 40) ? snprintf(num, sizeof num, "-") : 0;
		for (int k = 0; k < digits; k++) {
			if (k == point && k > 0)
				n += snprintf(num + n, sizeof num - (size_t)n, ".");
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			n += snprintf(num + n, sizeof num - (size_t)n, "%d", (int)((seed >> 33) % 10));
		}
		if (r & (1ULL << 41))
			n += snprintf(num + n, sizeof num - (size_t)n, "e%d", exp);
		struct coltype_num x = { 0, 0, 0 };
		double want = strtod(num, NULL);
		if (coltype_number(COLTYPE_FLOAT64, 0, JFLAT_NUMBER, num, (size_t)n, &x) == 0 &&
		    memcmp(&x.d, &want, sizeof want) != 0) {
			printf("# %s: %.17g vs strtod %.17g\n", num, x.d, want);
			same = 0;
		}
	}
	test_cond("number: float64 equals strtod bit for bit on 200000 random decimals", same);
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		int neg = -1;
		uint64_t mag = 0;
		int ok = coltype_parse_int(ints[i].in, strlen(ints[i].in), &neg, &mag);
		snprintf(d, sizeof d, "parse_int: '%s'", ints[i].in);
		test_cond(d, ok == ints[i].ok && (!ok || (neg == ints[i].neg && mag == ints[i].mag)));
	}
	for (size_t i = 0; i < sizeof f32 / sizeof f32[0]; i++) {
		snprintf(d, sizeof d, "float32_exact: %.17g -> %d", f32[i].d, f32[i].want);
		test_cond(d, coltype_float32_exact(f32[i].d) == f32[i].want);
	}

	/* The dictionary is capped: a column over category_max stays a string
	 * however many rows follow, and its memory is given back. */
	struct coltype_opts o = { 50, 0, 0 };
	coltype *c = coltype_new(&o);
	char v[32];
	for (int i = 0; i < 100000; i++) {
		int k = snprintf(v, sizeof v, "v%d", i % 60);
		coltype_add(c, JFLAT_STRING, v, (size_t)k);
	}
	test_cond("cap: 60 distinct over a cap of 50 -> string", coltype_kind(c) == COLTYPE_STRING);
	test_cond("cap: dictionary dropped", coltype_distinct(c) == 0);
	coltype_free(c);
	o.category_max = 60;
	c = coltype_new(&o);
	for (int i = 0; i < 100000; i++) {
		int k = snprintf(v, sizeof v, "v%d", i % 60);
		coltype_add(c, JFLAT_STRING, v, (size_t)k);
	}
	test_cond("cap: 60 distinct within a cap of 60 -> category",
	          coltype_kind(c) == COLTYPE_CATEGORY && coltype_distinct(c) == 60);
	coltype_free(c);
	/* byte cap */
	o.category_max = 1000;
	o.category_bytes = 100;
	c = coltype_new(&o);
	for (int i = 0; i < 1000; i++) {
		int k = snprintf(v, sizeof v, "value-%d", i % 20);
		coltype_add(c, JFLAT_STRING, v, (size_t)k);
	}
	test_cond("cap: dictionary over its byte cap -> string", coltype_kind(c) == COLTYPE_STRING);
	coltype_free(c);

	/* nulls and empty strings */
	o.category_bytes = 0;
	c = coltype_new(&o);
	coltype_add(c, JFLAT_STRING, "", 0);
	test_cond("empty string noted", coltype_has_empty(c) && !coltype_has_null(c));
	coltype_add(c, JFLAT_NULL, "", 0);
	test_cond("null noted", coltype_has_null(c) && coltype_values(c) == 1);
	coltype_free(c);

	test_cond("pandas: nullable int32 is Int32", strcmp(coltype_pandas(COLTYPE_INT32, 1), "Int32") == 0);
	test_cond("pandas: int32 is int32", strcmp(coltype_pandas(COLTYPE_INT32, 0), "int32") == 0);
	test_cond("pandas: nullable bool is boolean", strcmp(coltype_pandas(COLTYPE_BOOL, 1), "boolean") == 0);
	test_cond("duckdb: uint64 is UBIGINT", strcmp(coltype_duckdb(COLTYPE_UINT64), "UBIGINT") == 0);
	test_cond("from_name: unknown", coltype_from_name("int128") == -1);
	return test_report();
}
