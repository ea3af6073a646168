/* test_colstats.c - column statistics: saved, read back and merged, they
 * type every column as one pass over all the lines does. */
#include <stdlib.h>
#include <string.h>

#include "colstats.h"
#include "unit.h"

/* Lines whose columns narrow and widen in every way coltype knows. */
static const char *lines[] = {
	"{\"a\":1,\"b\":\"x\",\"c\":true,\"t\":\"2024-03-01T00:00:00Z\",\"f\":0.5,\"n\":{\"m\":-3}}",
	"{\"a\":200,\"b\":\"y\",\"c\":false,\"t\":\"2024-03-01\",\"f\":1.25,\"n\":{\"m\":null},\"g\":[1,2]}",
	"{\"b\":\"x\",\"a\":-40000,\"t\":\"2024-03-01T00:00:00.001Z\",\"f\":0.1,\"s\":\"\"}",
	"{\"a\":3000000000,\"b\":\"x\",\"c\":null,\"u\":18446744073709551615,\"f\":1e400}",
	"{\"a\":1.0,\"b\":\"y\",\"t\":\"not a date\",\"u\":1,\"n\":{\"m\":12},\"g\":\"z\",\"h\":1}",
	"{\"a\":2.5e1,\"b\":\"y\",\"c\":true,\"u\":2,\"h\":\"1\",\"k\":-0}",
};
#define NLINES (sizeof lines / sizeof lines[0])

/* "name:type:nullable:empty:values:distinct" for every column. */
static void describe(const colstats *s, char *buf, size_t n)
{
	size_t k = 0;
	buf[0] = 0;
	for (size_t i = 0; i < colstats_ncols(s) && k < n; i++) {
		struct colstats_col c;
		colstats_col(s, i, &c);
		k += (size_t)snprintf(buf + k, n - k, "%s:%s:%d:%d:%llu:%zu ", c.name, coltype_name(c.kind),
				      c.nullable, c.has_empty, (unsigned long long)c.values, c.distinct);
	}
}

