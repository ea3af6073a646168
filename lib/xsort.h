/* xsort.h - external merge sort of NDJSON lines under a memory budget.
 *
 * xsort_files() reads its inputs in order into one arena of the budget's
 * size, sorts each full arena (stable: equal keys keep input order), writes
 * it as an LZ4 run into the temp directory, and finally merges the runs with
 * kmerge_files().  If everything fits, nothing touches the disk.
 * Peak memory is about the budget: the arena, or fanin readers while
 * merging, whichever phase is running.
 *
 * Runs are spilled into the tmpdir.h directory of opts.m.tmp.
 */
#ifndef XSORT_H
#define XSORT_H

#include <stddef.h>

#include "kmerge.h"

struct xsort_opts {
	struct kmerge_opts m; /* keys, max_line, fanin, unique, skip_bad, tmp */
	size_t memory;        /* budget in bytes for the sort arena */
};

/* Sorts the lines of the N inputs PATHS (need not be sorted) into W, stable.
 * Returns 0, or an exit code of kmerge.h's kinds (OSDL_EXIT_DATA also for
 * a line that does not fit in the budget) with the reason in ERR; runs are
 * removed on both paths. */
int xsort_files(const struct xsort_opts *o, char *const *paths, size_t n, lzio_writer *w,
		struct kmerge_stats *st, char *err, size_t errlen);

#endif
