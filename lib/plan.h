/* plan.h - chunk planning without a server: the calendar cut of a range by
 * step and index period, greedy packing of counted intervals into chunks of
 * at most N documents, statistics and the output formats.
 *
 * A plan is an in-memory array of chunks bounded by max_chunks, so osplan
 * can validate everything before it prints a single line.
 */
#ifndef PLAN_H
#define PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spec.h"
#include "tspan.h"

struct plan_chunk {
	struct spec sp;
	int64_t docs; /* documents counted on the server; -1 if not counted */
};

struct plan {
	struct plan_chunk *c;
	size_t n, cap;
	size_t max; /* plan_add() refuses chunk number max + 1 */
};

/* A counted interval [from, to) holding DOCS documents (> 0). */
struct plan_leaf {
	int64_t from, to, docs;
};

void plan_init(struct plan *p, size_t max_chunks);
void plan_free(struct plan *p); /* frees the chunks; P itself is the caller's */

/* Appends one chunk (INDEX is copied; longer than SPEC_INDEX_MAX - 1 is an
 * error).  Returns 0, or -1 with a reason in ERR: more than max chunks, name
 * too long, out of memory. */
int plan_add(struct plan *p, const char *index, int64_t from, int64_t to,
	     int slice_id, int slice_max, int64_t docs, char *err, size_t errlen);

/* Whether the literal part of PATTERN (outside % tokens) holds only what
 * index names may (spec_index_char_valid) and the wildcard and list
 * characters "*?,".  Returns 0, or -1 with the pattern and the first bad
 * character, escaped, in ERR. */
int plan_pattern_chars(const char *pattern, char *err, size_t errlen);

/* The period of an index pattern, with the errors a user needs to see: an
 * unsupported % token, % tokens none of which is a time token ("%%" alone),
 * or a literal character that is neither allowed in an index name
 * (spec_index_name_valid) nor one of the wildcard and list characters "*?,".
 * Returns 1 (time pattern, *PERIOD set), 0 (plain name), -1. */
int plan_pattern_period(const char *pattern, struct tspan_step *period,
			char *err, size_t errlen);

/* Appends the calendar cut of [FROM, TO) (FROM < TO): a chunk ends at every
 * STEP boundary (STEP NULL: none) and every period boundary of PATTERN, and
 * at TO.  Each chunk's index is PATTERN formatted at the chunk's start (the
 * pattern itself when it has no time token).  Chunks come out sorted,
 * contiguous and non-overlapping, their union exactly [FROM, TO).
 * Returns 0 or -1 with a reason in ERR (see plan_add). */
int plan_calendar(struct plan *p, const char *pattern, int64_t from, int64_t to,
		  const struct tspan_step *step, char *err, size_t errlen);

/* Appends the chunks of INDEX over [FROM, TO) packed from N counted LEAVES
 * (sorted, disjoint, inside [FROM, TO), docs > 0): adjacent leaves are
 * joined while the sum stays <= TARGET; time without leaves goes to the
 * preceding chunk (the first chunk starts at FROM, the last ends at TO), so
 * the chunks cover [FROM, TO) exactly when N > 0, and nothing is appended
 * when N == 0.  A leaf above TARGET (a single millisecond the server could
 * not split) becomes ceil(docs / TARGET) slice chunks over the same range,
 * each with an equal share of the documents.  Returns 0 or -1 (plan_add). */
int plan_pack(struct plan *p, const char *index, int64_t from, int64_t to,
	      const struct plan_leaf *leaves, size_t n, int64_t target,
	      char *err, size_t errlen);

/* Checks every chunk's index against spec_index_name_valid(), so that no
 * output format ever carries a name that could be read as code or split
 * into fields.  Returns 0, or -1 with the first bad name (escaped for
 * display) in ERR. */
int plan_check_names(const struct plan *p, char *err, size_t errlen);

/* Sorts by start, then index, then slice. */
void plan_sort(struct plan *p);

struct plan_stats {
	size_t chunks;
	int64_t total, min, median, max; /* over counted chunks; -1 if none */
};
void plan_stats(const struct plan *p, struct plan_stats *st);

/* PLAN_TSV, for scripts: one line per chunk, tab separated,
 * INDEX FROM TO SLICE PATH DOCS, with SLICE "i/n" or "-" and DOCS the
 * counted documents or "-". */
enum plan_format { PLAN_LINES, PLAN_MAKE, PLAN_JSON, PLAN_TSV };

struct plan_out {
	enum plan_format format;
	const char *cache_dir;   /* make targets and JSON "path" */
	const char *fingerprint; /* query_fingerprint() */
	/* make: the osfetch options (besides the spec) for every recipe, each
	 * quoted for sh and make by plan_write */
	const char *const *fetch_args;
	size_t nfetch_args;
};

/* The expression that names every index PATTERN can produce, for one
 * resolve, _field_caps or _count request: each time token becomes '*'
 * ("logs-%Y.%m.%d" -> "logs-*").  Truncated to N - 1 bytes. */
void plan_pattern_glob(const char *pattern, char *buf, size_t n);

/* Whether DIR can be a make target prefix without quoting: letters, digits
 * and "._-+@/" only, not empty. */
int plan_dir_ok(const char *dir);

/* Writes the plan in FMT's format; in make's, every path and argument is
 * also quoted for make and sh.  Returns 0, or -1 if a write failed (errno
 * set), a make argument holds a newline or an index name is not valid
 * (plan_check_names; errno EINVAL; nothing written then). */
int plan_write(FILE *f, const struct plan *p, const struct plan_out *fmt);

#endif
