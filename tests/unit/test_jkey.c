/* test_jkey.c - unit tests of lib/jkey: extraction by path, validation
 * (also checked against yajl on random mutations), typed comparison. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_parse.h>

#include "jkey.h"
#include "osdl.h"
#include "unit.h"

static jkey_spec spec1(const char *path)
{
	jkey_spec ks = { 0 };
	jkey_spec_add(&ks, path);
	ks.missing_last = 1;
	return ks;
}

/* Extraction: path, line, status, type, raw text of the value. */
static void test_extract(void)
{
	static const struct {
		const char *path, *line;
		int status, type;
		const char *text;
	} t[] = {
		{ "a", "{\"a\":\"x\"}", JKEY_OK, JKEY_STR, "x" },
		{ "a", "{\"b\":1}", JKEY_OK, JKEY_MISSING, NULL },
		{ "a", "{\"a\":null}", JKEY_OK, JKEY_MISSING, NULL },
		{ "a", "{\"a\":12}", JKEY_OK, JKEY_NUM, "12" },
		{ "a", " {\"a\" : -1.5e3 } ", JKEY_OK, JKEY_NUM, "-1.5e3" },
		{ "a", "{\"a\":true}", JKEY_OK, JKEY_TRUE, "true" },
		{ "a", "{\"a\":false}", JKEY_OK, JKEY_FALSE, "false" },
		{ "a", "{\"a\":[1,{\"b\":2}]}", JKEY_OK, JKEY_RAW, "[1,{\"b\":2}]" },
		{ "a.b", "{\"a\":{\"b\":\"2024-03-01T00:00:00Z\"}}", JKEY_OK, JKEY_DATE, "2024-03-01T00:00:00Z" },
		{ "a.b", "{\"a.b\":7}", JKEY_OK, JKEY_NUM, "7" },
		{ "a.b.c", "{\"a\":{\"b.c\":8}}", JKEY_OK, JKEY_NUM, "8" },
		{ "a.b.c", "{\"a.b\":{\"c\":9}}", JKEY_OK, JKEY_NUM, "9" },
		{ "a.b", "{\"a\":{\"x\":1},\"a.b\":3}", JKEY_OK, JKEY_NUM, "3" },
		{ "a.b", "{\"a\":[{\"b\":1}]}", JKEY_OK, JKEY_MISSING, NULL },
		{ "a", "{\"a\":1,\"a\":2}", JKEY_OK, JKEY_NUM, "1" },
		{ "a", "{\"\\u0061\":5}", JKEY_OK, JKEY_NUM, "5" },
		{ "a", "{\"a\":\"x\\\"y\"}", JKEY_OK, JKEY_STR, "x\\\"y" },
		{ "a", "{\"b\":{\"a\":1}}", JKEY_OK, JKEY_MISSING, NULL },
		{ "@timestamp", "{\"_id\":\"1\",\"@timestamp\":\"2024-02-29T23:59:59.999Z\",\"m\":{}}", JKEY_OK, JKEY_DATE, "2024-02-29T23:59:59.999Z" },
		{ "a", "{\"a\":\"2024-13-01\"}", JKEY_OK, JKEY_STR, "2024-13-01" },
		{ "a", "{\"a\":\"h\xc3\xa9\"}", JKEY_OK, JKEY_STR, "h\xc3\xa9" },
		/* long strings: the 8-byte scan must stop at each kind of byte */
		{ "a", "{\"a\":\"abcdefghijklmnop\xc3\xa9qrstuvwxyz0123\"}", JKEY_OK, JKEY_STR, "abcdefghijklmnop\xc3\xa9qrstuvwxyz0123" },
		{ "a", "{\"a\":\"abcdefghijklmnop\\\"qrstuvwxyz0123\"}", JKEY_OK, JKEY_STR, "abcdefghijklmnop\\\"qrstuvwxyz0123" },
		{ "a", "{\"a\":\"abcdefghijklmnopqrstuvwx\",\"b\":1}", JKEY_OK, JKEY_STR, "abcdefghijklmnopqrstuvwx" },
		{ "a", "{\"a\":\"abcdefghijklmnop\x01qrstuvwxyz0123\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"abcdefghijklmnop\x1fqrstuvwxyz0123\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"abcdefghijklmnop\xffqrstuvwxyz0123\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"abcdefghijklmnop qrstuvwxyz0123", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"abcdefghijklmnop !#$%&'()*+,-./:;<=>?@[]^_`{|}~\x7f\"}", JKEY_OK, JKEY_STR, NULL },
		/* bad lines */
		{ "a", "", JKEY_ERR_EMPTY, 0, NULL },
		{ "a", "  \t", JKEY_ERR_EMPTY, 0, NULL },
		{ "a", "[1]", JKEY_ERR_NOT_OBJECT, 0, NULL },
		{ "a", "\"s\"", JKEY_ERR_NOT_OBJECT, 0, NULL },
		{ "a", "12", JKEY_ERR_NOT_OBJECT, 0, NULL },
		{ "a", "{\"a\":1", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":1}}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":1} x", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":01}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":1.}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":.5}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":-}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":1e}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":tru}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":nul}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{a:1}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\" 1}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":1,}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":[1,]}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"x\ty\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"\\x\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"\\u12g4\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"\xc3\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"\xc0\x80\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"\xed\xa0\x80\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":\"\xff\"}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":'x'}", JKEY_ERR_JSON, 0, NULL },
		{ "a", "{\"a\":1 /* c */}", JKEY_ERR_JSON, 0, NULL },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		jkey_spec ks = spec1(t[i].path);
		jkey_val v[JKEY_MAX];
		char d[200], why[128] = "";
		int st = jkey_extract(&ks, t[i].line, strlen(t[i].line), v, why, sizeof why);
		int ok = st == t[i].status;
		if (ok && st == JKEY_OK) {
			ok = v[0].type == t[i].type;
			if (ok && t[i].text)
				ok = v[0].len == strlen(t[i].text) && memcmp(v[0].p, t[i].text, v[0].len) == 0;
		}
		snprintf(d, sizeof d, "extract %s from %s -> %s", t[i].path, t[i].line, st ? why : "no error");
		test_cond(d, ok);
	}
	/* Deep nesting is refused, not a stack overflow. */
	size_t n = 100000;
	char *deep = malloc(2 * n + 8);
	strcpy(deep, "{\"a\":");
	memset(deep + 5, '[', n);
	memset(deep + 5 + n, ']', n);
	strcpy(deep + 5 + 2 * n, "}");
	jkey_spec ks = spec1("a");
	jkey_val v[JKEY_MAX];
	test_cond("100000 nested arrays: too deep", jkey_extract(&ks, deep, strlen(deep), v, NULL, 0) == JKEY_ERR_DEPTH);
	free(deep);
	/* The one depth rule (OSDL_MAX_DEPTH): what osdown and osfetch take,
	 * osmerge takes, with the key inside or outside the deep value. */
	static const struct { size_t levels; int st; } dt[] = {
		{ 513, 0 }, { 600, 0 }, { OSDL_MAX_DEPTH, 0 }, { OSDL_MAX_DEPTH + 1, JKEY_ERR_DEPTH },
	};
	for (size_t i = 0; i < sizeof dt / sizeof dt[0]; i++) {
		char d[200];
		char *js = deep_json("", dt[i].levels, "");
		js[strlen(js) - 1] = ',';
		char *line = malloc(strlen(js) + 20);
		sprintf(line, "%s\"k\":7}", js);
		jkey_spec kk = spec1("k");
		char why[128];
		int st = jkey_extract(&kk, line, strlen(line), v, why, sizeof why);
		snprintf(d, sizeof d, "%zu levels, key after: %s", dt[i].levels, st ? why : "no error");
		test_cond(d, st == dt[i].st && (st || (v[0].type == JKEY_NUM && v[0].i == 7)));
		st = jkey_extract(&ks, line, strlen(line), v, why, sizeof why);
		snprintf(d, sizeof d, "%zu levels, key is the deep value: %s", dt[i].levels, st ? why : "no error");
		test_cond(d, st == dt[i].st && (st || (v[0].type == JKEY_RAW && v[0].len == 2 * (dt[i].levels - 1))));
		free(js);
		free(line);
	}
	/* Invalid JSON inside a skipped deep value is still found. */
	static const char *const badnest[] = { "{\"a\":[[}]],\"k\":1}", "{\"a\":{\"x\":[1,]},\"k\":1}",
					       "{\"a\":{\"x\" 1},\"k\":1}", "{\"a\":[{\"x\":1}}", "{\"a\":[[[" };
	for (size_t i = 0; i < sizeof badnest / sizeof badnest[0]; i++) {
		jkey_spec kk = spec1("k");
		test_cond("bad JSON in a skipped value", jkey_extract(&kk, badnest[i], strlen(badnest[i]), v, NULL, 0) == JKEY_ERR_JSON);
	}
	/* The reason, in the words osmerge prints after FILE:LINE: (tests/osmerge.sh). */
	static const struct { const char *line; int st; const char *why; } rt[] = {
		{ "not json", JKEY_ERR_JSON, "invalid JSON at byte 1" },
		{ "{\"a\":1,}", JKEY_ERR_JSON, "invalid JSON at byte 8" },
		{ "{\"a\":1} x", JKEY_ERR_JSON, "invalid JSON at byte 9" },
		{ "[1,2]", JKEY_ERR_NOT_OBJECT, "not a JSON object" },
		{ "  ", JKEY_ERR_EMPTY, "empty line" },
	};
	for (size_t i = 0; i < sizeof rt / sizeof rt[0]; i++) {
		jkey_spec kk = spec1("k");
		char d[120], why[128] = "";
		int st = jkey_extract(&kk, rt[i].line, strlen(rt[i].line), v, why, sizeof why);
		snprintf(d, sizeof d, "reason for %s: %s", rt[i].line, rt[i].why);
		test_cond(d, st == rt[i].st && strcmp(why, rt[i].why) == 0);
	}
	{
		char *js = deep_json("", OSDL_MAX_DEPTH + 1, "");
		char why[128] = "";
		test_cond("reason for too deep names the limit",
			  jkey_extract(&ks, js, strlen(js), v, why, sizeof why) == JKEY_ERR_DEPTH &&
			  strcmp(why, "JSON nested deeper than " OSDL_MAX_DEPTH_TEXT " levels") == 0);
		free(js);
		strcpy(why, "untouched");
		test_cond("a valid line leaves the buffer alone",
			  jkey_extract(&ks, "{\"a\":1}", 7, v, why, sizeof why) == JKEY_OK && strcmp(why, "untouched") == 0);
		test_cond("truncated to the buffer",
			  jkey_extract(&ks, "[]", 2, v, why, 6) == JKEY_ERR_NOT_OBJECT && strcmp(why, "not a") == 0);
		test_cond("no buffer: the status alone", jkey_extract(&ks, "[]", 2, v, NULL, 0) == JKEY_ERR_NOT_OBJECT);
	}
	/* Several paths and _id in one pass. */
	jkey_spec k2 = { 0 };
	jkey_spec_add(&k2, "host.name");
	jkey_spec_add(&k2, "@timestamp:desc");
	k2.with_id = 1;
	const char *l = "{\"_id\":\"x1\",\"host\":{\"name\":\"h\"},\"@timestamp\":\"2024-03-01\"}";
	int st = jkey_extract(&k2, l, strlen(l), v, NULL, 0);
	test_cond("two keys and _id", st == 0 && v[0].type == JKEY_STR && v[1].type == JKEY_DATE &&
				     v[2].type == JKEY_STR && v[2].len == 2 && k2.desc[1] == 1);
	jkey_spec k3 = { 0 };
	test_cond("spec: bad direction refused", jkey_spec_add(&k3, "a:up") != 0);
	test_cond("spec: empty refused", jkey_spec_add(&k3, "") != 0 && jkey_spec_add(&k3, ":desc") != 0);
	test_cond("spec: a:asc", jkey_spec_add(&k3, "a:asc") == 0 && !k3.desc[0] && strcmp(k3.path[0], "a") == 0);
}

