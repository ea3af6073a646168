/* test_chunksort.c - local time sort of chunk lines: one total order
 * (time, _id, line) whatever the arrival order and the memory budget, and
 * paged mode dropping the lines of a lost page, spilled or not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunksort.h"
#include "osdl.h"
#include "unit.h"

struct out {
	char *buf;
	size_t len, cap;
};

static int keys_ok = 1;

static int collect(const char *line, size_t len, const jkey_val *keys, void *ud)
{
	struct out *o = ud;
	/* The keys handed on are the line's own _id and time. */
	if (keys && (keys[1].len != 7 || memcmp(keys[1].p, line + 8, 7) != 0 ||
		     (keys[0].type != JKEY_MISSING && !memmem(line, len, keys[0].p, keys[0].len))))
		keys_ok = 0;
	if (o->len + len + 1 > o->cap) {
		o->cap = (o->len + len + 1) * 2;
		o->buf = realloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, line, len);
	o->buf[o->len + len] = '\n';
	o->len += len + 1;
	return 0;
}

static int refuse(const char *line, size_t len, const jkey_val *keys, void *ud)
{
	return 1;
}

/* Line I of N: times repeat (I % 7), ids are unique, padded so that a small
 * budget spills. */
static int make_line(char *b, size_t n, unsigned i)
{
	static const char *ts[] = { "\"2024-03-01T00:00:00Z\"", "\"2024-03-01T00:00:00.000+00:00\"",
		"\"2024-02-29T23:00:00-01:00\"", "\"2024-03-01T00:00:00.001Z\"", "\"2024-03-02\"",
		"\"2023-12-31T23:59:59.999Z\"", "null" };
	return snprintf(b, n, "{\"_id\":\"id%05u\",\"_index\":\"i\",\"@timestamp\":%s,\"pad\":\"%0200u\"}\n",
			(i * 7919u) % 100000u, ts[i % 7], i);
}

/* Adds lines 0..N-1 in the order of PERM (a multiplier mod N) and returns
 * the sorted output. */
static char *run(size_t memory, unsigned n, unsigned mult, tmpdir **tmp, struct chunksort_stats *st)
{
	struct chunksort_opts o = { .time_field = "@timestamp", .memory = memory, .tmp = tmp };
	chunksort *cs = chunksort_new(&o);
	struct out out = { 0 };
	char line[512], err[256];
	for (unsigned k = 0; k < n; k++) {
		int len = make_line(line, sizeof line, (k * mult) % n);
		if (chunksort_add(cs, "", 0, line, (size_t)len, err, sizeof err) != 0)
			printf("# add: %s\n", err);
	}
	if (chunksort_finish(cs, collect, &out, err, sizeof err) != 0)
		printf("# finish: %s\n", err);
	chunksort_stats(cs, st);
	chunksort_free(cs);
	collect("", 0, NULL, &out);
	out.buf[out.len - 1] = 0;
	return out.buf;
}

