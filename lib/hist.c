/* hist.c - documents over time in fixed buckets, gaps and spikes; see hist.h. */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

#include "errbuf.h"

#define MAX_BUCKETS 1000000

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static const int64_t nice[] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500,
	SEC, 2 * SEC, 5 * SEC, 10 * SEC, 15 * SEC, 30 * SEC,
	MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN,
	HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
	DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY, 90 * DAY, 180 * DAY, 365 * DAY
};

struct row {
	char *name;
	int missing;
	int64_t total;
	int64_t *c; /* NULL for a missing row */
};

struct hist {
	int64_t from, to, bucket, first; /* first: start of bucket 0 */
	size_t nb;
	struct row *rows;
	size_t nrows, caprows;
	size_t last; /* row of the last hist_add(), to skip the search */
	int64_t *total;
	unsigned char *coarse;
	char *mark;
	int64_t sum, total_max, row_max, median;
	struct hist_span *gaps, *spikes;
	size_t ngaps, nspikes;
};

/* Floor division: buckets before the epoch count from it too. */
static int64_t floor_to(int64_t t, int64_t b)
{
	int64_t q = t / b;
	if (t % b && t < 0)
		q--;
	return q * b;
}

size_t hist_bucket_count(int64_t from, int64_t to, int64_t bucket)
{
	int64_t first = floor_to(from, bucket), last = floor_to(to - 1, bucket);
	return (size_t)((last - first) / bucket + 1);
}

int64_t hist_nice_bucket(int64_t from, int64_t to, size_t maxb)
{
	for (size_t i = 0; i < sizeof nice / sizeof *nice; i++)
		if (hist_bucket_count(from, to, nice[i]) <= maxb)
			return nice[i];
	for (int64_t years = 2;; years++)
		if (hist_bucket_count(from, to, years * 365 * DAY) <= maxb)
			return years * 365 * DAY;
}

int64_t hist_nice_multiple(int64_t from, int64_t to, int64_t base, size_t maxb)
{
	for (size_t i = 0; i < sizeof nice / sizeof *nice; i++)
		if (nice[i] % base == 0 && hist_bucket_count(from, to, nice[i]) <= maxb)
			return nice[i];
	for (int64_t years = 2;; years++)
		if ((years * 365 * DAY) % base == 0 && hist_bucket_count(from, to, years * 365 * DAY) <= maxb)
			return years * 365 * DAY;
}

hist *hist_new(int64_t from, int64_t to, int64_t bucket)
{
	if (from >= to || bucket <= 0 || hist_bucket_count(from, to, bucket) > MAX_BUCKETS)
		return NULL;
	hist *h = calloc(1, sizeof *h);
	if (!h)
		return NULL;
	h->from = from;
	h->to = to;
	h->bucket = bucket;
	h->first = floor_to(from, bucket);
	h->nb = hist_bucket_count(from, to, bucket);
	h->total = calloc(h->nb, sizeof *h->total);
	h->coarse = calloc(h->nb, 1);
	h->mark = calloc(h->nb, 1);
	if (!h->total || !h->coarse || !h->mark) {
		hist_free(h);
		return NULL;
	}
	return h;
}

void hist_free(hist *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nrows; i++) {
		free(h->rows[i].name);
		free(h->rows[i].c);
	}
	free(h->rows);
	free(h->total);
	free(h->coarse);
	free(h->mark);
	free(h->gaps);
	free(h->spikes);
	free(h);
}

/* The row of NAME, created (missing or with counts) if absent; NULL on
 * ENOMEM.  A missing row that then gets counts is no longer missing. */
static struct row *row_get(hist *h, const char *name, int missing)
{
	if (h->last < h->nrows && strcmp(h->rows[h->last].name, name) == 0)
		return &h->rows[h->last];
	for (size_t i = 0; i < h->nrows; i++)
		if (strcmp(h->rows[i].name, name) == 0) {
			h->last = i;
			return &h->rows[i];
		}
	if (h->nrows == h->caprows) {
		size_t cap = h->caprows ? h->caprows * 2 : 16;
		struct row *r = realloc(h->rows, cap * sizeof *r);
		if (!r)
			return NULL;
		h->rows = r;
		h->caprows = cap;
	}
	struct row *r = &h->rows[h->nrows];
	memset(r, 0, sizeof *r);
	r->missing = missing;
	if (!(r->name = strdup(name)))
		return NULL;
	h->last = h->nrows++;
	return r;
}

