/* plansrv.h - the server side of planning: resolving index expressions to
 * concrete indexes, checking fields against _field_caps, and counting
 * documents per interval for --target-docs.
 *
 * Every function returns 0 or an osdl exit code (OSDL_EXIT_USAGE for what
 * the user must fix, OSDL_EXIT_SERVER / OSDL_EXIT_RETRIES / OSDL_EXIT_SIGNAL
 * from http_json, OSDL_EXIT_FAIL for out of memory) with a one-line reason
 * in ERR.
 */
#ifndef PLANSRV_H
#define PLANSRV_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "plan.h"
#include "query.h"

typedef struct plansrv_names plansrv_names;

/* Asks GET /_resolve/index/EXPR (open indexes) what EXPR names: concrete
 * indexes, aliases and data streams with their indexes.  *OUT is the
 * caller's, freed with plansrv_names_free().  Returns 0, or an osdl exit
 * code (http_json()'s, or OSDL_EXIT_FAIL) with a one-line reason in ERR. */
int plansrv_resolve(http *h, const char *expr, plansrv_names **out, char *err, size_t errlen);
void plansrv_names_free(plansrv_names *r); /* NULL is fine */

/* The concrete indexes NAME stands for among R: itself if it is an index;
 * the indexes of an alias or data stream; for a wildcard (* or ?), every
 * index, alias and data stream it matches, expanded; for a comma list, the
 * union of its names.  Sorted, unique; the
 * strings are owned by R, the array is malloc'd (free() it).  Returns the
 * count (0: NAME does not exist), or -1 on ENOMEM. */
long plansrv_lookup(const plansrv_names *r, const char *name, const char ***out);

/* Checks the time field and the --fields of Q against GET
 * /EXPR/_field_caps: the time field must exist and be a date or date_nanos;
 * each field must exist, be an object holding fields, or (with * or ?)
 * match one.  Unknown names give OSDL_EXIT_USAGE with the closest existing
 * names.  No index matching EXPR is not an error (nothing to check).
 * Returns 0, or an osdl exit code with a one-line reason in ERR. */
int plansrv_check_fields(http *h, const char *expr, const query *q, char *err, size_t errlen);

/* Schema drift: asks GET /EXPR/_field_caps and calls FN once per type of
 * every field (metadata fields aside) that has more than one type among
 * the indexes NAMES[0..N) (sorted, strcmp; others are ignored), with the
 * field, the type and those of NAMES that map it so, comma-separated.
 * Fields come in the server's order, types in the server's order.
 * *NDRIFT is the number of such fields.  FN returns 0 to go on, or an
 * exit code that is returned.  Returns 0 or an osdl exit code with a
 * one-line reason in ERR. */
typedef int (*plansrv_drift_fn)(const char *field, const char *type, const char *indexes, void *ud);
int plansrv_drift(http *h, const char *expr, const char *const *names, size_t n, plansrv_drift_fn fn,
		  void *ud, size_t *ndrift, char *err, size_t errlen);

/* Counts the documents of INDEX in [FROM, TO) matching Q, as leaves for
 * plan_pack(): date_histogram buckets (about 1000 per request, empty ones
 * left out), each bucket above TARGET refined by another histogram until it
 * holds at most TARGET documents or is one millisecond wide.  *LEAVES is
 * malloc'd (free() it), sorted and disjoint; *TOTAL is the sum. */
int plansrv_count(http *h, const query *q, const char *index, int64_t from, int64_t to,
		  int64_t target, struct plan_leaf **leaves, size_t *n, int64_t *total,
		  char *err, size_t errlen);

/* The server's count of documents matching Q in [FROM, TO) over EXPR (any
 * index expression), through _count, into *N. */
int plansrv_total(http *h, const query *q, const char *expr, int64_t from, int64_t to,
		  int64_t *n, char *err, size_t errlen);

/* S percent-encoded for a URL path as the requests above send it (index
 * expressions keep their * , . - _ @), into BUF of N bytes (cut to fit). */
void plansrv_url_part(const char *s, char *buf, size_t n);

#endif
