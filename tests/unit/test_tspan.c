/* test_tspan.c - unit tests of lib/tspan: parsing, formatting, steps, patterns. */
#include "tspan.h"
#include "unit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void test_parse(void)
{
	static const struct {
		const char *in;
		int ok;
		long long ms;
		int sub;
	} t[] = {
		{ "2024-03-01T00:00:00Z", 1, 1709251200000LL, 0 },
		{ "2024-03-01T00:00:00.000Z", 1, 1709251200000LL, 0 },
		{ "2024-03-01", 1, 1709251200000LL, 0 },
		{ "2024-03-01T02:00:00.250+02:00", 1, 1709251200250LL, 0 },
		{ "2024-03-01T02:00:00.250+0200", 1, 1709251200250LL, 0 },
		{ "2024-03-01T02:00:00.250+02", 1, 1709251200250LL, 0 },
		{ "2024-02-29T23:30:00-00:30", 1, 1709251200000LL, 0 },
		{ "2024-03-01T00:00:00.5Z", 1, 1709251200500LL, 0 },
		{ "2024-03-01T00:00:00.05Z", 1, 1709251200050LL, 0 },
		{ "2024-03-01T00:00:00.123456789Z", 1, 1709251200123LL, 1 },
		{ "2024-03-01T00:00:00.123000000Z", 1, 1709251200123LL, 0 },
		{ "2024-03-01T00:00:00,5Z", 1, 1709251200500LL, 0 },
		{ "2024-03-01 00:00:00Z", 1, 1709251200000LL, 0 },
		{ "2024-03-01T00:00Z", 1, 1709251200000LL, 0 },
		{ "2024-03-01T00:00:00", 1, 1709251200000LL, 0 },
		{ "2024-03-01t00:00:00z", 1, 1709251200000LL, 0 },
		{ "1970-01-01T00:00:00Z", 1, 0, 0 },
		{ "1969-12-31T23:59:59.999Z", 1, -1, 0 },
		/* Only years 0000..9999, which the ISO form writes back
		 * (found by tests/fuzz/tspan: an 18-digit epoch of year 287000). */
		{ "009000070070070920", 0, 0, 0 },
		{ "253402300799999", 1, 253402300799999LL, 0 },
		{ "253402300800000", 0, 0, 0 },
		{ "-62167219200000", 1, -62167219200000LL, 0 },
		{ "-62167219200001", 0, 0, 0 },
		{ "9999-12-31T23:59:59.999Z", 1, 253402300799999LL, 0 },
		{ "9999-12-31T23:59:59-01:00", 0, 0, 0 },
		{ "0000-01-01T00:00:00Z", 1, -62167219200000LL, 0 },
		{ "0000-01-01T00:30:00+01:00", 0, 0, 0 },
		{ "1900-03-01T00:00:00Z", 1, -2203891200000LL, 0 },
		{ "2000-02-29T00:00:00Z", 1, 951782400000LL, 0 },
		{ "1709251200000", 1, 1709251200000LL, 0 },
		{ "0", 1, 0, 0 },
		{ "-1", 1, -1, 0 },
		{ "2024-02-29T12:00:00Z", 1, 1709208000000LL, 0 },
		/* rejected */
		{ "", 0, 0, 0 },
		{ "-", 0, 0, 0 },
		{ "12a", 0, 0, 0 },
		{ "2023-02-29", 0, 0, 0 },
		{ "1900-02-29", 0, 0, 0 },
		{ "2024-13-01", 0, 0, 0 },
		{ "2024-00-01", 0, 0, 0 },
		{ "2024-04-31", 0, 0, 0 },
		{ "2024-01-00", 0, 0, 0 },
		{ "2024-1-01", 0, 0, 0 },
		{ "2024-03-01T24:00:00Z", 0, 0, 0 },
		{ "2024-03-01T23:60:00Z", 0, 0, 0 },
		{ "2024-03-01T23:59:60Z", 0, 0, 0 },
		{ "2024-03-01T00:00:00+25:00", 0, 0, 0 },
		{ "2024-03-01T00:00:00+02:60", 0, 0, 0 },
		{ "2024-03-01T00:00:00+2", 0, 0, 0 },
		{ "2024-03-01T00:00:00+02:", 0, 0, 0 },
		{ "2024-03-01T00:00:00+02:0", 0, 0, 0 },
		{ "2024-03-01T00:00:00+02:000", 0, 0, 0 },
		{ "2024-03-01T00:00:00.Z", 0, 0, 0 },
		{ "2024-03-01T00:00:00ZZ", 0, 0, 0 },
		{ "2024-03-01T00:00:00 Z", 0, 0, 0 },
		{ "2024-03-01T", 0, 0, 0 },
		{ "2024-03-01T1", 0, 0, 0 },
		{ "2024-03-01T10", 0, 0, 0 },
		{ "2024-03-01X00:00:00Z", 0, 0, 0 },
		{ "2024-03-01T00:00:00EST", 0, 0, 0 },
		{ "99999999999999999999", 0, 0, 0 },
		{ "２024-03-01", 0, 0, 0 },
	};
	char d[200];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		int64_t ms = 12345;
		int sub = -1;
		int rc = tspan_parse_time(t[i].in, (size_t)-1, &ms, &sub);
		snprintf(d, sizeof d, "parse '%s'", t[i].in);
		if (t[i].ok)
			test_cond(d, rc == 0 && ms == t[i].ms && sub == t[i].sub);
		else
			test_cond(d, rc == -1);
	}
	/* LEN bounds the input: a line need not be NUL-terminated. */
	int64_t ms;
	test_cond("parse with length", tspan_parse_time("2024-03-01T00:00:00Z\",", 20, &ms, NULL) == 0 &&
					   ms == 1709251200000LL);
	test_cond("parse with short length", tspan_parse_time("2024-03-01T00:00:00Z", 19, &ms, NULL) == 0);
	test_cond("parse with length cutting a date", tspan_parse_time("2024-03-01", 7, &ms, NULL) == -1);
}

