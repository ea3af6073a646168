/* shape.h - what osshape counts: the indexes an index pattern names over a
 * range, counts read from a file, and documents per index and bucket from
 * the server in one aggregation.
 *
 * Functions returning int return 0 or an osdl exit code with a one-line
 * reason in ERR: OSDL_EXIT_DATA (a bad counts line), OSDL_EXIT_IO (reading
 * the counts), OSDL_EXIT_SERVER / OSDL_EXIT_RETRIES / OSDL_EXIT_SIGNAL (from
 * http_json, or a response that does not add up), OSDL_EXIT_FAIL (ENOMEM).
 */
#ifndef SHAPE_H
#define SHAPE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hist.h"
#include "http.h"
#include "plansrv.h"
#include "query.h"

/* Where a time pattern reads: INDEX over [FROM, TO) of the range. */
struct shape_period {
	char *index;
	int64_t from, to;
};

/* Index names, each missing or not, and for a time pattern the period each
 * concrete index is read for. */
struct shape_list {
	char **name;
	unsigned char *missing;
	size_t n;
	struct shape_period *period;
	size_t nperiod;
};
void shape_list_free(struct shape_list *l); /* frees the members, not L */


/* The rows to draw for PATTERN over [FROM, TO), appended to OUT (sorted,
 * unique): for a time pattern, the name of each period the range touches,
 * replaced through NAMES by its concrete indexes (an alias by its
 * members), or kept and marked missing when NAMES does not know it, and
 * each concrete index with the period's part of the range in ->period; for
 * anything else, the concrete indexes NAMES gives for PATTERN (PATTERN
 * itself, missing, when none).  NAMES NULL (offline): the period names as
 * they are, none missing, and nothing for a pattern without time tokens.
 * An unsupported % token is OSDL_EXIT_USAGE. */
int shape_expect(const plansrv_names *names, const char *pattern, int64_t from, int64_t to,
		 struct shape_list *out, char *err, size_t errlen);

/* One line of a counts file: INDEX TAB FROM_MS TAB TO_MS TAB COUNT. */
struct shape_count {
	char *index;
	int64_t from, to, count;
};

/* Reads counts lines from F (NAME for messages) into *OUT (the caller's,
 * freed with shape_counts_free()).  Blank lines and lines starting with #
 * are skipped; anything else that is not INDEX, FROM_MS < TO_MS and
 * COUNT >= 0 separated by single tabs is OSDL_EXIT_DATA with its line
 * number.  Memory: one record a line. */
int shape_read_counts(FILE *f, const char *name, struct shape_count **out, size_t *n,
		      char *err, size_t errlen);
void shape_counts_free(struct shape_count *c, size_t n);

/* Most periods shape_count() turns into a filter: two clauses each, well
 * below the server's default limit of 1024 clauses in one query. */
#define SHAPE_MAX_PERIODS 400

/* One search over EXPR: the documents matching Q in the histogram's range,
 * with ONLY's periods (when not NULL, with 1..SHAPE_MAX_PERIODS periods)
 * only those each index holds for its own period, as osplan plans a time
 * pattern (a document filed in another period's index is not counted),
 * a terms aggregation on _index (NINDEX buckets at least) with a
 * date_histogram sub-aggregation of the histogram's bucket size, each
 * bucket added to HS.  The buckets must add up to the hits' exact total and
 * no index may be left out of the terms, else OSDL_EXIT_SERVER; so does a
 * failed shard.  *TOTAL gets the server's total. */
int shape_count(http *h, const query *q, const char *expr, const struct shape_list *only, size_t nindex,
		hist *hs, int64_t *total, char *err, size_t errlen);

#endif
