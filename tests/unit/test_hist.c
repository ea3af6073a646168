/* test_hist.c - unit tests of lib/hist and lib/histout: bucket sizes, the
 * gap and spike rules, spread counts, and drawing within the width. */
#include "hist.h"
#include "histout.h"
#include "tspan.h"
#include "unit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define H 3600000LL
#define T0 1709251200000LL /* 2024-03-01T00:00:00Z */

static void test_nice(void)
{
	static const struct {
		int64_t from, to;
		size_t maxb;
		int64_t want;
		const char *what;
	} t[] = {
		{ T0, T0 + 48 * H, 48, H, "2 days in 48 columns: 1h" },
		{ T0, T0 + 48 * H, 47, 2 * H, "2 days in 47 columns: 2h" },
		{ T0, T0 + 48 * H, 200, 15 * 60000, "2 days in 200 columns: 15m" },
		{ T0 + 1, T0 + 48 * H + 1, 48, 2 * H, "unaligned ends need one more bucket" },
		{ T0, T0 + 1, 1, 1, "1 ms: 1ms buckets" },
		{ T0, T0 + 24 * H, 1, 24 * H, "one day in one column: 1d" },
		{ T0 - H, T0 + 23 * H, 1, 2 * 24 * H, "a day across midnight in one column: 2d" },
		{ 0, 3650LL * 24 * H, 5, 2 * 365 * 24 * H, "ten years in 5 columns: 2 x 365d" }, { 0, 3650LL * 24 * H + 1, 5, 3 * 365 * 24 * H, "ten years and 1 ms in 5 columns: 3 x 365d" },
		{ -2 * H, -H, 1, H, "before the epoch, aligned" },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		int64_t got = hist_nice_bucket(t[i].from, t[i].to, t[i].maxb);
		test_cond(t[i].what, got == t[i].want);
		test_cond("nice bucket fits", hist_bucket_count(t[i].from, t[i].to, got) <= t[i].maxb);
	}
}

/* An hourly histogram of 2024-03-01 from hourly COUNTS. */
static hist *hourly(const int64_t *counts, size_t n, int64_t from, int64_t to)
{
	hist *h = hist_new(from, to, H);
	char err[200];
	for (size_t i = 0; i < n; i++) {
		int64_t lo = T0 + (int64_t)i * H, hi = lo + H;
		if (lo < from)
			lo = from;
		if (hi > to)
			hi = to;
		if (lo < hi && hist_add(h, "x", lo, hi, counts[i], err, sizeof err))
			return NULL;
	}
	hist_analyze(h, 5, 10);
	return h;
}

static void test_rules(void)
{
	int64_t c[24];
	for (int i = 0; i < 24; i++)
		c[i] = 12;
	c[3] = c[4] = 0;   /* a two-hour hole */
	c[10] = 240;       /* a spike */
	c[11] = 200;       /* and the next hour too: one span */
	c[15] = 59;        /* below 5x the median 12: not a spike */
	hist *h = hourly(c, 24, T0, T0 + 24 * H);
	test_cond("one gap", h && hist_gaps(h) == 1);
	test_cond("gap 03:00-05:00", h && hist_gap(h, 0)->from == T0 + 3 * H && hist_gap(h, 0)->to == T0 + 5 * H);
	test_cond("one spike span", h && hist_spikes(h) == 1);
	test_cond("spike 10:00-12:00 with 440 documents",
		  h && hist_spike(h, 0)->from == T0 + 10 * H && hist_spike(h, 0)->to == T0 + 12 * H &&
			  hist_spike(h, 0)->docs == 440);
	test_cond("spike factor 20", h && hist_spike(h, 0)->factor == 20.0);
	test_cond("median 12", h && hist_median(h) == 12);
	test_cond("total", h && hist_total(h) == 12 * 19 + 240 + 200 + 59);
	test_cond("marks", h && hist_mark(h, 3) == 'g' && hist_mark(h, 10) == 's' && hist_mark(h, 0) == 0);
	hist_free(h);

	/* Tiny data: 7 is 7x the median 1 but below --spike-min 10. */
	int64_t tiny[24];
	for (int i = 0; i < 24; i++)
		tiny[i] = 1;
	tiny[5] = 7;
	h = hourly(tiny, 24, T0, T0 + 24 * H);
	test_cond("tiny data: no spike", h && hist_spikes(h) == 0);
	hist_free(h);

	/* Partial ends: an empty sliver is no gap; a partial bucket is no spike. */
	for (int i = 0; i < 24; i++)
		c[i] = 12;
	c[0] = 0;    /* 00:30-01:00 only: empty sliver */
	c[23] = 500; /* 23:00-23:15 only: many documents, but partial */
	h = hourly(c, 24, T0 + H / 2, T0 + 23 * H + H / 4);
	test_cond("empty partial first bucket: no gap", h && hist_gaps(h) == 0);
	test_cond("full partial last bucket: no spike", h && hist_spikes(h) == 0);
	test_cond("partial buckets", h && hist_buckets(h) == 24);
	hist_free(h);

	/* A run of full empty buckets that reaches the partial end includes it. */
	for (int i = 0; i < 24; i++)
		c[i] = i < 20 ? 12 : 0;
	h = hourly(c, 24, T0, T0 + 23 * H + H / 4);
	test_cond("gap to the end, clipped", h && hist_gaps(h) == 1 && hist_gap(h, 0)->from == T0 + 20 * H &&
						     hist_gap(h, 0)->to == T0 + 23 * H + H / 4);
	hist_free(h);

	/* Nothing at all: the whole range is one gap. */
	h = hist_new(T0, T0 + 24 * H, H);
	hist_analyze(h, 5, 10);
	test_cond("empty range: one gap over all", hist_gaps(h) == 1 && hist_gap(h, 0)->from == T0 &&
							   hist_gap(h, 0)->to == T0 + 24 * H);
	test_cond("empty range: no median", hist_median(h) == 0 && hist_spikes(h) == 0);
	hist_free(h);
}