/* Formatting then parsing gives the instant back, and the calendar agrees
 * with the C library's timegm() for instants all over 1800..2300. */
static void test_roundtrip(void)
{
	char buf[TSPAN_ISO_MAX];
	int bad = 0, bad_gm = 0;
	srand(42);
	for (int i = 0; i < 200000; i++) {
		int64_t ms = ((int64_t)rand() << 31 | rand()) % 16000000000000LL - 5364662400000LL;
		int64_t back;
		tspan_format_iso(ms, buf);
		if (tspan_parse_time(buf, (size_t)-1, &back, NULL) || back != ms)
			bad++;
		struct tm tm;
		time_t secs = (time_t)((ms - ((ms % 1000) + 1000) % 1000) / 1000);
		gmtime_r(&secs, &tm);
		char want[64];
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(((ms % 1000) + 1000) % 1000));
		if (strcmp(want, buf) != 0)
			bad_gm++;
	}
	test_cond("format/parse round trip over 200000 random instants", bad == 0);
	test_cond("format agrees with gmtime_r", bad_gm == 0);
	test_cond("format iso", strcmp(tspan_format_iso(1709251200250LL, buf), "2024-03-01T00:00:00.250Z") == 0);
	test_cond("format iso negative", strcmp(tspan_format_iso(-1, buf), "1969-12-31T23:59:59.999Z") == 0);
	test_cond("format compact", strcmp(tspan_format_compact(1709251200250LL, buf), "20240301T000000.250Z") == 0);
}

/* Random field values, valid or not, against an independent oracle: the
 * C library's timegm() normalizes an impossible date to another one, so a
 * date is valid exactly when gmtime() gives the same fields back. */
