/* tspan.h - UTC instants in milliseconds, ISO-8601, calendar steps and
 * strftime-style index patterns.
 *
 * All instants are int64 milliseconds since 1970-01-01T00:00:00Z.  Steps are
 * calendar-aware in UTC: "1d" starts at 00:00Z, "1M" follows month lengths
 * and leap years.  No function here reads the local time zone.
 */
#ifndef TSPAN_H
#define TSPAN_H

#include <stddef.h>
#include <stdint.h>

#define TSPAN_ISO_MAX 40 /* buffer size that fits any formatted instant */
/* The instants tspan_parse_time() accepts: years 0000 to 9999, the ones
 * the ISO form (and so a spec line) can write back. */
#define TSPAN_MIN_MS (-62167219200000LL) /* 0000-01-01T00:00:00.000Z */
#define TSPAN_MAX_MS 253402300799999LL   /* 9999-12-31T23:59:59.999Z */

/* A step such as 15m, 1h, 6h, 1d, 1w, 1M, 1y. */
struct tspan_step {
	int count;  /* >= 1 */
	char unit;  /* 's' 'm' 'h' 'd' 'w' 'M' 'y' ('l' = milliseconds) */
};

/* Parses an instant: ISO-8601 with a time zone ("2024-03-01T00:00:00Z",
 * "2024-03-01T02:00:00.250+02:00", date only "2024-03-01" = midnight UTC),
 * or epoch milliseconds (all digits, optional '-').  Fractions finer than a
 * millisecond are truncated and *sub_ms (if not NULL) is set to 1 when they
 * were not zero.  LEN may be (size_t)-1 for a NUL-terminated string.
 * Returns 0, or -1 if S is not a valid instant.
 * Details: the date is YYYY-MM-DD and must exist (2023-02-29, month 13 and
 * day 0 fail); the separator is 'T', 't' or ' '; the time is HH:MM[:SS[.F]]
 * with ',' also accepted before F, hours 0-23, no leap second; the zone is
 * Z, z, +HH, +HHMM or +HH:MM (hours <= 18, minutes <= 59), and a date-time
 * with no zone is UTC, as OpenSearch reads it.  Nothing may follow.  The
 * instant must lie in TSPAN_MIN_MS..TSPAN_MAX_MS.  Never reads TZ or
 * allocates; about 20 ns per call. */
int tspan_parse_time(const char *s, size_t len, int64_t *ms, int *sub_ms);

/* The length in ms of the finest field S spells out, for inclusive ends the
 * way OpenSearch reads "lte" (it rounds the missing fields up): a date alone
 * 86400000, HH:MM 60000, HH:MM:SS 1000, any fraction or epoch millis 1.  So
 * [from, S] is [from, S + tspan_precision(S)).  S must be valid for
 * tspan_parse_time(). */
int64_t tspan_precision(const char *s, size_t len);

/* "2024-03-01T00:00:00.000Z" into BUF (>= TSPAN_ISO_MAX).  Returns BUF. */
char *tspan_format_iso(int64_t ms, char *buf);
/* File-name form without ':' (safe in make targets): "20240301T000000.000Z". */
char *tspan_format_compact(int64_t ms, char *buf);

/* Parses "15m", "1h", "1d", "1M", ... Returns 0 or -1. */
int tspan_parse_step(const char *s, struct tspan_step *step);
/* Start of the step-aligned period containing MS (e.g. floor to 00:00Z for
 * 1d, to the 1st of the month for 1M, to multiples of 15 min for 15m). */
int64_t tspan_floor(int64_t ms, struct tspan_step step);
/* MS advanced by one step (calendar arithmetic for M and y). */
int64_t tspan_add(int64_t ms, struct tspan_step step);

/* The period of a strftime-style index pattern: its finest time token
 * (%H -> 1h, %d/%j -> 1d, %m -> 1M, %Y -> 1y).  Returns 1 and sets *period if
 * the pattern has a time token, 0 if it has none (a plain index, alias or
 * wildcard), -1 if it has an unsupported % token. */
int tspan_pattern_period(const char *pattern, struct tspan_step *period);
/* The concrete index name of PATTERN at instant MS (UTC).  Returns the
 * length written, or 0 if it does not fit in N bytes. */
size_t tspan_pattern_format(const char *pattern, int64_t ms, char *buf, size_t n);

#endif
