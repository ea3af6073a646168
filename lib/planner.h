/* planner.h - plans a download: an index pattern, a time range and a query
 * in, the chunk plan out (calendar pieces, resolved on the server into
 * concrete indexes, counted and packed with target_docs), written in one of
 * plan.h's formats.  osplan is options around planner_run().
 *
 * Errors are an osdl exit code with a one-line reason in the caller's
 * (err, errlen); progress and warnings go to log.h.
 */
#ifndef PLANNER_H
#define PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "recheck.h"
#include "tspan.h"

struct planner_opts {
	const char *index;               /* pattern, name, alias or wildcard */
	int64_t from, to;                /* [from, to) in epoch ms */
	const struct tspan_step *step;   /* NULL: the pattern's period, or 1d */
	const char *time_field;          /* NULL: @timestamp */
	const char *query_file;          /* NULL: match all; "-": stdin */
	const char *query_arg;           /* the query file as fetch recipes name it */
	const char *fields;              /* comma list, NULL: all */
	int no_sort, offline, count, insecure;
	long long target_docs;           /* 0: calendar chunks */
	long long slice_docs;            /* 0: never; else a calendar chunk of more
	                                    documents is fetched as ceil(n / slice_docs)
	                                    slices (one _count per chunk) */
	size_t max_chunks;
	const char *aws_region, *aws_service;
	enum plan_format format;
	const char *cache;               /* for make, json and tsv paths */
	/* --recheck: instead of the plan, recheck.h's lines for its chunks
	 * (format make: the plan, after removing the stale chunks) */
	int recheck, invalidate;
	enum recheck_level check;
	int drift;                       /* --drift: planner_drift's lines instead of the plan */
};

struct planner_result {
	char *out;          /* the whole plan text (malloc'd, caller frees) */
	size_t outlen;
	size_t chunks, missing;
	int64_t docs;       /* counted documents, -1 when not counted */
	int64_t range_total;/* the server's _count over the pattern and range, -1 unknown */
	char server[96];    /* "opensearch 2.19.1", empty offline */
	char url[512];      /* the server's base URL without credentials */
	struct recheck_stats recheck; /* with o->recheck */
	size_t drifted;     /* fields whose type differs between the plan's indexes */
};

/* Plans O into R (zeroed by the caller).  Returns 0, or an osdl exit code
 * with a reason in ERR: OSDL_EXIT_USAGE for bad input (pattern, query file,
 * unknown fields, a plan over max_chunks, an index name outside the allowed
 * set), the server's codes (http.h) otherwise.  On error R->out is NULL. */
int planner_run(const struct planner_opts *o, struct planner_result *r, char *err, size_t errlen);

/* The server's current count of documents matching O's query in [from, to)
 * over every index the pattern names (one _count), and the engine it runs,
 * into R->range_total, R->server and R->url.  Returns 0 or an exit code. */
int planner_total(const struct planner_opts *o, struct planner_result *r, char *err, size_t errlen);

#endif