static void test_oracle(void)
{
	int bad = 0, valid = 0;
	char buf[80];
	srand(7);
	for (int i = 0; i < 300000; i++) {
		struct tm tm = { 0 }, back;
		tm.tm_year = 1900 + rand() % 300 - 1900;
		tm.tm_mon = rand() % 14 - 1; /* -1 and 12: invalid months */
		tm.tm_mday = rand() % 33;    /* 0 and 32: invalid days */
		tm.tm_hour = rand() % 25;
		tm.tm_min = rand() % 61;
		tm.tm_sec = rand() % 61;
		int oh = rand() % 20, om = rand() % 61, neg = rand() % 2, ms = rand() % 1000;
		snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms, neg ? '-' : '+', oh, om);
		if (tm.tm_mon < 0 || strlen(buf) != 29)
			continue; /* "-1" month would not even be two digits */
		struct tm in = tm;
		time_t t = timegm(&in);
		gmtime_r(&t, &back);
		int ok = back.tm_year == tm.tm_year && back.tm_mon == tm.tm_mon && back.tm_mday == tm.tm_mday &&
			 back.tm_hour == tm.tm_hour && back.tm_min == tm.tm_min && back.tm_sec == tm.tm_sec &&
			 oh <= 18 && om <= 59;
		int64_t got;
		int rc = tspan_parse_time(buf, (size_t)-1, &got, NULL);
		int64_t want = (int64_t)t * 1000 + ms - (neg ? -1 : 1) * ((int64_t)oh * 3600000 + (int64_t)om * 60000);
		if (ok ? rc != 0 || got != want : rc != -1)
			bad++;
		valid += ok;
	}
	char d[100];
	snprintf(d, sizeof d, "parse agrees with timegm on 300000 random dates (%d valid)", valid);
	test_cond(d, bad == 0);
}

static int64_t T(const char *s)
{
	int64_t ms = 0;
	if (tspan_parse_time(s, (size_t)-1, &ms, NULL))
		abort();
	return ms;
}

