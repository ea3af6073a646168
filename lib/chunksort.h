/* chunksort.h - a chunk's document lines put in time order locally, under a
 * memory budget, so that the server can be asked for its cheapest order.
 *
 * Order (total, so the result does not depend on arrival order): the time
 * field's value compared as jkey does (numbers numerically, ISO-8601
 * instants chronologically; missing first), then the _id as written in the
 * line (its JSON string text, bytewise), then the whole line bytewise.
 *
 * Lines are kept in one arena up to the budget; beyond it the committed
 * lines are sorted and spilled as an LZ4 run into an tmpdir directory,
 * and chunksort_finish() merges the runs (kmerge readers and heap), in
 * several passes when there are more runs than the budget allows readers.
 *
 * Pages: a caller that may lose a page after handing on part of it (PIT)
 * opens the sorter "paged": lines are only committed by chunksort_mark(),
 * and chunksort_rewind() drops those added since.  Only committed lines are
 * spilled, so the arena may exceed the budget by the lines of one page.
 *
 * Memory: about the budget (arena and index while reading; readers of
 * KMERGE_READER_BYTES each plus the longest line while merging), plus one
 * page in paged mode.
 *
 * Errors (errbuf.h): a failure returns the osdl exit code of its kind and
 * writes one line into the caller's (ERR, ERRLEN): OSDL_EXIT_FAIL out of
 * memory, OSDL_EXIT_IO temp files, OSDL_EXIT_DATA a line that is not a JSON
 * object; reading the runs back passes kmerge's codes and reasons on.  The
 * sorter keeps no message: a caller that learns of a failure only later
 * (adding lines from inside a parser's callback) keeps the code itself.
 */
#ifndef CHUNKSORT_H
#define CHUNKSORT_H

#include <stddef.h>
#include <stdint.h>

#include "jkey.h"
#include "kmerge.h"
#include "tmpdir.h"

#define CHUNKSORT_MEMORY_DEFAULT ((size_t)16 << 20)
#define CHUNKSORT_MEMORY_MIN ((size_t)1 << 16)

struct chunksort_opts {
	const char *time_field; /* dotted path of the sort key */
	size_t memory;          /* budget in bytes; 0: CHUNKSORT_MEMORY_DEFAULT */
	tmpdir **tmp;        /* where runs are spilled: *tmp, made under tmpdir
				   on the first spill when NULL (so a chunk that
				   fits makes no directory); the caller frees it */
	const char *tmpdir;     /* NULL: $TMPDIR, else /tmp (tmpdir_new) */
	size_t max_line;        /* longest line read back from a run; 0: 512 MiB */
	int paged;              /* lines count only after chunksort_mark() */
};

typedef struct chunksort chunksort;

/* A sorter (options copied, the time field too).  NULL on ENOMEM or a time
 * field longer than 255 bytes. */
chunksort *chunksort_new(const struct chunksort_opts *o);
/* Removes its runs and frees it.  NULL is fine. */
void chunksort_free(chunksort *cs);

/* Adds one line given in two parts (PREFIX then BODY, which ends in
 * '\n').  Returns 0, or an exit code with the reason in ERR:
 * OSDL_EXIT_DATA "document N: ..." for a line that is not a JSON object,
 * OSDL_EXIT_IO spilling a run, OSDL_EXIT_FAIL memory. */
int chunksort_add(chunksort *cs, const char *prefix, size_t plen,
		  const char *body, size_t blen, char *err, size_t errlen);
/* Paged mode: commits the lines added so far / drops those added since. */
void chunksort_mark(chunksort *cs);
void chunksort_rewind(chunksort *cs);
/* Forgets every line and run (a restart of the chunk). */
void chunksort_reset(chunksort *cs);

/* Receives each line in order, without its '\n', and its sort keys:
 * KEYS[0] the time field's value, KEYS[1] the _id (jkey values pointing
 * into LINE).  Returns 0 or non-zero to stop. */
typedef int (*chunksort_emit)(const char *line, size_t len, const jkey_val *keys, void *ud);
/* Hands every line (committed or not) on in order, then empties the
 * sorter.  Returns 0; -1 when EMIT stopped it, with ERR untouched (only
 * the callback knows why, and -1 is never an exit code); or an exit code
 * with the reason in ERR. */
int chunksort_finish(chunksort *cs, chunksort_emit emit, void *ud, char *err, size_t errlen);

/* Lines added, runs spilled and their bytes, merge passes, since new. */
struct chunksort_stats {
	uint64_t lines, runs, spilled_bytes, passes;
};
void chunksort_stats(const chunksort *cs, struct chunksort_stats *st);

#endif
