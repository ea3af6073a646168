/* test_plan.c - property tests of lib/plan: the calendar cut covers every
 * range exactly once, each chunk inside one step and one index period; the
 * packing covers the counted range with at most N documents per chunk. */
#include "plan.h"
#include "unit.h"
#include <errno.h>

#include <stdlib.h>
#include <string.h>

static int64_t T(const char *s)
{
	int64_t ms = 0;
	if (tspan_parse_time(s, (size_t)-1, &ms, NULL))
		abort();
	return ms;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Checks the calendar plan of [from, to) and says why it is wrong, or NULL. */
static const char *check_calendar(const struct plan *p, const char *pattern, int64_t from, int64_t to,
				  const struct tspan_step *step)
{
	struct tspan_step period;
	int timed = tspan_pattern_period(pattern, &period) == 1;
	char name[SPEC_INDEX_MAX];
	if (p->n == 0)
		return "no chunks";
	if (p->c[0].sp.from != from)
		return "first chunk does not start at FROM";
	if (p->c[p->n - 1].sp.to != to)
		return "last chunk does not end at TO";
	for (size_t i = 0; i < p->n; i++) {
		const struct spec *s = &p->c[i].sp;
		if (s->from >= s->to)
			return "empty chunk";
		if (i + 1 < p->n && s->to != p->c[i + 1].sp.from)
			return "gap or overlap between chunks";
		if (step && tspan_floor(s->from, *step) != tspan_floor(s->to - 1, *step))
			return "chunk spans a step boundary";
		if (timed) {
			if (tspan_floor(s->from, period) != tspan_floor(s->to - 1, period))
				return "chunk spans two index periods";
			tspan_pattern_format(pattern, s->to - 1, name, sizeof name);
			if (strcmp(name, s->index) != 0)
				return "index name is not the pattern at the chunk's end";
		} else if (strcmp(pattern, s->index) != 0) {
			return "plain index renamed";
		}
		/* Maximal: a chunk ends only where it must. */
		if (s->to != to) {
			int at_step = step && tspan_floor(s->to, *step) == s->to;
			int at_period = timed && tspan_floor(s->to, period) == s->to;
			if (!at_step && !at_period)
				return "chunk ends at no boundary";
		}
	}
	return NULL;
}

static void test_calendar_table(void)
{
	static const struct {
		const char *pattern, *step, *from, *to;
		size_t n;
		const char *first, *last; /* spec lines */
	} t[] = {
		{ "logs-%Y.%m.%d", "1h", "2024-02-28", "2024-03-03", 96,
		  "logs-2024.02.28 2024-02-28T00:00:00.000Z 2024-02-28T01:00:00.000Z",
		  "logs-2024.03.02 2024-03-02T23:00:00.000Z 2024-03-03T00:00:00.000Z" },
		{ "metrics-%Y.%m", "1d", "2024-02-28T12:00:00Z", "2024-03-01T06:00:00Z", 3,
		  "metrics-2024.02 2024-02-28T12:00:00.000Z 2024-02-29T00:00:00.000Z",
		  "metrics-2024.03 2024-03-01T00:00:00.000Z 2024-03-01T06:00:00.000Z" },
		{ "logs-%Y.%m.%d", "1M", "2024-02-28T10:00:00Z", "2024-03-02T00:00:00Z", 3,
		  "logs-2024.02.28 2024-02-28T10:00:00.000Z 2024-02-29T00:00:00.000Z",
		  "logs-2024.03.01 2024-03-01T00:00:00.000Z 2024-03-02T00:00:00.000Z" },
		{ "metrics-%Y.%m", "1M", "2023-12-31T23:59:59.999Z", "2024-01-01T00:00:00.001Z", 2,
		  "metrics-2023.12 2023-12-31T23:59:59.999Z 2024-01-01T00:00:00.000Z",
		  "metrics-2024.01 2024-01-01T00:00:00.000Z 2024-01-01T00:00:00.001Z" },
		{ "plain", "1d", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00.001Z", 1,
		  "plain 2024-03-01T00:00:00.000Z 2024-03-01T00:00:00.001Z",
		  "plain 2024-03-01T00:00:00.000Z 2024-03-01T00:00:00.001Z" },
		{ "y-%Y", "1y", "2023-06-01", "2025-06-01", 3,
		  "y-2023 2023-06-01T00:00:00.000Z 2024-01-01T00:00:00.000Z",
		  "y-2025 2025-01-01T00:00:00.000Z 2025-06-01T00:00:00.000Z" },
	};
	char err[200], d[200], line[300];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct plan p;
		struct tspan_step st;
		plan_init(&p, 100000);
		tspan_parse_step(t[i].step, &st);
		int rc = plan_calendar(&p, t[i].pattern, T(t[i].from), T(t[i].to), &st, err, sizeof err);
		snprintf(d, sizeof d, "calendar %s %s %s..%s", t[i].pattern, t[i].step, t[i].from, t[i].to);
		int ok = rc == 0 && p.n == t[i].n;
		if (ok) {
			spec_format(&p.c[0].sp, line, sizeof line);
			ok = strcmp(line, t[i].first) == 0;
			spec_format(&p.c[p.n - 1].sp, line, sizeof line);
			ok = ok && strcmp(line, t[i].last) == 0;
		}
		test_cond(d, ok);
		plan_free(&p);
	}
}