int main(void)
{
	char want[4096], got[4096], err[256];
	colstats *all = colstats_new(COLSTATS_CATEGORY_MAX);
	for (size_t i = 0; i < NLINES; i++)
		colstats_add_line(all, lines[i], strlen(lines[i]), NULL, NULL, 0);
	describe(all, want, sizeof want);
	test_cond("one pass: rows", colstats_rows(all) == NLINES);
	test_cond("one pass: types", strstr(want, "a:string") == NULL && strstr(want, "a:int64:0") &&
		  strstr(want, "b:category:0:0:6:2") && strstr(want, "c:bool:1") &&
		  strstr(want, "n.m:int8:1") && strstr(want, "u:uint64:1") && strstr(want, "f:string") &&
		  strstr(want, "t:string") && strstr(want, "h:string") && strstr(want, "k:int8:1"));
	int ok = 1;
	/* Every split into two chunks, saved and merged back in order. */
	for (size_t cut = 0; cut <= NLINES; cut++) {
		colstats *p1 = colstats_new(COLSTATS_CATEGORY_MAX), *p2 = colstats_new(COLSTATS_CATEGORY_MAX);
		colstats *m = colstats_new(COLSTATS_CATEGORY_MAX);
		for (size_t i = 0; i < NLINES; i++)
			colstats_add_line(i < cut ? p1 : p2, lines[i], strlen(lines[i]), NULL, NULL, 0);
		size_t l1, l2;
		char *j1 = colstats_json(p1, &l1), *j2 = colstats_json(p2, &l2);
		if (colstats_merge_json(m, j1, err, sizeof err) || colstats_merge_json(m, j2, err, sizeof err)) {
			printf("# %s\n", err);
			ok = 0;
		}
		describe(m, got, sizeof got);
		if (strcmp(got, want) != 0 || colstats_rows(m) != NLINES) {
			printf("# cut %zu:\n# got  %s\n# want %s\n", cut, got, want);
			ok = 0;
		}
		free(j1);
		free(j2);
		colstats_free(p1);
		colstats_free(p2);
		colstats_free(m);
	}
	test_cond("every split, saved and merged: the same columns, order and types", ok);

	/* Keyed: slices merged in any order give the column order of one pass
	 * over all lines merged by time then _id. */
	static const char *rows[] = {
		"{\"_id\":\"a\",\"t\":1,\"x\":1}",
		"{\"_id\":\"b\",\"t\":2,\"y\":1,\"x\":2}",
		"{\"_id\":\"c\",\"t\":2,\"z\":1}",
		"{\"_id\":\"d\",\"t\":3,\"w\":1,\"x\":1,\"y\":2}",
	};
	jkey_spec ks = { .n = 1, .with_id = 1, .path = { "t" } };
	const char *order[2][2] = { { "AB" }, { "BA" } };
	for (int o = 0; o < 2; o++) {
		colstats *sa = colstats_new(10), *sb = colstats_new(10), *mm = colstats_new(10);
		for (int i = 0; i < 4; i++) {
			jkey_val kv[2];
			jkey_extract(&ks, rows[i], strlen(rows[i]), kv, NULL, 0);
			colstats_add_line(i == 0 || i == 3 ? sa : sb, rows[i], strlen(rows[i]), kv, NULL, 0);
		}
		size_t la, lb;
		char *ja = colstats_json(sa, &la), *jb = colstats_json(sb, &lb);
		int r1 = colstats_merge_json(mm, order[o][0][0] == 'A' ? ja : jb, err, sizeof err);
		int r2 = colstats_merge_json(mm, order[o][0][0] == 'A' ? jb : ja, err, sizeof err);
		char names[64] = "";
		for (size_t i = 0; i < colstats_ncols(mm); i++) {
			struct colstats_col c;
			colstats_col(mm, i, &c);
			strcat(names, c.name);
			strcat(names, " ");
		}
		test_cond(o ? "keyed slices merged B then A: one pass's column order"
			    : "keyed slices merged A then B: one pass's column order",
			  r1 == 0 && r2 == 0 && strcmp(names, "_id t x y z w ") == 0 &&
			  colstats_find(mm, "z", 1) == 4);
		if (strcmp(names, "_id t x y z w ") != 0)
			printf("# got %s\n", names);
		free(ja);
		free(jb);
		colstats_free(sa);
		colstats_free(sb);
		colstats_free(mm);
	}

	/* Categories: the caps hold across chunks. */
	colstats *c1 = colstats_new(2), *c2 = colstats_new(2), *m = colstats_new(2);
	const char *x[] = { "{\"v\":\"a\"}", "{\"v\":\"b\"}", "{\"v\":\"a\"}", "{\"v\":\"b\"}" };
	const char *y[] = { "{\"v\":\"c\"}", "{\"v\":\"c\"}" };
	for (int i = 0; i < 4; i++)
		colstats_add_line(c1, x[i], strlen(x[i]), NULL, NULL, 0);
	for (int i = 0; i < 2; i++)
		colstats_add_line(c2, y[i], strlen(y[i]), NULL, NULL, 0);
	size_t l;
	char *j = colstats_json(c1, &l);
	colstats_merge_json(m, j, err, sizeof err);
	free(j);
	describe(m, got, sizeof got);
	test_cond("two values under a cap of 2: category", strcmp(got, "v:category:0:0:4:2 ") == 0);
	j = colstats_json(c2, &l);
	colstats_merge_json(m, j, err, sizeof err);
	free(j);
	describe(m, got, sizeof got);
	test_cond("a third value from another chunk: string", strcmp(got, "v:string:0:0:6:0 ") == 0);
	colstats *big = colstats_new(5);
	test_cond("statistics kept under a smaller cap are refused",
		  colstats_merge_json(big, "{\"colstats\":{\"format\":\"osdl-colstats/1\",\"rows\":1,"
				      "\"category_max\":2,\"category_bytes\":262144,\"exact\":true,\"columns\":[]}}",
				      err, sizeof err) != 0 && strstr(err, "up to 2 values"));
	test_cond("a meta without statistics is refused",
		  colstats_merge_json(big, "{\"docs\":1}", err, sizeof err) != 0 && strstr(err, "no column statistics"));
	test_cond("invalid JSON is refused", colstats_merge_json(big, "{\"docs\":", err, sizeof err) != 0);

	/* Names that are not UTF-8 cannot be saved exactly. */
	colstats *bad = colstats_new(10);
	colstats_add_line(bad, "{\"\xff\":1}", 7, NULL, NULL, 0);
	j = colstats_json(bad, &l);
	test_cond("a name that is not UTF-8: inexact", j && strstr(j, "\"exact\":false,\"columns\":[]"));
	test_cond("inexact statistics are refused",
		  colstats_merge_json(big, j, err, sizeof err) != 0 && strstr(err, "not exact"));
	free(j);
	test_cond("a line that is not an object fails", colstats_add_line(bad, "[1]", 3, NULL, NULL, 0) != 0);
	test_cond("... with its reason in ERR", colstats_add_line(bad, "[1]", 3, NULL, err, sizeof err) != 0 &&
	          strcmp(err, "not a JSON object") == 0);
	test_cond("blank lines are skipped", colstats_add_line(bad, "  ", 2, NULL, NULL, 0) == 0 && colstats_rows(bad) == 1);
	colstats_free(bad);
	colstats_free(big);
	colstats_free(c1);
	colstats_free(c2);
	colstats_free(m);
	colstats_free(all);
	return test_report();
}