int hist_add_missing(hist *h, const char *index)
{
	return row_get(h, index, 1) ? 0 : -1;
}

int hist_add(hist *h, const char *index, int64_t from, int64_t to, int64_t count,
	     char *err, size_t errlen)
{
	if (from >= to || from < h->from || to > h->to)
		return errbuf_fail(err, errlen, -1, "span %lld..%lld is not inside the range %lld..%lld",
				   (long long)from, (long long)to, (long long)h->from, (long long)h->to);
	if (count < 0)
		return errbuf_fail(err, errlen, -1, "negative count %lld", (long long)count);
	struct row *r = row_get(h, index, 0);
	if (r && !r->c && !(r->c = calloc(h->nb, sizeof *r->c)))
		r = NULL;
	if (!r)
		return errbuf_fail(err, errlen, -1, "out of memory");
	r->missing = 0;
	r->total += count;
	size_t i = (size_t)((floor_to(from, h->bucket) - h->first) / h->bucket);
	size_t e = (size_t)((floor_to(to - 1, h->bucket) - h->first) / h->bucket);
	if (i == e) {
		r->c[i] += count;
		return 0;
	}
	/* Spread by overlap; cumulative rounding keeps the sum exact. */
	unsigned __int128 len = (unsigned __int128)(to - from), done = 0;
	int64_t given = 0;
	for (; i <= e; i++) {
		int64_t lo = h->first + (int64_t)i * h->bucket, hi = lo + h->bucket;
		if (lo < from)
			lo = from;
		if (hi > to)
			hi = to;
		done += (unsigned __int128)(hi - lo);
		int64_t upto = (int64_t)((unsigned __int128)count * done / len);
		r->c[i] += upto - given;
		given = upto;
		if (count)
			h->coarse[i] = 1;
	}
	return 0;
}

hist *hist_regroup(const hist *h, int64_t bucket)
{
	if (bucket % h->bucket)
		return NULL;
	hist *g = hist_new(h->from, h->to, bucket);
	if (!g)
		return NULL;
	for (size_t r = 0; r < h->nrows; r++) {
		const struct row *hr = &h->rows[r];
		struct row *gr = row_get(g, hr->name, hr->missing);
		if (!gr || (hr->c && !(gr->c = calloc(g->nb, sizeof *gr->c)))) {
			hist_free(g);
			return NULL;
		}
		gr->total = hr->total;
	}
	/* Both grids count from the epoch, so each old bucket is inside one new one. */
	for (size_t i = 0; i < h->nb; i++) {
		size_t k = (size_t)((floor_to(h->first + (int64_t)i * h->bucket, bucket) - g->first) / bucket);
		g->coarse[k] |= h->coarse[i];
		for (size_t r = 0; r < h->nrows; r++)
			if (h->rows[r].c)
				g->rows[r].c[k] += h->rows[r].c[i];
	}
	return g;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->name, ((const struct row *)b)->name);
}

static int i64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

int hist_bucket_span(const hist *h, size_t i, int64_t *from, int64_t *to)
{
	int64_t lo = h->first + (int64_t)i * h->bucket, hi = lo + h->bucket;
	*from = lo < h->from ? h->from : lo;
	*to = hi > h->to ? h->to : hi;
	return *from != lo || *to != hi;
}

static int span_push(struct hist_span **l, size_t *n, const struct hist_span *s)
{
	struct hist_span *nl = realloc(*l, (*n + 1) * sizeof *nl);
	if (!nl)
		return -1;
	*l = nl;
	nl[(*n)++] = *s;
	return 0;
}

/* A run [first, end) of buckets as a span clipped to the range. */
static struct hist_span run_span(const hist *h, size_t first, size_t end)
{
	struct hist_span s = { 0, 0, first, end, 0, 0 };
	int64_t x;
	hist_bucket_span(h, first, &s.from, &x);
	hist_bucket_span(h, end - 1, &x, &s.to);
	return s;
}