static int cmp_json(const char *a, const char *b, int missing_last)
{
	char la[512], lb[512];
	jkey_spec ks = spec1("k");
	ks.missing_last = missing_last;
	jkey_val va[JKEY_MAX], vb[JKEY_MAX];
	snprintf(la, sizeof la, a ? "{\"k\":%s}" : "{}", a);
	snprintf(lb, sizeof lb, b ? "{\"k\":%s}" : "{}", b);
	if (jkey_extract(&ks, la, strlen(la), va, NULL, 0) || jkey_extract(&ks, lb, strlen(lb), vb, NULL, 0))
		return 99;
	int c = jkey_cmp(&ks, va, vb);
	return c < 0 ? -1 : c > 0;
}

/* Comparison: A vs B is WANT (-1, 0, 1), ascending, missing last. */
static void test_compare(void)
{
	static const struct {
		const char *a, *b;
		int want;
	} t[] = {
		{ "1", "2", -1 },
		{ "2", "10", -1 },
		{ "-5", "3", -1 },
		{ "-5", "-50", 1 },
		{ "0", "-0", 0 },
		{ "0.0", "0e5", 0 },
		{ "1.5", "15e-1", 0 },
		{ "100", "1e2", 0 },
		{ "1E2", "99.999", 1 },
		{ "0.001", "1e-3", 0 },
		{ "-0.5", "-0.25", -1 },
		{ "1.25", "1.3", -1 },
		{ "9223372036854775807", "9223372036854775808", -1 },
		{ "10000000000000000001", "10000000000000000000", 1 },
		{ "123456789012345678901234567890", "123456789012345678901234567891", -1 },
		{ "-123456789012345678901234567890", "-123456789012345678901234567891", 1 },
		{ "100000000000000000000", "1e20", 0 },
		{ "1e999999999999999999", "1e99", 1 },
		{ "-1e-999999999999", "0", -1 },
		{ "2.000000000000000000001", "2", 1 },
		{ "\"2024-03-01T00:00:00Z\"", "\"2024-03-01T00:00:00.000Z\"", 0 },
		{ "\"2024-03-01T02:00:00+02:00\"", "\"2024-03-01T00:00:00Z\"", 0 },
		{ "\"2024-03-01T01:00:00+02:00\"", "\"2024-03-01T00:00:00Z\"", -1 },
		{ "\"2024-02-29T23:59:59.999Z\"", "\"2024-03-01\"", -1 },
		{ "\"2024-03-01T00:00:00.1234Z\"", "\"2024-03-01T00:00:00.1235Z\"", -1 },
		{ "\"2024-03-01T00:00:00.123400Z\"", "\"2024-03-01T00:00:00.1234Z\"", 0 },
		{ "\"2024-03-01T00:00:00.123000001Z\"", "\"2024-03-01T00:00:00.123Z\"", 1 },
		{ "\"2024-03-01T00:00:00.9Z\"", "\"2024-03-01T00:00:01Z\"", -1 },
		{ "\"abc\"", "\"abd\"", -1 },
		{ "\"ab\"", "\"abc\"", -1 },
		{ "\"Z\"", "\"a\"", -1 },
		{ "\"\\u0061\"", "\"a\"", 0 },
		{ "\"a\\nb\"", "\"a\\u000ab\"", 0 },
		{ "\"\\u00e9\"", "\"\xc3\xa9\"", 0 },
		{ "\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"", 0 },
		{ "\"\xc3\xa9\"", "\"z\"", 1 },
		{ "\"2024-03-01T00:00:00Z\"", "\"2024-03-01 later\"", -1 }, /* dates before strings */
		{ "false", "true", -1 },
		{ "true", "0", -1 },
		{ "99", "\"1\"", -1 },
		{ "\"z\"", "[1]", -1 },
		{ "[1,2]", "[1,3]", -1 },
		{ "null", NULL, 0 },
		{ NULL, "1", 1 },
		{ "1", NULL, -1 },
		{ NULL, NULL, 0 },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char d[300];
		int c = cmp_json(t[i].a, t[i].b, 1), r = cmp_json(t[i].b, t[i].a, 1);
		snprintf(d, sizeof d, "compare %s vs %s = %d (got %d, reverse %d)", t[i].a ? t[i].a : "(missing)",
			 t[i].b ? t[i].b : "(missing)", t[i].want, c, r);
		test_cond(d, c == t[i].want && r == -t[i].want);
	}
	test_cond("missing first", cmp_json(NULL, "1", 0) == -1 && cmp_json("1", NULL, 0) == 1);

	/* Descending flips values but not the place of missing ones. */
	jkey_spec ks = { 0 };
	jkey_spec_add(&ks, "k:desc");
	ks.missing_last = 1;
	jkey_val a[JKEY_MAX], b[JKEY_MAX], m[JKEY_MAX];
	jkey_extract(&ks, "{\"k\":1}", 7, a, NULL, 0);
	jkey_extract(&ks, "{\"k\":2}", 7, b, NULL, 0);
	jkey_extract(&ks, "{}", 2, m, NULL, 0);
	test_cond("desc: 2 before 1", jkey_cmp(&ks, b, a) < 0);
	test_cond("desc: missing still last", jkey_cmp(&ks, m, a) > 0 && jkey_cmp(&ks, a, m) < 0);

	/* A second key breaks ties of the first. */
	jkey_spec k2 = { 0 };
	jkey_spec_add(&k2, "x");
	jkey_spec_add(&k2, "y:desc");
	jkey_extract(&k2, "{\"x\":1,\"y\":1}", 13, a, NULL, 0);
	jkey_extract(&k2, "{\"x\":1,\"y\":2}", 13, b, NULL, 0);
	test_cond("second key desc", jkey_cmp(&k2, b, a) < 0);

	/* jkey_copy makes values independent of the line. */
	char line[64] = "{\"k\":\"2024-03-01T00:00:00.5Z\",\"n\":123456789012345678901}";
	jkey_spec k3 = { 0 };
	jkey_spec_add(&k3, "k");
	jkey_spec_add(&k3, "n");
	jkey_val v[JKEY_MAX], c[JKEY_MAX];
	jkey_extract(&k3, line, strlen(line), v, NULL, 0);
	char buf[128];
	test_cond("copy size", jkey_copy_size(v, 2) == 22 + 21);
	jkey_copy(c, v, 2, buf);
	memset(line, 'x', sizeof line - 1);
	char f[64];
	jkey_format(&c[1], f, sizeof f);
	test_cond("copy survives the line", c[0].type == JKEY_DATE && strcmp(f, "123456789012345678901") == 0);
}

/* Numbers written in several ways compare like the integers they are. */
static void number_text(long v, int form, char *buf, size_t n)
{
	long a = v < 0 ? -v : v;
	const char *s = v < 0 ? "-" : "";
	switch (form) {
	case 0: snprintf(buf, n, "%s%ld", s, a); break;
	case 1: snprintf(buf, n, "%s%ld00e-2", s, a); break;
	case 2: snprintf(buf, n, "%s%ld.%03ldE3", s, a / 1000, a % 1000); break;
	case 3: snprintf(buf, n, "%s0.%06ld0e+6", s, a); break;
	default: snprintf(buf, n, "%s%ld.000", s, a); break;
	}
}

static void test_number_property(void)
{
	int bad = 0;
	srand(7);
	for (int i = 0; i < 20000; i++) {
		long x = rand() % 2000001 - 1000000, y = rand() % 5 == 0 ? x : rand() % 2000001 - 1000000;
		if (rand() % 3 == 0)
			y = x + (rand() % 3 - 1);
		char a[64], b[64];
		number_text(x, rand() % 5, a, sizeof a);
		number_text(y, rand() % 5, b, sizeof b);
		int want = x < y ? -1 : x > y;
		if (cmp_json(a, b, 1) != want) {
			if (bad++ < 5)
				printf("# %s vs %s: want %d\n", a, b, want);
		}
	}
	test_cond("20000 numbers in mixed notations compare as integers", bad == 0);
}

/* Random instants with random zone offsets compare like their epoch ms. */
static void iso(int64_t ms, int off_min, int frac, char *buf, size_t n)
{
	time_t t = (time_t)((ms + (int64_t)off_min * 60000) / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	int msec = (int)(ms % 1000);
	char z[16];
	if (off_min == 0)
		strcpy(z, "Z");
	else
		snprintf(z, sizeof z, "%c%02d:%02d", off_min < 0 ? '-' : '+', abs(off_min) / 60, abs(off_min) % 60);
	if (frac == 0 && msec == 0)
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, z);
	else
		snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s%s", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, msec, frac == 2 ? "000" : "", z);
}

static void test_date_property(void)
{
	static const int offs[] = { 0, 60, -300, 330, 120, -720, 840 };
	int bad = 0;
	srand(11);
	for (int i = 0; i < 20000; i++) {
		int64_t base = 1709251200000LL; /* 2024-03-01 */
		int64_t x = base + ((int64_t)rand() % 400000000) - 200000000;
		int64_t y = rand() % 4 == 0 ? x : x + ((int64_t)rand() % 7200001) - 3600000;
		char a[64], b[64], ja[80], jb[80];
		iso(x, offs[rand() % 7], rand() % 3, a, sizeof a);
		iso(y, offs[rand() % 7], rand() % 3, b, sizeof b);
		snprintf(ja, sizeof ja, "\"%s\"", a);
		snprintf(jb, sizeof jb, "\"%s\"", b);
		int want = x < y ? -1 : x > y;
		if (cmp_json(ja, jb, 1) != want && bad++ < 5)
			printf("# %s vs %s: want %d\n", a, b, want);
	}
	test_cond("20000 instants with zone offsets compare chronologically", bad == 0);
}

/* Validation agrees with yajl (comments off) on random ASCII mutations. */
static int yajl_valid(const char *s, size_t n)
{
	yajl_handle h = yajl_alloc(NULL, NULL, NULL);
	int ok = yajl_parse(h, (const unsigned char *)s, n) == yajl_status_ok &&
		 yajl_complete_parse(h) == yajl_status_ok;
	yajl_free(h);
	return ok;
}

static void test_fuzz_vs_yajl(void)
{
	static const char *seeds[] = {
		"{\"_id\":\"a1\",\"@timestamp\":\"2024-03-01T00:00:00.000Z\",\"n\":-12.5e3,\"t\":true,\"z\":null}",
		"{\"a\":[1,2,{\"b\":[false,\"x\\\"y\\u00e9\"]}],\"c\":{},\"d\":[]}",
		"{\"host\":{\"name\":\"web-1\",\"ip\":\"10.0.0.1\"},\"bytes\":0,\"f\":0.5}",
	};
	static const char alphabet[] = "{}[]\":,\\ 0123456789eE.-+trufalsnx\t\x01/u";
	int disagree = 0, n = 0;
	srand(3);
	jkey_spec ks = spec1("@timestamp");
	ks.with_id = 1;
	for (int i = 0; i < 30000; i++) {
		char buf[256];
		strcpy(buf, seeds[i % 3]);
		size_t len = strlen(buf);
		int muts = 1 + rand() % 3;
		for (int m = 0; m < muts; m++) {
			size_t pos = (size_t)rand() % len;
			char c = alphabet[rand() % (sizeof alphabet - 1)];
			switch (rand() % 3) {
			case 0: buf[pos] = c; break;
			case 1: memmove(buf + pos, buf + pos + 1, len - pos); len--; break;
			default:
				if (len + 2 < sizeof buf) {
					memmove(buf + pos + 1, buf + pos, len - pos + 1);
					buf[pos] = c;
					len++;
				}
			}
		}
		jkey_val v[JKEY_MAX];
		int st = jkey_extract(&ks, buf, len, v, NULL, 0);
		if (st == JKEY_ERR_EMPTY)
			continue;
		n++;
		int mine = st == JKEY_OK || st == JKEY_ERR_NOT_OBJECT, theirs = yajl_valid(buf, len);
		if (mine != theirs && disagree++ < 5)
			printf("# disagree (jkey %d, yajl %d): %.*s\n", mine, theirs, (int)len, buf);
	}
	char d[100];
	snprintf(d, sizeof d, "%d mutated lines: validity agrees with yajl", n);
	test_cond(d, disagree == 0);
}

int main(void)
{
	test_extract();
	test_compare();
	test_number_property();
	test_date_property();
	test_fuzz_vs_yajl();
	return test_report();
}
