/* fetch.h - one chunk from the server into its published cache file:
 * snapshot (scroll, or PIT + search_after on a unique sort: engine.h
 * chooses) read in the server's cheapest order (_doc, _shard_doc),
 * streaming pages through the search parser, time order restored locally
 * (chunksort.h) unless the query is unsorted, into LZ4 frames,
 * count verification against hits.total of the same snapshot, recovery of a
 * lost page (scroll: restart the chunk; PIT: ask again from the last complete
 * page), and all-or-nothing publication.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "http.h"
#include "query.h"
#include "spec.h"
#include "xsort.h"

struct fetch_opts {
	const char *cache_dir;   /* NULL: "." */
	int page_size;           /* 0: FETCH_PAGE_DEFAULT */
	int force;               /* refetch even if the chunk is published */
	const char *keep_alive;  /* scroll keep-alive; NULL: "2m" */
	int max_failures;        /* transient failures + restarts per chunk; 0: 8, < 0: none */
	int method;              /* enum engine_want: 0 (auto) takes the engine's choice */
	size_t memory;           /* local sort budget; 0: CHUNKSORT_MEMORY_DEFAULT */
	tmpdir **tmp;         /* where the local sort spills, made on the first
				    spill (chunksort_opts.tmp); needed unless the
				    query is unsorted; the caller frees *tmp */
	const char *tmpdir;      /* NULL: $TMPDIR or /tmp */
};

#define FETCH_PAGE_DEFAULT 5000

struct fetch_stats {
	uint64_t docs, bytes, compressed_bytes, pages, retries, restarts;
	int64_t server_total;
	double seconds;
	int cached;              /* 1: the file was already published */
};

/* Fetches SP into DIR/FINGERPRINT/INDEX/NAME and writes that path into
 * PATH.  E may be NULL when not known yet: it is then detected (once) into
 * *ENGINE_CACHE only if the chunk must really be fetched.
 * Returns 0 (published, or cached: st->cached), or an osdl exit code with a
 * one-line reason in ERR: OSDL_EXIT_SERVER, OSDL_EXIT_RETRIES,
 * OSDL_EXIT_VERIFY, OSDL_EXIT_IO, OSDL_EXIT_SIGNAL, OSDL_EXIT_FAIL, and
 * OSDL_EXIT_USAGE when o->method asks for PIT on an engine that cannot do it
 * exactly once.  On any error nothing is published and every scroll or PIT it
 * opened is cleared (a PIT whose open answer was lost expires by itself). */
int fetch_chunk(http *h, struct engine *engine_cache, int *engine_known,
		const query *q, const struct spec *sp, const struct fetch_opts *o,
		char *path, size_t pathlen, struct fetch_stats *st,
		char *err, size_t errlen);

#endif
