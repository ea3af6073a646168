/* histout.h - drawing a hist: the text chart (Unicode blocks or ASCII),
 * the same in Markdown with a table of gaps and spikes, and the tab-
 * separated lines for scripts (the stable format of docs/osshape.1).
 *
 * Every line of the text chart, and of the Markdown fenced block, is at
 * most WIDTH characters (not bytes): lines that would be longer fall back
 * to shorter forms, and are cut as a last resort.
 */
#ifndef HISTOUT_H
#define HISTOUT_H

#include <stddef.h>
#include <stdio.h>

#include "hist.h"

#define HISTOUT_MIN_WIDTH 20
#define HISTOUT_MAX_WIDTH 1000

struct histout_opts {
	int width;          /* HISTOUT_MIN_WIDTH..HISTOUT_MAX_WIDTH */
	int ascii;          /* 1: ASCII only; 0: Unicode block characters */
	const char *title;  /* shown first (the index pattern); NULL: none */
	size_t max_rows;    /* index rows drawn at most; the rest are counted */
};

/* The columns a chart of WIDTH leaves for the bars when it draws NROWS
 * index rows whose longest name is LONGEST bytes: all of WIDTH for one row,
 * else WIDTH minus a label column of at most WIDTH / 3.  Callers size the
 * buckets with it (hist_nice_bucket) before counting. */
size_t histout_bar_columns(int width, size_t nrows, size_t longest);

/* Writes the text chart of H (after hist_analyze()) to F.  Returns 0, or
 * -1 if a write failed or memory ran out (errno set). */
int histout_text(FILE *f, const hist *h, const struct histout_opts *o);

/* The text chart inside a ```text fence, then a table of the gaps, spikes
 * and missing indexes (or one line saying there are none).  Returns as
 * histout_text().  Both list at most 20 gaps, 20 spikes and 20 missing
 * indexes, and say how many more there are. */
int histout_markdown(FILE *f, const hist *h, const struct histout_opts *o);

/* The lines for scripts, fields separated by one tab, times ISO-8601 UTC
 * with milliseconds, in this order:
 *   range  FROM TO BUCKET_MS
 *   bucket INDEX FROM TO COUNT   every bucket of every index with counts,
 *                                clipped to the range, zeros included
 *   missing INDEX
 *   gap    FROM TO
 *   spike  FROM TO COUNT FACTOR  (FACTOR with one decimal)
 *   total  N
 * Returns 0, or -1 if a write failed. */
int histout_tsv(FILE *f, const hist *h);

#endif
