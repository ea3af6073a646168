/* test_query.c - unit tests of lib/query: loading, canonical form, fields,
 * filter bodies and the fingerprint. */
#include "query.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

static void test_load(void)
{
	static const struct {
		const char *in;
		int ok;
		const char *canon; /* NULL: match all */
		const char *err;   /* substring of the error */
	} t[] = {
		{ "{\"term\":{\"a\":1}}", 1, "{\"term\":{\"a\":1}}", NULL },
		{ " {\n \"term\" : { \"a\" : 1 } }\n", 1, "{\"term\":{\"a\":1}}", NULL },
		{ "{\"query\":{\"term\":{\"a\":1.50}}}", 1, "{\"term\":{\"a\":1.50}}", NULL },
		{ "{\"query\": {\"match\":{\"msg\":\"caf\\u00e9 \\\"x\\\"\"}}}", 1,
		  "{\"match\":{\"msg\":\"caf\xc3\xa9 \\\"x\\\"\"}}", NULL },
		{ "{\"range\":{\"n\":{\"gte\":12345678901234567890}}}", 1,
		  "{\"range\":{\"n\":{\"gte\":12345678901234567890}}}", NULL },
		{ "{\"bool\":{\"must\":[],\"x\":null,\"y\":true,\"z\":false}}", 1,
		  "{\"bool\":{\"must\":[],\"x\":null,\"y\":true,\"z\":false}}", NULL },
		{ "{}", 1, NULL, NULL },
		{ "{\"query\":{}}", 1, NULL, NULL },
		{ "", 0, NULL, "invalid query JSON" },
		{ "{", 0, NULL, "invalid query JSON" },
		{ "{\"a\":1,}", 0, NULL, "invalid query JSON" },
		{ "[1]", 0, NULL, "not an object" },
		{ "\"x\"", 0, NULL, "not an object" },
		{ "{\"query\":[1]}", 0, NULL, "not an object" },
		{ "{\"query\":{\"term\":{}},\"size\":10}", 0, NULL, "nothing else" },
		{ "{\"a\":1} {\"b\":2}", 0, NULL, "invalid query JSON" },
	};
	char d[200], err[300];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		query *q = query_new(NULL);
		err[0] = 0;
		int rc = query_load_string(q, t[i].in, err, sizeof err);
		snprintf(d, sizeof d, "load query #%zu", i);
		if (t[i].ok) {
			const char *u = query_user_json(q);
			test_cond(d, rc == 0 && (t[i].canon ? u && strcmp(u, t[i].canon) == 0 : u == NULL));
		} else {
			test_cond(d, rc == -1 && strstr(err, t[i].err) && !strchr(err, '\n'));
		}
		query_free(q);
	}
}

static void test_file(void)
{
	char path[] = "/tmp/test_query.XXXXXX", err[300];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs("{\n  \"query\": {\n    \"term\": {\"level\": \"error\"}\n  }\n}\n", f);
	fclose(f);
	query *q = query_new("ts");
	test_cond("load file", query_load_file(q, path, err, sizeof err) == 0 &&
				       strcmp(query_user_json(q), "{\"term\":{\"level\":\"error\"}}") == 0);
	f = fopen(path, "w");
	fputs("{\"term\": ", f);
	fclose(f);
	test_cond("load invalid file names it", query_load_file(q, path, err, sizeof err) == -1 && strstr(err, path));
	test_cond("failed load keeps the old query", strcmp(query_user_json(q), "{\"term\":{\"level\":\"error\"}}") == 0);
	unlink(path);
	test_cond("load missing file", query_load_file(q, path, err, sizeof err) == -1 && strstr(err, "cannot open"));
	/* Nesting: 100 levels load; deeper, even 4 million (8 MB, under the
	 * file size limit), is one clear error, not a crash in yajl's tree or
	 * a misleading "out of memory" from its generator. */
	static const struct { size_t levels; int rc; } dt[] = { { 100, 0 }, { 101, -1 }, { 600, -1 }, { 4000000, -1 } };
	for (size_t i = 0; i < sizeof dt / sizeof dt[0]; i++) {
		size_t n = dt[i].levels - 1;
		char *s = malloc(2 * n + 16), d[400];
		strcpy(s, "{\"bool\":");
		memset(s + 8, '[', n);
		memset(s + 8 + n, ']', n);
		strcpy(s + 8 + 2 * n, "}");
		int rc = query_load_string(q, s, err, sizeof err);
		snprintf(d, sizeof d, "query %zu levels deep: %s", dt[i].levels, rc ? err : "loaded");
		test_cond(d, rc == dt[i].rc && (rc == 0 || strstr(err, "nested deeper than 100 levels")));
		free(s);
	}
	test_cond("brackets in strings do not count",
		  query_load_string(q, "{\"term\":{\"m\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[\"}}", err, sizeof err) == 0);
	query_free(q);
}

