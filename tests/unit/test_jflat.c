/* test_jflat.c - unit tests of the NDJSON line flattener: each case is a
 * line and the leaves it must give, as "name=type:value" joined by " | ". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jflat.h"
#include "osdl.h"
#include "unit.h"

struct acc {
	char s[1024];
	size_t n;
};

static int leaf(void *ctx, const char *name, size_t nl, enum jflat_type t, const char *v,
                size_t len)
{
	static const char tc[] = "0BNSA";
	struct acc *a = ctx;
	a->n += (size_t)snprintf(a->s + a->n, sizeof a->s - a->n, "%s%.*s=%c:", a->n ? " | " : "",
	                         (int)nl, name, tc[t]);
	for (size_t i = 0; i < len && a->n < sizeof a->s - 2; i++)
		a->s[a->n++] = v[i] ? v[i] : '@'; /* NUL shown as @ */
	a->s[a->n] = 0;
	return 0;
}

static int stop(void *ctx, const char *name, size_t nl, enum jflat_type t, const char *v,
                size_t len)
{
	++*(int *)ctx;
	return 1;
}

static const struct {
	const char *line, *sep;
	int rc;
	const char *want; /* leaves, or the start of the error message */
} cases[] = {
	{ "{\"a\":1}", NULL, JFLAT_OK, "a=N:1" },
	{ "{\"a\":-1.50e+3,\"b\":\"x\",\"c\":true,\"d\":null}", NULL, JFLAT_OK,
	  "a=N:-1.50e+3 | b=S:x | c=B:true | d=0:" },
	{ "{\"geo\":{\"location\":{\"lat\":1,\"lon\":2}},\"z\":3}", NULL, JFLAT_OK,
	  "geo.location.lat=N:1 | geo.location.lon=N:2 | z=N:3" },
	{ "{\"a\":{},\"b\":1}", NULL, JFLAT_OK, "b=N:1" },
	{ "{}", NULL, JFLAT_OK, "" },
	{ "{\"t\":[1, \"x\" ,{\"k\":[2]}],\"u\":1}", NULL, JFLAT_OK,
	  "t=A:[1, \"x\" ,{\"k\":[2]}] | u=N:1" },
	{ "{\"t\":[]}", NULL, JFLAT_OK, "t=A:[]" },
	{ "{\"t\":[\"a\",\"b\\\"c\",1,true,null]}", ";", JFLAT_OK, "t=A:a;b\"c;1;true;" },
	{ "{\"t\":[\"a\",[1]]}", ";", JFLAT_OK, "t=A:[\"a\",[1]]" },
	{ "{\"t\":[]}", ";", JFLAT_OK, "t=A:" },
	{ "{\"s\":\"caf\\u00e9 \\ud83d\\ude00\\n\\u0000\"}", NULL, JFLAT_OK,
	  "s=S:caf\xC3\xA9 \xF0\x9F\x98\x80\n@" },
	/* Lone surrogates: exactly one U+FFFD each, in values, names, joined
	 * arrays and arrays kept as JSON text; pairs and a literal "?" kept. */
	{ "{\"s\":\"x\\ud800y\",\"l\":\"\\udc00\",\"h\":\"\\ud800\\u0041\",\"hh\":\"\\ud800\\ud800\"}", NULL, JFLAT_OK,
	  "s=S:x\xEF\xBF\xBDy | l=S:\xEF\xBF\xBD | h=S:\xEF\xBF\xBD" "A | hh=S:\xEF\xBF\xBD\xEF\xBF\xBD" },
	{ "{\"k\\udc00\":1,\"q\":\"?\\\\ud800\",\"e\":\"\\ud83d\\ude00\"}", NULL, JFLAT_OK,
	  "k\xEF\xBF\xBD=N:1 | q=S:?\\ud800 | e=S:\xF0\x9F\x98\x80" },
	{ "{\"t\":[\"\\ud800\",\"\\udc00\\ud800\",1]}", ";", JFLAT_OK,
	  "t=A:\xEF\xBF\xBD;\xEF\xBF\xBD\xEF\xBF\xBD;1" },
	{ "{\"t\":[\"\\ud800\",{\"k\\udc00\":\"\\ud83d\\ude00\"}]}", NULL, JFLAT_OK,
	  "t=A:[\"\xEF\xBF\xBD\",{\"k\xEF\xBF\xBD\":\"\\ud83d\\ude00\"}]" },
	{ "{\"a.b\":1,\"a\":{\"b\":2}}", NULL, JFLAT_OK, "a.b=N:1 | a.b=N:2" },
	{ "{\"a\":{\"b\":1},\"c\":2}", NULL, JFLAT_OK, "a.b=N:1 | c=N:2" },
	{ "  {\"a\":1}  ", NULL, JFLAT_OK, "a=N:1" },
	{ "{\"s\":\"\xFF\"}", NULL, JFLAT_OK, "s=S:\xFF" },
	{ "[1,2]", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "42", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "\"x\"", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "null", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "{\"a\":1", NULL, JFLAT_ERR_JSON, "invalid JSON" },
	/* \f and \v are blanks to yajl, not to JSON nor osmerge (tests/fuzz/jflat). */
	{ "{\f\"a\":1}", NULL, JFLAT_ERR_JSON, "invalid JSON: form feed at byte 1" },
	{ "\f{}", NULL, JFLAT_ERR_JSON, "invalid JSON: form feed at byte 0" },
	{ "{\"a\":\v1}", NULL, JFLAT_ERR_JSON, "invalid JSON: vertical tab at byte 5" },
	{ "{\"a\":1}}", NULL, JFLAT_ERR_JSON, "invalid JSON" },
	{ "{\"a\":1} {\"b\":2}", NULL, JFLAT_ERR_JSON, "invalid JSON" },
	{ "{a:1}", NULL, JFLAT_ERR_JSON, "invalid JSON" },
	{ "{\"a\":01}", NULL, JFLAT_ERR_JSON, "invalid JSON" },
	{ "{\"a\":NaN}", NULL, JFLAT_ERR_JSON, "invalid JSON" },
	{ "{\"a\":1} 5", NULL, JFLAT_ERR_JSON, "invalid JSON: trailing garbage at byte 7" },
	{ "{\"a\":1} \"x\"", NULL, JFLAT_ERR_JSON, "invalid JSON: trailing garbage" },
	{ "{\"a\":1} [", NULL, JFLAT_ERR_JSON, "invalid JSON: trailing garbage" },
	{ "{\"a\":1} \t ", NULL, JFLAT_OK, "a=N:1" },
	{ "{\"a\":{\"b\":1}", NULL, JFLAT_ERR_JSON, "invalid JSON: premature EOF" },
	{ "  7", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "", NULL, JFLAT_ERR_JSON, "invalid JSON: premature EOF" },
};

