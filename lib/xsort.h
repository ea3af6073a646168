/* xsort.h - external merge sort of NDJSON lines under a memory budget, and
 * the private temporary directory it (and kmerge's passes) spill into.
 *
 * xsort_files() reads its inputs in order into one arena of the budget's
 * size, sorts each full arena (stable: equal keys keep input order), writes
 * it as an LZ4 run into the temp directory, and finally merges the runs with
 * kmerge_files().  If everything fits, nothing touches the disk.
 * Peak memory is about the budget: the arena, or fanin readers while
 * merging, whichever phase is running.
 *
 * Temp files live in one directory DIR/osmerge.XXXXXX made by
 * xsort_tmp_new(), named by a counter, so that a signal handler can remove
 * every one of them with async-signal-safe calls only
 * (xsort_tmp_cleanup_signal).
 */
#ifndef XSORT_H
#define XSORT_H

#include <stddef.h>

#include "kmerge.h"

typedef struct xsort_tmp xsort_tmp;

/* Creates PARENT/osmerge.XXXXXX (PARENT NULL: $TMPDIR, else /tmp).
 * Returns NULL with errno set. */
xsort_tmp *xsort_tmp_new(const char *parent);
/* Creates a new empty file in the directory, mode 0600; its path goes to
 * PATH.  Returns the open descriptor (caller closes), or -1 with errno. */
int xsort_tmp_create(xsort_tmp *t, char *path, size_t pathsz);
/* Unlinks one file made by xsort_tmp_create (errors ignored). */
void xsort_tmp_remove(xsort_tmp *t, const char *path);
/* The directory's path, owned by T, for messages. */
const char *xsort_tmp_dir(const xsort_tmp *t);
/* Removes every file made and the directory, then frees T.  NULL is fine. */
void xsort_tmp_free(xsort_tmp *t);
/* Removes every file and the directory using only async-signal-safe calls;
 * T stays allocated.  For signal handlers. */
void xsort_tmp_cleanup_signal(xsort_tmp *t);

struct xsort_opts {
	struct kmerge_opts m; /* keys, max_line, fanin, unique, skip_bad, tmp */
	size_t memory;        /* budget in bytes for the sort arena */
};

/* Sorts the lines of the N inputs PATHS (need not be sorted) into W, stable.
 * Returns 0, or -1 with ERR filled; runs are removed on both paths. */
int xsort_files(const struct xsort_opts *o, char *const *paths, size_t n, lzio_writer *w,
		struct kmerge_stats *st, struct kmerge_err *err);

#endif
