/* recheck.h - are the cached chunks of a plan still what the server holds?
 * The server's current count (and, at level seqno, the highest _seq_no per
 * shard) of every chunk, asked with one date_range aggregation per index
 * whose buckets are exactly the chunks' ranges, compared with each chunk's
 * sidecar (meta.h).  osplan --recheck is options around recheck_run().
 *
 * Levels (docs/osplan.1 states what each can and cannot see):
 *   count  the documents matching the query in [from, to) against the
 *          sidecar's "docs": misses a change that keeps the count (one
 *          document deleted and another added, an update in place).
 *   seqno  also, per shard, the highest _seq_no in the chunk against a
 *          baseline NAME.check that a recheck recorded before the chunk was
 *          fetched: any write after the fetch (index, update, delete plus
 *          add) gives a document a _seq_no above every earlier one of its
 *          shard, so the chunk changed iff its count changed or a shard's
 *          highest _seq_no in it went up.
 *
 * A slice of a millisecond cannot be counted alone: the whole millisecond
 * is checked against the sum of its slices' sidecars, and every slice
 * shares that verdict.
 */
#ifndef RECHECK_H
#define RECHECK_H

#include <stddef.h>
#include <stdio.h>

#include "http.h"
#include "plan.h"
#include "query.h"

enum recheck_level { RECHECK_COUNT, RECHECK_SEQNO };

struct recheck_opts {
	enum recheck_level level;
	const char *cache_dir;  /* osfetch's cache directory */
	const char *fingerprint;/* query_fingerprint() of the plan's query */
	int invalidate;         /* remove stale chunks (and their sidecars) */
};

struct recheck_stats {
	size_t chunks, fresh, stale, missing, removed;
	unsigned long requests; /* search requests sent */
	double seconds;
};

/* Rechecks every chunk of P (sorted, as planner.c leaves it) on the server
 * through H with query Q, and writes one line per chunk to OUT (NULL: each
 * line is logged at level detailed instead), in plan order:
 *     STATE \t PATH \t CACHED_DOCS \t SERVER_DOCS \t REASON
 * STATE fresh, stale or missing; CACHED_DOCS the sidecar's docs or "-";
 * REASON "-" (fresh), "missing", "count", "seqno", "size" (the file is not
 * the one its sidecar describes), "baseline" (seqno level: no baseline
 * recorded before the fetch) or "slices" (a slice of the millisecond is
 * missing).  At level seqno it records the baseline NAME.check of every
 * stale or missing chunk (through publish.h) for the fetch that follows.
 * With o->invalidate, a stale chunk is unlinked before its sidecar.
 * Returns 0, or an osdl exit code with a one-line reason in ERR: the
 * server's (http_json), OSDL_EXIT_IO (writing OUT, a baseline or removing
 * a chunk), OSDL_EXIT_DATA (a sidecar that cannot be read), OSDL_EXIT_FAIL
 * (out of memory).  ST is filled in either case. */
int recheck_run(http *h, const query *q, const struct plan *p, const struct recheck_opts *o,
		FILE *out, struct recheck_stats *st, char *err, size_t errlen);

/* ST as KEY=VALUE lines (osplan.1's --summary format: check, chunks,
 * fresh, stale, missing, removed, requests, seconds) to F.  Returns 0 or
 * -1 (write error, errno set). */
int recheck_write_summary(FILE *f, const struct recheck_stats *st, enum recheck_level level);

#endif