static void test_spread(void)
{
	char err[200];
	hist *h = hist_new(T0, T0 + 24 * H, H);
	/* 7 documents over 06:00-09:00, one over 12:00-15:00, 0 over 18:00-21:00 */
	int ok = !hist_add(h, "a", T0 + 6 * H, T0 + 9 * H, 7, err, sizeof err) &&
		 !hist_add(h, "a", T0 + 12 * H, T0 + 15 * H, 1, err, sizeof err) &&
		 !hist_add(h, "b", T0 + 18 * H, T0 + 21 * H, 0, err, sizeof err) &&
		 !hist_add(h, "b", T0, T0 + 6 * H, 60, err, sizeof err) &&
		 !hist_add(h, "b", T0 + 15 * H, T0 + 18 * H, 30, err, sizeof err) &&
		 !hist_add(h, "b", T0 + 9 * H, T0 + 12 * H, 30, err, sizeof err) &&
		 !hist_add(h, "b", T0 + 21 * H, T0 + 24 * H, 30, err, sizeof err);
	test_cond("adds", ok);
	hist_analyze(h, 5, 10);
	int64_t sum = 0;
	for (size_t i = 0; i < hist_buckets(h); i++)
		sum += hist_total_at(h, i);
	test_cond("spread keeps the sum", sum == 158 && hist_total(h) == 158);
	test_cond("7 over 3 buckets: 2 2 3", hist_row_at(h, 0, 6) == 2 && hist_row_at(h, 0, 7) == 2 &&
						     hist_row_at(h, 0, 8) == 3);
	/* 1 over 12-15 leaves two spread zeros: not a gap; 0 over 18-21 is. */
	test_cond("spread zeros are no gap, a counted zero is", hist_gaps(h) == 1 &&
								       hist_gap(h, 0)->from == T0 + 18 * H &&
								       hist_gap(h, 0)->to == T0 + 21 * H);
	test_cond("out of range refused", hist_add(h, "a", T0 - 1, T0 + 1, 1, err, sizeof err) == -1);
	hist_free(h);
}

/* Characters (not bytes) of the longest line of S. */
static size_t widest(const char *s)
{
	size_t w = 0, cur = 0;
	for (; *s; s++) {
		if (*s == '\n') {
			cur = 0;
			continue;
		}
		if (((unsigned char)*s & 0xC0) != 0x80 && ++cur > w)
			w = cur;
	}
	return w;
}

static int all_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s > 126)
			return 0;
	return 1;
}

static void test_draw(void)
{
	char err[200];
	srand(7);
	int fits = 1, ascii_ok = 1, sums = 1, blocks = 0;
	for (int width = HISTOUT_MIN_WIDTH; width <= 220; width += 7) {
		for (int rows = 1; rows <= 3; rows++) {
			int64_t from = T0 + rand() % 1000000, to = from + 1 + rand() % (int)(50 * H);
			const char *names[] = { "logs-2024.03.01", "a-very-long-index-name-that-needs-cutting", "b" };
			size_t bars = histout_bar_columns(width, (size_t)rows, strlen(names[1]));
			hist *h = hist_new(from, to, hist_nice_bucket(from, to, bars));
			int64_t want = 0;
			for (int k = 0; k < 200; k++) {
				int64_t t = from + rand() % (to - from), n = rand() % 50;
				if (rand() % 7 == 0)
					continue;
				hist_add(h, names[k % rows], t, t + 1, n, err, sizeof err);
				want += n;
			}
			if (rows == 3)
				hist_add_missing(h, "missing-one");
			hist_analyze(h, 2, 1);
			for (int ascii = 0; ascii <= 1; ascii++) {
				for (int md = 0; md <= 1; md++) {
					char *buf = NULL;
					size_t len = 0;
					FILE *f = open_memstream(&buf, &len);
					struct histout_opts o = { width, ascii, "logs-%Y.%m.%d", 40 };
					(md ? histout_markdown : histout_text)(f, h, &o);
					fclose(f);
					if (!md && widest(buf) > (size_t)width)
						fits = 0;
					if (ascii && !all_ascii(buf))
						ascii_ok = 0;
					if (!ascii && strstr(buf, "\xe2\x96"))
						blocks = 1;
					free(buf);
				}
			}
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			histout_tsv(f, h);
			fclose(f);
			int64_t sum = 0;
			for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
				if (strncmp(l, "bucket\t", 7) == 0)
					sum += strtoll(strrchr(l, '\t') + 1, NULL, 10);
			if (sum != want || hist_total(h) != want)
				sums = 0;
			free(buf);
			hist_free(h);
		}
	}
	test_cond("every text line fits the width (characters)", fits);
	test_cond("--ascii output is ASCII", ascii_ok);
	test_cond("UTF-8 output uses block characters", blocks);
	test_cond("tsv bucket counts add up to the total", sums);
}