static void test_calendar_properties(void)
{
	static const char *patterns[] = { "logs-%Y.%m.%d", "metrics-%Y.%m", "x-%Y.%m.%d.%H", "y-%Y",
					  "j-%Y.%j", "plain", "w-%y%m" };
	static const char *steps[] = { "1ms", "7s", "15m", "1h", "6h", "5h", "1d", "2d", "1w", "1M", "3M", "1y" };
	/* Instants the ranges start and end near: leap day, month and year ends. */
	static const char *anchors[] = { "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z", "2023-12-31T23:00:00Z",
					 "2024-01-01T00:00:00Z", "2023-02-28T00:00:00Z", "2000-02-29T12:00:00Z",
					 "1969-12-31T23:59:59.999Z", "2024-12-31T00:00:00Z" };
	static const int64_t spans[] = { 1, 2, 999, 60000, 3600000, 86400000, 31LL * 86400000,
					 400LL * 86400000 };
	char err[200], d[300];
	int cases = 0, bad = 0;
	for (int k = 0; k < 6000; k++) {
		const char *pat = patterns[rnd() % (sizeof patterns / sizeof *patterns)];
		const char *sname = steps[rnd() % (sizeof steps / sizeof *steps)];
		struct tspan_step st;
		tspan_parse_step(sname, &st);
		int64_t from = T(anchors[rnd() % (sizeof anchors / sizeof *anchors)]);
		int64_t span = spans[rnd() % (sizeof spans / sizeof *spans)];
		from += (int64_t)(rnd() % 7200001) - 3600000; /* unaligned, either side */
		if (rnd() % 3 == 0)
			from = tspan_floor(from, st); /* and aligned */
		int64_t to = from + 1 + (int64_t)(rnd() % (uint64_t)span);
		int inclusive = rnd() % 2;
		if (inclusive)
			to += 1; /* what --to-inclusive does to TO */
		/* Keep fine steps to a few thousand chunks. */
		int64_t len = tspan_add(0, st);
		if (st.unit != 'M' && st.unit != 'y' && (to - from) / len > 1000)
			to = from + 1000 * len - (int64_t)(rnd() % (uint64_t)len);
		struct plan p;
		plan_init(&p, 200000);
		int rc = plan_calendar(&p, pat, from, to, &st, err, sizeof err);
		const char *why = rc ? err : check_calendar(&p, pat, from, to, &st);
		cases++;
		if (why) {
			char a[TSPAN_ISO_MAX], b[TSPAN_ISO_MAX];
			bad++;
			snprintf(d, sizeof d, "calendar %s %s %s..%s: %.120s", pat, sname, tspan_format_iso(from, a),
				 tspan_format_iso(to, b), why);
			if (bad < 10)
				test_cond(d, 0);
		}
		plan_free(&p);
	}
	snprintf(d, sizeof d, "calendar properties over %d random ranges", cases);
	test_cond(d, bad == 0);

	/* Without a step only index periods cut. */
	struct plan p;
	plan_init(&p, 1000);
	test_cond("no step: cut by periods only",
		  plan_calendar(&p, "m-%Y.%m", T("2024-01-15"), T("2024-04-15"), NULL, err, sizeof err) == 0 &&
		  p.n == 4 && !check_calendar(&p, "m-%Y.%m", T("2024-01-15"), T("2024-04-15"), NULL));
	plan_free(&p);
	plan_init(&p, 1000);
	test_cond("no step, plain: one chunk",
		  plan_calendar(&p, "i", T("2020-01-15"), T("2024-04-15"), NULL, err, sizeof err) == 0 && p.n == 1);
	plan_free(&p);
}