static int find_gaps(hist *h)
{
	for (size_t i = 0; i < h->nb;) {
		if (h->total[i] || h->coarse[i]) {
			i++;
			continue;
		}
		size_t e = i;
		int full = 0;
		int64_t a, b;
		for (; e < h->nb && !h->total[e] && !h->coarse[e]; e++)
			full |= !hist_bucket_span(h, e, &a, &b);
		if (full) {
			struct hist_span s = run_span(h, i, e);
			if (span_push(&h->gaps, &h->ngaps, &s))
				return -1;
			for (size_t k = i; k < e; k++)
				h->mark[k] = 'g';
		}
		i = e;
	}
	return 0;
}

/* Whether bucket I may be a spike or in the median: full and measured. */
static int comparable(const hist *h, size_t i)
{
	int64_t a, b;
	return !h->coarse[i] && !hist_bucket_span(h, i, &a, &b);
}

static int find_spikes(hist *h, double factor, int64_t spike_min)
{
	int64_t *v = malloc(h->nb * sizeof *v);
	size_t n = 0;
	if (!v)
		return -1;
	for (size_t i = 0; i < h->nb; i++)
		if (h->total[i] > 0 && comparable(h, i))
			v[n++] = h->total[i];
	if (n) {
		qsort(v, n, sizeof *v, i64_cmp);
		h->median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	}
	free(v);
	if (!h->median)
		return 0;
	double limit = factor * (double)h->median;
	for (size_t i = 0; i < h->nb;) {
		size_t e = i;
		struct hist_span s;
		double top = 0;
		int64_t docs = 0;
		for (; e < h->nb && comparable(h, e) && h->total[e] >= spike_min && (double)h->total[e] > limit; e++) {
			docs += h->total[e];
			if ((double)h->total[e] / (double)h->median > top)
				top = (double)h->total[e] / (double)h->median;
		}
		if (e == i) {
			i++;
			continue;
		}
		s = run_span(h, i, e);
		s.docs = docs;
		s.factor = top;
		if (span_push(&h->spikes, &h->nspikes, &s))
			return -1;
		for (size_t k = i; k < e; k++)
			h->mark[k] = 's';
		i = e;
	}
	return 0;
}

int hist_analyze(hist *h, double factor, int64_t spike_min)
{
	if (h->nrows)
		qsort(h->rows, h->nrows, sizeof *h->rows, row_cmp);
	h->last = 0;
	for (size_t r = 0; r < h->nrows; r++) {
		if (!h->rows[r].c)
			continue;
		for (size_t i = 0; i < h->nb; i++) {
			h->total[i] += h->rows[r].c[i];
			if (h->rows[r].c[i] > h->row_max)
				h->row_max = h->rows[r].c[i];
		}
		h->sum += h->rows[r].total;
	}
	for (size_t i = 0; i < h->nb; i++)
		if (h->total[i] > h->total_max)
			h->total_max = h->total[i];
	if (find_gaps(h) || find_spikes(h, factor, spike_min))
		return -1;
	return 0;
}

int64_t hist_from(const hist *h) { return h->from; }
int64_t hist_to(const hist *h) { return h->to; }
int64_t hist_bucket_ms(const hist *h) { return h->bucket; }
size_t hist_buckets(const hist *h) { return h->nb; }
int64_t hist_total(const hist *h) { return h->sum; }
int64_t hist_total_at(const hist *h, size_t i) { return h->total[i]; }
int64_t hist_total_max(const hist *h) { return h->total_max; }
int64_t hist_median(const hist *h) { return h->median; }
size_t hist_rows(const hist *h) { return h->nrows; }
const char *hist_row_name(const hist *h, size_t r) { return h->rows[r].name; }
int hist_row_missing(const hist *h, size_t r) { return h->rows[r].missing; }
int64_t hist_row_total(const hist *h, size_t r) { return h->rows[r].total; }
int64_t hist_row_at(const hist *h, size_t r, size_t i) { return h->rows[r].c ? h->rows[r].c[i] : 0; }
int64_t hist_row_max(const hist *h) { return h->row_max; }
size_t hist_gaps(const hist *h) { return h->ngaps; }
const struct hist_span *hist_gap(const hist *h, size_t i) { return &h->gaps[i]; }
size_t hist_spikes(const hist *h) { return h->nspikes; }
const struct hist_span *hist_spike(const hist *h, size_t i) { return &h->spikes[i]; }
int hist_mark(const hist *h, size_t i) { return h->mark[i]; }