static void test_steps(void)
{
	static const struct {
		const char *in;
		int ok, count;
		char unit;
	} p[] = {
		{ "15m", 1, 15, 'm' }, { "1h", 1, 1, 'h' }, { "6h", 1, 6, 'h' }, { "1d", 1, 1, 'd' },
		{ "1M", 1, 1, 'M' }, { "1y", 1, 1, 'y' }, { "1w", 1, 1, 'w' }, { "30s", 1, 30, 's' },
		{ "500ms", 1, 500, 'l' }, { "0h", 0, 0, 0 }, { "h", 0, 0, 0 }, { "1", 0, 0, 0 },
		{ "1x", 0, 0, 0 }, { "1hh", 0, 0, 0 }, { "-1h", 0, 0, 0 }, { "", 0, 0, 0 },
		{ "1 h", 0, 0, 0 }, { "99999999999d", 0, 0, 0 },
	};
	char d[100];
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		struct tspan_step st = { 0, 0 };
		int rc = tspan_parse_step(p[i].in, &st);
		snprintf(d, sizeof d, "step '%s'", p[i].in);
		test_cond(d, p[i].ok ? rc == 0 && st.count == p[i].count && st.unit == p[i].unit : rc == -1);
	}

	static const struct {
		const char *step, *at, *floor, *next;
	} f[] = {
		{ "1d", "2024-02-29T13:14:15.167Z", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z" },
		{ "1M", "2024-02-29T13:14:15.167Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z" },
		{ "1M", "2023-02-10T00:00:00Z", "2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z" },
		{ "1M", "2023-12-31T23:59:59.999Z", "2023-12-01T00:00:00Z", "2024-01-01T00:00:00Z" },
		{ "3M", "2024-05-31T00:00:00Z", "2024-04-01T00:00:00Z", "2024-07-01T00:00:00Z" },
		{ "1y", "2024-05-31T00:00:00Z", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z" },
		{ "15m", "2024-05-31T10:44:59.999Z", "2024-05-31T10:30:00Z", "2024-05-31T10:45:00Z" },
		{ "6h", "2024-05-31T17:00:00Z", "2024-05-31T12:00:00Z", "2024-05-31T18:00:00Z" },
		{ "1h", "1969-12-31T23:30:00Z", "1969-12-31T23:00:00Z", "1970-01-01T00:00:00Z" },
		{ "1w", "2024-03-01T10:00:00Z", "2024-02-26T00:00:00Z", "2024-03-04T00:00:00Z" },
		{ "1M", "1969-12-15T00:00:00Z", "1969-12-01T00:00:00Z", "1970-01-01T00:00:00Z" },
		{ "1d", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z" },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		struct tspan_step st;
		tspan_parse_step(f[i].step, &st);
		int64_t fl = tspan_floor(T(f[i].at), st);
		snprintf(d, sizeof d, "floor %s %s", f[i].step, f[i].at);
		test_cond(d, fl == T(f[i].floor));
		snprintf(d, sizeof d, "add %s %s", f[i].step, f[i].floor);
		test_cond(d, tspan_add(fl, st) == T(f[i].next));
	}
	struct tspan_step m1 = { 1, 'M' }, y1 = { 1, 'y' };
	test_cond("Jan 31 + 1M clamps to Feb 29", tspan_add(T("2024-01-31T05:00:00Z"), m1) == T("2024-02-29T05:00:00Z"));
	test_cond("Feb 29 + 1y clamps to Feb 28", tspan_add(T("2024-02-29"), y1) == T("2025-02-28"));
}

static void test_patterns(void)
{
	static const struct {
		const char *pat;
		int rc, count;
		char unit;
		const char *at, *name;
	} p[] = {
		{ "logs-%Y.%m.%d", 1, 1, 'd', "2024-02-29T23:59:59.999Z", "logs-2024.02.29" },
		{ "metrics-%Y.%m", 1, 1, 'M', "2024-02-29T23:59:59.999Z", "metrics-2024.02" },
		{ "x-%Y.%m.%d.%H", 1, 1, 'h', "2024-03-01T07:00:00Z", "x-2024.03.01.07" },
		{ "y-%Y", 1, 1, 'y', "2024-03-01T07:00:00Z", "y-2024" },
		{ "j-%Y.%j", 1, 1, 'd', "2024-12-31T07:00:00Z", "j-2024.366" },
		{ "p%%-%y%m", 1, 1, 'M', "2009-12-31T07:00:00Z", "p%-0912" },
		{ "logs-*", 0, 0, 0, "2024-03-01T00:00:00Z", "logs-*" },
		{ "logs-%Q", -1, 0, 0, NULL, NULL },
		{ "logs-%", -1, 0, 0, NULL, NULL },
	};
	char d[100], buf[100];
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		struct tspan_step st = { 0, 0 };
		int rc = tspan_pattern_period(p[i].pat, &st);
		snprintf(d, sizeof d, "pattern period '%s'", p[i].pat);
		test_cond(d, rc == p[i].rc && (rc != 1 || (st.count == p[i].count && st.unit == p[i].unit)));
		if (p[i].at) {
			snprintf(d, sizeof d, "pattern format '%s'", p[i].pat);
			size_t n = tspan_pattern_format(p[i].pat, T(p[i].at), buf, sizeof buf);
			test_cond(d, n == strlen(p[i].name) && strcmp(buf, p[i].name) == 0);
		}
	}
	test_cond("pattern format too small", tspan_pattern_format("logs-%Y.%m.%d", 0, buf, 15) == 0);
	test_cond("pattern format exact fit", tspan_pattern_format("logs-%Y.%m.%d", 0, buf, 16) == 15);
}

static void test_precision(void)
{
	static const struct {
		const char *in;
		long long unit;
	} t[] = {
		{ "2024-03-01", 86400000 }, { "2024-03-01T23:59Z", 60000 }, { "2024-03-01T23:59+02:00", 60000 },
		{ "2024-03-01T23:59", 60000 }, { "2024-03-01T23:59:59Z", 1000 }, { "2024-03-01T23:59:59", 1000 },
		{ "2024-03-01T23:59:59-0130", 1000 }, { "2024-03-01T23:59:59.9Z", 1 }, { "2024-03-01T23:59:59,999", 1 },
		{ "1709251200000", 1 }, { "0", 1 },
	};
	char d[100];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(d, sizeof d, "precision '%s'", t[i].in);
		test_cond(d, tspan_precision(t[i].in, (size_t)-1) == t[i].unit);
	}
}

/* Parsing is on the per-document path of osmerge: keep it cheap. */
static void test_speed(void)
{
	int64_t ms, sum = 0;
	clock_t c0 = clock();
	for (int i = 0; i < 200000; i++) {
		tspan_parse_time("2024-03-01T02:00:00.250+02:00", (size_t)-1, &ms, NULL);
		sum += ms;
	}
	double s = (double)(clock() - c0) / CLOCKS_PER_SEC;
	printf("# 2e5 parses in %.3f s (%.0f ns each)\n", s, s * 1e9 / 2e5);
	/* Loose bound so it holds under valgrind too; catches anything quadratic. */
	test_cond("parse is fast (< 2.5 us even under valgrind)", sum != 0 && s < 0.5);
}

int main(void)
{
	test_parse();
	test_roundtrip();
	test_oracle();
	test_steps();
	test_patterns();
	test_precision();
	test_speed();
	return test_report();
}