static void test_lines(void)
{
	int64_t c[24];
	for (int i = 0; i < 24; i++)
		c[i] = 12;
	c[3] = c[4] = 0;
	c[10] = 240;
	hist *h = hourly(c, 24, T0, T0 + 24 * H);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct histout_opts o = { 80, 1, "x", 40 };
	histout_text(f, h, &o);
	fclose(f);
	test_cond("gap line", strstr(buf, "\nno documents 2024-03-01T03:00Z - 05:00Z (2h)\n") != NULL);
	test_cond("spike line", strstr(buf, "\nspike 2024-03-01T10:00Z - 11:00Z: 240 documents, 20.0x the median 12") != NULL);
	test_cond("summary line", strstr(buf, "\n1h per bar, max 240, total 492 documents, 1 gap, 1 spike\n") != NULL);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	histout_tsv(f, h);
	fclose(f);
	test_cond("tsv gap", strstr(buf, "\ngap\t2024-03-01T03:00:00.000Z\t2024-03-01T05:00:00.000Z\n") != NULL);
	test_cond("tsv spike", strstr(buf, "\nspike\t2024-03-01T10:00:00.000Z\t2024-03-01T11:00:00.000Z\t240\t20.0\n") != NULL);
	test_cond("tsv first and last", strncmp(buf, "range\t2024-03-01T00:00:00.000Z\t2024-03-02T00:00:00.000Z\t3600000\n", 64) == 0 &&
						strstr(buf, "\ntotal\t492\n") != NULL);
	free(buf);
	hist_free(h);
}

static void test_regroup(void)
{
	char err[200];
	test_cond("multiple of 1h in 20 columns over 2 days: 3h", hist_nice_multiple(T0, T0 + 48 * H, H, 20) == 3 * H);
	test_cond("multiple of 2m skips 5m: 10m", hist_nice_multiple(T0, T0 + H, 120000, 8) == 600000);
	test_cond("multiple of 7d in years: 7 x 365d",
		  hist_nice_multiple(0, 3650LL * 24 * H, 7 * 24 * H, 3) == 7 * 365 * 24 * H);
	hist *h = hist_new(T0 + H / 2, T0 + 24 * H, H);
	hist_add(h, "a", T0 + H / 2, T0 + H, 5, err, sizeof err);
	hist_add(h, "a", T0 + 2 * H, T0 + 5 * H, 9, err, sizeof err); /* spread over 3 */
	hist_add(h, "b", T0 + 23 * H, T0 + 24 * H, 4, err, sizeof err);
	hist_add_missing(h, "c");
	hist *g = hist_regroup(h, 6 * H);
	test_cond("regroup: not a multiple refused", hist_regroup(h, 90 * 60000) == NULL);
	test_cond("regroup: buckets", g && hist_buckets(g) == 4);
	hist_analyze(g, 5, 10);
	test_cond("regroup: sums", g && hist_total(g) == 18 && hist_total_at(g, 0) == 14 && hist_total_at(g, 3) == 4);
	test_cond("regroup: rows and missing", g && hist_rows(g) == 3 && hist_row_missing(g, 2) &&
						       hist_row_at(g, 1, 3) == 4);
	test_cond("regroup: the gap", g && hist_gaps(g) == 1 && hist_gap(g, 0)->from == T0 + 6 * H &&
					   hist_gap(g, 0)->to == T0 + 18 * H);
	hist_free(g);
	hist_free(h);
	/* One document spread over 02:00-05:00 leaves 02:00-04:00 a spread zero. */
	h = hist_new(T0, T0 + 12 * H, H);
	for (int i = 0; i < 12; i++)
		if (i < 2 || i >= 5)
			hist_add(h, "a", T0 + i * H, T0 + (i + 1) * H, 10, err, sizeof err);
	hist_add(h, "a", T0 + 2 * H, T0 + 5 * H, 1, err, sizeof err);
	g = hist_regroup(h, 2 * H);
	hist_analyze(g, 5, 10);
	test_cond("regroup: a spread zero stays coarse, no gap", g && hist_total_at(g, 1) == 0 && hist_gaps(g) == 0);
	hist_free(g);
	hist_free(h);
}

int main(void)
{
	test_regroup();
	test_nice();
	test_rules();
	test_spread();
	test_draw();
	test_lines();
	return test_report();
}