int main(void)
{
	char d[400], err[256];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		jflat *f = jflat_new(cases[i].sep);
		struct acc a = { "", 0 };
		int rc = jflat_line(f, cases[i].line, strlen(cases[i].line), leaf, &a, err, sizeof err);
		const char *got = rc == JFLAT_OK ? a.s : err;
		snprintf(d, sizeof d, "jflat: %s%s%s", cases[i].line, cases[i].sep ? " sep " : "",
		         cases[i].sep ? cases[i].sep : "");
		int ok = rc == cases[i].rc && (rc == JFLAT_OK ? strcmp(got, cases[i].want) == 0
		                                              : strncmp(got, cases[i].want, strlen(cases[i].want)) == 0);
		test_cond(d, ok);
		if (!ok)
			printf("#   rc %d, got '%s'\n", rc, got);
		jflat_free(f);
	}
	/* One flattener over many lines: an error does not leak into the next. */
	static const char *seq[] = { "{\"a\":1}", "{\"a\":", "{\"b\":2}", "3", "{\"c\":[1]}",
	                             "{\"d\":1} {", "{\"e\":\"x\"}" };
	static const int seq_rc[] = { 0, JFLAT_ERR_JSON, 0, JFLAT_ERR_NOTOBJ, 0, JFLAT_ERR_JSON, 0 };
	static const char *seq_want[] = { "a=N:1", "", "b=N:2", "", "c=A:[1]", "", "e=S:x" };
	jflat *sf = jflat_new(NULL);
	int seq_ok = 1;
	for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
		struct acc a = { "", 0 };
		int rc = jflat_line(sf, seq[i], strlen(seq[i]), leaf, &a, err, sizeof err);
		if (rc != seq_rc[i] || (rc == 0 && strcmp(a.s, seq_want[i]) != 0)) {
			printf("#   line %zu: rc %d, got '%s'\n", i, rc, a.s);
			seq_ok = 0;
		}
	}
	test_cond("jflat: one flattener, good and bad lines in turn", seq_ok);
	jflat_free(sf);

	/* The one depth rule (OSDL_MAX_DEPTH), as osmerge and osfetch. */
	static const struct { size_t levels; int rc; } dt[] = {
		{ 600, JFLAT_OK }, { OSDL_MAX_DEPTH, JFLAT_OK }, { OSDL_MAX_DEPTH + 1, JFLAT_ERR_JSON },
	};
	jflat *df = jflat_new(NULL);
	for (size_t i = 0; i < sizeof dt / sizeof dt[0]; i++) {
		char dd[320];
		char *js = deep_json("", dt[i].levels, "");
		struct acc a = { .n = 0 };
		int rc = jflat_line(df, js, strlen(js), leaf, &a, err, sizeof err);
		snprintf(dd, sizeof dd, "jflat: %zu levels: %s", dt[i].levels, rc ? err : "ok");
		test_cond(dd, rc == dt[i].rc && (rc || strncmp(a.s, "a=A:[[", 6) == 0) &&
				     (!rc || strstr(err, "nested deeper than")));
		free(js);
	}
	jflat_free(df);
	jflat *df2 = jflat_new(NULL);

	/* LINE need not be NUL-terminated: an exact-size copy, so that ASan
	 * (make check's second pass) sees any read past it (found by
	 * tests/fuzz/jflat: the trailing-garbage check used strspn()). */
	static const char *const exact[] = { "{\"a\":1}", "{\"a\":1}  ", "{\"a\":1} x", " 5", "\0{}" };
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
		size_t n = i == 4 ? 3 : strlen(exact[i]);
		char *line = malloc(n);
		memcpy(line, exact[i], n);
		struct acc a = { .n = 0 };
		int rc = jflat_line(df2, line, n, leaf, &a, err, sizeof err);
		test_cond("unterminated line", i < 2 ? rc == JFLAT_OK : rc != JFLAT_OK);
		if (i == 4)
			test_cond("NUL is not a blank", rc == JFLAT_ERR_JSON);
		free(line);
	}

	jflat_free(df2);
	/* A line inside a larger buffer: nothing past LEN is read. */
	static const char buf[] = "{\"a\":1} \n{\"b\":2}\n";
	jflat *bf = jflat_new(NULL);
	struct acc ba = { "", 0 };
	test_cond("jflat: a line that is not NUL-terminated (whitespace, then more lines)",
	          jflat_line(bf, buf, 8, leaf, &ba, err, sizeof err) == JFLAT_OK && strcmp(ba.s, "a=N:1") == 0);
	jflat_free(bf);

	/* The callback can stop a line. */
	jflat *f = jflat_new(NULL);
	int calls = 0;
	snprintf(err, sizeof err, "the callback's reason");
	test_cond("jflat: callback stops the line",
	          jflat_line(f, "{\"a\":1,\"b\":2}", 13, stop, &calls, err, sizeof err) == JFLAT_ERR_STOP && calls == 1);
	test_cond("jflat: a stop leaves ERR to the callback's owner", strcmp(err, "the callback's reason") == 0);
	/* ERR may be NULL when only the status matters. */
	test_cond("jflat: NULL ERR", jflat_line(f, "{", 1, leaf, &(struct acc){ .n = 0 }, NULL, 0) == JFLAT_ERR_JSON);
	jflat_free(f);
	return test_report();
}