static void test_calendar_errors(void)
{
	static const struct {
		const char *pattern, *from, *to, *step, *re;
		size_t max;
	} t[] = {
		{ "logs-%Y.%m.%d", "2024-03-02", "2024-03-01", "1h", "reversed", 100 },
		{ "logs-%Y.%m.%d", "2024-03-01", "2024-03-01", "1h", "empty", 100 },
		{ "logs-%Y.%m.%d", "2024-03-01", "2024-03-02", "1h", "more than 23 chunks", 23 },
		{ "logs-%Y.%m.%d", "2024-03-01", "2024-03-02", "1ms", "more than 100000 chunks", 100000 },
		{ "logs-%Q", "2024-03-01", "2024-03-02", "1h", "unsupported", 100 },
		{ "logs-%%", "2024-03-01", "2024-03-02", "1h", "no time token", 100 },
	};
	char err[200], d[200];
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct plan p;
		struct tspan_step st;
		plan_init(&p, t[i].max);
		tspan_parse_step(t[i].step, &st);
		err[0] = 0;
		int rc = plan_calendar(&p, t[i].pattern, T(t[i].from), T(t[i].to), &st, err, sizeof err);
		snprintf(d, sizeof d, "calendar error %.40s (%.120s)", t[i].re, err);
		test_cond(d, rc == -1 && strstr(err, t[i].re));
		plan_free(&p);
	}
	struct plan p;
	struct tspan_step st = { 1, 'h' };
	plan_init(&p, 100);
	test_cond("exactly max chunks is fine",
		  plan_calendar(&p, "a", T("2024-03-01"), T("2024-03-01") + 100 * 3600000LL, &st, err, sizeof err) == 0 &&
		  p.n == 100);
	plan_free(&p);
}

/* plan_pack over random leaves: exact cover, at most TARGET per unsliced
 * chunk, the documents all accounted for. */