static void test_fields(void)
{
	char err[300];
	query *q = query_new(NULL);
	test_cond("default source", strcmp(query_source_json(q), "true") == 0 && query_field_count(q) == 0);
	test_cond("set fields", query_set_fields(q, "a, b.c ,a,\"q\"", err, sizeof err) == 0);
	test_cond("field count (dups dropped)", query_field_count(q) == 3 && strcmp(query_field(q, 1), "b.c") == 0);
	test_cond("source json", strcmp(query_source_json(q), "[\"a\",\"b.c\",\"\\\"q\\\"\"]") == 0);
	test_cond("empty field name", query_set_fields(q, "a,,b", err, sizeof err) == -1 && strstr(err, "empty"));
	test_cond("after error: all fields", strcmp(query_source_json(q), "true") == 0);
	test_cond("trailing comma", query_set_fields(q, "a,", err, sizeof err) == -1);
	test_cond("empty list = all", query_set_fields(q, "", err, sizeof err) == 0 && query_field_count(q) == 0);
	query_free(q);
}

static void test_filter(void)
{
	char err[300];
	query *q = query_new("event.\"time\"");
	char *s = query_filter_json(q, 1709251200000LL, 1709254800000LL);
	test_cond("filter without user query",
		  s && strcmp(s, "{\"bool\":{\"filter\":[{\"range\":{\"event.\\\"time\\\"\":{\"gte\":1709251200000,"
				 "\"lt\":1709254800000,\"format\":\"epoch_millis\"}}}]}}") == 0);
	free(s);
	query_load_string(q, "{\"term\":{\"a\":1}}", err, sizeof err);
	s = query_filter_json(q, -5, 7);
	test_cond("filter with user query",
		  s && strcmp(s, "{\"bool\":{\"filter\":[{\"range\":{\"event.\\\"time\\\"\":{\"gte\":-5,"
				 "\"lt\":7,\"format\":\"epoch_millis\"}}},{\"term\":{\"a\":1}}]}}") == 0);
	yajl_val v = yajl_tree_parse(s, err, sizeof err);
	test_cond("filter is valid JSON", v != NULL);
	yajl_tree_free(v);
	free(s);
	query_free(q);
}

static void test_fingerprint(void)
{
	char err[300], fp[17];
	query *a = query_new(NULL), *b = query_new("@timestamp");
	const char *f = query_fingerprint(a);
	test_cond("fingerprint is 16 hex", strlen(f) == 16 && strspn(f, "0123456789abcdef") == 16);
	test_cond("same question, same fingerprint", strcmp(f, query_fingerprint(b)) == 0);
	strcpy(fp, f);
	/* Frozen values: a change here invalidates every user's cache.  The
	 * sorted one changed once on purpose (was 126ac228c3100fd9) when
	 * chunks came to be sorted locally with ties by _id. */
	test_cond("default fingerprint is frozen", strcmp(fp, "934b89d235faafc3") == 0);
	query_load_string(a, "{\"term\" : {\"a\": 1}}", err, sizeof err);
	query_load_string(b, "{\n\"query\":{\"term\":{\"a\":1}}}", err, sizeof err);
	test_cond("whitespace and query wrapper do not matter", strcmp(query_fingerprint(a), query_fingerprint(b)) == 0);
	test_cond("query changes it", strcmp(query_fingerprint(a), fp) != 0);
	query_load_string(b, "{\"term\":{\"a\":2}}", err, sizeof err);
	test_cond("query value changes it", strcmp(query_fingerprint(a), query_fingerprint(b)) != 0);
	query_load_string(b, "{}", err, sizeof err);
	test_cond("{} is match all", strcmp(query_fingerprint(b), fp) == 0);
	query_set_sorted(b, 0);
	test_cond("sort mode changes it", strcmp(query_fingerprint(b), fp) != 0);
	test_cond("unsorted fingerprint is frozen", strcmp(query_fingerprint(b), "28fb1fa046bb4514") == 0);
	query_set_sorted(b, 1);
	test_cond("sort mode back", strcmp(query_fingerprint(b), fp) == 0);
	query_set_fields(b, "a", err, sizeof err);
	test_cond("fields change it", strcmp(query_fingerprint(b), fp) != 0);
	query_set_fields(b, NULL, err, sizeof err);
	test_cond("fields back", strcmp(query_fingerprint(b), fp) == 0);
	query *c = query_new("ts");
	test_cond("time field changes it", strcmp(query_fingerprint(c), fp) != 0);
	query_free(a);
	query_free(b);
	query_free(c);
}

int main(void)
{
	test_load();
	test_file();
	test_fields();
	test_filter();
	test_fingerprint();
	return test_report();
}