int main(void)
{
	tmpdir *tmp = NULL; /* made by the first spill */
	struct chunksort_stats st;
	const unsigned n = 997; /* prime: every multiplier below is a permutation */
	char *want = run(64 << 20, n, 1, &tmp, &st);
	test_cond("in memory: no run spilled, no directory made", st.runs == 0 && st.lines == n && !tmp);
	/* Order: missing first, then by instant (equal instants written
	 * differently are ties), ties by _id. */
	int sorted = strncmp(want, "{\"_id\":\"id", 10) == 0 && strstr(want, "\"@timestamp\":null") < strstr(want, "2023-12-31");
	test_cond("missing time first, then chronological", sorted);
	char *a = strstr(want, "\"@timestamp\":\"2024-03-01T00:00:00Z\"");
	char *b = strstr(want, "\"@timestamp\":\"2024-03-01T00:00:00.001Z\"");
	test_cond("equal instants (Z, +00:00, -01:00) before the next millisecond", a && b && a < b);
	int same = 1;
	for (unsigned mult = 2; mult < 40; mult += 7) {
		char *got = run(64 << 20, n, mult, &tmp, &st);
		same &= strcmp(got, want) == 0;
		free(got);
	}
	test_cond("any arrival order: the same bytes", same);
	char *got = run(64 << 10, n, 13, &tmp, &st);
	test_cond("64K budget: runs spilled and merged in passes", st.runs > 2 && st.passes > 0 && tmp);
	test_cond("64K budget: the same bytes", strcmp(got, want) == 0);
	test_cond("each line's keys handed on with it, in memory and merged", keys_ok);
	free(got);

	/* Paged: a lost page's lines are dropped, spilled or not. */
	for (size_t memory = 64 << 10; memory <= (64 << 20); memory *= 1024) {
		struct chunksort_opts o = { .time_field = "@timestamp", .memory = memory, .tmp = &tmp, .paged = 1 };
		chunksort *cs = chunksort_new(&o);
		struct out out = { 0 };
		char line[512];
		for (unsigned k = 0; k < n; k++) {
			int len = make_line(line, sizeof line, (k * 17) % n);
			chunksort_add(cs, "", 0, line, (size_t)len, NULL, 0);
			if (k % 50 == 49) {
				/* A complete page, then half a page that is lost. */
				chunksort_mark(cs);
				for (unsigned j = 0; j < 30; j++)
					chunksort_add(cs, "", 0, "{\"_id\":\"lost\",\"@timestamp\":1}\n", 31, NULL, 0);
				chunksort_rewind(cs);
			}
		}
		chunksort_finish(cs, collect, &out, NULL, 0);
		chunksort_stats(cs, &st);
		collect("", 0, NULL, &out);
		out.buf[out.len - 1] = 0;
		test_cond(memory < (1 << 20) ? "paged, spilled: lost pages dropped" : "paged, in memory: lost pages dropped",
			  strcmp(out.buf, want) == 0 && (memory > (1 << 20) || st.runs > 0));
		free(out.buf);
		chunksort_free(cs);
	}

	struct chunksort_opts o = { .time_field = "@timestamp", .tmp = &tmp };
	chunksort *cs = chunksort_new(&o);
	char err[256] = "";
	test_cond("a line that is not JSON fails",
		  chunksort_add(cs, "{\"_id\":", 7, "x}\n", 3, err, sizeof err) == OSDL_EXIT_DATA);
	test_cond("its reason names the document and the byte",
		  strcmp(err, "document 1: invalid JSON at byte 8") == 0);
	test_cond("a body without its newline fails",
		  chunksort_add(cs, "", 0, "{}", 2, err, sizeof err) == OSDL_EXIT_DATA &&
		  strcmp(err, "document 1: not one line of at most 4 GiB") == 0);
	chunksort_reset(cs);
	struct out out = { 0 };
	test_cond("empty: nothing emitted", chunksort_finish(cs, collect, &out, err, sizeof err) == 0 && out.len == 0);
	/* A failing emit stops the sort with -1, leaving the reason to it. */
	for (int spilled = 0; spilled < 2; spilled++) {
		struct chunksort_opts so = { .time_field = "@timestamp", .memory = spilled ? 64 << 10 : 0, .tmp = &tmp };
		chunksort *c = chunksort_new(&so);
		char line[512];
		for (unsigned k = 0; k < 500; k++) {
			int len = make_line(line, sizeof line, k);
			chunksort_add(c, "", 0, line, (size_t)len, NULL, 0);
		}
		struct chunksort_stats cst;
		chunksort_stats(c, &cst);
		strcpy(err, "untouched");
		test_cond(spilled ? "emit fails after spilling: -1, the buffer left alone"
				  : "emit fails in memory: -1, the buffer left alone",
			  chunksort_finish(c, refuse, NULL, err, sizeof err) == -1 && strcmp(err, "untouched") == 0 &&
			  (cst.runs > 0) == spilled);
		chunksort_free(c);
	}
	chunksort_free(cs);
	free(want);
	tmpdir_free(tmp);
	return test_report();
}