static void test_pack(void)
{
	char err[200], d[200];
	int bad = 0, cases = 0;
	for (int k = 0; k < 3000; k++) {
		int64_t from = (int64_t)(rnd() % 1000000), to = from + 1 + (int64_t)(rnd() % 5000);
		int64_t target = 1 + (int64_t)(rnd() % 50), total = 0;
		struct plan_leaf leaves[400];
		size_t n = 0;
		for (int64_t t = from; t < to && n < 400;) {
			int64_t w = 1 + (int64_t)(rnd() % 20);
			if (t + w > to)
				w = to - t;
			if (rnd() % 3) {
				int64_t docs = 1 + (int64_t)(rnd() % (uint64_t)(w == 1 ? 3 * target : target));
				leaves[n++] = (struct plan_leaf){ t, t + w, docs };
				total += docs;
			}
			t += w;
		}
		struct plan p;
		plan_init(&p, 100000);
		int rc = plan_pack(&p, "i", from, to, leaves, n, target, err, sizeof err);
		const char *why = NULL;
		int64_t sum = 0;
		if (rc)
			why = err;
		else if (n == 0 && p.n)
			why = "chunks without documents";
		else if (n && (p.c[0].sp.from != from || p.c[p.n - 1].sp.to != to))
			why = "does not cover [from, to)";
		for (size_t i = 0; !why && i < p.n; i++) {
			const struct plan_chunk *c = &p.c[i];
			sum += c->docs;
			if (c->sp.from >= c->sp.to)
				why = "empty range";
			else if (c->sp.slice_max == 0 && c->docs > target)
				why = "chunk above target";
			else if (c->docs <= 0)
				why = "chunk without documents";
			else if (c->sp.slice_max && (c->sp.slice_id != (i > 0 && p.c[i - 1].sp.slice_id + 1 < p.c[i - 1].sp.slice_max ? p.c[i - 1].sp.slice_id + 1 : 0) ||
						      (c->sp.slice_id && c->sp.from != p.c[i - 1].sp.from)))
				why = "slices out of order";
			else if (i + 1 < p.n && c->sp.to != p.c[i + 1].sp.from &&
				 !(p.c[i + 1].sp.slice_id > 0 && c->sp.from == p.c[i + 1].sp.from &&
				   c->sp.to == p.c[i + 1].sp.to))
				why = "gap or overlap";
			else if (c->sp.slice_max && c->docs > target)
				why = "slice above target";
		}
		if (!why && sum != total)
			why = "documents lost or doubled";
		cases++;
		if (why) {
			bad++;
			snprintf(d, sizeof d, "pack case %d: %.150s", k, why);
			if (bad < 10)
				test_cond(d, 0);
		}
		plan_free(&p);
	}
	snprintf(d, sizeof d, "pack properties over %d random cases", cases);
	test_cond(d, bad == 0);

	struct plan_leaf l[] = { { 10, 11, 5 }, { 20, 21, 25 }, { 30, 40, 3 } };
	struct plan p;
	plan_init(&p, 100);
	plan_pack(&p, "i", 0, 100, l, 3, 10, err, sizeof err);
	test_cond("pack: hot millisecond sliced",
		  p.n == 5 && p.c[0].sp.from == 0 && p.c[0].sp.to == 20 && p.c[0].docs == 5 &&
		  p.c[1].sp.slice_max == 3 && p.c[1].sp.from == 20 && p.c[1].sp.to == 21 && p.c[4].sp.from == 21 &&
		  p.c[4].sp.to == 100 && p.c[4].docs == 3);
	plan_free(&p);
	plan_init(&p, 100);
	plan_pack(&p, "i", 0, 100, l + 1, 1, 10, err, sizeof err);
	test_cond("pack: trailing time joins all slices",
		  p.n == 3 && p.c[0].sp.from == 0 && p.c[2].sp.to == 100 && p.c[0].sp.to == 100);
	plan_free(&p);
}

