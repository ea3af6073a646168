/* test_jflat.c - unit tests of the NDJSON line flattener: each case is a
 * line and the leaves it must give, as "name=type:value" joined by " | ". */
#include <stdio.h>
#include <string.h>

#include "jflat.h"
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
	{ "{\"a.b\":1,\"a\":{\"b\":2}}", NULL, JFLAT_OK, "a.b=N:1 | a.b=N:2" },
	{ "{\"a\":{\"b\":1},\"c\":2}", NULL, JFLAT_OK, "a.b=N:1 | c=N:2" },
	{ "  {\"a\":1}  ", NULL, JFLAT_OK, "a=N:1" },
	{ "{\"s\":\"\xFF\"}", NULL, JFLAT_OK, "s=S:\xFF" },
	{ "[1,2]", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "42", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "\"x\"", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "null", NULL, JFLAT_ERR_NOTOBJ, "not a JSON object" },
	{ "{\"a\":1", NULL, JFLAT_ERR_JSON, "invalid JSON" },
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
	char d[400];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		jflat *f = jflat_new(cases[i].sep);
		struct acc a = { "", 0 };
		int rc = jflat_line(f, cases[i].line, strlen(cases[i].line), leaf, &a);
		const char *got = rc == JFLAT_OK ? a.s : jflat_error(f);
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
		int rc = jflat_line(sf, seq[i], strlen(seq[i]), leaf, &a);
		if (rc != seq_rc[i] || (rc == 0 && strcmp(a.s, seq_want[i]) != 0)) {
			printf("#   line %zu: rc %d, got '%s'\n", i, rc, a.s);
			seq_ok = 0;
		}
	}
	test_cond("jflat: one flattener, good and bad lines in turn", seq_ok);
	jflat_free(sf);

	/* A line inside a larger buffer: nothing past LEN is read. */
	static const char buf[] = "{\"a\":1} \n{\"b\":2}\n";
	jflat *bf = jflat_new(NULL);
	struct acc ba = { "", 0 };
	test_cond("jflat: a line that is not NUL-terminated (whitespace, then more lines)",
	          jflat_line(bf, buf, 8, leaf, &ba) == JFLAT_OK && strcmp(ba.s, "a=N:1") == 0);
	jflat_free(bf);

	/* The callback can stop a line. */
	jflat *f = jflat_new(NULL);
	int calls = 0;
	test_cond("jflat: callback stops the line",
	          jflat_line(f, "{\"a\":1,\"b\":2}", 13, stop, &calls) == JFLAT_ERR_STOP && calls == 1);
	jflat_free(f);
	return test_report();
}
