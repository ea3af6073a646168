/* hist.h - documents over time: counts in fixed-size buckets over a range,
 * one row per index, and the gap and spike rules read from them.
 *
 * The buckets are the server's fixed_interval buckets: multiples of the
 * bucket size counted from the epoch (UTC), so the first and the last
 * bucket may stick out of [FROM, TO).  Each bucket's span is that multiple
 * clipped to the range; a bucket whose span is shorter than the bucket size
 * is "partial".
 *
 * Rules (the same text is in docs/osshape.1):
 *  - gap: a maximal run of buckets of the total row that hold no document,
 *    reported as the union of their spans, when the run holds at least one
 *    full bucket (an empty sliver at either end of the range is chance, not
 *    a hole; a run that reaches a partial end bucket includes it);
 *  - spike: a maximal run of full buckets of the total row, each holding at
 *    least SPIKE_MIN documents and more than FACTOR times the median of the
 *    non-empty full buckets; reported with the run's documents and the
 *    largest bucket's factor.  Partial buckets are neither spikes nor in the
 *    median (they cover less time, so their counts are not comparable).
 *  - a count that covers several buckets (hist_add() with a span wider than
 *    one bucket) is spread over them in proportion to the overlap; those
 *    buckets are "coarse": never in a gap (a spread zero is not a measured
 *    zero) nor a spike, nor in the median.
 *
 * Memory: rows x buckets counts, both bounded by the caller (buckets by the
 * width, rows by the indexes).
 */
#ifndef HIST_H
#define HIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct hist hist;

/* The smallest "nice" bucket size in ms (1ms 2ms 5ms ... 1s 2s 5s 10s 15s
 * 30s 1m 2m 5m 10m 15m 30m 1h 2h 3h 6h 12h 1d 2d 7d 14d 30d 60d 90d 180d
 * 365d, then multiples of 365d) whose epoch-aligned buckets over [FROM, TO)
 * number at most MAXB (>= 1).  FROM < TO. */
int64_t hist_nice_bucket(int64_t from, int64_t to, size_t maxb);

/* The number of epoch-aligned buckets of size BUCKET that [FROM, TO)
 * touches. */
size_t hist_bucket_count(int64_t from, int64_t to, int64_t bucket);

/* The smallest nice bucket size (as above) that is a whole multiple of
 * BASE (> 0) and gives at most MAXB buckets over [FROM, TO): the size to
 * regroup a histogram of BASE buckets into, so that no count is spread. */
int64_t hist_nice_multiple(int64_t from, int64_t to, int64_t base, size_t maxb);

/* A histogram of [FROM, TO) (FROM < TO) in buckets of BUCKET ms (> 0),
 * with no row yet.  NULL on ENOMEM or more than 1,000,000 buckets. */
hist *hist_new(int64_t from, int64_t to, int64_t bucket);
void hist_free(hist *h); /* NULL is fine */

/* Adds COUNT (>= 0) documents of INDEX seen in [FROM, TO), which must lie
 * inside the histogram's range (FROM < TO), creating INDEX's row if needed
 * (the name is copied).  Returns 0, or -1 with a reason in ERR (span out of
 * the range, negative count, out of memory). */
int hist_add(hist *h, const char *index, int64_t from, int64_t to, int64_t count,
	     char *err, size_t errlen);

/* Adds a row for INDEX holding nothing, marked missing (an index the
 * pattern names for the range that does not exist), unless it has one.
 * Returns 0, or -1 on ENOMEM. */
int hist_add_missing(hist *h, const char *index);

/* A new histogram of H's range and rows (missing ones too) in buckets of
 * BUCKET ms, a whole multiple of H's bucket size, each bucket the sum of
 * the buckets of H it holds (coarse if any of them is).  Not analyzed,
 * whether H is or not.  NULL on ENOMEM or a BUCKET that is not a
 * multiple. */
hist *hist_regroup(const hist *h, int64_t bucket);

/* Sums the rows into the total row and applies the gap and spike rules
 * above.  Call once, after the last hist_add(); FACTOR > 0.  Rows are then
 * in name order.  Returns 0, or -1 on ENOMEM. */
int hist_analyze(hist *h, double factor, int64_t spike_min);

/* Reading, after hist_analyze().  Bucket I in 0..hist_buckets()-1. */
int64_t hist_from(const hist *h);
int64_t hist_to(const hist *h);
int64_t hist_bucket_ms(const hist *h);
size_t hist_buckets(const hist *h);
/* The span of bucket I clipped to the range; returns 1 if it is partial. */
int hist_bucket_span(const hist *h, size_t i, int64_t *from, int64_t *to);
int64_t hist_total(const hist *h);          /* documents in all rows */
int64_t hist_total_at(const hist *h, size_t i); /* the total row's bucket I */
int64_t hist_total_max(const hist *h);      /* its largest bucket */
int64_t hist_median(const hist *h);         /* the spike rule's median, 0 if none */

size_t hist_rows(const hist *h);
const char *hist_row_name(const hist *h, size_t r); /* owned by H */
int hist_row_missing(const hist *h, size_t r);
int64_t hist_row_total(const hist *h, size_t r);
int64_t hist_row_at(const hist *h, size_t r, size_t i);
int64_t hist_row_max(const hist *h); /* the largest bucket of any row */

struct hist_span {
	int64_t from, to;  /* clipped to the range */
	size_t first, end; /* buckets [first, end) */
	int64_t docs;      /* spikes: documents in the span */
	double factor;     /* spikes: largest bucket / median */
};
size_t hist_gaps(const hist *h);
const struct hist_span *hist_gap(const hist *h, size_t i);
size_t hist_spikes(const hist *h);
const struct hist_span *hist_spike(const hist *h, size_t i);
/* 'g' if bucket I is in a gap, 's' in a spike, 0 otherwise. */
int hist_mark(const hist *h, size_t i);

#endif