static void test_stats_write(void)
{
	struct plan p;
	struct plan_stats st;
	char err[100];
	plan_init(&p, 10);
	plan_add(&p, "b", 0, 10, 0, 0, 7, err, sizeof err);
	plan_add(&p, "a", 0, 10, 0, 0, 1, err, sizeof err);
	plan_add(&p, "a", 10, 20, 1, 2, 4, err, sizeof err);
	plan_add(&p, "a", 10, 20, 0, 2, 4, err, sizeof err);
	plan_sort(&p);
	test_cond("sort by time, index, slice",
		  strcmp(p.c[0].sp.index, "a") == 0 && p.c[1].sp.from == 0 && p.c[2].sp.slice_id == 0);
	plan_stats(&p, &st);
	test_cond("stats", st.chunks == 4 && st.total == 16 && st.min == 1 && st.max == 7 && st.median == 4);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *args[] = { "--cache", "c", "-q", "/tmp/it's $HOME.json" };
	struct plan_out out = { PLAN_MAKE, "c", "0123456789abcdef", args, 4 };
	test_cond("write make", plan_write(f, &p, &out) == 0);
	fclose(f);
	test_cond("make: all target", strstr(buf, "\nall: \\\n\tc/0123456789abcdef/a/19700101T000000.000Z_19700101T000000.010Z.ndjson.lz4 \\\n"));
	test_cond("make: quoted recipe",
		  strstr(buf, "c/0123456789abcdef/a/19700101T000000.010Z_19700101T000000.020Z.s1of2.ndjson.lz4:\n"
			      "\t$(OSFETCH) $(OSFETCH_FLAGS) '--cache' 'c' '-q' '/tmp/it'\\''s $$HOME.json' "
			      "'a' 1970-01-01T00:00:00.010Z 1970-01-01T00:00:00.020Z 1/2 >/dev/null\n"));
	free(buf);
	f = open_memstream(&buf, &len);
	out.format = PLAN_JSON;
	plan_write(f, &p, &out);
	fclose(f);
	test_cond("json line",
		  strstr(buf, "{\"index\":\"a\",\"from\":\"1970-01-01T00:00:00.010Z\",\"to\":\"1970-01-01T00:00:00.020Z\","
			      "\"from_ms\":10,\"to_ms\":20,\"slice\":\"0/2\",\"docs\":4,\"path\":\"c/0123456789abcdef/a/"
			      "19700101T000000.010Z_19700101T000000.020Z.s0of2.ndjson.lz4\"}\n"));
	free(buf);
	/* A name outside the rule never reaches any format. */
	static const char *const bad[] = { "a$(shell id)", "a;b", "a`b", "a\tb", "a'b", "a b", "a\nb" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct plan q;
		plan_init(&q, 10);
		plan_add(&q, "ok", 0, 10, 0, 0, -1, err, sizeof err);
		plan_add(&q, bad[i], 0, 10, 0, 0, -1, err, sizeof err);
		test_cond("check names: refused", plan_check_names(&q, err, sizeof err) == -1 &&
							  strstr(err, "index name '") && !strchr(err, '\n'));
		for (int fm = PLAN_LINES; fm <= PLAN_JSON; fm++) {
			f = open_memstream(&buf, &len);
			out.format = (enum plan_format)fm;
			errno = 0;
			int rc = plan_write(f, &q, &out);
			fclose(f);
			test_cond("write: bad name refused, nothing written", rc == -1 && errno == EINVAL && len == 0);
			free(buf);
		}
		plan_free(&q);
	}
	struct tspan_step per;
	test_cond("pattern with $ refused",
		  plan_pattern_period("a$(x)-%Y", &per, err, sizeof err) == -1 && strstr(err, "holds '$'"));
	test_cond("pattern with newline refused, escaped",
		  plan_pattern_period("a\n%Y", &per, err, sizeof err) == -1 && strstr(err, "'a\\n%Y'"));
	/* Found by tests/fuzz/spec: the bad-token message printed the pattern raw. */
	test_cond("unsupported token: one line",
		  plan_pattern_period("g%\n", &per, err, sizeof err) == -1 && !strchr(err, '\n') && strstr(err, "'g%\\n'"));
	test_cond("pattern with wildcard and list ok", plan_pattern_period("a-*,b-%Y.%m", &per, err, sizeof err) == 1);
	test_cond("dir ok", plan_dir_ok("cache/x-1_2.3+@") && !plan_dir_ok("a b") && !plan_dir_ok("a:b") &&
				    !plan_dir_ok("~/x") && !plan_dir_ok("$x") && !plan_dir_ok(""));
	plan_free(&p);
}

int main(void)
{
	test_calendar_table();
	test_calendar_properties();
	test_calendar_errors();
	test_pack();
	test_stats_write();
	return test_report();
}
